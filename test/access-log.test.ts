// Every request through the gateway leaves exactly one access record, written before the
// response; if the log cannot be written, nothing is disclosed.
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { MongoClient } from 'mongodb';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { AUDIT_DATABASE_NAME, DATABASE_NAMES } from '../config/index.js';
import { freePort, startEmbeddedStore } from '../platform/index.js';
import { demoData } from './support/seed-options.js';
import { callerHeaders, principal, startTestGateway, startTestStack, testConfig, type TestStack } from './support/stack.js';

async function post(url: string, body: unknown, headers: Record<string, string>) {
  const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: typeof body === 'string' ? body : JSON.stringify(body) });
  return { status: response.status, requestId: response.headers.get('x-request-id'), body: (await response.json()) as { data?: unknown; errors?: unknown[] } };
}

describe('the gateway access log', () => {
  let stack: TestStack;
  let client: MongoClient;
  const records = () => client.db(AUDIT_DATABASE_NAME).collection('accessRecords');
  /** The records of one request, without what differs run to run (a first record also names the previous chain). */
  const logged = async (requestId: string | null) =>
    (await records().find({ requestId: requestId ?? 'missing' }, { projection: { _id: 0, at: 0, hash: 0, prevHash: 0, seq: 0, block: 0, durationMs: 0, opens: 0, witnessed: 0 } }).toArray());

  /** An owner's disclosure records for one request, without what differs run to run. */
  const disclosures = async (owner: 'government' | 'court' | 'procuratorate', requestId: string | null) =>
    client
      .db(DATABASE_NAMES[owner])
      .collection('disclosureRecords')
      .find({ requestId: requestId ?? 'missing' }, { projection: { _id: 0, at: 0, hash: 0, prevHash: 0, seq: 0, block: 0, opens: 0, witnessed: 0 } })
      .toArray();

  beforeAll(async () => {
    stack = await startTestStack({ gateway: true });
    client = await MongoClient.connect(inject('mongoUri'));
  });
  afterAll(async () => {
    await client.close();
    await stack.stop();
  });

  const judge = principal('court', ['judge']);
  const judgeClaims = { sub: judge.sub, name: judge.name, org: 'court', roles: ['judge'], unit: null };

  it('served: who, why, what was asked, which subgraphs — and a digest, not the values, of the variables', async () => {
    const { status, requestId } = await post(
      stack.gateway!.url,
      { query: 'query Case($id: ID!) { adminCase(id: $id) { caseNumber defendant { name } } }', operationName: 'Case', variables: { id: demoData().showcase.adminCaseId } },
      await callerHeaders(judge, 'CASE_HANDLING'),
    );
    expect(status).toBe(200);
    const [record, ...others] = await logged(requestId);
    expect(others).toEqual([]);
    expect(record).toEqual({
      v: 2,
      chain: stack.gateway!.auditChain,
      requestId,
      principal: judgeClaims,
      purpose: 'CASE_HANDLING',
      operationName: 'Case',
      operationHash: expect.stringMatching(/^[0-9a-f]{64}$/),
      variablesDigest: expect.stringMatching(/^[0-9a-f]{64}$/),
      fields: ['AdminCase.caseNumber', 'AdminCase.defendant', 'Agency.name', 'Query.adminCase'],
      denied: [],
      subgraphs: ['court', 'government'],
      outcome: 'SERVED',
      code: null,
      httpStatus: 200,
      day: new Date().toISOString().slice(0, 10),
      anyDenied: false,
      // Four fields asked for, four answered (test/cost-limit.test.ts).
      cost: { estimated: 4, actual: 4 },
    });
    expect(JSON.stringify(record)).not.toContain(demoData().showcase.adminCaseId);

    // Each owner recorded, under the same request id, what it disclosed: the court its case (and
    // the agency key it handed on, also as the case's `defendant.id`), the government the agency's name.
    // (The heads each log witnesses of the other, in `witnessed`: test/audit-witness.test.ts.)
    const defendant = demoData().court.adminCases.find((c) => c._id === demoData().showcase.adminCaseId)!.defendantId;
    const who = { v: 2, principal: judgeClaims, purpose: 'CASE_HANDLING', requestId };
    expect(await disclosures('court', requestId)).toEqual([
      {
        ...who,
        chain: stack.subgraphs.court!.auditChain,
        // Each distinct set of verdicts once, and each record (in the order its first field
        // resolved) with the index of its set.
        verdicts: [
          { disclosed: ['caseNumber', 'defendant', 'defendant.id'], masked: [], refused: [] },
          { disclosed: ['id'], masked: [], refused: [] },
        ],
        records: [
          { key: `AdminCase:${demoData().showcase.adminCaseId}`, v: 0 },
          { key: `Agency:${defendant}`, v: 1 },
        ],
      },
    ]);
    expect(await disclosures('government', requestId)).toEqual([
      { ...who, chain: stack.subgraphs.government!.auditChain, verdicts: [{ disclosed: ['name'], masked: [], refused: [] }], records: [{ key: `Agency:${defendant}`, v: 0 }] },
    ]);
    expect(await disclosures('procuratorate', requestId)).toEqual([]);
  });

  it('partly denied: the withheld fields with their coordinates and reasons', async () => {
    const prosecutor = principal('procuratorate', ['prosecutor']);
    const { requestId, body } = await post(
      stack.gateway!.url,
      { query: `{ adminCase(id: "${demoData().showcase.adminCaseId}") { caseNumber secret: deliberationNotes } }` },
      await callerHeaders(prosecutor, 'SUPERVISION'),
    );
    expect(body.errors).toHaveLength(1);
    expect(await logged(requestId)).toEqual([
      expect.objectContaining({
        outcome: 'PARTIAL',
        fields: ['AdminCase.caseNumber', 'AdminCase.deliberationNotes', 'Query.adminCase'],
        denied: [{ coordinate: 'AdminCase.deliberationNotes', path: 'adminCase.secret', reason: 'OWNER_ONLY' }],
        subgraphs: ['court'],
        code: null,
      }),
    ]);
    // The owner recorded the refusal too.
    expect(await disclosures('court', requestId)).toEqual([
      {
        v: 2,
        chain: stack.subgraphs.court!.auditChain,
        requestId,
        principal: { sub: prosecutor.sub, name: prosecutor.name, org: 'procuratorate', roles: ['prosecutor'], unit: null },
        purpose: 'SUPERVISION',
        verdicts: [{ disclosed: ['caseNumber'], masked: [], refused: [{ field: 'deliberationNotes', reason: 'OWNER_ONLY' }] }],
        records: [{ key: `AdminCase:${demoData().showcase.adminCaseId}`, v: 0 }],
      },
    ]);
  });

  it.each([
    ['no token', async () => ({ 'x-purpose': 'STATISTICS' }), { status: 401, code: 'UNAUTHENTICATED', principal: null, purpose: 'STATISTICS' }],
    ['no purpose', async () => ({ authorization: (await callerHeaders(judge, 'CASE_HANDLING')).authorization! }), { status: 400, code: 'PURPOSE_REQUIRED', principal: judgeClaims, purpose: null }],
  ])('rejected (%s): logged with the code, and no subgraph called', async (_name, headers, expected) => {
    stack.resetCommands();
    const { status, requestId } = await post(stack.gateway!.url, { query: '{ district { name } }' }, await headers());
    expect(status).toBe(expected.status);
    expect(await logged(requestId)).toEqual([
      {
        v: 2,
        chain: stack.gateway!.auditChain,
        requestId,
        principal: expected.principal,
        purpose: expected.purpose,
        operationName: null,
        operationHash: expect.stringMatching(/^[0-9a-f]{64}$/),
        variablesDigest: null,
        fields: [],
        denied: [],
        subgraphs: [],
        outcome: 'REJECTED',
        code: expected.code,
        httpStatus: expected.status,
        day: new Date().toISOString().slice(0, 10),
        anyDenied: true,
      },
    ]);
    expect(stack.commands).toEqual({ government: [], court: [], procuratorate: [] });
    for (const owner of ['government', 'court', 'procuratorate'] as const) expect(await disclosures(owner, requestId)).toEqual([]);
  });

  it('rejected (invalid query, malformed body): logged too, control characters stripped from client values', async () => {
    const headers = await callerHeaders(judge, 'CASE_HANDLING');
    const invalid = await post(stack.gateway!.url, { query: '{ adminCasez { id } }', operationName: 'Evil\r\nInjected: yes' }, headers);
    expect(invalid.status).toBe(400);
    expect(await logged(invalid.requestId)).toEqual([
      expect.objectContaining({ outcome: 'REJECTED', code: 'GRAPHQL_VALIDATION_FAILED', operationName: 'EvilInjected: yes', httpStatus: 400 }),
    ]);
    const malformed = await post(stack.gateway!.url, '[{"query": "{ district { name } }"}]', headers);
    expect({ status: malformed.status, body: malformed.body }).toEqual({
      status: 400,
      body: { errors: [{ message: 'The body must be one GraphQL request: {"query": string, "operationName"?, "variables"?}', extensions: { code: 'BAD_REQUEST' } }] },
    });
    expect(await logged(malformed.requestId)).toEqual([expect.objectContaining({ outcome: 'REJECTED', code: 'BAD_REQUEST', httpStatus: 400 })]);
  });

  it('an owner that cannot write its disclosure record fails the whole request: AUDIT_UNAVAILABLE', async () => {
    const own = await startTestStack({ gateway: true });
    const courtLog = client.db(DATABASE_NAMES.court).collection('disclosureRecords');
    const chain = own.subgraphs.court!.auditChain;
    try {
      const headers = await callerHeaders(judge, 'CASE_HANDLING');
      const query = { query: `{ district { name } adminCase(id: "${demoData().showcase.adminCaseId}") { caseNumber } }` };
      expect((await post(own.gateway!.url, query, headers)).status).toBe(200);
      // Another writer takes the court chain's next sequence number: the court's insert collides.
      const head = await courtLog.findOne({ chain }, { sort: { seq: -1 }, projection: { _id: 0 } });
      await courtLog.insertOne({ ...head, seq: (head!.seq as number) + 1, requestId: 'squatter' });
      const failed = await post(own.gateway!.url, query, headers);
      expect({ status: failed.status, body: failed.body }).toEqual({
        status: 503,
        body: { errors: [{ message: 'The access log is unavailable: the request was not served', extensions: { code: 'AUDIT_UNAVAILABLE' } }] },
      });
      expect(await logged(failed.requestId)).toEqual([expect.objectContaining({ outcome: 'FAILED', code: 'AUDIT_UNAVAILABLE', httpStatus: 503 })]);
    } finally {
      await own.stop();
      await courtLog.deleteOne({ chain, requestId: 'squatter' });
    }
  });

  it('with the log store down: AUDIT_UNAVAILABLE, and no data served', async () => {
    const dataDir = mkdtempSync(path.join(os.tmpdir(), 'linkage-audit-down-'));
    const logStore = await startEmbeddedStore({ ...testConfig().embeddedStore, port: await freePort(), dataDir });
    const gateway = await startTestGateway(stack.subgraphs, testConfig(), { uri: logStore.uri, database: AUDIT_DATABASE_NAME });
    try {
      const headers = await callerHeaders(judge, 'CASE_HANDLING');
      const query = { query: `{ adminCase(id: "${demoData().showcase.adminCaseId}") { caseNumber judge } }` };
      expect((await post(gateway.url, query, headers)).status).toBe(200);
      await logStore.stop();
      const unavailable = { errors: [{ message: 'The access log is unavailable: the request was not served', extensions: { code: 'AUDIT_UNAVAILABLE' } }] };
      const served = await post(gateway.url, query, headers);
      expect({ status: served.status, body: served.body }).toEqual({ status: 503, body: unavailable });
      const rejected = await post(gateway.url, query, { 'x-purpose': 'CASE_HANDLING' });
      expect({ status: rejected.status, body: rejected.body }).toEqual({ status: 503, body: unavailable });
    } finally {
      await gateway.stop();
      await logStore.stop();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
