// The court's store: the only code that touches linkage_court. It builds every filter from parsed
// arguments, creates the indexes at start, and maps documents to the schema's shape.
import type { Collection, Db, Document, Filter } from 'mongodb';
import { countBy, inPeriod, lookupByLabel, tally, type IssuedSuggestionDoc, type RecordMatch } from '../shared/index.js';
import { findByIds, findGroupedBy, findPage, findPagesGroupedBy, ratio, yearEarlier, type Connection, type PageArgs, type ParentPage, type Period, type SortKey, type WithId, withId, maybeWithId, defined, ensureVersionedIndexes, upgradeToVersioned, importCollection, insertOnce, nextInSeries, updateVersion, type VersionedDoc, type WorkflowEvent } from '../../platform/index.js';

export interface AdminCaseDoc {
  _id: string;
  caseNumber: string;
  plaintiffId: string;
  defendantId: string;
  actId: string | null;
  disputeId: string | null;
  cause: string;
  filedAt: Date;
  closedAt: Date | null;
  stage: string;
  status: string;
  outcome: string | null;
  agencyLost: boolean | null;
  judge: string;
  deliberationNotes: string | null;
}
/** Hearings are their own collection so statistics need no `$unwind` (FerretDB mis-groups after it). */
export interface HearingDoc {
  _id: string;
  caseId: string;
  agencyId: string;
  heldAt: Date;
  headAppeared: boolean;
  appearedOfficial: string;
}
/** An enforcement case: a versioned workflow record (settlement attempts, subgraphs/court/settlement.ts). */
export interface EnforcementCaseDoc extends VersionedDoc {
  caseNumber: string;
  agencyId: string;
  adminCaseId: string | null;
  disputeId: string | null;
  filedAt: Date;
  closedAt: Date | null;
  status: string;
  preSettlement: { attempted: boolean; succeeded: boolean };
  settlementAttempts: { at: Date; by: string; result: string; note: string }[];
}
/** A suggestion the court issued (subgraphs/shared/issued-suggestions.ts), about one of its cases or none. */
export interface JudicialSuggestionDoc extends IssuedSuggestionDoc {
  adminCaseId: string | null;
}

/** The court's code in its case numbers (案号): the district's basic people's court. */
export const COURT_CODE = '苏0102';
/** Case numbers in the real format, full-width brackets: （2025）苏0102行初123号, （2025）苏0102执456号. */
export const adminCaseNumber = (year: number, n: number) => `（${year}）${COURT_CODE}行初${n}号`;
export const enforcementCaseNumber = (year: number, n: number) => `（${year}）${COURT_CODE}执${n}号`;
/** Each series' pattern: its year and number as the two groups. */
export const CASE_NUMBER_PATTERNS = {
  adminCase: new RegExp(`^（(\\d{4})）${COURT_CODE}行初([1-9]\\d{0,5})号$`),
  enforcementCase: new RegExp(`^（(\\d{4})）${COURT_CODE}执([1-9]\\d{0,5})号$`),
  judicialSuggestion: new RegExp(`^（(\\d{4})）${COURT_CODE}司建([1-9]\\d{0,5})号$`),
};

/** A judicial suggestion's id and number (文号) from its place in the court's series. */
export const judicialSuggestionId = (year: number, n: number) => `JS-${year}-${String(n).padStart(3, '0')}`;
export const judicialSuggestionNumber = (year: number, n: number) => `（${year}）${COURT_CODE}司建${n}号`;

export interface CourtSeed {
  adminCases: AdminCaseDoc[];
  hearings: HearingDoc[];
  enforcementCases: EnforcementCaseDoc[];
  judicialSuggestions: JudicialSuggestionDoc[];
}

export type AdminCase = WithId<AdminCaseDoc>;
export type Hearing = WithId<HearingDoc>;
export type EnforcementCase = WithId<EnforcementCaseDoc>;
export type JudicialSuggestion = WithId<JudicialSuggestionDoc>;

const SORT = {
  adminCases: { field: 'filedAt', type: 'date', direction: -1 },
  enforcementCases: { field: 'filedAt', type: 'date', direction: -1 },
  judicialSuggestions: { field: 'issuedAt', type: 'date', direction: -1 },
} as const satisfies Record<string, SortKey>;

export interface AdminCaseFilter {
  caseNumber?: string;
  defendantId?: string;
  disputeId?: string;
  status?: string;
  outcome?: string;
  agencyLost?: boolean;
  filed?: Period;
  closed?: Period;
}
export interface EnforcementCaseFilter {
  caseNumber?: string;
  agencyId?: string;
  status?: string;
  preSettlementSucceeded?: boolean;
  filed?: Period;
}
export interface SuggestionFilter {
  number?: string;
  toAgencyId?: string;
  issued?: Period;
}

export function createCourtStore(db: Db) {
  const adminCases = db.collection<AdminCaseDoc>('adminCases');
  const hearings = db.collection<HearingDoc>('hearings');
  const enforcementCases = db.collection<EnforcementCaseDoc>('enforcementCases');
  const suggestions = db.collection<JudicialSuggestionDoc>('judicialSuggestions');
  // The series of numbers the court gives its documents (a suggestion's 文号 per year).
  const counters = db.collection<{ _id: string; seq: number }>('counters');

  return {
    /** The auditors' lookup: cases by the beginning of their case number, suggestions of their number (or any by id). */
    async lookupRecords(text: string): Promise<RecordMatch[]> {
      const found = await Promise.all([
        lookupByLabel(adminCases, 'AdminCase', 'caseNumber', 'number', text),
        lookupByLabel(enforcementCases, 'EnforcementCase', 'caseNumber', 'number', text),
        lookupByLabel(suggestions, 'JudicialSuggestion', 'number', 'number', text),
      ]);
      return found.flat();
    },

    async ensureIndexes(): Promise<void> {
      // Every list filter leads an index, followed by the list's order (equality, then sort: MongoDB's
      // ESR rule), so a filtered page is read in order and stops at its last row instead of scanning
      // and sorting the collection; a period is a range on the order itself. test/index-coverage.test.ts
      // holds every query of this store to these.
      // Natural keys: an import finds a record by its case number (subgraphs/court/import.ts).
      await adminCases.createIndex({ caseNumber: 1 }, { unique: true });
      await enforcementCases.createIndex({ caseNumber: 1 }, { unique: true });
      await suggestions.createIndex({ number: 1 }, { unique: true });
      await adminCases.createIndex({ filedAt: -1, _id: -1 });
      await adminCases.createIndex({ defendantId: 1, filedAt: -1 });
      await adminCases.createIndex({ closedAt: 1 });
      await adminCases.createIndex({ disputeId: 1 });
      await adminCases.createIndex({ status: 1, filedAt: -1, _id: -1 });
      await adminCases.createIndex({ outcome: 1, filedAt: -1, _id: -1 });
      await adminCases.createIndex({ agencyLost: 1, filedAt: -1, _id: -1 });
      await hearings.createIndex({ caseId: 1 });
      await hearings.createIndex({ heldAt: 1 });
      await enforcementCases.createIndex({ filedAt: -1, _id: -1 });
      await enforcementCases.createIndex({ disputeId: 1 });
      await enforcementCases.createIndex({ agencyId: 1, filedAt: -1, _id: -1 });
      await enforcementCases.createIndex({ status: 1, filedAt: -1, _id: -1 });
      await enforcementCases.createIndex({ 'preSettlement.succeeded': 1, filedAt: -1, _id: -1 });
      // Enforcement cases stored before settlement attempts were recorded are upgraded in place first.
      await upgradeToVersioned(enforcementCases, (doc) => ({ at: doc.filedAt, state: doc.status, org: 'court', fields: { settlementAttempts: [] } }));
      await ensureVersionedIndexes(enforcementCases as unknown as Collection<Document>);
      await suggestions.createIndex({ issuedAt: -1, _id: -1 });
      await suggestions.createIndex({ toAgencyId: 1, issuedAt: -1, _id: -1 });
      // Suggestions loaded before they became workflow records are upgraded in place first.
      await upgradeToVersioned(suggestions, (doc) => ({ at: doc.issuedAt, state: 'ISSUED', org: 'court', fields: { supplementReason: null, supplementsRequested: 0, supplementRequestedAt: null, supplementDueAt: null, closedAt: null } }));
      await ensureVersionedIndexes(suggestions as unknown as Collection<Document>);
      // The inbox: what is open for an agency, and what one principal issued.
      await suggestions.createIndex({ toAgencyId: 1, state: 1 });
      await suggestions.createIndex({ 'createdBy.sub': 1, state: 1 });
    },

    async isEmpty(): Promise<boolean> {
      return (await adminCases.countDocuments({}, { limit: 1 })) === 0;
    },

    /** Empties the database (npm run seed, before the demo district is imported). */
    reset: () => db.dropDatabase(),

    /** The demo district's settlement attempts (seedDemoData): the flow's own field on imported enforcement cases (settlement.ts writes it, an import never does). */
    async loadLinkageWork(seed: CourtSeed): Promise<void> {
      const worked = seed.enforcementCases.filter((e) => e.settlementAttempts.length);
      // One update each: the embedded store (FerretDB 1.24) does not answer a multi-document bulkWrite of updates.
      for (const e of worked) await enforcementCases.updateOne({ _id: e._id }, { $set: { settlementAttempts: e.settlementAttempts } });
    },

    /** What an import reads and writes, per record type (subgraphs/court/import.ts). */
    importCollections: {
      AdminCase: importCollection(adminCases, 'caseNumber'),
      Hearing: importCollection(hearings, '_id'),
      EnforcementCase: importCollection(enforcementCases, 'caseNumber'),
      JudicialSuggestion: importCollection(suggestions, 'number'),
    },

    adminCasesByIds: async (ids: readonly string[]) => (await findByIds(adminCases, ids)).map(maybeWithId),
    enforcementCasesByIds: async (ids: readonly string[]) => (await findByIds(enforcementCases, ids)).map(maybeWithId),
    suggestionsByIds: async (ids: readonly string[]) => (await findByIds(suggestions, ids)).map(maybeWithId),
    hearingsByCaseIds: async (ids: readonly string[]) =>
      (await findGroupedBy(hearings, 'caseId', ids, { heldAt: 1 })).map((group) => group.map(withId)),
    adminCasesByDisputeIds: async (ids: readonly string[]) =>
      (await findGroupedBy(adminCases, 'disputeId', ids, { filedAt: 1 })).map((group) => group.map(withId)),
    enforcementCasesByDisputeIds: async (ids: readonly string[]) =>
      (await findGroupedBy(enforcementCases, 'disputeId', ids, { filedAt: 1 })).map((group) => group.map(withId)),
    /** Each agency's page of the cases it is the defendant in (Agency.adminCases), for all the agencies of a request at once. */
    adminCasePagesByDefendant: (requests: readonly ParentPage[]) => findPagesGroupedBy(adminCases, 'defendantId', SORT.adminCases, requests, withId),

    listAdminCases(filter: AdminCaseFilter, page: PageArgs): Promise<Connection<AdminCase>> {
      const query = defined({
        caseNumber: filter.caseNumber,
        defendantId: filter.defendantId,
        disputeId: filter.disputeId,
        status: filter.status,
        outcome: filter.outcome,
        agencyLost: filter.agencyLost,
        filedAt: filter.filed && inPeriod(filter.filed),
        closedAt: filter.closed && inPeriod(filter.closed),
      });
      return findPage(adminCases, query as Filter<AdminCaseDoc>, SORT.adminCases, page, withId);
    },

    listEnforcementCases(filter: EnforcementCaseFilter, page: PageArgs): Promise<Connection<EnforcementCase>> {
      const query = defined({
        caseNumber: filter.caseNumber,
        agencyId: filter.agencyId,
        status: filter.status,
        'preSettlement.succeeded': filter.preSettlementSucceeded,
        filedAt: filter.filed && inPeriod(filter.filed),
      });
      return findPage(enforcementCases, query as Filter<EnforcementCaseDoc>, SORT.enforcementCases, page, withId);
    },

    enforcementCase: (id: string) => enforcementCases.findOne({ _id: id }),
    updateEnforcementCase: (id: string, expected: number, changes: Partial<Omit<EnforcementCaseDoc, keyof VersionedDoc>> & { state: string }, event: WorkflowEvent) =>
      updateVersion(enforcementCases, id, expected, changes, event),
    suggestionCreatedBy: (createKey: string) => suggestions.findOne({ createKey }),
    suggestion: (id: string) => suggestions.findOne({ _id: id }),
    suggestionNumberTaken: async (number: string) => (await suggestions.findOne({ number }, { projection: { _id: 1 } })) !== null,
    insertSuggestion: (doc: JudicialSuggestionDoc) => insertOnce(suggestions, doc),
    updateSuggestion: (id: string, expected: number, changes: Partial<JudicialSuggestionDoc> & { state: string }, event: WorkflowEvent) =>
      updateVersion(suggestions, id, expected, changes, event),
    /** Suggestions addressed to an agency, or issued by one principal, that are not closed (the inbox). */
    openSuggestionsTo: (agencyId: string) => suggestions.find({ toAgencyId: agencyId, state: { $in: ['ISSUED', 'SUPPLEMENT_REQUESTED'] } }).toArray(),
    openSuggestionsIssuedBy: (sub: string) => suggestions.find({ 'createdBy.sub': sub, state: { $in: ['ISSUED', 'SUPPLEMENT_REQUESTED'] } }).toArray(),
    /** Every suggestion issued in a period: its agency and due date (the follow-up statistics). */
    suggestionsIssuedIn: (period: Period) =>
      suggestions.find({ issuedAt: inPeriod(period) }, { projection: { _id: 1, toAgencyId: 1, dueAt: 1 } }).toArray() as Promise<{ _id: string; toAgencyId: string; dueAt: Date }[]>,
    /** The next suggestion number (one series, as the loaded records are numbered: after all of them). */
    nextSuggestionNumber: () => nextInSeries(counters, 'JudicialSuggestion', () => suggestions.estimatedDocumentCount()),

    listSuggestions(filter: SuggestionFilter, page: PageArgs): Promise<Connection<JudicialSuggestion>> {
      const query = defined({
        number: filter.number,
        toAgencyId: filter.toAgencyId,
        issuedAt: filter.issued && inPeriod(filter.issued),
      });
      return findPage(suggestions, query as Filter<JudicialSuggestionDoc>, SORT.judicialSuggestions, page, withId);
    },

    /**
     * Litigation figures for one period, for every agency and the district: four `$group`s
     * (filed, filed a year earlier, closed by outcome, hearings by head appearance).
     */
    async litigationStats(period: Period) {
      const lastYear = yearEarlier(period);
      const [filed, filedBefore, closed, heard] = await Promise.all([
        countBy(adminCases, { filedAt: inPeriod(period) }, { agency: '$defendantId' }),
        countBy(adminCases, { filedAt: inPeriod(lastYear) }, { agency: '$defendantId' }),
        countBy(adminCases, { closedAt: inPeriod(period) }, { agency: '$defendantId', lost: '$agencyLost' }),
        countBy(hearings, { heldAt: inPeriod(period) }, { agency: '$agencyId', appeared: '$headAppeared' }),
      ]);
      return (scope: string) => {
        const filedNow = tally(filed, scope);
        const filedSamePeriodLastYear = tally(filedBefore, scope);
        const closedCount = tally(closed, scope);
        const lost = tally(closed, scope, (k) => k.lost === true);
        const hearingCount = tally(heard, scope);
        const headAppearances = tally(heard, scope, (k) => k.appeared === true);
        return {
          filed: filedNow,
          filedSamePeriodLastYear,
          filedChange: ratio(filedNow - filedSamePeriodLastYear, filedSamePeriodLastYear),
          closed: closedCount,
          lost,
          lossRate: ratio(lost, closedCount),
          hearings: hearingCount,
          headAppearances,
          headAppearanceRate: ratio(headAppearances, hearingCount),
        };
      };
    },

    /** Pre-enforcement settlement figures over enforcement cases filed in the period. */
    async enforcementStats(period: Period) {
      const rows = await countBy(
        enforcementCases,
        { filedAt: inPeriod(period) },
        { agency: '$agencyId', attempted: '$preSettlement.attempted', succeeded: '$preSettlement.succeeded' },
      );
      return (scope: string) => {
        const attempted = tally(rows, scope, (k) => k.attempted === true);
        const succeeded = tally(rows, scope, (k) => k.attempted === true && k.succeeded === true);
        return {
          preSettlementAttempted: attempted,
          preSettlementSucceeded: succeeded,
          preSettlementRate: ratio(succeeded, attempted),
        };
      };
    },
  };
}

export type CourtStore = ReturnType<typeof createCourtStore>;
