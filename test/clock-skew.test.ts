// Gateway and subgraphs run on different hosts, whose clocks are never quite equal. A subgraph
// accepts the gateway's assertions within the clock tolerance (CLOCK_TOLERANCE_SECONDS, 5 s by
// default) either way, refuses them beyond it, and still accepts each only once. A gateway whose
// clock is off is played by signing the assertion at a shifted time.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { ASSERTION_HEADER, assertionSigningKey, signAssertion, type CallIdentity } from '../auth/index.js';
import { DATABASE_NAMES, loadConfig } from '../config/index.js';
import { startSubgraph, type RunningSubgraph } from '../subgraphs/index.js';
import { demoData } from './support/seed-options.js';
import { principal, sharedTestStack, testConfig, type TestStack } from './support/stack.js';

const SECOND = 1000;
const MINUTE = 60 * SECOND;

describe('clock skew between the gateway and a subgraph', () => {
  let stack: TestStack;
  const caseId = () => demoData().showcase.adminCaseId;
  const body = () => JSON.stringify({ query: `{ adminCase(id: "${caseId()}") { caseNumber } }` });
  const served = () => ({ status: 200, body: { data: { adminCase: { caseNumber: demoData().court.adminCases.find((c) => c._id === caseId())!.caseNumber } } } });
  const refused = { status: 401, body: { errors: [{ message: 'A valid gateway assertion is required', extensions: { code: 'UNAUTHENTICATED' } }] } };
  const identity = (): CallIdentity => ({ principal: principal('court', ['judge']), purpose: 'CASE_HANDLING', requestId: randomUUID() });

  /** An assertion signed by a gateway whose clock reads `skewMs` more than this host's. */
  const assertion = (skewMs: number) => signAssertion(assertionSigningKey(testConfig().auth), 'court', identity(), body(), Date.now() + skewMs);
  const send = async (url: string, token: string) => {
    const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', [ASSERTION_HEADER]: token }, body: body() });
    return { status: response.status, body: await response.json() };
  };

  beforeAll(async () => {
    stack = await sharedTestStack();
  });

  it.each([
    ['3 s ahead', 3 * SECOND],
    ['3 s behind', -3 * SECOND],
    // Just inside the default tolerance of 5 s (the verifier's second may have ticked since signing).
    ['4 s ahead', 4 * SECOND],
  ])('served from a gateway whose clock is %s', async (_name, skew) => {
    expect(await send(stack.subgraphs.court!.url, await assertion(skew))).toEqual(served());
  });

  it.each([
    ['3 min ahead', 3 * MINUTE],
    ['3 min behind', -3 * MINUTE],
    ['7 s ahead', 7 * SECOND],
  ])('refused from a gateway whose clock is %s', async (_name, skew) => {
    expect(await send(stack.subgraphs.court!.url, await assertion(skew))).toEqual(refused);
  });

  it('an assertion accepted past its expiry, within the tolerance, is still accepted only once', async () => {
    // Signed 62 s ago by this host's clock: it expired 2 s ago, and the tolerance still admits it.
    const token = await assertion(-62 * SECOND);
    expect(await send(stack.subgraphs.court!.url, token)).toEqual(served());
    // A second later, replayed: a guard that forgot the id at `exp` would now accept the captured
    // assertion a second time. (test/assertion-replay.test.ts forgets what is due at once, as the
    // store's TTL monitor or sweep would, and replays at another replica.)
    await new Promise((resolve) => setTimeout(resolve, 1.1 * SECOND));
    expect(await send(stack.subgraphs.court!.url, token)).toEqual(refused);
  });

  describe('with CLOCK_TOLERANCE_SECONDS=0', () => {
    let strict: RunningSubgraph;
    beforeAll(async () => {
      strict = await startSubgraph('court', {
        config: loadConfig({ KEYS_DIR: inject('keysDir'), CLOCK_TOLERANCE_SECONDS: '0' }),
        store: { uri: inject('mongoUri'), database: DATABASE_NAMES.court },
        listen: { host: '127.0.0.1', port: 0 },
      });
    });
    afterAll(async () => {
      await strict?.stop();
    });

    it('the configured tolerance reaches the subgraph: 3 s ahead is refused, no skew is served', async () => {
      expect(await send(strict.url, await assertion(3 * SECOND))).toEqual(refused);
      expect(await send(strict.url, await assertion(0))).toEqual(served());
    });
  });
});
