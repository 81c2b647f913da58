// The court's writes: a judge issues a judicial suggestion (optionally about one of the court's
// cases against that agency) and follows it up (subgraphs/shared/issued-suggestions.ts).
import { linkedCase, mutationResolvers, suggestionIssuerWrites } from '../shared/index.js';
import type { CourtContext } from './context.js';
import { judicialSuggestionId, judicialSuggestionNumber, type JudicialSuggestionDoc } from './store.js';

const suggestions = suggestionIssuerWrites<JudicialSuggestionDoc, CourtContext>({
  type: 'JudicialSuggestion',
  store: ({ store }) => ({
    createdBy: store.suggestionCreatedBy,
    get: store.suggestion,
    numberTaken: store.suggestionNumberTaken,
    insert: store.insertSuggestion,
    update: store.updateSuggestion,
    nextNumber: store.nextSuggestionNumber,
  }),
  idOf: judicialSuggestionId,
  numberOf: judicialSuggestionNumber,
  link: async (input, toAgencyId, context) => ({
    adminCaseId: await linkedCase(input, 'adminCaseId', toAgencyId, async (id) => {
      const found = await context.loaders.adminCase.load(id);
      return found && { agencyId: found.defendantId };
    }, 'AdminCase'),
  }),
});

export const courtWrites = mutationResolvers<CourtContext>({
  issueJudicialSuggestion: suggestions.issue,
  requestJudicialSuggestionSupplement: suggestions.requestSupplement,
  closeJudicialSuggestion: suggestions.close,
});
