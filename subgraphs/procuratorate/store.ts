// The procuratorate's store: the only code that touches linkage_procuratorate. It builds every
// filter from parsed arguments, creates the indexes at start, and maps documents.
import type { Collection, Db, Document, Filter } from 'mongodb';
import { DISTRICT_NAME, countBy, inPeriod, lookupByLabel, tally, type IssuedSuggestionDoc, type RecordMatch } from '../shared/index.js';
import { defined, ensureVersionedIndexes, upgradeToVersioned, importCollection, findByIds, findGroupedBy, findPage, insertOnce, maybeWithId, nextInSeries, updateVersion, withId, type Connection, type PageArgs, type Period, type SortKey, type VersionedDoc, type WithId, type WorkflowEvent } from '../../platform/index.js';

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
/** A suggestion the procuratorate issued (subgraphs/shared/issued-suggestions.ts), from one of its supervision cases or none. */
export interface ProcuratorialSuggestionDoc extends IssuedSuggestionDoc {
  supervisionCaseId: string | null;
}

/** A procuratorial suggestion's id and number (文号) from its place in the procuratorate's series. */
export const procuratorialSuggestionId = (year: number, n: number) => `PS-${year}-${String(n).padStart(3, '0')}`;
export const procuratorialSuggestionNumber = (year: number, n: number) => `${DISTRICT_NAME}检行建〔${year}〕${n}号`;
export const supervisionCaseNumber = (year: number, n: number) => `${DISTRICT_NAME}检行监〔${year}〕${n}号`;
/** Each series' pattern: its year and number as the two groups. */
export const NUMBER_PATTERNS = {
  supervisionCase: new RegExp(`^${DISTRICT_NAME}检行监〔(\\d{4})〕([1-9]\\d{0,5})号$`),
  procuratorialSuggestion: new RegExp(`^${DISTRICT_NAME}检行建〔(\\d{4})〕([1-9]\\d{0,5})号$`),
};

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
  caseNumber?: string;
  kind?: string;
  status?: string;
  agencyId?: string;
  adminCaseId?: string;
  opened?: Period;
}
export interface SuggestionFilter {
  number?: string;
  toAgencyId?: string;
  issued?: Period;
}

export function createProcuratorateStore(db: Db) {
  const supervisions = db.collection<SupervisionCaseDoc>('supervisionCases');
  const suggestions = db.collection<ProcuratorialSuggestionDoc>('procuratorialSuggestions');
  // The series of numbers the procuratorate gives its documents.
  const counters = db.collection<{ _id: string; seq: number }>('counters');

  return {
    /** The auditors' lookup: supervision cases by the beginning of their case number, suggestions of their number (or any by id). */
    async lookupRecords(text: string): Promise<RecordMatch[]> {
      const found = await Promise.all([
        lookupByLabel(supervisions, 'SupervisionCase', 'caseNumber', 'number', text),
        lookupByLabel(suggestions, 'ProcuratorialSuggestion', 'number', 'number', text),
      ]);
      return found.flat();
    },

    async ensureIndexes(): Promise<void> {
      // Every list filter leads an index, followed by the list's order (equality, then sort: MongoDB's
      // ESR rule), so a filtered page is read in order and stops at its last row instead of scanning
      // and sorting the collection; a period is a range on the order itself. test/index-coverage.test.ts
      // holds every query of this store to these.
      // Natural keys: an import finds a record by its number (subgraphs/procuratorate/import.ts).
      await supervisions.createIndex({ caseNumber: 1 }, { unique: true });
      await suggestions.createIndex({ number: 1 }, { unique: true });
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
      // Suggestions loaded before they became workflow records are upgraded in place first.
      await upgradeToVersioned(suggestions, (doc) => ({ at: doc.issuedAt, state: 'ISSUED', org: 'procuratorate', fields: { supplementReason: null, supplementsRequested: 0, supplementRequestedAt: null, supplementDueAt: null, closedAt: null } }));
      await ensureVersionedIndexes(suggestions as unknown as Collection<Document>);
      // The inbox: what is open for an agency, and what one principal issued.
      await suggestions.createIndex({ toAgencyId: 1, state: 1 });
      await suggestions.createIndex({ 'createdBy.sub': 1, state: 1 });
    },

    /** What an import reads and writes, per record type (subgraphs/procuratorate/import.ts). */
    importCollections: {
      SupervisionCase: importCollection(supervisions, 'caseNumber'),
      ProcuratorialSuggestion: importCollection(suggestions, 'number'),
    },

    async isEmpty(): Promise<boolean> {
      return (await supervisions.countDocuments({}, { limit: 1 })) === 0;
    },

    /** Empties the database (npm run seed, before the demo district is imported). */
    reset: () => db.dropDatabase(),

    supervisionsByIds: async (ids: readonly string[]) => (await findByIds(supervisions, ids)).map(maybeWithId),
    suggestionsByIds: async (ids: readonly string[]) => (await findByIds(suggestions, ids)).map(maybeWithId),
    suggestionCreatedBy: (createKey: string) => suggestions.findOne({ createKey }),
    suggestion: (id: string) => suggestions.findOne({ _id: id }),
    suggestionNumberTaken: async (number: string) => (await suggestions.findOne({ number }, { projection: { _id: 1 } })) !== null,
    insertSuggestion: (doc: ProcuratorialSuggestionDoc) => insertOnce(suggestions, doc),
    updateSuggestion: (id: string, expected: number, changes: Partial<Omit<ProcuratorialSuggestionDoc, keyof VersionedDoc>> & { state: string }, event: WorkflowEvent) =>
      updateVersion(suggestions, id, expected, changes, event),
    /** Suggestions addressed to an agency, or issued by one principal, that are not closed (the inbox). */
    openSuggestionsTo: (agencyId: string) => suggestions.find({ toAgencyId: agencyId, state: { $in: ['ISSUED', 'SUPPLEMENT_REQUESTED'] } }).toArray(),
    openSuggestionsIssuedBy: (sub: string) => suggestions.find({ 'createdBy.sub': sub, state: { $in: ['ISSUED', 'SUPPLEMENT_REQUESTED'] } }).toArray(),
    /** Every suggestion issued in a period: its agency and due date (the follow-up statistics). */
    suggestionsIssuedIn: (period: Period) =>
      suggestions.find({ issuedAt: inPeriod(period) }, { projection: { _id: 1, toAgencyId: 1, dueAt: 1 } }).toArray() as Promise<{ _id: string; toAgencyId: string; dueAt: Date }[]>,
    /** The next suggestion number (one series, as the loaded records are numbered: after all of them). */
    nextSuggestionNumber: () => nextInSeries(counters, 'ProcuratorialSuggestion', () => suggestions.estimatedDocumentCount()),
    supervisionsByAdminCaseIds: async (ids: readonly string[]) =>
      (await findGroupedBy(supervisions, 'adminCaseId', ids, { openedAt: 1 })).map((group) => group.map(withId)),
    supervisionsByDisputeIds: async (ids: readonly string[]) =>
      (await findGroupedBy(supervisions, 'disputeId', ids, { openedAt: 1 })).map((group) => group.map(withId)),

    listSupervisionCases(filter: SupervisionCaseFilter, page: PageArgs): Promise<Connection<SupervisionCase>> {
      const query = defined({
        caseNumber: filter.caseNumber,
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
        number: filter.number,
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
