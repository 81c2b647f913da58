// The court subgraph (区法院): administrative cases and hearings, enforcement with pre-enforcement
// settlement, and judicial suggestions, over linkage_court.
import type { Db } from 'mongodb';
import { subgraphTypeDefs } from '../../schema/index.js';
import type { AgencyOf } from '../../auth/index.js';
import type { SubgraphDefinition } from '../shared/index.js';
import { createCourtContext, type CourtContext } from './context.js';
import { resolvers } from './resolvers.js';
import { createCourtStore } from './store.js';

export { courtImports } from './import.js';
export { createCourtStore, adminCaseNumber, enforcementCaseNumber, judicialSuggestionId, judicialSuggestionNumber, type CourtStore, type CourtSeed, type AdminCaseDoc, type EnforcementCaseDoc, type HearingDoc } from './store.js';

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
    typeDefs: subgraphTypeDefs('court'),
    resolvers,
    agencyOf,
    recordLookup: (text) => store.lookupRecords(text),
    context: async (identity, served) => createCourtContext(store, identity, served),
  };
}
