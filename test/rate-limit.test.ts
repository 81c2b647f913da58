// Rate limits per principal and per org (issue 9) as token buckets: each gateway decides from its
// own copy and shares it through the store in the background, so two gateways — the second in a
// process of its own, as replicas run — count against one limit. Past it: 429 RATE_LIMITED with Retry-After, the refusal logged; a token comes back after
// Retry-After; a refusal takes nothing; a gateway that has not seen a caller reads its bucket from
// the store before its first decision.
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { MongoClient } from 'mongodb';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { Org } from '../auth/index.js';
import { AUDIT_DATABASE_NAME, loadConfig, type Config } from '../config/index.js';
import { takeToken, type RunningGateway } from '../gateway/index.js';
import { startGatewayProcess, type GatewayProcess } from './support/gateway-process.js';
import { callerHeaders, principal, sharedTestStack, startTestGateway, type TestStack } from './support/stack.js';

// A caller may make 3 requests per 12 s (a token back every 4 s), an org 5 (every 2.4 s): long
// enough that no token comes back within one of the sequences below, even on a loaded machine.
const LIMITS = { RATE_LIMIT_PER_PRINCIPAL: '3', RATE_LIMIT_PER_ORG: '5', RATE_LIMIT_WINDOW_SECONDS: '12', RATE_LIMIT_SYNC_MS: '50' };
/** A few syncs: enough for one gateway's admissions to reach the other through the store. */
const SHARED_MS = 200;
/** Each test its own org, so that no test's requests count against another's org bucket. */
const ORGS_USED: Org[] = ['court', 'government', 'procuratorate', 'partner'];

let stack: TestStack;
let config: Config;
let first: RunningGateway;
/** Another gateway replica: its own process, its own buckets, the same store. */
let second: GatewayProcess;
let client: MongoClient;

/** A caller of its own (a fresh `sub`), so that no other test's requests count against it. */
const caller = (org: Org, roles: string[]) => ({ ...principal(org, roles), sub: `rate-${randomUUID().slice(0, 8)}` });
type Caller = ReturnType<typeof caller>;

async function ask(gateway: { url: string }, who: Caller) {
  const response = await fetch(gateway.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(await callerHeaders(who, 'STATISTICS')) },
    body: JSON.stringify({ query: '{ district { name } }' }),
  });
  return { status: response.status, retryAfter: response.headers.get('retry-after'), body: await response.json(), requestId: response.headers.get('x-request-id')! };
}
type Answer = Awaited<ReturnType<typeof ask>>;

function expectServed(answer: Answer) {
  expect({ status: answer.status, retryAfter: answer.retryAfter, body: answer.body }).toEqual({ status: 200, retryAfter: null, body: { data: { district: { name: expect.any(String) } } } });
}

/** Refused for `over`, with Retry-After from 1 to `maxRetryAfter` s, and the refusal in the access log. */
async function expectRefused(answer: Answer, who: Caller, over: string, maxRetryAfter: number) {
  expect({ status: answer.status, body: answer.body }).toEqual({
    status: 429,
    body: { errors: [{ message: `Too many requests: at most ${over}; try again after Retry-After seconds`, extensions: { code: 'RATE_LIMITED' } }] },
  });
  expect(Number(answer.retryAfter)).toBeGreaterThanOrEqual(1);
  expect(Number(answer.retryAfter)).toBeLessThanOrEqual(maxRetryAfter);
  expect(await client.db(AUDIT_DATABASE_NAME).collection('accessRecords').findOne({ requestId: answer.requestId }, { projection: { _id: 0, outcome: 1, code: 1, httpStatus: 1, 'principal.sub': 1 } })).toEqual({
    outcome: 'REJECTED',
    code: 'RATE_LIMITED',
    httpStatus: 429,
    principal: { sub: who.sub },
  });
}

describe('rate limits, shared by the gateways through the store', () => {
  beforeAll(async () => {
    stack = await sharedTestStack();
    client = await MongoClient.connect(inject('mongoUri'));
    // Earlier test files' gateways (the default, far larger limits) spent from these orgs' buckets.
    await client.db(AUDIT_DATABASE_NAME).collection<{ _id: string }>('rateLimitBuckets').deleteMany({ _id: { $in: ORGS_USED.map((org) => `org:${org}`) } });
    config = loadConfig({ KEYS_DIR: inject('keysDir'), ...LIMITS });
    first = await startTestGateway(stack.subgraphs, config);
    second = await startGatewayProcess({ KEYS_DIR: inject('keysDir'), MONGODB_URI: inject('mongoUri'), ...LIMITS }, stack);
  });
  afterAll(async () => {
    await first?.stop();
    await second?.stop();
    await client?.close();
  });

  it('counts one caller across both gateways and refuses past the capacity, with Retry-After, logged', async () => {
    const judge = caller('court', ['judge']);
    const answers: Answer[] = [];
    for (const gateway of [first, second, first, second]) {
      answers.push(await ask(gateway, judge));
      await sleep(SHARED_MS);
    }
    expect(answers.map((a) => a.status)).toEqual([200, 200, 200, 429]);
    answers.slice(0, 3).forEach(expectServed);
    // The bucket is full again 12 s after the first request; a token is back 4 s after it.
    await expectRefused(answers[3]!, judge, '3 requests per 12 s for one caller', 4);
  });

  it('takes nothing for a refusal: after Retry-After exactly one more request is served', async () => {
    const reviewer = caller('government', ['reviewer']);
    for (let i = 0; i < 3; i++) expectServed(await ask(first, reviewer));
    await sleep(SHARED_MS);
    const refusals = [await ask(second, reviewer), await ask(second, reviewer), await ask(second, reviewer)];
    for (const refusal of refusals) await expectRefused(refusal, reviewer, '3 requests per 12 s for one caller', 4);
    // Had the refusals taken tokens, the next one would be 12 s away rather than Retry-After (the
    // 100 ms: timers may fire a little early).
    await sleep(Number(refusals[2]!.retryAfter) * 1000 + 100);
    expectServed(await ask(second, reviewer));
    await sleep(SHARED_MS);
    await expectRefused(await ask(first, reviewer), reviewer, '3 requests per 12 s for one caller', 4);
  });

  it('counts every caller of an org together, across both gateways', async () => {
    const prosecutors = [caller('procuratorate', ['prosecutor']), caller('procuratorate', ['prosecutor']), caller('procuratorate', ['prosecutor'])];
    const answers: Answer[] = [];
    for (const who of prosecutors) answers.push(await ask(first, who));
    await sleep(SHARED_MS);
    for (const who of prosecutors) answers.push(await ask(second, who));
    expect(answers.map((a) => a.status)).toEqual([200, 200, 200, 200, 200, 429]);
    answers.slice(0, 5).forEach(expectServed);
    // Each prosecutor has made two requests (under 3): the org's bucket refused, a token back 2.4 s after the first.
    await expectRefused(answers[5]!, prosecutors[2]!, '5 requests per 12 s for procuratorate', 3);
  });

  it('reads a bucket from the store before its first decision on it: a gateway started after it was emptied refuses', async () => {
    const viewer = caller('partner', ['viewer']);
    for (let i = 0; i < 3; i++) expectServed(await ask(first, viewer));
    await sleep(SHARED_MS);
    const third = await startTestGateway(stack.subgraphs, config);
    try {
      await expectRefused(await ask(third, viewer), viewer, '3 requests per 12 s for one caller', 4);
    } finally {
      await third.stop();
    }
  });
});

describe('a token bucket as GCRA (takeToken)', () => {
  const window = 12_000;
  const interval = 4000; // 3 per 12 s
  const now = 1_000_000;

  it('gives a full bucket its capacity at once, then refuses until a token is back; a refusal takes nothing', () => {
    let tat = 0; // long past: a full bucket, and no fuller for having been idle
    const decisions = [];
    for (let i = 0; i < 4; i++) {
      const decision = takeToken(tat, now, interval, window);
      decisions.push(decision);
      if (decision.admitted) tat = decision.tat;
    }
    expect(decisions).toEqual([
      { admitted: true, tat: now + 4000 },
      { admitted: true, tat: now + 8000 },
      { admitted: true, tat: now + 12_000 },
      { admitted: false, retryAfterMs: 4000 },
    ]);
    expect(takeToken(tat, now + 3999, interval, window)).toEqual({ admitted: false, retryAfterMs: 1 });
    expect(takeToken(tat, now + 4000, interval, window)).toEqual({ admitted: true, tat: now + 16_000 });
  });

  it('refills one token per interval', () => {
    const tat = now + 12_000; // empty
    expect(takeToken(tat, now + 4000, interval, window)).toEqual({ admitted: true, tat: now + 16_000 });
    expect(takeToken(now + 16_000, now + 4000, interval, window)).toEqual({ admitted: false, retryAfterMs: 4000 });
  });

  it('fits a limit whose interval is not exact in binary: 7 per 60 s', () => {
    let tat = 0;
    const admitted = [];
    for (let i = 0; i < 8; i++) {
      const decision = takeToken(tat, now, 60_000 / 7, 60_000);
      admitted.push(decision.admitted);
      if (decision.admitted) tat = decision.tat;
    }
    expect(admitted).toEqual([true, true, true, true, true, true, true, false]);
  });
});

describe('RATE_LIMIT_SYNC_MS', () => {
  it('is a positive number of milliseconds, 100 unless set', () => {
    expect(loadConfig({}).rateLimits.syncMs).toBe(100);
    expect(() => loadConfig({ RATE_LIMIT_SYNC_MS: '0' })).toThrow('configuration: RATE_LIMIT_SYNC_MS must be an integer from 1 to 60000, got "0"');
  });
});
