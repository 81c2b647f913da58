// Joint dispute resolution as a flow through the gateway, with real tokens: the linkage office
// registers and assigns disputes, convenes a consultation with participants of the three
// institutions who record their opinions, and closes the dispute with its outcome; court and
// procuratorate officers propose disputes from their cases, which the office accepts or declines.
// Every step in the inboxes, the illegal ones refused with the state named, callers who may not
// write refused with nothing written, the register's figures recounted, the steps in the audit trail.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { MongoClient } from 'mongodb';
import { inject } from 'vitest';
import type { Principal, Purpose } from '../auth/index.js';
import { demoData } from './support/seed-options.js';
import { principal, startTestStack, type TestStack } from './support/stack.js';
import { refusalBy, workflowClient } from './support/workflow-client.js';

const TAG = 'flows_disputes';
let now = new Date('2026-05-11T01:00:00.000Z');

const data = demoData();
const [agencyX, agencyY] = data.government.agencies.map((a) => a._id);
const caseOfX = data.court.adminCases.find((c) => c.defendantId === agencyX)!;
const caseOfY = data.court.adminCases.find((c) => c.defendantId === agencyY)!;
const supervisionOfY = data.procuratorate.supervisionCases.find((v) => v.agencyId === agencyY)!;

const office: Principal = { ...principal('government', ['linkage_officer']), sub: 'office-zhou', name: '周主任' };
const judge: Principal = { ...principal('court', ['judge']), sub: 'judge-chen', name: '陈法官' };
const otherJudge: Principal = { ...principal('court', ['judge']), sub: 'judge-lin', name: '林法官' };
const prosecutor: Principal = { ...principal('procuratorate', ['prosecutor']), sub: 'prosecutor-sun', name: '孙检察官' };
const officerOfX: Principal = { ...principal('government', ['agency_officer'], agencyX!), sub: 'officer-x', name: '吴科长' };
const participant = (p: Principal) => ({ sub: p.sub, name: p.name, org: p.org });

const DISPUTE_FIELDS = `id state version status title category agency { id } openedAt closedAt major substantivelyResolved outcome
  linkedAdminCase { id }
  consultations { id heldAt topic institutions invitees { sub name org } opinions { by { sub name org } opinion } conclusion }
  proposal { by { sub org } reason adminCase { id } supervisionCase { id } declinedBecause }`;
// The dispute's title: the government resolves its own records in the inbox, whole.
const INBOX = `{ inbox { items { edges { node { kind dueAt overdue dispute { id title } } } } } }`;

describe('joint dispute resolution through the gateway', () => {
  let stack: TestStack;
  let client: MongoClient;
  const { key, call, step } = workflowClient(() => stack.gateway!.url, 'dispute-key');
  const register = (input: Record<string, unknown>) =>
    step(office, 'DISPUTE_RESOLUTION', `mutation($key: String!, $input: RegisterDisputeInput!) { registerDispute(idempotencyKey: $key, input: $input) { ${DISPUTE_FIELDS} } }`, { input });
  const CONVENE = `mutation($key: String!, $id: ID!, $version: Int!, $input: ConveneConsultationInput!) { conveneConsultation(idempotencyKey: $key, id: $id, expectedVersion: $version, input: $input) { ${DISPUTE_FIELDS} } }`;
  const OPINION = `mutation($key: String!, $id: ID!, $consultationId: ID!, $opinion: String!) { recordConsultationOpinion(idempotencyKey: $key, id: $id, consultationId: $consultationId, opinion: $opinion) { id version state } }`;
  const CLOSE = `mutation($key: String!, $id: ID!, $version: Int!, $input: CloseDisputeInput!) { closeDispute(idempotencyKey: $key, id: $id, expectedVersion: $version, input: $input) { ${DISPUTE_FIELDS} } }`;
  const ASSIGN = `mutation($key: String!, $id: ID!, $version: Int!, $agencyId: ID!) { assignDispute(idempotencyKey: $key, id: $id, expectedVersion: $version, agencyId: $agencyId) { id state version agency { id } } }`;
  const PROPOSE = `mutation($key: String!, $input: ProposeDisputeInput!) { proposeDispute(idempotencyKey: $key, input: $input) { ${DISPUTE_FIELDS} } }`;
  const DECIDE = `mutation($key: String!, $id: ID!, $version: Int!, $accept: Boolean!, $reason: String) { decideDisputeProposal(idempotencyKey: $key, id: $id, expectedVersion: $version, accept: $accept, reason: $reason) { ${DISPUTE_FIELDS} } }`;
  /** The dispute items of a caller's inbox (an agency officer's also holds the demo district's unanswered suggestions). */
  const inbox = async (who: Principal, purpose: Purpose = 'DISPUTE_RESOLUTION') => {
    const answer = await call(who, purpose, INBOX);
    expect(answer.body.errors).toBeUndefined();
    return answer.body.data!.inbox.items.edges.map((e: { node: { dispute: unknown } }) => e.node).filter((node: { dispute: unknown }) => node.dispute !== null);
  };
  const refusal = refusalBy('government');
  const disputesInStore = () => client.db(`linkage_government_${TAG}`).collection('disputes').countDocuments();

  beforeEach(() => {
    now = new Date('2026-05-11T01:00:00.000Z');
  });
  beforeAll(async () => {
    stack = await startTestStack({ gateway: true, ownDatabases: TAG, clock: () => now });
    client = await MongoClient.connect(inject('mongoUri'));
  });
  afterAll(async () => {
    await client?.close();
    await stack?.stop();
  });

  it('registers, consults the three institutions, records their opinions and closes a dispute as substantively resolved', async () => {
    const registered = await register({ title: '征收补偿标准争议', category: 'LAND_EXPROPRIATION', agencyId: agencyX, major: true, linkedAdminCaseId: caseOfX._id });
    const id = registered.id as string;
    expect(id).toMatch(/^DSP-2026-\d{4}$/);
    const base = {
      id,
      title: '征收补偿标准争议',
      category: 'LAND_EXPROPRIATION',
      agency: { id: agencyX },
      openedAt: '2026-05-11',
      closedAt: null,
      major: true,
      substantivelyResolved: false,
      outcome: null,
      linkedAdminCase: { id: caseOfX._id },
      proposal: null,
    };
    expect(registered).toEqual({ ...base, state: 'ASSIGNED', version: 1, status: 'OPEN', consultations: [] });

    const invitees = [participant(judge), participant(prosecutor), participant(officerOfX)];
    const convened = await step(office, 'DISPUTE_RESOLUTION', CONVENE, { id, version: 1, input: { heldAt: '2026-05-14', topic: '补偿标准是否合法、能否协商调整', invitees } });
    const consultation = { id: `${id}-C1`, heldAt: '2026-05-14', topic: '补偿标准是否合法、能否协商调整', institutions: ['GOVERNMENT', 'COURT', 'PROCURATORATE'], invitees, conclusion: null };
    expect(convened).toEqual({ ...base, state: 'IN_CONSULTATION', version: 2, status: 'OPEN', consultations: [{ ...consultation, opinions: [] }] });

    // Each invited participant has it in their inbox, due the day it is held; the office has nothing to do.
    const task = { kind: 'CONSULTATION_OPINION', dueAt: '2026-05-14', overdue: false, dispute: { id, title: '征收补偿标准争议' } };
    expect(await inbox(judge)).toEqual([task]);
    expect(await inbox(prosecutor)).toEqual([task]);
    expect(await inbox(officerOfX)).toEqual([task]);
    expect(await inbox(office)).toEqual([]);

    expect(await step(judge, 'DISPUTE_RESOLUTION', OPINION, { id, consultationId: `${id}-C1`, opinion: '补偿标准有依据，建议释法说理。' })).toEqual({ id, version: 3, state: 'IN_CONSULTATION' });
    expect(await step(prosecutor, 'DISPUTE_RESOLUTION', OPINION, { id, consultationId: `${id}-C1`, opinion: '程序合法，建议行政机关加强沟通。' })).toEqual({ id, version: 4, state: 'IN_CONSULTATION' });
    expect(await inbox(judge)).toEqual([]);
    // The day after it was held, the officer's is overdue.
    now = new Date('2026-05-15T01:00:00.000Z');
    expect(await inbox(officerOfX)).toEqual([{ ...task, overdue: true }]);

    const closed = await step(office, 'DISPUTE_RESOLUTION', CLOSE, { id, version: 4, input: { outcome: '经会商释法说理，当事人接受补偿方案，撤回异议。', substantivelyResolved: true } });
    expect(closed).toEqual({
      ...base,
      state: 'CLOSED',
      version: 5,
      status: 'RESOLVED',
      closedAt: '2026-05-15',
      substantivelyResolved: true,
      outcome: '经会商释法说理，当事人接受补偿方案，撤回异议。',
      consultations: [
        {
          ...consultation,
          opinions: [
            { by: participant(judge), opinion: '补偿标准有依据，建议释法说理。' },
            { by: participant(prosecutor), opinion: '程序合法，建议行政机关加强沟通。' },
          ],
        },
      ],
    });
    // Closed: nobody's inbox holds it any more.
    expect(await inbox(officerOfX)).toEqual([]);

    // The auditors' record history shows each step, by whom.
    const history = await call(principal('audit', ['auditor']), 'AUDIT', `query($id: ID!) { recordAccessHistory(recordType: "Dispute", recordId: $id) { government(first: 50) { edges { node { principal { sub } written { action version } } } } } }`, { id });
    const writes = history.body.data!.recordAccessHistory.government.edges.map((e: any) => e.node).filter((n: any) => n.written).reverse();
    expect(writes).toEqual([
      { principal: { sub: office.sub }, written: { action: 'REGISTER', version: 1 } },
      { principal: { sub: office.sub }, written: { action: 'CONVENE_CONSULTATION', version: 2 } },
      { principal: { sub: judge.sub }, written: { action: 'RECORD_OPINION', version: 3 } },
      { principal: { sub: prosecutor.sub }, written: { action: 'RECORD_OPINION', version: 4 } },
      { principal: { sub: office.sub }, written: { action: 'CLOSE', version: 5 } },
    ]);
  });

  it('lets only the invited record an opinion, once each, and refuses steps the state does not allow', async () => {
    const { id } = await register({ title: '行政处罚争议', category: 'PUBLIC_SECURITY_PENALTY' });
    // Registered without an agency: no consultation, no closing, until it is assigned.
    expect((await call(office, 'DISPUTE_RESOLUTION', CLOSE, { key: key(), id, version: 1, input: { outcome: '当事人撤回申请，争议终结。', substantivelyResolved: false } })).body).toEqual(
      refusal('closeDispute', `Dispute ${id} is REGISTERED: CLOSE is not a step it can take now`, { code: 'BAD_USER_INPUT', state: 'REGISTERED' }),
    );
    expect(await step(office, 'DISPUTE_RESOLUTION', ASSIGN, { id, version: 1, agencyId: agencyY })).toEqual({ id, state: 'ASSIGNED', version: 2, agency: { id: agencyY } });
    await step(office, 'DISPUTE_RESOLUTION', CONVENE, { id, version: 2, input: { heldAt: '2026-05-11', topic: '处罚裁量是否适当', invitees: [participant(judge)] } });
    expect((await call(otherJudge, 'DISPUTE_RESOLUTION', OPINION, { key: key(), id, consultationId: `${id}-C1`, opinion: '我未受邀，但有意见。' })).body).toEqual(
      refusal('recordConsultationOpinion', 'Not shared with you: NOT_INVITED', { code: 'FORBIDDEN', reason: 'NOT_INVITED' }),
    );
    await step(judge, 'DISPUTE_RESOLUTION', OPINION, { id, consultationId: `${id}-C1`, opinion: '裁量适当。' });
    expect((await call(judge, 'DISPUTE_RESOLUTION', OPINION, { key: key(), id, consultationId: `${id}-C1`, opinion: '补充意见。' })).body).toEqual(
      refusal('recordConsultationOpinion', `Consultation ${id}-C1 is IN_CONSULTATION (your opinion is already recorded): RECORD_OPINION is not a step it can take now`, {
        code: 'BAD_USER_INPUT',
        state: 'IN_CONSULTATION',
      }),
    );
    expect((await call(judge, 'DISPUTE_RESOLUTION', OPINION, { key: key(), id, consultationId: `${id}-C9`, opinion: '意见。' })).body).toEqual(
      refusal('recordConsultationOpinion', `Dispute ${id} has no consultation ${id}-C9`, { code: 'BAD_USER_INPUT', argument: 'consultationId' }),
    );
    await step(office, 'DISPUTE_RESOLUTION', CLOSE, { id, version: 4, input: { outcome: '会商后行政机关自行纠正。', substantivelyResolved: true } });
    expect((await call(office, 'DISPUTE_RESOLUTION', CONVENE, { key: key(), id, version: 5, input: { heldAt: '2026-05-20', topic: '再议', invitees: [participant(judge)] } })).body).toEqual(
      refusal('conveneConsultation', `Dispute ${id} is CLOSED: CONVENE_CONSULTATION is not a step it can take now`, { code: 'BAD_USER_INPUT', state: 'CLOSED' }),
    );
    expect((await call(office, 'DISPUTE_RESOLUTION', ASSIGN, { key: key(), id, version: 4, agencyId: agencyX })).body).toEqual(
      refusal('assignDispute', `Dispute ${id} is at version 5, not 4: read it again and retry`, { code: 'CONFLICT', currentVersion: 5 }),
    );
  });

  it('takes proposals from a judge and a prosecutor: one accepted into the register, one declined', async () => {
    // For DISPUTE_RESOLUTION, so the judge may read the consultations and the proposal it answers with.
    const proposed = await step(judge, 'DISPUTE_RESOLUTION', PROPOSE, {
      input: { title: '工伤认定争议', category: 'SOCIAL_SECURITY', agencyId: agencyY, reason: '案件审理中发现争议可通过协调实质化解。', adminCaseId: caseOfY._id },
    });
    const id = proposed.id as string;
    expect(proposed).toEqual({
      id,
      state: 'PROPOSED',
      version: 1,
      status: 'OPEN',
      title: '工伤认定争议',
      category: 'SOCIAL_SECURITY',
      agency: { id: agencyY },
      openedAt: null,
      closedAt: null,
      major: false,
      substantivelyResolved: false,
      outcome: null,
      linkedAdminCase: { id: caseOfY._id },
      consultations: [],
      proposal: { by: { sub: judge.sub, org: 'court' }, reason: '案件审理中发现争议可通过协调实质化解。', adminCase: { id: caseOfY._id }, supervisionCase: null, declinedBecause: null },
    });
    const fromProsecutor = await step(prosecutor, 'SUPERVISION', PROPOSE, {
      input: { title: '监督案件所涉争议', category: 'OTHER', agencyId: agencyY, reason: '监督中发现行政机关与当事人争议未化解。', supervisionCaseId: supervisionOfY._id },
    });
    // The office sees both; one accepted, one declined.
    expect(await inbox(office)).toEqual([
      { kind: 'DISPUTE_PROPOSAL', dueAt: null, overdue: false, dispute: { id, title: '工伤认定争议' } },
      { kind: 'DISPUTE_PROPOSAL', dueAt: null, overdue: false, dispute: { id: fromProsecutor.id, title: '监督案件所涉争议' } },
    ]);
    // Not in the register (its lists) until the office takes it.
    const register = async () =>
      ((await call(office, 'DISPUTE_RESOLUTION', `query($agency: ID!) { disputes(filter: { agencyId: $agency }, first: 500) { edges { node { id } } } }`, { agency: agencyY })).body.data!.disputes.edges as { node: { id: string } }[]).map((e) => e.node.id);
    expect(await register()).not.toContain(id);
    const accepted = await step(office, 'DISPUTE_RESOLUTION', DECIDE, { id, version: 1, accept: true });
    expect(await register()).toContain(id);
    expect(accepted).toMatchObject({ id, state: 'ASSIGNED', version: 2, openedAt: '2026-05-11', proposal: { declinedBecause: null } });
    const declined = await step(office, 'DISPUTE_RESOLUTION', DECIDE, { id: fromProsecutor.id, version: 1, accept: false, reason: '已由复议程序处理，无需联动。' });
    expect(declined).toMatchObject({ state: 'DECLINED', version: 2, status: 'CLOSED_UNRESOLVED', openedAt: null, closedAt: '2026-05-11', proposal: { declinedBecause: '已由复议程序处理，无需联动。' } });
    expect(await inbox(office)).toEqual([]);

    // A proposal must come from a case about that agency, and exist.
    const before = await disputesInStore();
    expect((await call(judge, 'CASE_HANDLING', PROPOSE, { key: key(), input: { title: '争议', category: 'OTHER', agencyId: agencyX, reason: '案件审理中发现可协调化解。', adminCaseId: caseOfY._id } })).body).toEqual(
      refusal('proposeDispute', `AdminCase ${caseOfY._id} does not concern ${agencyX}`, { code: 'BAD_USER_INPUT', argument: 'input.adminCaseId' }),
    );
    expect((await call(judge, 'CASE_HANDLING', PROPOSE, { key: key(), input: { title: '争议', category: 'OTHER', agencyId: agencyX, reason: '案件审理中发现可协调化解。', adminCaseId: 'AC-NONE' } })).body).toEqual({
      errors: [{ message: 'No AdminCase AC-NONE (input.adminCaseId)', extensions: { code: 'BAD_USER_INPUT', argument: 'input.adminCaseId' } }],
    });
    expect(await disputesInStore()).toBe(before);
  });

  it('refuses the callers who may not write, before anything is written', async () => {
    const before = await disputesInStore();
    const cases: [Principal, Purpose, string][] = [
      [officerOfX, 'DISPUTE_RESOLUTION', 'ROLE_NOT_ALLOWED'],
      [office, 'CASE_HANDLING', 'PURPOSE_NOT_ALLOWED'],
      [judge, 'DISPUTE_RESOLUTION', 'ORG_NOT_ALLOWED'],
      [principal('partner', ['viewer']), 'STATISTICS', 'ORG_NOT_ALLOWED'],
    ];
    for (const [who, purpose, reason] of cases) {
      expect(
        (await call(who, purpose, `mutation($key: String!) { registerDispute(idempotencyKey: $key, input: { title: "争议", category: OTHER }) { id } }`, { key: key() })).body,
        `${who.sub} ${purpose}`,
      ).toEqual(refusal('registerDispute', `Not shared with you: ${reason}`, { code: 'FORBIDDEN', reason }));
    }
    expect(await disputesInStore()).toBe(before);
  });

  it("counts the disputes the office took this year in the register's figures, recounted from the stored records", async () => {
    const period = { from: '2026-01-01', to: '2027-01-01' };
    const answer = await call(principal('partner', ['viewer']), 'STATISTICS', `query($period: Period!) { district { disputeStats(period: $period) { handled major substantivelyResolved substantiveResolutionRate } } }`, { period });
    const stored = await client.db(`linkage_government_${TAG}`).collection('disputes').find({ openedAt: { $gte: new Date(period.from), $lt: new Date(period.to) } }).toArray();
    const resolved = stored.filter((d) => d.substantivelyResolved).length;
    expect(stored.length).toBeGreaterThan(2);
    expect(answer.body).toEqual({
      data: { district: { disputeStats: { handled: stored.length, major: stored.filter((d) => d.major).length, substantivelyResolved: resolved, substantiveResolutionRate: resolved / stored.length } } },
    });
  });
});
