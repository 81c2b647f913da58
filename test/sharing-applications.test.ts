// Sharing on application (共享申请) through the gateway with real tokens: a prosecutor applies for one
// agency's act summaries for a supervision case, the government's data steward approves it
// narrowed to 30 days, the prosecutor then sees exactly those summaries — refused on another
// agency's acts, for another purpose or role, after the term — and a revocation ends it on the next
// request, on a second replica of the government's subgraph too. Rejections, withdrawals and
// applications that may not be made; an applicant cannot approve its own.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import type { Principal, Purpose } from '../auth/index.js';
import { DATABASE_NAMES } from '../config/index.js';
import { startSubgraph, type RunningSubgraph } from '../subgraphs/index.js';
import { demoData } from './support/seed-options.js';
import { postSubgraph, principal, startTestStack, testConfig, type TestStack } from './support/stack.js';
import { refusalBy, workflowClient } from './support/workflow-client.js';

const TAG = 'grants';
let now = new Date('2026-03-02T02:00:00.000Z');
const data = demoData();
const agencyX = 'AG-NRB';
const agencyY = 'AG-HCB';
const actOfX = data.government.acts.find((a) => a.agencyId === agencyX)!;
const actOfY = data.government.acts.find((a) => a.agencyId === agencyY)!;

const prosecutor: Principal = { ...principal('procuratorate', ['prosecutor']), sub: 'prosecutor-qian', name: '钱检察官' };
// Of the applicant's org, but not of the roles the grant is for.
const otherRole = principal('procuratorate', ['data_steward']);
const steward: Principal = { ...principal('government', ['data_steward']), sub: 'steward-he', name: '何数据管理员' };
const judge = principal('court', ['judge']);

const APPLY = `mutation($key: String!, $input: SharingApplicationInput!) { applyForSharing(idempotencyKey: $key, input: $input) {
  id state version type fields purpose scope { kind agencyId recordIds } roles principals from until legalBasis applicant { sub org } decision { by { sub } reason } inForce
} }`;
const DECIDE = `mutation($key: String!, $id: ID!, $version: Int!, $approve: Boolean!, $reason: String, $narrowing: SharingNarrowing) {
  decideSharingApplication(idempotencyKey: $key, id: $id, expectedVersion: $version, approve: $approve, reason: $reason, narrowing: $narrowing) {
    id state version fields scope { kind agencyId } from until decision { by { sub } reason } inForce
  }
}`;
const REVOKE = `mutation($key: String!, $id: ID!, $version: Int!, $reason: String!) { revokeSharingGrant(idempotencyKey: $key, id: $id, expectedVersion: $version, reason: $reason) { id state version revocation { by { sub } reason } inForce } }`;
const SUMMARY = `query($id: ID!) { act(id: $id) { id summary } }`;
const application = (overrides: Record<string, unknown> = {}) => ({
  type: 'AdministrativeAct',
  fields: ['summary'],
  scope: { agencyId: agencyX },
  from: '2026-03-02',
  until: '2026-05-01',
  legalBasis: '《人民检察院行政诉讼监督规则》第十一条：办理行政诉讼监督案件需调阅行政行为材料。',
  ...overrides,
});

describe('sharing on application through the gateway', () => {
  let stack: TestStack;
  let replica: RunningSubgraph;
  const { key, call, step } = workflowClient(() => stack.gateway!.url, 'grant-key');
  const refusal = refusalBy('government');
  const summaryOf = async (who: Principal, purpose: Purpose, act: { _id: string }) => (await call(who, purpose, SUMMARY, { id: act._id })).body;
  const shown = (act: { _id: string; summary: string }) => ({ data: { act: { id: act._id, summary: act.summary } } });
  const refused = (act: { _id: string }, reason: string) => ({
    data: { act: { id: act._id, summary: null } },
    errors: [{ message: `Not shared with you: ${reason}`, path: ['act', 'summary'], extensions: { code: 'FORBIDDEN', reason, serviceName: 'government' } }],
  });

  beforeEach(() => {
    now = new Date('2026-03-02T02:00:00.000Z');
  });
  beforeAll(async () => {
    stack = await startTestStack({ gateway: true, ownDatabases: TAG, clock: () => now, grantRefresh: { refreshMs: 200 } });
    // A second replica of the government's subgraph over the same database, asked directly.
    replica = await startSubgraph('government', {
      config: testConfig(),
      store: { uri: inject('mongoUri'), database: `${DATABASE_NAMES.government}_${TAG}` },
      listen: { host: '127.0.0.1', port: 0 },
      clock: () => now,
      grantRefresh: { refreshMs: 200 },
    });
  });
  afterAll(async () => {
    await replica?.stop();
    await stack?.stop();
  });

  it('applies, is approved narrowed, sees exactly the granted summaries, until revoked — on every replica', async () => {
    // Not shared with the procuratorate by a static rule.
    expect(await summaryOf(prosecutor, 'SUPERVISION', actOfX)).toEqual(refused(actOfX, 'ORG_NOT_ALLOWED'));

    const applied = await step(prosecutor, 'SUPERVISION', APPLY, { input: application() });
    const id = applied.id as string;
    expect(applied).toEqual({
      id,
      state: 'PENDING',
      version: 1,
      type: 'AdministrativeAct',
      fields: ['summary'],
      purpose: 'SUPERVISION',
      scope: { kind: 'AGENCY', agencyId: agencyX, recordIds: null },
      roles: ['prosecutor'],
      principals: null,
      from: '2026-03-02',
      until: '2026-05-01',
      legalBasis: application().legalBasis,
      applicant: { sub: prosecutor.sub, org: 'procuratorate' },
      decision: null,
      inForce: false,
    });
    // In the data steward's inbox, due by the day it would start (with the demo district's pending one, long overdue).
    const inbox = (await call(steward, 'SUPERVISION', `{ inbox { items { edges { node { kind dueAt overdue sharingApplication { id state } } } } } }`)).body;
    const pending = data.government.sharingApplications.find((a) => a.state === 'PENDING')!;
    expect(inbox).toEqual({
      data: {
        inbox: {
          items: {
            edges: [
              { node: { kind: 'SHARING_APPLICATION', dueAt: pending.from.toISOString().slice(0, 10), overdue: true, sharingApplication: { id: pending._id, state: 'PENDING' } } },
              { node: { kind: 'SHARING_APPLICATION', dueAt: '2026-03-02', overdue: false, sharingApplication: { id, state: 'PENDING' } } },
            ],
          },
        },
      },
    });
    // Pending: nothing yet.
    expect(await summaryOf(prosecutor, 'SUPERVISION', actOfX)).toEqual(refused(actOfX, 'ORG_NOT_ALLOWED'));
    // The applicant cannot decide it.
    expect((await call(prosecutor, 'SUPERVISION', DECIDE, { key: key(), id, version: 1, approve: true })).body).toEqual(
      refusal('decideSharingApplication', 'Not shared with you: ORG_NOT_ALLOWED', { code: 'FORBIDDEN', reason: 'ORG_NOT_ALLOWED' }),
    );

    const approved = await step(steward, 'SUPERVISION', DECIDE, { id, version: 1, approve: true, reason: '同意，限30日。', narrowing: { until: '2026-04-01' } });
    expect(approved).toEqual({
      id,
      state: 'APPROVED',
      version: 2,
      fields: ['summary'],
      scope: { kind: 'AGENCY', agencyId: agencyX },
      from: '2026-03-02',
      until: '2026-04-01',
      decision: { by: { sub: steward.sub }, reason: '同意，限30日。' },
      inForce: true,
    });

    // The live catalogue: the applicable field and the grants in force on it, for anyone signed in.
    const live = async () => (await call(principal('partner', ['viewer']), 'STATISTICS', `{ applicableFields { type field orgs purposes maxDays grantsInForce } }`)).body;
    const field = { type: 'AdministrativeAct', field: 'summary', orgs: ['procuratorate'], purposes: ['SUPERVISION'], maxDays: 90 };
    expect(await live()).toEqual({ data: { applicableFields: [{ ...field, grantsInForce: [id] }] } });

    // Exactly the granted summaries: the agency's acts, for the purpose, to the roles.
    expect(await summaryOf(prosecutor, 'SUPERVISION', actOfX)).toEqual(shown(actOfX));
    expect(await summaryOf(prosecutor, 'SUPERVISION', actOfY)).toEqual(refused(actOfY, 'NOT_IN_GRANT_SCOPE'));
    expect(await summaryOf(prosecutor, 'CASE_HANDLING', actOfX)).toEqual(refused(actOfX, 'ORG_NOT_ALLOWED'));
    expect(await summaryOf(otherRole, 'SUPERVISION', actOfX)).toEqual(refused(actOfX, 'ORG_NOT_ALLOWED'));
    // The second replica knows it within its refresh.
    await new Promise((resolve) => setTimeout(resolve, 500));
    const onReplica = async () =>
      (await postSubgraph('government', replica.url, `query { act(id: "${actOfX._id}") { id summary } }`, undefined, { principal: prosecutor, purpose: 'SUPERVISION', requestId: `replica-${Date.now()}` })).body;
    expect(await onReplica()).toEqual(shown(actOfX));

    // The last day of the term, then the day after it.
    now = new Date('2026-03-31T15:59:00.000Z');
    expect(await summaryOf(prosecutor, 'SUPERVISION', actOfX)).toEqual(shown(actOfX));
    now = new Date('2026-03-31T16:01:00.000Z');
    expect(await summaryOf(prosecutor, 'SUPERVISION', actOfX)).toEqual(refused(actOfX, 'GRANT_EXPIRED'));
    now = new Date('2026-03-02T02:00:00.000Z');

    const revoked = await step(steward, 'SUPERVISION', REVOKE, { id, version: 2, reason: '监督案件已办结。' });
    expect(revoked).toEqual({ id, state: 'REVOKED', version: 3, revocation: { by: { sub: steward.sub }, reason: '监督案件已办结。' }, inForce: false });
    expect(await live()).toEqual({ data: { applicableFields: [{ ...field, grantsInForce: [] }] } });
    // On the next request to the replica that decided, and on the other within its refresh.
    expect(await summaryOf(prosecutor, 'SUPERVISION', actOfX)).toEqual(refused(actOfX, 'GRANT_REVOKED'));
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect((await onReplica())).toEqual({
      data: { act: { id: actOfX._id, summary: null } },
      errors: [{ message: 'Not shared with you: GRANT_REVOKED', locations: [{ line: 1, column: 36 }], path: ['act', 'summary'], extensions: { code: 'FORBIDDEN', reason: 'GRANT_REVOKED' } }],
    });

    // The auditors: the grant with its history, and every disclosure made under it, by the
    // government's log (both replicas write to it), which names the grant field by field.
    const auditor = principal('audit', ['auditor']);
    const grant = await call(auditor, 'AUDIT', `query($id: ID!) { sharingApplication(id: $id) { id state history { action by { sub } version state } } }`, { id });
    expect(grant.body).toEqual({
      data: {
        sharingApplication: {
          id,
          state: 'REVOKED',
          history: [
            { action: 'APPLY', by: { sub: prosecutor.sub }, version: 1, state: 'PENDING' },
            { action: 'APPROVE', by: { sub: steward.sub }, version: 2, state: 'APPROVED' },
            { action: 'REVOKE', by: { sub: steward.sub }, version: 3, state: 'REVOKED' },
          ],
        },
      },
    });
    const under = await call(auditor, 'AUDIT', `query($id: ID!) { grantDisclosures(grantId: $id) {
      government { totalCount edges { node { principal { sub } purpose recordType recordId granted { field grant } } } }
      court { totalCount } procuratorate { totalCount }
    } }`, { id });
    // Three reads saw the summary under it: through the gateway after the approval and on the term's last day, and on the second replica.
    const seen = { principal: { sub: prosecutor.sub }, purpose: 'SUPERVISION', recordType: 'AdministrativeAct', recordId: actOfX._id, granted: [{ field: 'summary', grant: id }] };
    expect(under.body).toEqual({
      data: { grantDisclosures: { government: { totalCount: 3, edges: [seen, seen, seen].map((node) => ({ node })) }, court: { totalCount: 0 }, procuratorate: { totalCount: 0 } } },
    });
  });

  it('grants named people, whatever their role, and nobody else of their org', async () => {
    const named: Principal = { ...principal('procuratorate', ['data_steward']), sub: 'procuratorate-steward-named' };
    const { id, roles, principals } = await step(prosecutor, 'SUPERVISION', APPLY, { input: application({ principals: [named.sub] }) });
    expect({ roles, principals }).toEqual({ roles: null, principals: [named.sub] });
    await step(steward, 'SUPERVISION', DECIDE, { id, version: 1, approve: true });
    expect(await summaryOf(named, 'SUPERVISION', actOfX)).toEqual(shown(actOfX));
    expect(await summaryOf({ ...prosecutor, sub: 'prosecutor-not-named' }, 'SUPERVISION', actOfX)).not.toEqual(shown(actOfX));
    await step(steward, 'SUPERVISION', REVOKE, { id, version: 2, reason: '调阅完毕。' });
  });

  it('grants a list of records, and only those', async () => {
    const other = data.government.acts.find((a) => a.agencyId === agencyX && a._id !== actOfX._id)!;
    const { id } = await step(prosecutor, 'SUPERVISION', APPLY, { input: application({ scope: { recordIds: [actOfX._id] } }) });
    await step(steward, 'SUPERVISION', DECIDE, { id, version: 1, approve: true });
    expect(await summaryOf(prosecutor, 'SUPERVISION', actOfX)).toEqual(shown(actOfX));
    expect(await summaryOf(prosecutor, 'SUPERVISION', other)).toEqual(refused(other, 'NOT_IN_GRANT_SCOPE'));
    await step(steward, 'SUPERVISION', REVOKE, { id, version: 2, reason: '调阅完毕。' });
  });

  it('rejects with a reason, lets the applicant withdraw, and refuses applications that may not be made', async () => {
    // What the prosecutor is told now (an earlier test's grant, revoked, is named while its term runs) stays so.
    const before = await summaryOf(prosecutor, 'SUPERVISION', actOfX);
    const rejectedApp = await step(prosecutor, 'SUPERVISION', APPLY, { input: application() });
    expect(await step(steward, 'SUPERVISION', DECIDE, { id: rejectedApp.id, version: 1, approve: false, reason: '申请事由与监督案件无关。' })).toMatchObject({
      state: 'REJECTED',
      decision: { by: { sub: steward.sub }, reason: '申请事由与监督案件无关。' },
      inForce: false,
    });
    expect(await summaryOf(prosecutor, 'SUPERVISION', actOfX)).toEqual(before);

    const withdrawn = await step(prosecutor, 'SUPERVISION', APPLY, { input: application() });
    const WITHDRAW = `mutation($key: String!, $id: ID!, $version: Int!) { withdrawSharingApplication(idempotencyKey: $key, id: $id, expectedVersion: $version) { id state version } }`;
    expect((await call({ ...prosecutor, sub: 'prosecutor-other' }, 'SUPERVISION', WITHDRAW, { key: key(), id: withdrawn.id, version: 1 })).body).toEqual(
      refusal('withdrawSharingApplication', 'Not shared with you: NOT_ISSUER', { code: 'FORBIDDEN', reason: 'NOT_ISSUER' }),
    );
    expect(await step(prosecutor, 'SUPERVISION', WITHDRAW, { id: withdrawn.id, version: 1 })).toEqual({ id: withdrawn.id, state: 'WITHDRAWN', version: 2 });

    const cases: [Principal, Purpose, Record<string, unknown>, string, string][] = [
      [prosecutor, 'SUPERVISION', application({ fields: ['number'] }), 'AdministrativeAct.number is not shared on application', 'input.fields'],
      [prosecutor, 'SUPERVISION', application({ fields: ['party'] }), 'AdministrativeAct.party is not shared on application', 'input.fields'],
      [judge, 'CASE_HANDLING', application(), 'AdministrativeAct.summary may not be applied for by court', 'input.fields'],
      [prosecutor, 'DISPUTE_RESOLUTION', application(), 'AdministrativeAct.summary may not be applied for for DISPUTE_RESOLUTION (only SUPERVISION)', 'input.fields'],
      [prosecutor, 'SUPERVISION', application({ until: '2026-06-15' }), 'input.until must be after input.from, at most 90 days later', 'input.until'],
      [prosecutor, 'SUPERVISION', application({ from: '2026-03-01' }), "input.from must be today (2026-03-02, the district's date) or later", 'input.from'],
      [prosecutor, 'SUPERVISION', application({ scope: { agencyId: 'AG-NOWHERE' } }), 'No Agency AG-NOWHERE', 'input.scope.agencyId'],
    ];
    for (const [who, purpose, input, message, argument] of cases) {
      expect((await call(who, purpose, APPLY, { key: key(), input })).body, message).toEqual(refusal('applyForSharing', message, { code: 'BAD_USER_INPUT', argument }));
    }
    // Only participants of an org the write admits apply at all.
    expect((await call(steward, 'SUPERVISION', APPLY, { key: key(), input: application() })).body).toEqual(
      refusal('applyForSharing', 'Not shared with you: ORG_NOT_ALLOWED', { code: 'FORBIDDEN', reason: 'ORG_NOT_ALLOWED' }),
    );
  });
});
