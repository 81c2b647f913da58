// The procuratorate subgraph (区检察院): administrative prosecution supervision and procuratorial
// suggestions, over linkage_procuratorate.
import type { Db } from 'mongodb';
import { subgraphTypeDefs } from '../../schema/index.js';
import type { AgencyOf } from '../../auth/index.js';
import type { SubgraphDefinition } from '../shared/index.js';
import { createProcuratorateContext, type ProcuratorateContext } from './context.js';
import { resolvers } from './resolvers.js';
import { createProcuratorateStore } from './store.js';

export { procuratorateImports } from './import.js';
export { createProcuratorateStore, procuratorialSuggestionId, procuratorialSuggestionNumber, type ProcuratorateStore, type ProcuratorateSeed, type SupervisionCaseDoc } from './store.js';

export const agencyOf: AgencyOf = {
  // OWN_UNIT row conditions: the agency each record belongs to.
  SupervisionCase: (s) => s.agencyId as string | null,
  ProcuratorialSuggestion: (s) => s.toAgencyId as string,
};

export async function procuratorateSubgraph(db: Db): Promise<SubgraphDefinition<ProcuratorateContext>> {
  const store = createProcuratorateStore(db);
  await store.ensureIndexes();
  return {
    name: 'procuratorate',
    typeDefs: subgraphTypeDefs('procuratorate'),
    resolvers,
    agencyOf,
    recordLookup: (text) => store.lookupRecords(text),
    context: async (identity, served) => createProcuratorateContext(store, identity, served),
  };
}
