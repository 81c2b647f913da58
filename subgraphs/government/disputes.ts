// Joint dispute resolution (协同化解, 会商研判), the linkage office's flow: a dispute is registered
// (or proposed by a court or procuratorate officer from one of their cases, and accepted or
// declined), assigned to an agency, taken to a consultation with invited participants from any of
// the three institutions, who record their opinions; the office records the outcome, whether the
// dispute was substantively resolved, and closes it. Each step goes through
// subgraphs/shared/workflow.ts: rule, retry, version, state, one atomic write.
import { ORGS, isPrincipalText } from '../../auth/index.js';
import { badUserInput, illegalTransition, parseId, parseIdList, parseOptionalEnum, parseOptionalId, withId, type VersionedDoc } from '../../platform/index.js';
import { createRecord, districtDate, mutationResolvers, parseIdempotencyKey, parseProposalDecision, parseText, parseVersion, participantOf, referenced, transitionRecord, type WorkflowContext } from '../shared/index.js';
import type { GovernmentContext } from './context.js';
import { disputeId, type ConsultationDoc, type DisputeDoc, type ParticipantDoc } from './store.js';

type Args = Record<string, unknown>;
type Context = GovernmentContext & WorkflowContext;
const TYPE = 'Dispute';
/** The institutions a participant may come from, as Consultation.institutions names them. */
const INSTITUTIONS: Record<string, string> = { government: 'GOVERNMENT', court: 'COURT', procuratorate: 'PROCURATORATE' };
/** States in which the office works the dispute. */
const WORKING = ['ASSIGNED', 'IN_CONSULTATION'] as const;


function parseParticipant(value: unknown, argument: string): ParticipantDoc {
  const p = (value ?? {}) as Args;
  if (typeof p.org !== 'string' || !(p.org in INSTITUTIONS)) throw badUserInput(`${argument}.org must be government, court or procuratorate`, argument);
  // Held to what a principal's sub and name may be: these names are shown to auditors.
  if (!isPrincipalText(p.sub) || !isPrincipalText(p.name)) throw badUserInput(`${argument}: sub and name are 1-128 characters without control or format characters`, argument);
  return { sub: p.sub, name: p.name, org: p.org };
}

async function requireAgency(context: Context, id: string, argument: string): Promise<void> {
  if (!(await context.loaders.agency.load(id))) throw badUserInput(`No Agency ${id}`, argument);
}

/** The subs invited to a consultation who have not given their opinion there. */
function awaitingOpinions(consultations: ConsultationDoc[]): string[] {
  const subs = new Set<string>();
  for (const c of consultations) for (const invitee of c.invitees ?? []) if (!(c.opinions ?? []).some((o) => o.by.sub === invitee.sub)) subs.add(invitee.sub);
  return [...subs].sort();
}

const describe = (id: string) => `Dispute ${id}`;
const steps = (context: Context) => ({ load: context.store.dispute, update: context.store.updateDispute });

async function create(context: Context, idempotencyKey: string, action: string, input: Args, fields: () => Promise<Omit<DisputeDoc, keyof VersionedDoc>>, state: string) {
  const today = districtDate(context.now());
  const doc = await createRecord<DisputeDoc>(context, {
    type: TYPE,
    step: { action, idempotencyKey, input },
    state,
    findCreated: context.store.disputeCreatedBy,
    build: async () => ({ _id: disputeId(today.getUTCFullYear(), await context.store.nextDisputeNumber(today.getUTCFullYear())), ...(await fields()) }),
    insert: context.store.insertDispute,
  });
  return withId(doc);
}

export const disputeWrites = mutationResolvers<GovernmentContext>({
  registerDispute: async (_: unknown, args: Args, context: Context) => {
    const idempotencyKey = parseIdempotencyKey(args.idempotencyKey);
    const input = (args.input ?? {}) as Args;
    const title = parseText(input.title, 'input.title', 2, 100);
    const category = parseOptionalEnum(input.category, 'input.category');
    if (!category) throw badUserInput('input.category is required', 'input.category');
    const agencyId = parseOptionalId(input.agencyId, 'input.agencyId') ?? null;
    if (agencyId) await requireAgency(context, agencyId, 'input.agencyId');
    const partyIds = parseIdList(input.partyIds, 'input.partyIds') ?? [];
    const parties = await context.loaders.party.loadMany(partyIds);
    parties.forEach((party, i) => {
      if (!party || party instanceof Error) throw badUserInput(`No Party ${partyIds[i]}`, 'input.partyIds');
    });
    if (input.major !== undefined && input.major !== null && typeof input.major !== 'boolean') throw badUserInput('input.major must be a boolean', 'input.major');
    const linkedAdminCaseId = parseOptionalId(input.linkedAdminCaseId, 'input.linkedAdminCaseId') ?? null;
    if (linkedAdminCaseId) {
      // The court answered for its case before the call was sent.
      const adminCase = referenced(context.references, 'AdminCase', linkedAdminCaseId, 'input.linkedAdminCaseId') as { defendant?: { id?: unknown } | null };
      if (agencyId && adminCase.defendant?.id !== agencyId) throw badUserInput(`AdminCase ${linkedAdminCaseId} is not against ${agencyId}`, 'input.linkedAdminCaseId');
    }
    const linkedReconsiderationId = parseOptionalId(input.linkedReconsiderationId, 'input.linkedReconsiderationId') ?? null;
    if (linkedReconsiderationId && !(await context.loaders.reconsideration.load(linkedReconsiderationId))) {
      throw badUserInput(`No Reconsideration ${linkedReconsiderationId}`, 'input.linkedReconsiderationId');
    }
    const today = districtDate(context.now());
    return create(
      context,
      idempotencyKey,
      'REGISTER',
      input,
      async () => ({
        title,
        category,
        agencyId,
        partyIds,
        openedAt: today,
        closedAt: null,
        status: 'OPEN',
        major: input.major === true,
        substantivelyResolved: false,
        consultations: [],
        linkedAdminCaseId,
        linkedReconsiderationId,
        proposal: null,
        outcome: null,
        awaitingOpinions: [],
      }),
      agencyId ? 'ASSIGNED' : 'REGISTERED',
    );
  },

  proposeDispute: async (_: unknown, args: Args, context: Context) => {
    const idempotencyKey = parseIdempotencyKey(args.idempotencyKey);
    const input = (args.input ?? {}) as Args;
    const title = parseText(input.title, 'input.title', 2, 100);
    const category = parseOptionalEnum(input.category, 'input.category');
    if (!category) throw badUserInput('input.category is required', 'input.category');
    const agencyId = parseId(input.agencyId, 'input.agencyId');
    await requireAgency(context, agencyId, 'input.agencyId');
    const reason = parseText(input.reason, 'input.reason', 10, 2000);
    // From a case of the proposer's institution about that agency: a court case (a judge), a
    // supervision case (a prosecutor), which its owner answered for as the caller (any judge or
    // prosecutor who may read it; who handles the case is not checked).
    const fromCourt = context.identity.principal.org === 'court';
    const caseArgument = fromCourt ? 'input.adminCaseId' : 'input.supervisionCaseId';
    const caseId = parseOptionalId(input[fromCourt ? 'adminCaseId' : 'supervisionCaseId'], caseArgument);
    if (!caseId) throw badUserInput(`${caseArgument} is required: a proposal comes from one of your cases`, caseArgument);
    if (input[fromCourt ? 'supervisionCaseId' : 'adminCaseId'] != null) throw badUserInput(`${fromCourt ? 'input.supervisionCaseId' : 'input.adminCaseId'} is not one of your cases`, fromCourt ? 'input.supervisionCaseId' : 'input.adminCaseId');
    const found = referenced(context.references, fromCourt ? 'AdminCase' : 'SupervisionCase', caseId, caseArgument) as { defendant?: { id?: unknown } | null; agency?: { id?: unknown } | null };
    if ((fromCourt ? found.defendant?.id : found.agency?.id) !== agencyId) throw badUserInput(`${fromCourt ? 'AdminCase' : 'SupervisionCase'} ${caseId} does not concern ${agencyId}`, caseArgument);
    return create(
      context,
      idempotencyKey,
      'PROPOSE',
      input,
      async () => ({
        title,
        category,
        agencyId,
        partyIds: [],
        // Not in the register (nor its statistics) until the office takes it.
        openedAt: null,
        closedAt: null,
        status: 'OPEN',
        major: false,
        substantivelyResolved: false,
        consultations: [],
        linkedAdminCaseId: fromCourt ? caseId : null,
        linkedReconsiderationId: null,
        proposal: { by: participantOf(context.identity), at: context.now(), reason, adminCaseId: fromCourt ? caseId : null, supervisionCaseId: fromCourt ? null : caseId, declinedBecause: null },
        outcome: null,
        awaitingOpinions: [],
      }),
      'PROPOSED',
    );
  },

  decideDisputeProposal: async (_: unknown, args: Args, context: Context) => {
    const id = parseId(args.id);
    const idempotencyKey = parseIdempotencyKey(args.idempotencyKey);
    const expectedVersion = parseVersion(args.expectedVersion);
    const { accept, reason, action } = parseProposalDecision(args);
    const today = districtDate(context.now());
    const doc = await transitionRecord<DisputeDoc>(context, {
      type: TYPE,
      id,
      expectedVersion,
      step: { action, idempotencyKey, input: { accept, reason } },
      from: ['PROPOSED'],
      to: accept ? 'ASSIGNED' : 'DECLINED',
      describe: describe(id),
      changes: (current) =>
        accept
          ? { openedAt: today }
          : { closedAt: today, status: 'CLOSED_UNRESOLVED', proposal: current.proposal && { ...current.proposal, declinedBecause: reason } },
      ...steps(context),
    });
    return withId(doc);
  },

  assignDispute: async (_: unknown, args: Args, context: Context) => {
    const id = parseId(args.id);
    const idempotencyKey = parseIdempotencyKey(args.idempotencyKey);
    const expectedVersion = parseVersion(args.expectedVersion);
    const agencyId = parseId(args.agencyId, 'agencyId');
    await requireAgency(context, agencyId, 'agencyId');
    const doc = await transitionRecord<DisputeDoc>(context, {
      type: TYPE,
      id,
      expectedVersion,
      step: { action: 'ASSIGN', idempotencyKey, input: { agencyId } },
      from: ['REGISTERED', ...WORKING],
      // A reassignment keeps a consultation under way.
      to: (current) => (current.state === 'IN_CONSULTATION' ? 'IN_CONSULTATION' : 'ASSIGNED'),
      describe: describe(id),
      changes: () => ({ agencyId }),
      ...steps(context),
    });
    return withId(doc);
  },

  conveneConsultation: async (_: unknown, args: Args, context: Context) => {
    const id = parseId(args.id);
    const idempotencyKey = parseIdempotencyKey(args.idempotencyKey);
    const expectedVersion = parseVersion(args.expectedVersion);
    const input = (args.input ?? {}) as Args;
    const today = districtDate(context.now());
    if (!(input.heldAt instanceof Date)) throw badUserInput('input.heldAt must be a date', 'input.heldAt');
    if (input.heldAt.getTime() < today.getTime()) throw badUserInput(`input.heldAt must be today (${today.toISOString().slice(0, 10)}, the district's date) or later`, 'input.heldAt');
    const heldAt = input.heldAt;
    const topic = parseText(input.topic, 'input.topic', 2, 200);
    if (!Array.isArray(input.invitees) || input.invitees.length < 1 || input.invitees.length > 30) throw badUserInput('input.invitees: 1 to 30 people', 'input.invitees');
    const invitees = input.invitees.map((p, i) => parseParticipant(p, `input.invitees[${i}]`));
    if (new Set(invitees.map((p) => p.sub)).size !== invitees.length) throw badUserInput('input.invitees: each person once', 'input.invitees');
    const doc = await transitionRecord<DisputeDoc>(context, {
      type: TYPE,
      id,
      expectedVersion,
      step: { action: 'CONVENE_CONSULTATION', idempotencyKey, input },
      from: WORKING,
      to: 'IN_CONSULTATION',
      describe: describe(id),
      changes: (current) => {
        const consultation: ConsultationDoc = {
          id: `${id}-C${current.consultations.length + 1}`,
          heldAt,
          institutions: ORGS.filter((org) => invitees.some((p) => p.org === org)).map((org) => INSTITUTIONS[org]!),
          topic,
          invitees,
          opinions: [],
          conclusion: null,
        };
        const consultations = [...current.consultations, consultation];
        return { consultations, awaitingOpinions: awaitingOpinions(consultations) };
      },
      ...steps(context),
    });
    return withId(doc);
  },

  recordConsultationOpinion: async (_: unknown, args: Args, context: Context) => {
    const id = parseId(args.id);
    const idempotencyKey = parseIdempotencyKey(args.idempotencyKey);
    const consultationId = parseId(args.consultationId, 'consultationId');
    const opinion = parseText(args.opinion, 'opinion', 2, 2000);
    const me = participantOf(context.identity);
    const consultationOf = (current: DisputeDoc) => {
      const found = current.consultations.find((c) => c.id === consultationId);
      if (!found) throw badUserInput(`Dispute ${id} has no consultation ${consultationId}`, 'consultationId');
      return found;
    };
    const doc = await transitionRecord<DisputeDoc>(context, {
      type: TYPE,
      id,
      expectedVersion: null,
      step: { action: 'RECORD_OPINION', idempotencyKey, input: { consultationId, opinion } },
      from: ['IN_CONSULTATION'],
      to: 'IN_CONSULTATION',
      describe: describe(id),
      // Only those invited to that consultation.
      guardOn: (current) => ({ type: 'Consultation', record: consultationOf(current) }),
      changes: (current) => {
        if ((consultationOf(current).opinions ?? []).some((o) => o.by.sub === me.sub)) {
          throw illegalTransition(`Consultation ${consultationId}`, 'RECORD_OPINION', current.state, 'your opinion is already recorded');
        }
        const consultations = current.consultations.map((c) => (c.id === consultationId ? { ...c, opinions: [...(c.opinions ?? []), { by: me, at: context.now(), opinion }] } : c));
        return { consultations, awaitingOpinions: awaitingOpinions(consultations) };
      },
      ...steps(context),
    });
    return withId(doc);
  },

  closeDispute: async (_: unknown, args: Args, context: Context) => {
    const id = parseId(args.id);
    const idempotencyKey = parseIdempotencyKey(args.idempotencyKey);
    const expectedVersion = parseVersion(args.expectedVersion);
    const input = (args.input ?? {}) as Args;
    const outcome = parseText(input.outcome, 'input.outcome', 10, 2000);
    if (typeof input.substantivelyResolved !== 'boolean') throw badUserInput('input.substantivelyResolved must be true or false', 'input.substantivelyResolved');
    const resolved = input.substantivelyResolved;
    const today = districtDate(context.now());
    const doc = await transitionRecord<DisputeDoc>(context, {
      type: TYPE,
      id,
      expectedVersion,
      step: { action: 'CLOSE', idempotencyKey, input: { outcome, substantivelyResolved: resolved } },
      from: WORKING,
      to: 'CLOSED',
      describe: describe(id),
      changes: () => ({ outcome, substantivelyResolved: resolved, status: resolved ? 'RESOLVED' : 'CLOSED_UNRESOLVED', closedAt: today, awaitingOpinions: [] }),
      ...steps(context),
    });
    return withId(doc);
  },
});
