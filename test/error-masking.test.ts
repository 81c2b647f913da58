// Only deliberate codes reach a client: database failures, a subgraph that is down, and schema
// details in production are masked; and a failure is never mistaken for a denial.
import { generateKeyPairSync, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../config/index.js';
import { configureLogs } from '../platform/index.js';
import { demoData } from './support/seed-options.js';
import { callerHeaders, postGraphQL, postSubgraph, principal, startTestStack, startTestGateway, testConfig, type TestStack } from './support/stack.js';

describe('error masking', () => {
  let stack: TestStack;
  beforeAll(async () => {
    stack = await startTestStack({ gateway: true });
  });
  afterAll(() => stack.stop());

  it('a subgraph whose database fails answers 503 SUBGRAPH_UNAVAILABLE, not FORBIDDEN, with no driver text', async () => {
    // Its store is where each call's assertion is spent (single use across replicas): with the
    // store gone, the call is refused before any resolver runs, as the institution being unavailable.
    const solo = await startTestStack({ subgraphs: ['court'] });
    const logged: Record<string, unknown>[] = [];
    const previous = configureLogs({ destination: { write: (line) => void logged.push(JSON.parse(line) as Record<string, unknown>) } });
    try {
      await solo.subgraphs.court!.database.close();
      const requestId = randomUUID();
      const { status, body } = await postSubgraph(
        'court',
        solo.subgraphs.court!.url,
        `{ adminCase(id: "${demoData().showcase.adminCaseId}") { caseNumber judge } }`,
        undefined,
        { principal: principal('court', ['judge']), purpose: 'CASE_HANDLING', requestId },
      );
      // The operator's log has the driver's error, under the request id the gateway sent.
      expect(logged.filter((line) => line.requestId === requestId && line.level === 'error')).toEqual([
        {
          level: 'error',
          time: expect.any(String),
          service: 'court',
          requestId,
          err: { name: 'MongoNotConnectedError', message: 'Client must be connected before running operations' },
          msg: "the gateway's assertion could not be checked for single use (refused with 503)",
        },
      ]);
      expect({ status, body }).toEqual({
        status: 503,
        body: { errors: [{ message: "The court's store did not answer: the gateway's assertion could not be checked for single use", extensions: { code: 'SUBGRAPH_UNAVAILABLE' } }] },
      });
    } finally {
      configureLogs(previous);
      await solo.stop();
    }
  });

  it('a subgraph that is down is reported without its address; the other subgraphs still answer', async () => {
    const partial = await startTestStack({ subgraphs: ['government', 'court', 'procuratorate'], gateway: true });
    try {
      await partial.subgraphs.procuratorate!.stop();
      const { status, body } = await postGraphQL(
        partial.gateway!.url,
        `query($id: ID!) { adminCase(id: $id) { caseNumber supervisions { caseNumber } } }`,
        { id: demoData().showcase.adminCaseId },
        await callerHeaders(principal('court', ['judge']), 'CASE_HANDLING'),
      );
      expect(status).toBe(200);
      expect(body.data).toEqual({
        adminCase: { caseNumber: demoData().court.adminCases.find((c) => c._id === demoData().showcase.adminCaseId)!.caseNumber, supervisions: null },
      });
      // The gateway's own fetch failure names the institution, never its address; the cause stays in the log.
      expect(body.errors).toEqual([{ message: 'The procuratorate did not answer; its part of the answer is missing', extensions: { code: 'SUBGRAPH_UNAVAILABLE', institution: 'procuratorate' } }]);
      expect(JSON.stringify(body)).not.toMatch(/127\.0\.0\.1|ECONNREFUSED|localhost/);
    } finally {
      await partial.stop();
    }
  });

  it('a gateway whose assertions the subgraphs refuse reports an internal error, not the subgraph’s 401 or address', async () => {
    const keysDir = mkdtempSync(path.join(os.tmpdir(), 'linkage-wrong-key-'));
    const wrongKey = path.join(keysDir, 'wrong.pem');
    writeFileSync(wrongKey, generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' }));
    const config = loadConfig({ KEYS_DIR: testConfig().auth.keysDir, ASSERTION_PRIVATE_KEY_FILE: wrongKey });
    const gateway = await startTestGateway(stack.subgraphs, config);
    try {
      const { status, body } = await postGraphQL(gateway.url, '{ district { name } }', undefined, await callerHeaders(principal('court', ['judge']), 'CASE_HANDLING'));
      expect({ status, body }).toEqual({
        status: 200,
        body: { data: { district: null }, errors: [{ message: 'Internal server error', extensions: { code: 'INTERNAL_SERVER_ERROR' } }] },
      });
    } finally {
      await gateway.stop();
      rmSync(keysDir, { recursive: true, force: true });
    }
  });

  it('in production: no introspection, no field suggestions', async () => {
    const config = loadConfig({ LINKAGE_ENV: 'production', KEYS_DIR: testConfig().auth.keysDir });
    const gateway = await startTestGateway(stack.subgraphs, config);
    try {
      const headers = await callerHeaders(principal('court', ['judge']), 'CASE_HANDLING');
      const introspection = await postGraphQL(gateway.url, '{ __schema { types { name } } }', undefined, headers);
      expect(introspection.status).toBe(400);
      expect(introspection.body.errors).toEqual([
        {
          message: 'GraphQL introspection is not allowed by Apollo Server, but the query contained __schema or __type. To enable introspection, pass introspection: true to ApolloServer in production',
          locations: [{ line: 1, column: 3 }],
          extensions: { code: 'GRAPHQL_VALIDATION_FAILED', validationErrorCode: 'INTROSPECTION_DISABLED' },
        },
      ]);
      const typo = await postGraphQL(gateway.url, '{ adminCasez { totalCount } }', undefined, headers);
      expect(typo.body.errors).toEqual([
        { message: 'Cannot query field "adminCasez" on type "Query".', locations: [{ line: 1, column: 3 }], extensions: { code: 'GRAPHQL_VALIDATION_FAILED' } },
      ]);
    } finally {
      await gateway.stop();
    }
  });

  it('in development, the gateway suggests fields (and allows introspection) for the developers', async () => {
    const headers = await callerHeaders(principal('court', ['judge']), 'CASE_HANDLING');
    const typo = await postGraphQL(stack.gateway!.url, '{ adminCasez { totalCount } }', undefined, headers);
    expect(typo.body.errors).toEqual([
      {
        message: 'Cannot query field "adminCasez" on type "Query". Did you mean "adminCase" or "adminCases"?',
        locations: [{ line: 1, column: 3 }],
        extensions: { code: 'GRAPHQL_VALIDATION_FAILED' },
      },
    ]);
  });
});
