// The gateway's assertions are single-use across every replica of a subgraph (issue #15): behind a
// load balancer a captured assertion replayed at another replica is refused as at the first, since
// each jti is spent in the subgraph's own database (`spentAssertions`), not in one process's
// memory. When that store does not answer, the call is refused (503), never accepted unchecked.
// Two court replicas (and a third behind a proxy that can stall its store) over a database of this
// file's own.
import { randomUUID } from 'node:crypto';
import { decodeJwt } from 'jose';
import { MongoClient } from 'mongodb';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { ASSERTION_HEADER, SPENT_ASSERTIONS, assertionSigningKey, signAssertion, type CallIdentity } from '../auth/index.js';
import { loadConfig } from '../config/index.js';
import type { RunningGateway } from '../gateway/index.js';
import { startSubgraph, type RunningSubgraph } from '../subgraphs/index.js';
import { callerHeaders, postGraphQL, postSubgraph, principal, startTestGateway } from './support/stack.js';
import { startStallingProxy, type StallingProxy } from './support/tcp-proxy.js';

const DATABASE = 'linkage_court_assertion_replay';
const AUDIT_DATABASE = 'linkage_audit_assertion_replay';
/** A read through the court's store: its database is this file's own and empty. */
const QUERY = '{ adminCases(first: 1) { totalCount } }';
const served = { status: 200, body: { data: { adminCases: { totalCount: 0 } } } };
const refused = { status: 401, body: { errors: [{ message: 'A valid gateway assertion is required', extensions: { code: 'UNAUTHENTICATED' } }] } };
const storeDown = {
  status: 503,
  body: { errors: [{ message: "The court's store did not answer: the gateway's assertion could not be checked for single use", extensions: { code: 'SUBGRAPH_UNAVAILABLE' } }] },
};

const config = (env: Record<string, string> = {}) => loadConfig({ KEYS_DIR: inject('keysDir'), AUDIT_CHECKPOINT_RECORDS: '5', ...env });
const identity = (): CallIdentity => ({ principal: principal('court', ['judge']), purpose: 'CASE_HANDLING', requestId: randomUUID() });
/** Exactly what the gateway would send: the assertion header over the exact body. */
const send = async (url: string, assertion: string, body: string) => {
  const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', [ASSERTION_HEADER]: assertion }, body });
  return { status: response.status, body: await response.json() };
};

describe('an assertion is spent once across the replicas of a subgraph', () => {
  let client: MongoClient;
  let a: RunningSubgraph;
  let b: RunningSubgraph;
  /** A third replica, whose connection to the store goes through `storeProxy`. */
  let c: RunningSubgraph;
  let storeProxy: StallingProxy;
  /** A gateway in front of replica C. */
  let gateway: RunningGateway;

  beforeAll(async () => {
    client = await MongoClient.connect(inject('mongoUri'));
    await client.db(DATABASE).dropDatabase();
    await client.db(AUDIT_DATABASE).dropDatabase();
    const replica = (uri: string, env?: Record<string, string>) => startSubgraph('court', { config: config(env), store: { uri, database: DATABASE }, listen: { host: '127.0.0.1', port: 0 } });
    a = await replica(inject('mongoUri'));
    b = await replica(inject('mongoUri'));
    const store = new URL(inject('mongoUri'));
    storeProxy = await startStallingProxy({ host: store.hostname, port: Number(store.port) });
    // A stalled store fails a command within 500 ms (DATABASE_TIMEOUT_MS).
    c = await replica(`mongodb://127.0.0.1:${storeProxy.port}/`, { DATABASE_TIMEOUT_MS: '500' });
    gateway = await startTestGateway({ court: c }, config(), { uri: inject('mongoUri'), database: AUDIT_DATABASE });
  }, 60_000);

  afterAll(async () => {
    await gateway?.stop();
    for (const replica of [a, b, c]) await replica?.stop();
    await storeProxy?.close();
    await client.db(DATABASE).dropDatabase();
    await client.db(AUDIT_DATABASE).dropDatabase();
    await client.close();
  });

  it('a replayed assertion is refused by a second replica of the same subgraph; a fresh one is served there', async () => {
    const first = await postSubgraph('court', a.url, QUERY, undefined, identity());
    expect({ status: first.status, body: first.body }).toEqual(served);
    // The captured call, byte for byte, at the other replica: refused exactly as at the first.
    expect(await send(b.url, first.assertion, first.body_)).toEqual(refused);
    expect(await send(a.url, first.assertion, first.body_)).toEqual(refused);
    const fresh = await postSubgraph('court', b.url, QUERY, undefined, identity());
    expect({ status: fresh.status, body: fresh.body }).toEqual(served);
    expect(await send(a.url, fresh.assertion, fresh.body_)).toEqual(refused);
  });

  it('offered to both replicas at the same moment, an assertion is served once', async () => {
    const body = JSON.stringify({ query: QUERY });
    for (let round = 0; round < 5; round++) {
      const assertion = await signAssertion(assertionSigningKey(config().auth), 'court', identity(), body);
      const answers = await Promise.all([a, b, a, b].map((replica) => send(replica.url, assertion, body)));
      expect(answers.filter((answer) => answer.status === 200)).toEqual([served]);
      expect(answers.filter((answer) => answer.status !== 200)).toEqual([refused, refused, refused]);
    }
  });

  it('keeps a jti as long as any replica could accept its assertion: forgetting what is due now lets none back', async () => {
    // Signed 62 s ago: expired 2 s ago, still accepted within the clock tolerance (5 s).
    const body = JSON.stringify({ query: QUERY });
    const assertion = await signAssertion(assertionSigningKey(config().auth), 'court', identity(), body, Date.now() - 62_000);
    expect(await send(a.url, assertion, body)).toEqual(served);
    const { jti, exp } = decodeJwt(assertion);
    const spent = client.db(DATABASE).collection(SPENT_ASSERTIONS);
    // Kept until its expiry plus the tolerance (accepted that long), plus the tolerance again (a
    // clock that far ahead, where it is forgotten).
    expect(await spent.findOne({ _id: jti as never })).toEqual({ _id: jti, expiresAt: new Date((exp! + 10) * 1000) });
    // What MongoDB's TTL monitor, or a replica's sweep, removes at this moment.
    await spent.deleteMany({ expiresAt: { $lt: new Date() } });
    expect(await send(b.url, assertion, body)).toEqual(refused);
  });

  it('forgets what is due: MongoDB through its TTL index, a store without TTL indexes through each replica’s sweep', async () => {
    const spent = client.db(DATABASE).collection<{ _id: string; expiresAt: Date }>(SPENT_ASSERTIONS);
    const due = { _id: `due-${randomUUID()}`, expiresAt: new Date(Date.now() - 1000) };
    await spent.insertOne(due);
    const index = (await spent.listIndexes().toArray()).find((i) => i.name === 'expiresAt_1');
    if (index?.expireAfterSeconds !== undefined) {
      // MongoDB (TEST_MONGODB_URI): its TTL monitor removes what is due, once a minute.
      expect({ key: index.key, expireAfterSeconds: index.expireAfterSeconds }).toEqual({ key: { expiresAt: 1 }, expireAfterSeconds: 0 });
      return;
    }
    // FerretDB 1.24 refuses the TTL option: a replica sweeps on its first call, then once a minute.
    const d = await startSubgraph('court', { config: config(), store: { uri: inject('mongoUri'), database: DATABASE }, listen: { host: '127.0.0.1', port: 0 } });
    try {
      const call = await postSubgraph('court', d.url, QUERY, undefined, identity());
      expect({ status: call.status, body: call.body }).toEqual(served);
      await expect.poll(() => spent.findOne({ _id: due._id }), { timeout: 5000 }).toBeNull();
      // What is not due yet stays.
      expect(await spent.countDocuments({ _id: decodeJwt(call.assertion).jti! })).toBe(1);
    } finally {
      await d.stop();
    }
  });

  it('the store down: refused with 503, never accepted unchecked; served again once it answers', async () => {
    storeProxy.pause();
    try {
      const { status, body } = await postSubgraph('court', c.url, QUERY, undefined, identity());
      expect({ status, body }).toEqual(storeDown);
      // Through the gateway, the court's part is null and names it, as for any outage of the court.
      const answer = await postGraphQL(gateway.url, QUERY, undefined, await callerHeaders(principal('court', ['judge']), 'CASE_HANDLING'));
      expect(answer).toEqual({
        status: 200,
        body: {
          data: { adminCases: null },
          errors: [{ message: 'The court did not answer; its part of the answer is missing', extensions: { code: 'SUBGRAPH_UNAVAILABLE', institution: 'court' } }],
        },
      });
    } finally {
      storeProxy.resume();
    }
    await expect
      .poll(async () => {
        const { status, body } = await postSubgraph('court', c.url, QUERY, undefined, identity());
        return { status, body };
      }, { timeout: 10_000 })
      .toEqual(served);
    expect(await postGraphQL(gateway.url, QUERY, undefined, await callerHeaders(principal('court', ['judge']), 'CASE_HANDLING'))).toEqual(served);
  });
});
