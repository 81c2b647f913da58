// The procuratorate's store: the only code that touches linkage_procuratorate. It builds every
// filter from parsed arguments, creates the indexes at start, and maps documents.
import type { Db, Filter } from 'mongodb';
import { countBy, inPeriod, tally } from '../shared/index.js';
import { defined, findByIds, findGroupedBy, findPage, maybeWithId, withId, type Connection, type PageArgs, type Period, type SortKey, type WithId } from '../../platform/index.js';

export interface SupervisionCaseDoc {
  _id: string;
  caseNumber: string;
  kind: string;
  adminCaseId: string | null;
  agencyId: string | null;
  disputeId: string | null;
  openedAt: Date;
  closedAt: Date | null;
  status: string;
  prosecutorNotes: string | null;
}
export interface ProcuratorialSuggestionDoc {
  _id: string;
  number: string;
  toAgencyId: string;
  supervisionCaseId: string | null;
  issuedAt: Date;
  dueAt: Date;
  content: string;
}

export interface ProcuratorateSeed {
  supervisionCases: SupervisionCaseDoc[];
  procuratorialSuggestions: ProcuratorialSuggestionDoc[];
}

export type SupervisionCase = WithId<SupervisionCaseDoc>;
export type ProcuratorialSuggestion = WithId<ProcuratorialSuggestionDoc>;

const SORT = {
  supervisionCases: { field: 'openedAt', type: 'date', direction: -1 },
  suggestions: { field: 'issuedAt', type: 'date', direction: -1 },
} as const satisfies Record<string, SortKey>;

export interface SupervisionCaseFilter {
  kind?: string;
  status?: string;
  agencyId?: string;
  adminCaseId?: string;
  opened?: Period;
}
export interface SuggestionFilter {
  toAgencyId?: string;
  issued?: Period;
}

export function createProcuratorateStore(db: Db) {
  const supervisions = db.collection<SupervisionCaseDoc>('supervisionCases');
  const suggestions = db.collection<ProcuratorialSuggestionDoc>('procuratorialSuggestions');

  return {
    async ensureIndexes(): Promise<void> {
      // Every list filter leads an index, followed by the list's order (equality, then sort: MongoDB's
      // ESR rule), so a filtered page is read in order and stops at its last row instead of scanning
      // and sorting the collection; a period is a range on the order itself. test/index-coverage.test.ts
      // holds every query of this store to these.
      await supervisions.createIndex({ openedAt: -1, _id: -1 });
      await supervisions.createIndex({ adminCaseId: 1 });
      await supervisions.createIndex({ disputeId: 1 });
      await supervisions.createIndex({ kind: 1, openedAt: -1, _id: -1 });
      await supervisions.createIndex({ status: 1, openedAt: -1, _id: -1 });
      await supervisions.createIndex({ agencyId: 1, openedAt: -1, _id: -1 });
      // The statistics' cases closed in a period.
      await supervisions.createIndex({ closedAt: 1 });
      await suggestions.createIndex({ issuedAt: -1, _id: -1 });
      await suggestions.createIndex({ toAgencyId: 1, issuedAt: -1, _id: -1 });
    },

    async isEmpty(): Promise<boolean> {
      return (await supervisions.countDocuments({}, { limit: 1 })) === 0;
    },

    async replaceAll(seed: ProcuratorateSeed): Promise<void> {
      await db.dropDatabase();
      await supervisions.insertMany(seed.supervisionCases);
      await suggestions.insertMany(seed.procuratorialSuggestions);
    },

    supervisionsByIds: async (ids: readonly string[]) => (await findByIds(supervisions, ids)).map(maybeWithId),
    suggestionsByIds: async (ids: readonly string[]) => (await findByIds(suggestions, ids)).map(maybeWithId),
    supervisionsByAdminCaseIds: async (ids: readonly string[]) =>
      (await findGroupedBy(supervisions, 'adminCaseId', ids, { openedAt: 1 })).map((group) => group.map(withId)),
    supervisionsByDisputeIds: async (ids: readonly string[]) =>
      (await findGroupedBy(supervisions, 'disputeId', ids, { openedAt: 1 })).map((group) => group.map(withId)),

    listSupervisionCases(filter: SupervisionCaseFilter, page: PageArgs): Promise<Connection<SupervisionCase>> {
      const query = defined({
        kind: filter.kind,
        status: filter.status,
        agencyId: filter.agencyId,
        adminCaseId: filter.adminCaseId,
        openedAt: filter.opened && inPeriod(filter.opened),
      });
      return findPage(supervisions, query as Filter<SupervisionCaseDoc>, SORT.supervisionCases, page, withId);
    },

    listSuggestions(filter: SuggestionFilter, page: PageArgs): Promise<Connection<ProcuratorialSuggestion>> {
      const query = defined({
        toAgencyId: filter.toAgencyId,
        issuedAt: filter.issued && inPeriod(filter.issued),
      });
      return findPage(suggestions, query as Filter<ProcuratorialSuggestionDoc>, SORT.suggestions, page, withId);
    },

    /** Supervision cases opened and closed, and suggestions issued, in the period. */
    async supervisionStats(period: Period) {
      const [opened, closed, issued] = await Promise.all([
        countBy(supervisions, { openedAt: inPeriod(period) }, { agency: '$agencyId' }),
        countBy(supervisions, { closedAt: inPeriod(period) }, { agency: '$agencyId' }),
        countBy(suggestions, { issuedAt: inPeriod(period) }, { agency: '$toAgencyId' }),
      ]);
      return (scope: string) => ({
        opened: tally(opened, scope),
        closed: tally(closed, scope),
        suggestionsIssued: tally(issued, scope),
      });
    },
  };
}

export type ProcuratorateStore = ReturnType<typeof createProcuratorateStore>;
