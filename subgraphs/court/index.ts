// The court subgraph (区法院): administrative cases and hearings, enforcement with pre-enforcement
// settlement, and judicial suggestions, over linkage_court.
import { parse } from 'graphql';
import type { Db } from 'mongodb';
import { readSubgraphSdl } from '../../schema/compose.js';
import { serveSubgraph, type RunningService, type SubgraphDefinition } from '../shared/index.js';
import { createCourtContext, type CourtContext } from './context.js';
import { resolvers } from './resolvers.js';
import { createCourtStore } from './store.js';

export { createCourtStore, type CourtStore, type CourtSeed } from './store.js';

export async function courtSubgraph(db: Db): Promise<SubgraphDefinition<CourtContext>> {
  const store = createCourtStore(db);
  await store.ensureIndexes();
  return {
    name: 'court',
    typeDefs: parse(readSubgraphSdl('court')),
    resolvers,
    context: async () => createCourtContext(store),
  };
}

export async function serveCourt(
  db: Db,
  listen: { host: string; port: number },
  onStop?: () => Promise<void>,
): Promise<RunningService> {
  return serveSubgraph(await courtSubgraph(db), listen, onStop);
}
