// Rate limits per principal and per org (issue 9), counted in MongoDB so that two gateways count
// against one limit: past it, 429 RATE_LIMITED with Retry-After, and the refusal logged; the next
// window serves again.
import { randomUUID } from 'node:crypto';
import { MongoClient } from 'mongodb';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { AUDIT_DATABASE_NAME, loadConfig } from '../config/index.js';
import type { RunningGateway } from '../gateway/index.js';
import { callerHeaders, principal, sharedTestStack, startTestGateway } from './support/stack.js';

const WINDOW_MS = 2000;
let first: RunningGateway;
let second: RunningGateway;
let client: MongoClient;

/** A caller of its own (a fresh `sub`), so that no other test's requests count against it. */
const caller = (org: 'court' | 'procuratorate', roles: string[]) => ({ ...principal(org, roles), sub: `rate-${randomUUID().slice(0, 8)}` });

async function ask(gateway: RunningGateway, who: ReturnType<typeof caller>) {
  const response = await fetch(gateway.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(await callerHeaders(who, 'STATISTICS')) },
    body: JSON.stringify({ query: '{ district { name } }' }),
  });
  return { status: response.status, retryAfter: response.headers.get('retry-after'), body: await response.json(), requestId: response.headers.get('x-request-id')! };
}

/** Waits for the start of a window, so that a sequence of requests falls inside one. */
async function windowStart() {
  await new Promise((resolve) => setTimeout(resolve, WINDOW_MS - (Date.now() % WINDOW_MS) + 20));
}

describe('rate limits, shared by the gateways through the store', () => {
  beforeAll(async () => {
    const stack = await sharedTestStack();
    const config = loadConfig({ KEYS_DIR: inject('keysDir'), RATE_LIMIT_PER_PRINCIPAL: '3', RATE_LIMIT_PER_ORG: '5', RATE_LIMIT_WINDOW_SECONDS: String(WINDOW_MS / 1000) });
    first = await startTestGateway(stack.subgraphs, config);
    second = await startTestGateway(stack.subgraphs, config);
    client = await MongoClient.connect(inject('mongoUri'));
  });
  afterAll(async () => {
    await first?.stop();
    await second?.stop();
    await client.close();
  });

  it('counts one caller across both gateways, refuses past the limit with Retry-After, logs it, and serves again in the next window', async () => {
    const judge = caller('court', ['judge']);
    await windowStart();
    const answers = [await ask(first, judge), await ask(second, judge), await ask(first, judge), await ask(second, judge)];
    expect(answers.map((a) => a.status)).toEqual([200, 200, 200, 429]);
    const refused = answers[3]!;
    expect(refused.body).toEqual({
      errors: [{ message: 'Too many requests: at most 3 requests per 2 s for one caller; try again after Retry-After seconds', extensions: { code: 'RATE_LIMITED' } }],
    });
    expect(Number(refused.retryAfter)).toBeGreaterThanOrEqual(1);
    expect(Number(refused.retryAfter)).toBeLessThanOrEqual(2);
    expect(await client.db(AUDIT_DATABASE_NAME).collection('accessRecords').findOne({ requestId: refused.requestId }, { projection: { _id: 0, outcome: 1, code: 1, httpStatus: 1, 'principal.sub': 1 } })).toEqual({
      outcome: 'REJECTED',
      code: 'RATE_LIMITED',
      httpStatus: 429,
      principal: { sub: judge.sub },
    });
    await windowStart();
    expect((await ask(second, judge)).status).toBe(200);
  });

  it('counts every caller of an org together', async () => {
    const prosecutors = [caller('procuratorate', ['prosecutor']), caller('procuratorate', ['prosecutor']), caller('procuratorate', ['prosecutor'])];
    await windowStart();
    const statuses: number[] = [];
    for (let i = 0; i < 6; i++) statuses.push((await ask(i % 2 ? second : first, prosecutors[i % 3]!)).status);
    expect(statuses).toEqual([200, 200, 200, 200, 200, 429]);
  });
});
