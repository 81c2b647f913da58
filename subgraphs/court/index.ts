// The court subgraph (区法院): administrative cases and hearings, enforcement with pre-enforcement
// settlement, and judicial suggestions, over linkage_court.
import { parse } from 'graphql';
import type { Db } from 'mongodb';
import { readSubgraphSdl } from '../../schema/compose.js';
import type { AgencyOf } from '../../auth/index.js';
import { serveSubgraph, type RunningService, type SubgraphDefinition, type SubgraphSecurity } from '../shared/index.js';
import { createCourtContext, type CourtContext } from './context.js';
import { resolvers } from './resolvers.js';
import { createCourtStore } from './store.js';

export { createCourtStore, type CourtStore, type CourtSeed } from './store.js';

export const agencyOf: AgencyOf = {
  // OWN_UNIT row conditions: the agency each record belongs to.
  AdminCase: (c) => c.defendantId as string,
  EnforcementCase: (e) => e.agencyId as string,
  JudicialSuggestion: (s) => s.toAgencyId as string,
};

export async function courtSubgraph(db: Db): Promise<SubgraphDefinition<CourtContext>> {
  const store = createCourtStore(db);
  await store.ensureIndexes();
  return {
    name: 'court',
    typeDefs: parse(readSubgraphSdl('court')),
    resolvers,
    agencyOf,
    context: async (identity) => createCourtContext(store, identity),
  };
}

export async function serveCourt(
  db: Db,
  listen: { host: string; port: number },
  security: SubgraphSecurity,
  onStop?: () => Promise<void>,
): Promise<RunningService> {
  return serveSubgraph(await courtSubgraph(db), listen, security, onStop);
}
