// Pre-enforcement settlement (执前和解) as a flow through the gateway: the court's enforcement
// officer records attempts on a pending enforcement case; a settlement closes it; the agency
// involved sees the attempts, another agency does not; the figures follow.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MongoClient } from 'mongodb';
import { inject } from 'vitest';
import type { Principal } from '../auth/index.js';
import { demoData } from './support/seed-options.js';
import { principal, startTestStack, type TestStack } from './support/stack.js';
import { workflowClient } from './support/workflow-client.js';

const TAG = 'flows_settlement';
const now = new Date('2026-06-01T02:00:00.000Z');
const data = demoData();
const [pending, another] = data.court.enforcementCases.filter((e) => e.status === 'PENDING' && !e.preSettlement.attempted);
const enforcer: Principal = { ...principal('court', ['enforcement_officer']), sub: 'enforcer-he', name: '何执行员' };
const officerOfAgency = principal('government', ['agency_officer'], pending!.agencyId);
const officerOfOther = principal('government', ['agency_officer'], data.government.agencies.find((a) => a._id !== pending!.agencyId)!._id);

const RECORD = `mutation($key: String!, $id: ID!, $version: Int!, $input: SettlementAttemptInput!) {
  recordSettlementAttempt(idempotencyKey: $key, id: $id, expectedVersion: $version, input: $input) {
    id status version closedAt preSettlement { attempted succeeded } settlementAttempts { at by result note }
  }
}`;
const READ = `query($id: ID!) { enforcementCase(id: $id) { id status preSettlement { attempted succeeded } settlementAttempts { by result note } } }`;

describe('pre-enforcement settlement through the gateway', () => {
  let stack: TestStack;
  let client: MongoClient;
  const graph = workflowClient(() => stack.gateway!.url, 'settle-key');
  const { key } = graph;
  const call = async (...args: Parameters<typeof graph.call>) => (await graph.call(...args)).body;

  beforeAll(async () => {
    stack = await startTestStack({ gateway: true, ownDatabases: TAG, clock: () => now });
    client = await MongoClient.connect(inject('mongoUri'));
  });
  afterAll(async () => {
    await client?.close();
    await stack?.stop();
  });

  it('records an attempt that failed and one that settled, which closes the case; the agency involved sees both', async () => {
    const first = await call(enforcer, 'CASE_HANDLING', RECORD, { key: key(), id: pending!._id, version: 1, input: { result: 'NOT_SETTLED', note: '双方分歧较大，约定再次协商。' } });
    const attempt1 = { at: '2026-06-01T02:00:00.000Z', by: '何执行员', result: 'NOT_SETTLED', note: '双方分歧较大，约定再次协商。' };
    expect(first).toEqual({
      data: { recordSettlementAttempt: { id: pending!._id, status: 'PENDING', version: 2, closedAt: null, preSettlement: { attempted: true, succeeded: false }, settlementAttempts: [attempt1] } },
    });
    const second = await call(enforcer, 'CASE_HANDLING', RECORD, { key: key(), id: pending!._id, version: 2, input: { result: 'SETTLED', note: '行政机关同意补发，申请人撤回执行申请。' } });
    const attempt2 = { at: '2026-06-01T02:00:00.000Z', by: '何执行员', result: 'SETTLED', note: '行政机关同意补发，申请人撤回执行申请。' };
    expect(second).toEqual({
      data: {
        recordSettlementAttempt: { id: pending!._id, status: 'CLOSED', version: 3, closedAt: '2026-06-01', preSettlement: { attempted: true, succeeded: true }, settlementAttempts: [attempt1, attempt2] },
      },
    });

    // The agency involved reads the attempts; another agency's officer does not.
    const strip = ({ at: _at, ...rest }: typeof attempt1) => rest;
    expect(await call(officerOfAgency, 'CASE_HANDLING', READ, { id: pending!._id })).toEqual({
      data: { enforcementCase: { id: pending!._id, status: 'CLOSED', preSettlement: { attempted: true, succeeded: true }, settlementAttempts: [strip(attempt1), strip(attempt2)] } },
    });
    expect(await call(officerOfOther, 'CASE_HANDLING', READ, { id: pending!._id })).toEqual({
      data: { enforcementCase: { id: pending!._id, status: 'CLOSED', preSettlement: { attempted: true, succeeded: true }, settlementAttempts: null } },
      errors: [{ message: 'Not shared with you: NOT_OWN_UNIT', path: ['enforcementCase', 'settlementAttempts'], extensions: { code: 'FORBIDDEN', reason: 'NOT_OWN_UNIT', serviceName: 'court' } }],
    });

    // Closed by the settlement: no further attempt.
    expect(await call(enforcer, 'CASE_HANDLING', RECORD, { key: key(), id: pending!._id, version: 3, input: { result: 'NOT_SETTLED', note: '再次尝试。' } })).toEqual({
      data: { recordSettlementAttempt: null },
      errors: [
        {
          message: `EnforcementCase ${pending!._id} is CLOSED: RECORD_SETTLEMENT_ATTEMPT is not a step it can take now`,
          path: ['recordSettlementAttempt'],
          extensions: { code: 'BAD_USER_INPUT', state: 'CLOSED', serviceName: 'court' },
        },
      ],
    });
  });

  it('refuses other callers and stale versions, writing nothing', async () => {
    const before = await client.db(`linkage_court_${TAG}`).collection('enforcementCases').findOne({ _id: another!._id as never });
    for (const [who, reason] of [
      [principal('court', ['judge']), 'ROLE_NOT_ALLOWED'],
      [officerOfAgency, 'ORG_NOT_ALLOWED'],
    ] as const) {
      expect(await call(who, 'CASE_HANDLING', RECORD, { key: key(), id: another!._id, version: 1, input: { result: 'SETTLED', note: '和解。' } })).toEqual({
        data: { recordSettlementAttempt: null },
        errors: [{ message: `Not shared with you: ${reason}`, path: ['recordSettlementAttempt'], extensions: { code: 'FORBIDDEN', reason, serviceName: 'court' } }],
      });
    }
    expect(await call(enforcer, 'SUPERVISION', RECORD, { key: key(), id: another!._id, version: 1, input: { result: 'SETTLED', note: '和解。' } })).toMatchObject({
      errors: [{ extensions: { code: 'FORBIDDEN', reason: 'PURPOSE_NOT_ALLOWED' } }],
    });
    expect(await call(enforcer, 'CASE_HANDLING', RECORD, { key: key(), id: another!._id, version: 7, input: { result: 'SETTLED', note: '和解。' } })).toEqual({
      data: { recordSettlementAttempt: null },
      errors: [
        {
          message: `EnforcementCase ${another!._id} is at version 1, not 7: read it again and retry`,
          path: ['recordSettlementAttempt'],
          extensions: { code: 'CONFLICT', currentVersion: 1, serviceName: 'court' },
        },
      ],
    });
    expect(await client.db(`linkage_court_${TAG}`).collection('enforcementCases').findOne({ _id: another!._id as never })).toEqual(before);
  });

  it("counts the attempt and the settlement in the period's figures of the case's filing, recounted from the stored records", async () => {
    const filed = pending!.filedAt;
    const period = { from: `${filed.getUTCFullYear()}-01-01`, to: `${filed.getUTCFullYear() + 1}-01-01` };
    const stored = await client
      .db(`linkage_court_${TAG}`)
      .collection('enforcementCases')
      .find({ filedAt: { $gte: new Date(period.from), $lt: new Date(period.to) }, 'preSettlement.attempted': true })
      .toArray();
    const succeeded = stored.filter((e) => e.preSettlement.succeeded).length;
    expect(stored.some((e) => e._id === (pending!._id as unknown))).toBe(true);
    expect(await call(principal('partner', ['viewer']), 'STATISTICS', `query($period: Period!) { district { enforcementStats(period: $period) { preSettlementAttempted preSettlementSucceeded preSettlementRate } } }`, { period })).toEqual({
      data: { district: { enforcementStats: { preSettlementAttempted: stored.length, preSettlementSucceeded: succeeded, preSettlementRate: succeeded / stored.length } } },
    });
  });
});
