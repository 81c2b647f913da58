// The government subgraph (区政府): agencies, acts, reconsiderations, the dispute register,
// replies to suggestions and performance of judgments, over linkage_government.
import type { Db } from 'mongodb';
import { subgraphTypeDefs } from '../../schema/index.js';
import type { AgencyOf } from '../../auth/index.js';
import type { SubgraphDefinition } from '../shared/index.js';
import { decidedGrants } from './applications.js';
import { createGovernmentContext, type GovernmentContext } from './context.js';
import { resolvers } from './resolvers.js';
import { createGovernmentStore } from './store.js';

export { supervisionItemId, supervisionItemNumber } from './supervision.js';
export { sharingApplicationId } from './applications.js';
export { governmentImports } from './import.js';
export { partyPseudonym, localPseudonymizer, MAX_PSEUDONYMS_PER_CALL } from './pseudonyms.js';
export { createGovernmentStore, type GovernmentStore, type GovernmentSeed, type DisputeDoc, type PartyDoc, type ActDoc, type ReconsiderationDoc, type SupervisionItemDoc, type JointMeetingDoc, type SharingApplicationDoc } from './store.js';

export const agencyOf: AgencyOf = {
  // OWN_UNIT row conditions: the agency each record belongs to.
  AdministrativeAct: (act) => act.agencyId as string,
  Reconsideration: (rc) => rc.respondentId as string,
  Dispute: (dispute) => dispute.agencyId as string,
  // The issuer's word, from a representation or a write's references (subgraphs/government/suggestions.ts).
  JudicialSuggestion: (s) => s.toAgencyId as string | null,
  ProcuratorialSuggestion: (s) => s.toAgencyId as string | null,
  SupervisionItem: (item) => item.responsibleAgencyId as string,
};

export interface GovernmentOptions {
  /** The district key party pseudonyms are derived under (PSEUDONYM_KEY): the government's alone. Null: none configured. */
  pseudonymKey: string | null;
}

export async function governmentSubgraph(db: Db, options: GovernmentOptions): Promise<SubgraphDefinition<GovernmentContext>> {
  const store = createGovernmentStore(db);
  await store.ensureIndexes();
  return {
    name: 'government',
    typeDefs: subgraphTypeDefs('government'),
    resolvers,
    agencyOf,
    recordLookup: (text) => store.lookupRecords(text),
    // The grants on application the data steward decided (the rules consult them beside the static ones).
    grants: () => decidedGrants(() => store.grantsDecided(true)),
    context: async (identity, served) => createGovernmentContext(store, identity, served, options.pseudonymKey),
  };
}
