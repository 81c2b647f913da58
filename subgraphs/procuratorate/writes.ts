// The procuratorate's writes: a prosecutor issues a procuratorial suggestion (optionally from one
// of its supervision cases concerning that agency) and follows it up
// (subgraphs/shared/issued-suggestions.ts).
import { linkedCase, mutationResolvers, suggestionIssuerWrites } from '../shared/index.js';
import type { ProcuratorateContext } from './context.js';
import { procuratorialSuggestionId, procuratorialSuggestionNumber, type ProcuratorialSuggestionDoc } from './store.js';

const suggestions = suggestionIssuerWrites<ProcuratorialSuggestionDoc, ProcuratorateContext>({
  type: 'ProcuratorialSuggestion',
  store: ({ store }) => ({
    createdBy: store.suggestionCreatedBy,
    get: store.suggestion,
    numberTaken: store.suggestionNumberTaken,
    insert: store.insertSuggestion,
    update: store.updateSuggestion,
    nextNumber: store.nextSuggestionNumber,
  }),
  idOf: procuratorialSuggestionId,
  numberOf: procuratorialSuggestionNumber,
  link: async (input, toAgencyId, context) => ({
    supervisionCaseId: await linkedCase(input, 'supervisionCaseId', toAgencyId, (id) => context.loaders.supervision.load(id), 'SupervisionCase'),
  }),
});

export const procuratorateWrites = mutationResolvers<ProcuratorateContext>({
  issueProcuratorialSuggestion: suggestions.issue,
  requestProcuratorialSuggestionSupplement: suggestions.requestSupplement,
  closeProcuratorialSuggestion: suggestions.close,
});
