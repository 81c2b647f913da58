// The government's store: the only code that touches linkage_government. It builds every filter
// from parsed arguments, creates the indexes at start, and maps documents to the schema's shape.
import type { Collection, Db, Document, Filter } from 'mongodb';
import type { GrantScope } from '../../auth/index.js';
import { DISTRICT_ID as DISTRICT_SCOPE, countBy, inPeriod, lookupByLabel, tally, type RecordMatch } from '../shared/index.js';
import { findByIds, findPage, findPagesGroupedBy, ratio, type Connection, type PageArgs, type ParentPage, type Period, type SortKey, type WithId, withId, maybeWithId, defined, literalPattern, BACKGROUND_COMMENT, importCollection, ensureVersionedIndexes, upgradeToVersioned, insertOnce, nextInSeries, updateVersion, type VersionedDoc, type WorkflowEvent } from '../../platform/index.js';

export interface AgencyDoc {
  _id: string;
  name: string;
  nameEn: string;
  kind: string;
  head: string;
}
export interface PartyDoc {
  _id: string;
  kind: string;
  name: string;
  idNumber: string;
  phone: string | null;
}
export interface ActDoc {
  _id: string;
  number: string;
  agencyId: string;
  category: string;
  decidedAt: Date;
  legalReviewed: boolean;
  summary: string;
  partyId: string | null;
}
export interface ReconsiderationDoc {
  _id: string;
  caseNumber: string;
  applicantId: string;
  respondentId: string;
  actId: string | null;
  filedAt: Date;
  closedAt: Date | null;
  status: string;
  outcome: string | null;
  hearingHeld: boolean;
  reviewerNotes: string | null;
}
export interface ParticipantDoc {
  sub: string;
  name: string;
  org: string;
}
export interface ConsultationDoc {
  /** Absent on consultations recorded before the flows. */
  id?: string;
  heldAt: Date;
  institutions: string[];
  topic?: string | null;
  invitees?: ParticipantDoc[];
  opinions?: { by: ParticipantDoc; at: Date; opinion: string }[];
  conclusion: string | null;
}
/** A registered dispute's id, from its place in its year's series. */
export const disputeId = (year: number, n: number) => `DSP-${year}-${String(n).padStart(4, '0')}`;

/** A dispute in the linkage office's register: a versioned workflow record (subgraphs/government/disputes.ts). */
export interface DisputeDoc extends VersionedDoc {
  title: string;
  category: string;
  /** Null while a registered dispute awaits its assignment. */
  agencyId: string | null;
  partyIds: string[];
  /** When the office took it (registered, or accepted a proposal); null for a proposal. */
  openedAt: Date | null;
  closedAt: Date | null;
  status: string;
  major: boolean;
  substantivelyResolved: boolean;
  consultations: ConsultationDoc[];
  linkedAdminCaseId: string | null;
  linkedReconsiderationId: string | null;
  proposal: { by: ParticipantDoc; at: Date; reason: string; adminCaseId: string | null; supervisionCaseId: string | null; declinedBecause: string | null } | null;
  outcome: string | null;
  /** The subs invited to a consultation who have not given their opinion (the inbox's, indexed). */
  awaitingOpinions: string[];
}
export interface ReplyEntry {
  repliedAt: Date;
  adopted: boolean;
  content: string;
  supplementary: boolean;
  attachments: { name: string; sha256: string }[];
}
/**
 * An agency's replies to one suggestion (a versioned workflow record, platform/versioned.ts): every
 * reply in `replies`, the latest also at the top level (the statistics read those).
 */
export interface SuggestionReplyDoc extends VersionedDoc, ReplyEntry {
  _id: string; // `${suggestionType}:${suggestionId}`
  suggestionType: 'JudicialSuggestion' | 'ProcuratorialSuggestion';
  suggestionId: string;
  agencyId: string;
  replies: ReplyEntry[];
}
export interface PerformanceDoc {
  _id: string; // the AdminCase id
  agencyId: string;
  dueAt: Date;
  performed: boolean;
  performedAt: Date | null;
}
export interface DistrictDoc {
  _id: string;
  name: string;
}

/** A supervision item (督办事项): a versioned workflow record (subgraphs/government/supervision.ts). */
export interface SupervisionItemDoc extends VersionedDoc {
  number: string;
  title: string;
  responsibleAgencyId: string;
  deadline: Date;
  requiredResult: string;
  adminCaseId: string | null;
  disputeId: string | null;
  judicialSuggestionId: string | null;
  procuratorialSuggestionId: string | null;
  meetingId: string | null;
  /** When the office opened it (or accepted the proposal); null for a proposal. */
  openedAt: Date | null;
  closedAt: Date | null;
  closing: string | null;
  closingNote: string | null;
  progress: { at: Date; by: ParticipantDoc; report: string }[];
  proposal: { by: ParticipantDoc; at: Date; reason: string; declinedBecause: string | null } | null;
}

/** A quarterly joint meeting (联席会议), one per quarter (its id names it). */
export interface JointMeetingDoc extends VersionedDoc {
  quarter: string;
  heldAt: Date;
  issues: string[];
  /** The supervision items its decisions became, in order. */
  decisionIds: string[];
}

/** An application for the government's data and, once approved, the grant (subgraphs/government/applications.ts). */
export interface SharingApplicationDoc extends VersionedDoc {
  type: string;
  fields: string[];
  purpose: string;
  org: string;
  scope: GrantScope;
  roles: string[] | null;
  principals: string[] | null;
  from: Date;
  until: Date;
  legalBasis: string;
  applicant: ParticipantDoc;
  decision: { by: ParticipantDoc; at: Date; reason: string | null } | null;
  revocation: { by: ParticipantDoc; at: Date; reason: string } | null;
}

export interface GovernmentSeed {
  district: DistrictDoc;
  agencies: AgencyDoc[];
  parties: PartyDoc[];
  acts: ActDoc[];
  reconsiderations: ReconsiderationDoc[];
  disputes: DisputeDoc[];
  suggestionReplies: SuggestionReplyDoc[];
  judgmentPerformances: PerformanceDoc[];
  supervisionItems: SupervisionItemDoc[];
  jointMeetings: JointMeetingDoc[];
  sharingApplications: SharingApplicationDoc[];
}

export type Agency = WithId<AgencyDoc>;
export type Party = WithId<PartyDoc>;
export type Act = WithId<ActDoc>;
export type Reconsideration = WithId<ReconsiderationDoc>;
export type Dispute = WithId<DisputeDoc>;
export type SuggestionReply = WithId<SuggestionReplyDoc>;
export type Performance = WithId<PerformanceDoc>;

const SORT = {
  agencies: { field: '_id', type: 'string', direction: 1 },
  acts: { field: 'decidedAt', type: 'date', direction: -1 },
  reconsiderations: { field: 'filedAt', type: 'date', direction: -1 },
  disputes: { field: 'openedAt', type: 'date', direction: -1 },
  supervisionItems: { field: 'createdAt', type: 'date', direction: -1 },
  sharingApplications: { field: 'createdAt', type: 'date', direction: -1 },
} as const satisfies Record<string, SortKey>;

export const CORRECTED_OUTCOMES = ['REVOKED', 'MODIFIED', 'CONFIRMED_ILLEGAL', 'ORDERED_TO_PERFORM'];
export const MEDIATED_OR_SETTLED_OUTCOMES = ['MEDIATED', 'SETTLED'];

export interface ActFilter {
  agencyId?: string;
  category?: string;
  legalReviewed?: boolean;
  decided?: Period;
}
export interface ReconsiderationFilter {
  caseNumber?: string;
  respondentId?: string;
  status?: string;
  outcome?: string;
  closed?: Period;
}
export interface DisputeFilter {
  titleContains?: string;
  agencyId?: string;
  status?: string;
  major?: boolean;
  opened?: Period;
}

export function createGovernmentStore(db: Db) {
  const agencies = db.collection<AgencyDoc>('agencies');
  const district = db.collection<DistrictDoc>('district');
  const parties = db.collection<PartyDoc>('parties');
  const acts = db.collection<ActDoc>('acts');
  const reconsiderations = db.collection<ReconsiderationDoc>('reconsiderations');
  const disputes = db.collection<DisputeDoc>('disputes');
  const counters = db.collection<{ _id: string; seq: number }>('counters');
  const supervisionItems = db.collection<SupervisionItemDoc>('supervisionItems');
  const meetings = db.collection<JointMeetingDoc>('jointMeetings');
  const applications = db.collection<SharingApplicationDoc>('sharingApplications');
  const replies = db.collection<SuggestionReplyDoc>('suggestionReplies');
  const performances = db.collection<PerformanceDoc>('judgmentPerformances');

  return {
    /** The auditors' lookup: disputes by words of their title, agencies of their name, reconsiderations and acts by the beginning of their number (or any by id). */
    async lookupRecords(text: string): Promise<RecordMatch[]> {
      const found = await Promise.all([
        lookupByLabel(disputes, 'Dispute', 'title', 'title', text),
        lookupByLabel(reconsiderations, 'Reconsideration', 'caseNumber', 'number', text),
        lookupByLabel(agencies, 'Agency', 'name', 'name', text),
        lookupByLabel(acts, 'AdministrativeAct', 'number', 'number', text),
      ]);
      return found.flat();
    },

    async ensureIndexes(): Promise<void> {
      // Every list filter leads an index, followed by the list's order (equality, then sort: MongoDB's
      // ESR rule), so a filtered page is read in order and stops at its last row instead of scanning
      // and sorting the collection; a period is a range on the order itself. test/index-coverage.test.ts
      // holds every query of this store to these.
      // Natural keys: an import finds a record by its number (subgraphs/government/import.ts).
      await acts.createIndex({ number: 1 }, { unique: true });
      await reconsiderations.createIndex({ caseNumber: 1 }, { unique: true });
      await agencies.createIndex({ kind: 1, _id: 1 });
      await acts.createIndex({ decidedAt: -1, _id: -1 });
      await acts.createIndex({ agencyId: 1, decidedAt: -1 });
      await acts.createIndex({ category: 1, decidedAt: -1, _id: -1 });
      await acts.createIndex({ legalReviewed: 1, decidedAt: -1, _id: -1 });
      await reconsiderations.createIndex({ filedAt: -1, _id: -1 });
      await reconsiderations.createIndex({ respondentId: 1, filedAt: -1, _id: -1 });
      await reconsiderations.createIndex({ status: 1, filedAt: -1, _id: -1 });
      await reconsiderations.createIndex({ outcome: 1, filedAt: -1, _id: -1 });
      // The `closed` filter and the statistics' periods of closing.
      await reconsiderations.createIndex({ closedAt: 1 });
      // The bulletin's judgment performance rate: performances falling due in a period.
      await performances.createIndex({ dueAt: 1 });
      await disputes.createIndex({ openedAt: -1, _id: -1 });
      await disputes.createIndex({ agencyId: 1 });
      await disputes.createIndex({ status: 1, openedAt: -1, _id: -1 });
      await disputes.createIndex({ major: 1, openedAt: -1, _id: -1 });
      // Disputes registered before the flows are upgraded in place first (closed ones CLOSED, open ones ASSIGNED).
      await upgradeToVersioned(disputes, (doc) => ({
        at: doc.openedAt ?? new Date(0),
        state: doc.status === 'OPEN' ? 'ASSIGNED' : 'CLOSED',
        org: 'government',
        fields: { linkedAdminCaseId: null, linkedReconsiderationId: null, proposal: null, outcome: null, awaitingOpinions: [] },
      }));
      await ensureVersionedIndexes(disputes as unknown as Collection<Document>);
      // The inbox: consultations awaiting a participant's opinion, and proposals awaiting the office.
      await disputes.createIndex({ awaitingOpinions: 1 });
      await disputes.createIndex({ state: 1 });
      await ensureVersionedIndexes(supervisionItems as unknown as Collection<Document>);
      await supervisionItems.createIndex({ createdAt: -1, _id: -1 });
      await supervisionItems.createIndex({ responsibleAgencyId: 1, createdAt: -1, _id: -1 });
      await supervisionItems.createIndex({ state: 1, createdAt: -1, _id: -1 });
      await ensureVersionedIndexes(meetings as unknown as Collection<Document>);
      await ensureVersionedIndexes(applications as unknown as Collection<Document>);
      // The grants every replica reads every few seconds, and the steward's list by state.
      await applications.createIndex({ state: 1, createdAt: -1, _id: -1 });
      await applications.createIndex({ createdAt: -1, _id: -1 });
      // Replies loaded before they became workflow records are upgraded in place first: the reply
      // they hold becomes the first of their replies.
      await upgradeToVersioned(replies, (doc) => {
        const reply = { repliedAt: doc.repliedAt, adopted: doc.adopted, content: doc.content, supplementary: false, attachments: [] };
        return { at: doc.repliedAt, state: 'REPLIED', org: 'government', fields: { supplementary: false, attachments: [], replies: [reply] } };
      });
      await ensureVersionedIndexes(replies as unknown as Collection<Document>);
      await replies.createIndex({ suggestionType: 1 });
    },

    /** What an import reads and writes, per record type (subgraphs/government/import.ts). */
    importCollections: {
      Agency: importCollection(agencies, '_id'),
      Party: importCollection(parties, '_id'),
      AdministrativeAct: importCollection(acts, 'number'),
      Reconsideration: importCollection(reconsiderations, 'caseNumber'),
      Dispute: importCollection(disputes, '_id'),
      JudgmentPerformance: importCollection(performances, '_id'),
    },

    async isEmpty(): Promise<boolean> {
      return (await agencies.countDocuments({}, { limit: 1 })) === 0;
    },

    /** Empties the database (npm run seed, before the demo district is imported). */
    reset: () => db.dropDatabase(),

    /**
     * The demo district's records that no case system exports (seedDemoData): the district itself,
     * and the linkage work the flows made — replies, supervision items, joint meetings,
     * applications, and on the imported disputes their consultations and proposals (the flows' own
     * fields: disputes.ts writes them, an import never does).
     */
    async loadLinkageWork(seed: GovernmentSeed): Promise<void> {
      await district.insertOne(seed.district);
      if (seed.suggestionReplies.length) await replies.insertMany(seed.suggestionReplies);
      if (seed.supervisionItems.length) await supervisionItems.insertMany(seed.supervisionItems);
      if (seed.jointMeetings.length) await meetings.insertMany(seed.jointMeetings);
      if (seed.sharingApplications.length) await applications.insertMany(seed.sharingApplications);
      const proposals = seed.disputes.filter((d) => d.openedAt === null);
      if (proposals.length) await disputes.insertMany(proposals);
      const worked = seed.disputes.filter((d) => d.openedAt !== null && (d.consultations.length || d.proposal || d.events.length));
      // One update each: the embedded store (FerretDB 1.24) does not answer a multi-document bulkWrite of updates.
      for (const d of worked) {
        await disputes.updateOne({ _id: d._id }, { $set: { consultations: d.consultations, proposal: d.proposal, outcome: d.outcome, awaitingOpinions: d.awaitingOpinions, state: d.state, events: d.events } });
      }
    },

    async district(): Promise<{ id: string; name: string } | null> {
      return maybeWithId(await district.findOne({}));
    },

    agenciesByIds: async (ids: readonly string[]) => (await findByIds(agencies, ids)).map(maybeWithId),
    partiesByIds: async (ids: readonly string[]) => (await findByIds(parties, ids)).map(maybeWithId),
    actsByIds: async (ids: readonly string[]) => (await findByIds(acts, ids)).map(maybeWithId),
    reconsiderationsByIds: async (ids: readonly string[]) => (await findByIds(reconsiderations, ids)).map(maybeWithId),
    disputesByIds: async (ids: readonly string[]) => (await findByIds(disputes, ids)).map(maybeWithId),
    dispute: (id: string) => disputes.findOne({ _id: id }),
    disputeCreatedBy: (createKey: string) => disputes.findOne({ createKey }),
    insertDispute: (doc: DisputeDoc) => insertOnce(disputes, doc),
    updateDispute: (id: string, expected: number, changes: Partial<Omit<DisputeDoc, keyof VersionedDoc>> & { state: string }, event: WorkflowEvent) =>
      updateVersion(disputes, id, expected, changes, event),
    /** The next dispute number of a year (after those the register already holds for it). */
    nextDisputeNumber: (year: number) =>
      nextInSeries(
        counters,
        `Dispute:${year}`,
        () => disputes.countDocuments({ _id: { $gte: `DSP-${year}-`, $lt: `DSP-${year}-~` } }),
        // An imported register entry may hold the next id already.
        async (n) => (await disputes.countDocuments({ _id: disputeId(year, n) }, { limit: 1 })) > 0,
      ),
    supervisionItemsByIds: async (ids: readonly string[]) => (await findByIds(supervisionItems, ids)).map(maybeWithId),
    supervisionItem: (id: string) => supervisionItems.findOne({ _id: id }),
    supervisionItemCreatedBy: (createKey: string) => supervisionItems.findOne({ createKey }),
    insertSupervisionItem: (doc: SupervisionItemDoc) => insertOnce(supervisionItems, doc),
    updateSupervisionItem: (id: string, expected: number, changes: Partial<Omit<SupervisionItemDoc, keyof VersionedDoc>> & { state: string }, event: WorkflowEvent) =>
      updateVersion(supervisionItems, id, expected, changes, event),
    nextSupervisionNumber: (year: number) =>
      nextInSeries(counters, `SupervisionItem:${year}`, () => supervisionItems.countDocuments({ _id: { $gte: `SI-${year}-`, $lt: `SI-${year}-~` } })),
    listSupervisionItems(filter: { responsibleAgencyId?: string; state?: string }, page: PageArgs): Promise<Connection<WithId<SupervisionItemDoc>>> {
      return findPage(supervisionItems, defined(filter) as Filter<SupervisionItemDoc>, SORT.supervisionItems, page, withId);
    },
    /** The inbox: items open for an agency, and items in some states (for the inspection office). */
    openSupervisionItemsOf: (agencyId: string) => supervisionItems.find({ responsibleAgencyId: agencyId, state: { $in: ['OPEN', 'PROGRESS_REPORTED'] } }).toArray(),
    supervisionItemsIn: (states: string[]) => supervisionItems.find({ state: { $in: states } }).toArray(),
    sharingApplication: (id: string) => applications.findOne({ _id: id }),
    sharingApplicationCreatedBy: (createKey: string) => applications.findOne({ createKey }),
    insertSharingApplication: (doc: SharingApplicationDoc) => insertOnce(applications, doc),
    updateSharingApplication: (id: string, expected: number, changes: Partial<Omit<SharingApplicationDoc, keyof VersionedDoc>> & { state: string }, event: WorkflowEvent) =>
      updateVersion(applications, id, expected, changes, event),
    nextApplicationNumber: (year: number) =>
      nextInSeries(counters, `SharingApplication:${year}`, () => applications.countDocuments({ _id: { $gte: `SA-${year}-`, $lt: `SA-${year}-~` } })),
    /** Approved grants and revoked ones (a revoked grant's holder is told so): what the rules consult. */
    pendingApplications: () => applications.find({ state: 'PENDING' }).toArray(),
    grantsDecided: (background = false) => applications.find({ state: { $in: ['APPROVED', 'REVOKED'] } }, background ? { comment: BACKGROUND_COMMENT } : {}).toArray(),
    listSharingApplications(filter: { state?: string }, page: PageArgs): Promise<Connection<WithId<SharingApplicationDoc>>> {
      return findPage(applications, defined(filter) as Filter<SharingApplicationDoc>, SORT.sharingApplications, page, withId);
    },
    jointMeeting: (id: string) => meetings.findOne({ _id: id }),
    jointMeetingCreatedBy: (createKey: string) => meetings.findOne({ createKey }),
    insertJointMeeting: (doc: JointMeetingDoc) => insertOnce(meetings, doc),
    updateJointMeeting: (id: string, expected: number, changes: Partial<Omit<JointMeetingDoc, keyof VersionedDoc>> & { state: string }, event: WorkflowEvent) =>
      updateVersion(meetings, id, expected, changes, event),
    disputesAwaitingOpinionOf: (sub: string) => disputes.find({ awaitingOpinions: sub }).toArray(),
    proposedDisputes: () => disputes.find({ state: 'PROPOSED' }).toArray(),
    repliesByIds: async (ids: readonly string[]) => (await findByIds(replies, ids)).map(maybeWithId),
    replyFile: (id: string) => replies.findOne({ _id: id }),
    /** Every reply file to one issuer's suggestions, as facts for its statistics: the agency, the first reply's date, the latest's adoption. */
    async replyFacts(type: SuggestionReplyDoc['suggestionType']) {
      const files = await replies.find({ suggestionType: type }, { projection: { agencyId: 1, suggestionId: 1, adopted: 1, replies: 1 } }).toArray();
      return files.map((file) => ({ agencyId: file.agencyId, suggestionId: file.suggestionId, firstRepliedAt: file.replies[0]!.repliedAt, adopted: file.adopted }));
    },
    replyFileCreatedBy: (createKey: string) => replies.findOne({ createKey }),
    insertReplyFile: (doc: SuggestionReplyDoc) => insertOnce(replies, doc),
    updateReplyFile: (id: string, expected: number, changes: Partial<SuggestionReplyDoc> & { state: string }, event: WorkflowEvent) =>
      updateVersion(replies, id, expected, changes, event),
    performancesByAdminCaseIds: async (ids: readonly string[]) => (await findByIds(performances, ids)).map(maybeWithId),
    /** Each agency's page of its acts (Agency.acts), for all the agencies of a request at once. */
    actPagesByAgency: (requests: readonly ParentPage[]) => findPagesGroupedBy(acts, 'agencyId', SORT.acts, requests, withId),

    async allAgencies(): Promise<Agency[]> {
      return (await agencies.find({}, { sort: { _id: 1 }, batchSize: 1000 }).toArray()).map(withId);
    },

    listAgencies(filter: { kind?: string }, page: PageArgs): Promise<Connection<Agency>> {
      return findPage(agencies, defined({ kind: filter.kind }) as Filter<AgencyDoc>, SORT.agencies, page, withId);
    },

    listActs(filter: ActFilter, page: PageArgs): Promise<Connection<Act>> {
      const query = defined({
        agencyId: filter.agencyId,
        category: filter.category,
        legalReviewed: filter.legalReviewed,
        decidedAt: filter.decided && inPeriod(filter.decided),
      });
      return findPage(acts, query as Filter<ActDoc>, SORT.acts, page, withId);
    },

    listReconsiderations(filter: ReconsiderationFilter, page: PageArgs): Promise<Connection<Reconsideration>> {
      const query = defined({
        caseNumber: filter.caseNumber,
        respondentId: filter.respondentId,
        status: filter.status,
        outcome: filter.outcome,
        closedAt: filter.closed && inPeriod(filter.closed),
      });
      return findPage(reconsiderations, query as Filter<ReconsiderationDoc>, SORT.reconsiderations, page, withId);
    },

    listDisputes(filter: DisputeFilter, page: PageArgs): Promise<Connection<Dispute>> {
      const query = defined({
        // A substring of the title, matched literally: the register is read whole by this filter
        // (no index serves an unanchored pattern), which its size — hundreds of disputes a year — allows.
        title: filter.titleContains && { $regex: literalPattern(filter.titleContains) },
        agencyId: filter.agencyId,
        status: filter.status,
        major: filter.major,
        // The register: disputes the office took (a proposal, or a declined one, has no openedAt).
        openedAt: filter.opened ? inPeriod(filter.opened) : { $ne: null },
      });
      return findPage(disputes, query as Filter<DisputeDoc>, SORT.disputes, page, withId);
    },

    /** Reconsideration figures for one period, for every agency and the district at once. */
    async reconsiderationStats(period: Period) {
      const rows = await countBy(reconsiderations, { closedAt: inPeriod(period) }, { agency: '$respondentId', outcome: '$outcome' });
      return (scope: string) => {
        const closed = tally(rows, scope);
        const corrected = tally(rows, scope, (k) => CORRECTED_OUTCOMES.includes(String(k.outcome)));
        const mediatedOrSettled = tally(rows, scope, (k) => MEDIATED_OR_SETTLED_OUTCOMES.includes(String(k.outcome)));
        return {
          closed,
          corrected,
          correctionRate: ratio(corrected, closed),
          mediatedOrSettled,
          mediationSettlementRate: ratio(mediatedOrSettled, closed),
        };
      };
    },

    /** Administrative acts decided in the period: the denominator of the bulletin's litigation incidence. */
    async actStats(period: Period) {
      const rows = await countBy(acts, { decidedAt: inPeriod(period) }, { agency: '$agencyId' });
      return (scope: string) => ({ decided: tally(rows, scope) });
    },

    /**
     * Effective judgments the agencies lost whose performance fell due in the period and before
     * `now` (生效判决履行率): one due later this quarter is not yet owed, so it is not counted as
     * unperformed. Performed: before the period's end (and, on time, by the due date), so what an
     * agency does after a period never changes that period's figure. Few rows (lost cases only),
     * read whole: comparing two dates needs `$cond` in a `$group`, which FerretDB lacks.
     */
    async judgmentPerformanceStats(period: Period, now: Date) {
      const dueBy = now.getTime() < period.to.getTime() ? now : period.to;
      const rows = await performances
        .find({ dueAt: { $gte: period.from, $lt: dueBy } }, { projection: { _id: 0, agencyId: 1, dueAt: 1, performed: 1, performedAt: 1 } })
        .toArray();
      return (scope: string) => {
        const mine = rows.filter((row) => scope === DISTRICT_SCOPE || row.agencyId === scope);
        const performed = mine.filter((row) => row.performed === true && row.performedAt instanceof Date && row.performedAt.getTime() < period.to.getTime());
        const performedOnTime = performed.filter((row) => row.performedAt instanceof Date && row.performedAt.getTime() <= row.dueAt.getTime()).length;
        return {
          due: mine.length,
          performed: performed.length,
          performedOnTime,
          performanceRate: ratio(performed.length, mine.length),
          onTimePerformanceRate: ratio(performedOnTime, mine.length),
        };
      };
    },

    /** Disputes registered by the linkage office in the period (handled via linkage). */
    async disputeStats(period: Period) {
      const rows = await countBy(
        disputes,
        { openedAt: inPeriod(period) },
        { agency: '$agencyId', major: '$major', resolved: '$substantivelyResolved' },
      );
      return (scope: string) => {
        const handled = tally(rows, scope);
        const substantivelyResolved = tally(rows, scope, (k) => k.resolved === true);
        return {
          handled,
          major: tally(rows, scope, (k) => k.major === true),
          substantivelyResolved,
          substantiveResolutionRate: ratio(substantivelyResolved, handled),
        };
      };
    },
  };
}

export type GovernmentStore = ReturnType<typeof createGovernmentStore>;
