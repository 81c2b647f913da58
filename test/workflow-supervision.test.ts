// Joint supervision (联合督办) and the quarterly joint meeting (联席会议) as flows through the gateway:
// the inspection office opens an item on the responsible agency with its linked records, the
// agency reports progress, the office closes it; judges and prosecutors propose items; a joint
// meeting's decisions become items. Inboxes, overdue flags at a fixed clock, refusals, retries.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { MongoClient } from 'mongodb';
import { inject } from 'vitest';
import type { Principal, Purpose } from '../auth/index.js';
import { demoData } from './support/seed-options.js';
import { principal, startTestStack, type TestStack } from './support/stack.js';
import { refusalBy, workflowClient } from './support/workflow-client.js';

const TAG = 'flows_supervision';
let now = new Date('2026-06-01T02:00:00.000Z');
const data = demoData();
const suggestion = data.court.judicialSuggestions[0]!;
const agencyX = suggestion.toAgencyId;
const caseOfX = data.court.adminCases.find((c) => c.defendantId === agencyX)!;
const agencyY = data.government.agencies.find((a) => a._id !== agencyX)!._id;

const inspector: Principal = { ...principal('government', ['inspector']), sub: 'inspector-gu', name: '顾督查' };
const officerX: Principal = { ...principal('government', ['agency_officer'], agencyX), sub: 'officer-x', name: '吴科长' };
const officerY: Principal = { ...principal('government', ['agency_officer'], agencyY), sub: 'officer-y', name: '郑科长' };
const judge: Principal = { ...principal('court', ['judge']), sub: 'judge-chen', name: '陈法官' };
const prosecutor: Principal = { ...principal('procuratorate', ['prosecutor']), sub: 'prosecutor-sun', name: '孙检察官' };

const ITEM = `id number title state version responsibleAgency { id } deadline overdue requiredResult adminCase { id } dispute { id }
  judicialSuggestion { id } procuratorialSuggestion { id } meeting { id } openedAt closedAt closing closingNote
  progress { by { sub name org } report } proposal { by { sub org } reason declinedBecause }`;
const OPEN = `mutation($key: String!, $input: SupervisionItemInput!) { openSupervisionItem(idempotencyKey: $key, input: $input) { ${ITEM} } }`;
const PROPOSE = `mutation($key: String!, $input: SupervisionItemInput!, $reason: String!) { proposeSupervisionItem(idempotencyKey: $key, input: $input, reason: $reason) { ${ITEM} } }`;
const DECIDE = `mutation($key: String!, $id: ID!, $version: Int!, $accept: Boolean!, $reason: String) { decideSupervisionProposal(idempotencyKey: $key, id: $id, expectedVersion: $version, accept: $accept, reason: $reason) { id state version openedAt closedAt proposal { declinedBecause } } }`;
const REPORT = `mutation($key: String!, $id: ID!, $report: String!) { reportSupervisionProgress(idempotencyKey: $key, id: $id, report: $report) { id state version progress { by { sub } report } } }`;
const CLOSE = `mutation($key: String!, $id: ID!, $version: Int!, $closing: SupervisionClosing!, $note: String!) { closeSupervisionItem(idempotencyKey: $key, id: $id, expectedVersion: $version, closing: $closing, note: $note) { id state version closing closingNote closedAt overdue } }`;
// The item's title: the government resolves its own records in the inbox, whole.
const INBOX = `{ inbox { items { edges { node { kind dueAt overdue supervisionItem { id title } } } } } }`;

describe('joint supervision and the joint meeting through the gateway', () => {
  let stack: TestStack;
  let client: MongoClient;
  const graph = workflowClient(() => stack.gateway!.url, 'supervision-key');
  const { key, step } = graph;
  const call = async (...args: Parameters<typeof graph.call>) => (await graph.call(...args)).body;
  /** The supervision items of a caller's inbox, this file's (made in 2026) or all (the demo district's too). */
  const inbox = async (who: Principal, purpose: Purpose = 'SUPERVISION', all = false) => {
    const answer = await call(who, purpose, INBOX);
    expect(answer.errors).toBeUndefined();
    return answer.data!.inbox.items.edges
      .map((e: { node: any }) => e.node)
      .filter((n: any) => n.supervisionItem !== null && (all || n.supervisionItem.id.startsWith('SI-2026-')));
  };
  const refusal = refusalBy('government');
  const itemsInStore = () => client.db(`linkage_government_${TAG}`).collection('supervisionItems').countDocuments();
  const input = (overrides: Record<string, unknown> = {}) => ({
    title: '征收补偿争议督办',
    responsibleAgencyId: agencyX,
    deadline: '2026-07-01',
    requiredResult: '依法重新核定补偿标准并书面答复当事人。',
    adminCaseId: caseOfX._id,
    judicialSuggestionId: suggestion._id,
    ...overrides,
  });

  beforeEach(() => {
    now = new Date('2026-06-01T02:00:00.000Z');
  });
  beforeAll(async () => {
    stack = await startTestStack({ gateway: true, ownDatabases: TAG, clock: () => now });
    client = await MongoClient.connect(inject('mongoUri'));
  });
  afterAll(async () => {
    await client?.close();
    await stack?.stop();
  });

  it('opens an item on the responsible agency, takes its progress report and closes it resolved', async () => {
    const opened = await step(inspector, 'SUPERVISION', OPEN, { input: input() });
    const id = opened.id as string;
    const n = Number(id.slice(-4));
    expect(opened).toEqual({
      id,
      number: `示范区督〔2026〕${n}号`,
      title: '征收补偿争议督办',
      state: 'OPEN',
      version: 1,
      responsibleAgency: { id: agencyX },
      deadline: '2026-07-01',
      overdue: false,
      requiredResult: '依法重新核定补偿标准并书面答复当事人。',
      adminCase: { id: caseOfX._id },
      dispute: null,
      judicialSuggestion: { id: suggestion._id },
      procuratorialSuggestion: null,
      meeting: null,
      openedAt: '2026-06-01',
      closedAt: null,
      closing: null,
      closingNote: null,
      progress: [],
      proposal: null,
    });
    expect(await inbox(officerX)).toEqual([{ kind: 'SUPERVISION_PROGRESS', dueAt: '2026-07-01', overdue: false, supervisionItem: { id, title: '征收补偿争议督办' } }]);
    expect(await inbox(officerY)).toEqual([]);

    expect((await call(officerY, 'SUPERVISION', REPORT, { key: key(), id, report: '我单位已着手处理。' }))).toEqual(
      refusal('reportSupervisionProgress', 'Not shared with you: NOT_OWN_UNIT', { code: 'FORBIDDEN', reason: 'NOT_OWN_UNIT' }),
    );
    expect(await step(officerX, 'SUPERVISION', REPORT, { id, report: '已重新核定补偿标准，待书面答复。' })).toEqual({
      id,
      state: 'PROGRESS_REPORTED',
      version: 2,
      progress: [{ by: { sub: officerX.sub }, report: '已重新核定补偿标准，待书面答复。' }],
    });
    expect(await inbox(officerX)).toEqual([]);
    // The inspector's: the demo district's item in progress (long overdue) and proposal, and this one.
    const seeded = data.government.supervisionItems;
    const inProgress = seeded.find((i) => i.state === 'PROGRESS_REPORTED')!;
    const proposal = seeded.find((i) => i.state === 'PROPOSED')!;
    expect(await inbox(inspector, 'SUPERVISION', true)).toEqual([
      { kind: 'SUPERVISION_CLOSING', dueAt: inProgress.deadline.toISOString().slice(0, 10), overdue: true, supervisionItem: { id: inProgress._id, title: inProgress.title } },
      { kind: 'SUPERVISION_CLOSING', dueAt: '2026-07-01', overdue: false, supervisionItem: { id, title: '征收补偿争议督办' } },
      { kind: 'SUPERVISION_PROPOSAL', dueAt: null, overdue: false, supervisionItem: { id: proposal._id, title: proposal.title } },
    ]);

    expect(await call(inspector, 'SUPERVISION', CLOSE, { key: key(), id, version: 1, closing: 'RESOLVED', note: '已书面答复，问题解决。' })).toEqual(
      refusal('closeSupervisionItem', `SupervisionItem ${id} is at version 2, not 1: read it again and retry`, { code: 'CONFLICT', currentVersion: 2 }),
    );
    expect(await step(inspector, 'SUPERVISION', CLOSE, { id, version: 2, closing: 'RESOLVED', note: '已书面答复，问题解决。' })).toEqual({
      id,
      state: 'CLOSED',
      version: 3,
      closing: 'RESOLVED',
      closingNote: '已书面答复，问题解决。',
      closedAt: '2026-06-01',
      overdue: false,
    });
    expect(await inbox(inspector)).toEqual([]);
    expect(await call(officerX, 'SUPERVISION', REPORT, { key: key(), id, report: '补充进展。' })).toEqual(
      refusal('reportSupervisionProgress', `SupervisionItem ${id} is CLOSED: REPORT_PROGRESS is not a step it can take now`, { code: 'BAD_USER_INPUT', state: 'CLOSED' }),
    );
  });

  it('flags an open item overdue the day after its deadline, in the inbox too, until it is closed', async () => {
    const { id } = await step(inspector, 'SUPERVISION', OPEN, { input: input({ deadline: '2026-06-10', adminCaseId: null, judicialSuggestionId: null }) });
    now = new Date('2026-06-10T15:00:00.000Z');
    expect(await inbox(officerX)).toEqual([{ kind: 'SUPERVISION_PROGRESS', dueAt: '2026-06-10', overdue: false, supervisionItem: { id, title: '征收补偿争议督办' } }]);
    now = new Date('2026-06-10T16:30:00.000Z');
    expect(await inbox(officerX)).toEqual([{ kind: 'SUPERVISION_PROGRESS', dueAt: '2026-06-10', overdue: true, supervisionItem: { id, title: '征收补偿争议督办' } }]);
    expect(await step(inspector, 'SUPERVISION', CLOSE, { id, version: 1, closing: 'ESCALATED', note: '逾期未整改，提请区政府专题研究。' })).toMatchObject({
      state: 'CLOSED',
      closing: 'ESCALATED',
      closedAt: '2026-06-11',
      overdue: false,
    });
  });

  it('takes proposals from a judge and a prosecutor: one accepted, one declined', async () => {
    const proposed = await step(judge, 'SUPERVISION', PROPOSE, { input: input({ judicialSuggestionId: null }), reason: '判决生效后行政机关迟迟未履行，建议督办。' });
    expect(proposed).toMatchObject({ state: 'PROPOSED', version: 1, openedAt: null, proposal: { by: { sub: judge.sub, org: 'court' }, reason: '判决生效后行政机关迟迟未履行，建议督办。', declinedBecause: null } });
    const fromProsecutor = await step(prosecutor, 'SUPERVISION', PROPOSE, { input: input({ adminCaseId: null, judicialSuggestionId: null }), reason: '检察建议落实不到位，建议联合督办。' });
    expect(await inbox(inspector)).toEqual([
      { kind: 'SUPERVISION_PROPOSAL', dueAt: null, overdue: false, supervisionItem: { id: proposed.id, title: '征收补偿争议督办' } },
      { kind: 'SUPERVISION_PROPOSAL', dueAt: null, overdue: false, supervisionItem: { id: fromProsecutor.id, title: '征收补偿争议督办' } },
    ]);
    expect(await call(inspector, 'SUPERVISION', CLOSE, { key: key(), id: proposed.id, version: 1, closing: 'RESOLVED', note: '未经受理即关闭。' })).toEqual(
      refusal('closeSupervisionItem', `SupervisionItem ${proposed.id} is PROPOSED: CLOSE is not a step it can take now`, { code: 'BAD_USER_INPUT', state: 'PROPOSED' }),
    );
    expect(await step(inspector, 'SUPERVISION', DECIDE, { id: proposed.id, version: 1, accept: true })).toEqual({
      id: proposed.id,
      state: 'OPEN',
      version: 2,
      openedAt: '2026-06-01',
      closedAt: null,
      proposal: { declinedBecause: null },
    });
    expect(await step(inspector, 'SUPERVISION', DECIDE, { id: fromProsecutor.id, version: 1, accept: false, reason: '已纳入其他督办事项。' })).toEqual({
      id: fromProsecutor.id,
      state: 'DECLINED',
      version: 2,
      openedAt: null,
      closedAt: '2026-06-01',
      proposal: { declinedBecause: '已纳入其他督办事项。' },
    });
    expect(await inbox(inspector)).toEqual([]);
  });

  it('refuses callers who may not write and records that do not concern the agency, writing nothing', async () => {
    const before = await itemsInStore();
    for (const [who, purpose, reason] of [
      [officerX, 'SUPERVISION', 'ROLE_NOT_ALLOWED'],
      [inspector, 'CASE_HANDLING', 'PURPOSE_NOT_ALLOWED'],
      [judge, 'SUPERVISION', 'ORG_NOT_ALLOWED'],
    ] as const) {
      expect(await call(who, purpose, OPEN, { key: key(), input: input() }), `${who.sub} ${purpose}`).toEqual(
        refusal('openSupervisionItem', `Not shared with you: ${reason}`, { code: 'FORBIDDEN', reason }),
      );
    }
    expect(await call(inspector, 'SUPERVISION', OPEN, { key: key(), input: input({ responsibleAgencyId: agencyY }) })).toEqual(
      refusal('openSupervisionItem', `AdminCase ${caseOfX._id} does not concern ${agencyY}`, { code: 'BAD_USER_INPUT', argument: 'input.adminCaseId' }),
    );
    expect(await call(inspector, 'SUPERVISION', OPEN, { key: key(), input: input({ deadline: '2026-06-01' }) })).toEqual(
      refusal('openSupervisionItem', "input.deadline must be after today (2026-06-01, the district's date)", { code: 'BAD_USER_INPUT', argument: 'input.deadline' }),
    );
    expect(await itemsInStore()).toBe(before);
  });

  it("records a quarter's joint meeting with its bulletin; its decisions become items in the agencies' inboxes, once", async () => {
    const RECORD = `mutation($key: String!, $input: JointMeetingInput!) {
      recordJointMeeting(idempotencyKey: $key, input: $input) {
        id quarter heldAt issues version bulletin { from to district { id } }
        decisions { id title state responsibleAgency { id } deadline meeting { id } }
      }
    }`;
    const meetingInput = {
      quarter: '2026-Q1',
      heldAt: '2026-04-10',
      issues: ['征收补偿领域败诉率偏高', '司法建议答复不及时'],
      decisions: [
        { title: '征收补偿程序专项整改', responsibleAgencyId: agencyX, deadline: '2026-09-30', requiredResult: '完成征收补偿程序专项整改并报送报告。' },
        { title: '司法建议答复督办', responsibleAgencyId: agencyY, deadline: '2026-07-31', requiredResult: '逾期未答复的司法建议全部答复完毕。' },
      ],
    };
    const meetingKey = key();
    const recorded = await call(inspector, 'SUPERVISION', RECORD, { key: meetingKey, input: meetingInput });
    expect(recorded.errors).toBeUndefined();
    const decisions = recorded.data!.recordJointMeeting.decisions as { id: string }[];
    expect(recorded).toEqual({
      data: {
        recordJointMeeting: {
          id: 'JM-2026-Q1',
          quarter: '2026-Q1',
          heldAt: '2026-04-10',
          issues: meetingInput.issues,
          // Claimed (1), then its decisions listed (2).
          version: 2,
          bulletin: { from: '2026-01-01', to: '2026-04-01', district: { id: 'DISTRICT' } },
          decisions: [
            { id: decisions[0]!.id, title: '征收补偿程序专项整改', state: 'OPEN', responsibleAgency: { id: agencyX }, deadline: '2026-09-30', meeting: { id: 'JM-2026-Q1' } },
            { id: decisions[1]!.id, title: '司法建议答复督办', state: 'OPEN', responsibleAgency: { id: agencyY }, deadline: '2026-07-31', meeting: { id: 'JM-2026-Q1' } },
          ],
        },
      },
    });
    expect(await inbox(officerY)).toEqual([{ kind: 'SUPERVISION_PROGRESS', dueAt: '2026-07-31', overdue: false, supervisionItem: { id: decisions[1]!.id, title: '司法建议答复督办' } }]);
    // Sent again: the same meeting and items; another recording of the quarter is refused.
    const before = await itemsInStore();
    expect(await call(inspector, 'SUPERVISION', RECORD, { key: meetingKey, input: meetingInput })).toEqual(recorded);
    expect(await call(inspector, 'SUPERVISION', RECORD, { key: key(), input: meetingInput })).toEqual(
      refusal('recordJointMeeting', 'The joint meeting of 2026-Q1 is already recorded (JM-2026-Q1)', { code: 'BAD_USER_INPUT', argument: 'input.quarter' }),
    );
    expect(await itemsInStore()).toBe(before);
  });
});
