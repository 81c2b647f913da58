// Joint supervision (联合督办) and the quarterly joint meeting (联席会议): the government's inspection
// office opens supervision items — or accepts those a judge or prosecutor proposes, or records the
// decisions of a joint meeting as items — naming the responsible agency, the linked records, a
// deadline and the required result; the agency reports progress; the office closes the item,
// resolved or escalated. Each step goes through subgraphs/shared/workflow.ts.
import { badUserInput, parseId, parseOptionalEnum, parseOptionalId, withId, type WithId } from '../../platform/index.js';
import { DISTRICT_ID, DISTRICT_NAME, createRecord, districtDate, mutationResolvers, parseDueDate, parseIdempotencyKey, parseProposalDecision, parseText, parseVersion, participantOf, referenced, stepKey, transitionRecord, type WorkflowContext } from '../shared/index.js';
import type { GovernmentContext } from './context.js';
import type { JointMeetingDoc, SupervisionItemDoc } from './store.js';

type Args = Record<string, unknown>;
type Context = GovernmentContext & WorkflowContext;
const TYPE = 'SupervisionItem';
const OPEN_STATES = ['OPEN', 'PROGRESS_REPORTED'];

export const supervisionItemId = (year: number, n: number) => `SI-${year}-${String(n).padStart(4, '0')}`;
export const supervisionItemNumber = (year: number, n: number) => `${DISTRICT_NAME}督〔${year}〕${n}号`;

/** An item's subject, parsed and checked: the agency exists, each linked record exists and concerns that agency. */
async function parseItem(context: Context, input: Args, argument: string, today: Date) {
  const title = parseText(input.title, `${argument}.title`, 2, 100);
  const responsibleAgencyId = parseId(input.responsibleAgencyId, `${argument}.responsibleAgencyId`);
  if (!(await context.loaders.agency.load(responsibleAgencyId))) throw badUserInput(`No Agency ${responsibleAgencyId}`, `${argument}.responsibleAgencyId`);
  const deadline = parseDueDate(input.deadline, today, `${argument}.deadline`);
  if (!deadline) throw badUserInput(`${argument}.deadline is required`, `${argument}.deadline`);
  const requiredResult = parseText(input.requiredResult, `${argument}.requiredResult`, 10, 2000);
  // Records of the court and the procuratorate: their owners answered for them before the call.
  const linked = (field: string, type: string, agencyOf: (record: Record<string, any>) => unknown) => {
    const id = parseOptionalId(input[field], `${argument}.${field}`) ?? null;
    if (id && agencyOf(referenced(context.references, type, id, `${argument}.${field}`)) !== responsibleAgencyId) {
      throw badUserInput(`${type} ${id} does not concern ${responsibleAgencyId}`, `${argument}.${field}`);
    }
    return id;
  };
  const adminCaseId = linked('adminCaseId', 'AdminCase', (r) => r.defendant?.id);
  const judicialSuggestionId = linked('judicialSuggestionId', 'JudicialSuggestion', (r) => r.toAgency?.id);
  const procuratorialSuggestionId = linked('procuratorialSuggestionId', 'ProcuratorialSuggestion', (r) => r.toAgency?.id);
  const disputeId = parseOptionalId(input.disputeId, `${argument}.disputeId`) ?? null;
  if (disputeId) {
    const dispute = await context.loaders.dispute.load(disputeId);
    if (!dispute) throw badUserInput(`No Dispute ${disputeId}`, `${argument}.disputeId`);
    if (dispute.agencyId !== responsibleAgencyId) throw badUserInput(`Dispute ${disputeId} does not concern ${responsibleAgencyId}`, `${argument}.disputeId`);
  }
  return { title, responsibleAgencyId, deadline, requiredResult, adminCaseId, disputeId, judicialSuggestionId, procuratorialSuggestionId };
}

type ItemSubject = Awaited<ReturnType<typeof parseItem>>;

function createItem(context: Context, step: { action: string; idempotencyKey: string; input: unknown }, state: string, subject: ItemSubject, extra: Partial<SupervisionItemDoc>) {
  const today = districtDate(context.now());
  const year = today.getUTCFullYear();
  return createRecord<SupervisionItemDoc>(context, {
    type: TYPE,
    step,
    state,
    findCreated: context.store.supervisionItemCreatedBy,
    build: async () => {
      const n = await context.store.nextSupervisionNumber(year);
      return {
        _id: supervisionItemId(year, n),
        number: supervisionItemNumber(year, n),
        ...subject,
        meetingId: null,
        openedAt: state === 'OPEN' ? today : null,
        closedAt: null,
        closing: null,
        closingNote: null,
        progress: [],
        proposal: null,
        ...extra,
      };
    },
    insert: context.store.insertSupervisionItem,
  });
}

const steps = (context: Context) => ({ load: context.store.supervisionItem, update: context.store.updateSupervisionItem });

export const supervisionWrites = mutationResolvers<GovernmentContext>({
  openSupervisionItem: async (_: unknown, args: Args, context: Context) => {
    const idempotencyKey = parseIdempotencyKey(args.idempotencyKey);
    const input = (args.input ?? {}) as Args;
    const subject = await parseItem(context, input, 'input', districtDate(context.now()));
    return withId(await createItem(context, { action: 'OPEN', idempotencyKey, input }, 'OPEN', subject, {}));
  },

  proposeSupervisionItem: async (_: unknown, args: Args, context: Context) => {
    const idempotencyKey = parseIdempotencyKey(args.idempotencyKey);
    const input = (args.input ?? {}) as Args;
    const reason = parseText(args.reason, 'reason', 10, 2000);
    const subject = await parseItem(context, input, 'input', districtDate(context.now()));
    const proposal = { by: participantOf(context.identity), at: context.now(), reason, declinedBecause: null };
    return withId(await createItem(context, { action: 'PROPOSE', idempotencyKey, input: { input, reason } }, 'PROPOSED', subject, { proposal }));
  },

  decideSupervisionProposal: async (_: unknown, args: Args, context: Context) => {
    const id = parseId(args.id);
    const idempotencyKey = parseIdempotencyKey(args.idempotencyKey);
    const expectedVersion = parseVersion(args.expectedVersion);
    const { accept, reason, action } = parseProposalDecision(args);
    const today = districtDate(context.now());
    const doc = await transitionRecord<SupervisionItemDoc>(context, {
      type: TYPE,
      id,
      expectedVersion,
      step: { action, idempotencyKey, input: { accept, reason } },
      from: ['PROPOSED'],
      to: accept ? 'OPEN' : 'DECLINED',
      describe: `SupervisionItem ${id}`,
      changes: (current) => (accept ? { openedAt: today } : { closedAt: today, proposal: current.proposal && { ...current.proposal, declinedBecause: reason } }),
      ...steps(context),
    });
    return withId(doc);
  },

  reportSupervisionProgress: async (_: unknown, args: Args, context: Context) => {
    const id = parseId(args.id);
    const idempotencyKey = parseIdempotencyKey(args.idempotencyKey);
    const report = parseText(args.report, 'report', 5, 2000);
    const doc = await transitionRecord<SupervisionItemDoc>(context, {
      type: TYPE,
      id,
      expectedVersion: null,
      step: { action: 'REPORT_PROGRESS', idempotencyKey, input: { report } },
      from: OPEN_STATES,
      to: 'PROGRESS_REPORTED',
      describe: `SupervisionItem ${id}`,
      // The responsible agency's officers (OWN_UNIT, on the item's agency).
      changes: (current) => ({ progress: [...current.progress, { at: context.now(), by: participantOf(context.identity), report }] }),
      ...steps(context),
    });
    return withId(doc);
  },

  closeSupervisionItem: async (_: unknown, args: Args, context: Context) => {
    const id = parseId(args.id);
    const idempotencyKey = parseIdempotencyKey(args.idempotencyKey);
    const expectedVersion = parseVersion(args.expectedVersion);
    const closing = parseOptionalEnum(args.closing, 'closing');
    if (closing !== 'RESOLVED' && closing !== 'ESCALATED') throw badUserInput('closing must be RESOLVED or ESCALATED', 'closing');
    const note = parseText(args.note, 'note', 5, 2000);
    const today = districtDate(context.now());
    const doc = await transitionRecord<SupervisionItemDoc>(context, {
      type: TYPE,
      id,
      expectedVersion,
      step: { action: 'CLOSE', idempotencyKey, input: { closing, note } },
      from: OPEN_STATES,
      to: 'CLOSED',
      describe: `SupervisionItem ${id}`,
      changes: () => ({ closing, closingNote: note, closedAt: today }),
      ...steps(context),
    });
    return withId(doc);
  },

  recordJointMeeting: async (_: unknown, args: Args, context: Context) => {
    const idempotencyKey = parseIdempotencyKey(args.idempotencyKey);
    const input = (args.input ?? {}) as Args;
    const today = districtDate(context.now());
    const quarter = typeof input.quarter === 'string' && /^\d{4}-Q[1-4]$/.test(input.quarter) ? input.quarter : null;
    if (!quarter) throw badUserInput('input.quarter must be YYYY-Qn (2026-Q1)', 'input.quarter');
    if (!(input.heldAt instanceof Date) || input.heldAt.getTime() > today.getTime()) throw badUserInput("input.heldAt must be a date no later than today (the district's)", 'input.heldAt');
    const heldAt = input.heldAt;
    if (!Array.isArray(input.issues) || input.issues.length < 1 || input.issues.length > 20) throw badUserInput('input.issues: 1 to 20', 'input.issues');
    const issues = input.issues.map((issue, i) => parseText(issue, `input.issues[${i}]`, 2, 500));
    if (!Array.isArray(input.decisions) || input.decisions.length > 20) throw badUserInput('input.decisions: at most 20', 'input.decisions');
    const decisions = [];
    for (const [i, decision] of input.decisions.entries()) decisions.push(await parseItem(context, decision as Args, `input.decisions[${i}]`, today));
    const id = `JM-${quarter}`;
    const existing = await context.store.jointMeeting(id);
    if (existing && existing.createKey !== stepKey(context, idempotencyKey)) {
      throw badUserInput(`The joint meeting of ${quarter} is already recorded (${id})`, 'input.quarter');
    }
    // The meeting is claimed first (its id is the quarter's: a concurrent recording under another
    // key loses here, before making any item), then each decision becomes an item under a key
    // derived from the meeting's (a retry finds them all, and one that failed half-way makes the
    // rest), then the meeting lists them.
    let meeting = await createRecord<JointMeetingDoc>(context, {
      type: 'JointMeeting',
      step: { action: 'RECORD', idempotencyKey, input },
      state: 'RECORDING',
      findCreated: context.store.jointMeetingCreatedBy,
      build: async () => ({ _id: id, quarter, heldAt, issues, decisionIds: [] }),
      insert: context.store.insertJointMeeting,
    });
    const items: SupervisionItemDoc[] = [];
    for (const [i, subject] of decisions.entries()) {
      items.push(await createItem(context, { action: 'OPEN', idempotencyKey: `${idempotencyKey}.decision-${i + 1}`, input: input.decisions as unknown[] }, 'OPEN', subject, { meetingId: id }));
    }
    if (meeting.state === 'RECORDING') {
      meeting = await transitionRecord<JointMeetingDoc>(context, {
        type: 'JointMeeting',
        id,
        expectedVersion: meeting.version,
        step: { action: 'RECORD_DECISIONS', idempotencyKey: `${idempotencyKey}.decisions`, input: items.map((item) => item._id) },
        from: ['RECORDING'],
        to: 'RECORDED',
        describe: `JointMeeting ${id}`,
        changes: () => ({ decisionIds: items.map((item) => item._id) }),
        load: context.store.jointMeeting,
        update: context.store.updateJointMeeting,
      });
    }
    return withId(meeting);
  },
});

/** The quarter's period, [first day, first day of the next quarter). */
function quarterPeriod(quarter: string): { from: Date; to: Date } {
  const year = Number(quarter.slice(0, 4));
  const q = Number(quarter.slice(-1));
  return { from: new Date(Date.UTC(year, (q - 1) * 3, 1)), to: new Date(Date.UTC(year, q * 3, 1)) };
}

const ref = (id: string | null) => (id ? { id } : null);

export const supervisionReads = {
  Query: {
    supervisionItem: (_: unknown, args: Args, context: GovernmentContext) => context.loaders.supervisionItem.load(parseId(args.id)),
    supervisionItems: (_: unknown, args: Args, context: GovernmentContext) => {
      const filter = (args.filter ?? {}) as Args;
      return context.store.listSupervisionItems(
        { responsibleAgencyId: parseOptionalId(filter.responsibleAgencyId, 'filter.responsibleAgencyId'), state: parseOptionalEnum(filter.state, 'filter.state') },
        args,
      );
    },
    jointMeeting: async (_: unknown, args: Args, context: GovernmentContext) => {
      const meeting = await context.store.jointMeeting(parseId(args.id));
      return meeting && withId(meeting);
    },
  },
  SupervisionItem: {
    __resolveReference: (ref: Args, context: GovernmentContext) => context.loaders.supervisionItem.load(parseId(ref.id)),
    responsibleAgency: (item: WithId<SupervisionItemDoc>, _: Args, context: GovernmentContext) => context.loaders.agency.load(item.responsibleAgencyId),
    overdue: (item: WithId<SupervisionItemDoc>, _: Args, context: GovernmentContext) =>
      OPEN_STATES.includes(item.state) && districtDate(context.now()).getTime() > item.deadline.getTime(),
    adminCase: (item: WithId<SupervisionItemDoc>) => ref(item.adminCaseId),
    dispute: (item: WithId<SupervisionItemDoc>, _: Args, context: GovernmentContext) => (item.disputeId ? context.loaders.dispute.load(item.disputeId) : null),
    judicialSuggestion: (item: WithId<SupervisionItemDoc>) => ref(item.judicialSuggestionId),
    procuratorialSuggestion: (item: WithId<SupervisionItemDoc>) => ref(item.procuratorialSuggestionId),
    meeting: async (item: WithId<SupervisionItemDoc>, _: Args, context: GovernmentContext) => {
      const meeting = item.meetingId ? await context.store.jointMeeting(item.meetingId) : null;
      return meeting && withId(meeting);
    },
  },
  JointMeeting: {
    __resolveReference: async (ref: Args, context: GovernmentContext) => {
      const meeting = await context.store.jointMeeting(parseId(ref.id));
      return meeting && withId(meeting);
    },
    bulletin: async (meeting: WithId<JointMeetingDoc>, _: Args, context: GovernmentContext) => {
      const period = quarterPeriod(meeting.quarter);
      return { ...period, district: { id: DISTRICT_ID }, agencies: await context.store.allAgencies() };
    },
    decisions: async (meeting: WithId<JointMeetingDoc>, _: Args, context: GovernmentContext) =>
      (await context.loaders.supervisionItem.loadMany(meeting.decisionIds)).filter((item) => item && !(item instanceof Error)),
  },
};

