// Persisted operations (issue 9): a partner frontend runs only the operations of its registered
// manifest (Apollo's persisted-query manifest format), sent by id as Apollo Client's persisted-query
// link sends them; an unknown id is PERSISTED_QUERY_NOT_FOUND, an operation's text from a partner
// PERSISTED_QUERY_REQUIRED; other orgs may still send text. The manifest reloads when its file
// changes (a broken file keeps the last good one), and the access record names the id.
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { MongoClient } from 'mongodb';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { AUDIT_DATABASE_NAME, loadConfig } from '../config/index.js';
import { startGateway, type RunningGateway } from '../gateway/index.js';
import { callerHeaders, principal, sharedTestStack, testAuditStore, type TestStack } from './support/stack.js';

const DISTRICT = 'query DistrictName { district { name } }';
const AGENCIES = 'query AgencyCount { agencies(first: 1) { totalCount } }';
const idOf = (body: string) => createHash('sha256').update(body).digest('hex');
const manifest = (...bodies: string[]) =>
  JSON.stringify({
    format: 'apollo-persisted-query-manifest',
    version: 1,
    operations: bodies.map((body) => ({ id: idOf(body), name: /query (\w+)/.exec(body)![1], type: 'query', body })),
  });

const partner = principal('partner', ['viewer']);
let stack: TestStack;
let gateway: RunningGateway;
let dir: string;
let file: string;
let client: MongoClient;

async function post(body: Record<string, unknown>, who = partner) {
  const response = await fetch(gateway.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(await callerHeaders(who, 'STATISTICS')) },
    body: JSON.stringify(body),
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown>, requestId: response.headers.get('x-request-id')! };
}
const byId = (id: string) => ({ extensions: { persistedQuery: { version: 1, sha256Hash: id } } });

describe('persisted operations for partner frontends', () => {
  beforeAll(async () => {
    stack = await sharedTestStack();
    client = await MongoClient.connect(inject('mongoUri'));
    dir = mkdtempSync(path.join(os.tmpdir(), 'linkage-manifest-'));
    file = path.join(dir, 'operations.json');
    writeFileSync(file, manifest(DISTRICT));
    const config = loadConfig({ KEYS_DIR: inject('keysDir'), PERSISTED_OPERATIONS_FILE: file });
    const subgraphUrls = Object.fromEntries(Object.entries(stack.subgraphs).map(([name, s]) => [name, s.url]));
    gateway = await startGateway({ config, auditStore: testAuditStore(), subgraphUrls, listen: { host: '127.0.0.1', port: 0 }, auditPort: 0 });
  });
  afterAll(async () => {
    await gateway?.stop();
    await client.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('runs a registered operation sent by id, and records the id', async () => {
    const answer = await post(byId(idOf(DISTRICT)));
    expect(answer).toMatchObject({ status: 200, body: { data: { district: { name: '示范区' } } } });
    expect(answer.body.errors).toBeUndefined();
    const record = await client.db(AUDIT_DATABASE_NAME).collection('accessRecords').findOne({ requestId: answer.requestId });
    expect(record).toMatchObject({ persistedOperationId: idOf(DISTRICT), operationName: 'DistrictName', outcome: 'SERVED', fields: ['District.name', 'Query.district'] });
  });

  it('refuses an unknown id, and an operation’s text from a partner; other orgs may send text', async () => {
    expect(await post(byId(idOf(AGENCIES)))).toMatchObject({
      body: { errors: [{ message: 'PersistedQueryNotFound', extensions: { code: 'PERSISTED_QUERY_NOT_FOUND' } }] },
    });
    const text = await post({ query: DISTRICT });
    expect(text.status).toBe(400);
    expect(text.body).toEqual({
      errors: [
        {
          message: "Callers of partner run registered operations only: send the operation's id (extensions.persistedQuery.sha256Hash), not its text",
          extensions: { code: 'PERSISTED_QUERY_REQUIRED' },
        },
      ],
    });
    expect(await client.db(AUDIT_DATABASE_NAME).collection('accessRecords').findOne({ requestId: text.requestId })).toMatchObject({ outcome: 'REJECTED', code: 'PERSISTED_QUERY_REQUIRED' });
    // The text of a registered operation, with its id, is that operation: allowed.
    expect(await post({ query: DISTRICT, ...byId(idOf(DISTRICT)) })).toMatchObject({ status: 200, body: { data: { district: { name: '示范区' } } } });
    // Another org is not held to the manifest.
    expect(await post({ query: AGENCIES }, principal('government', ['reviewer']))).toMatchObject({ status: 200, body: { data: { agencies: { totalCount: 12 } } } });
  });

  it('reloads the manifest when its file changes, and keeps the last good one when the new file is broken', async () => {
    writeFileSync(file, manifest(DISTRICT, AGENCIES));
    await expect.poll(async () => (await post(byId(idOf(AGENCIES)))).body, { timeout: 5000 }).toEqual({ data: { agencies: { totalCount: 12 } } });
    writeFileSync(file, '{"format": "apollo-persisted-query-manifest", "version": 1, "operations": [{"id": "nope"}]}');
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect((await post(byId(idOf(AGENCIES)))).body).toEqual({ data: { agencies: { totalCount: 12 } } });
  });

  it('refuses to start on a manifest that is not one, or a safelisted org that does not exist', async () => {
    const start = (env: Record<string, string>) =>
      startGateway({ config: loadConfig({ KEYS_DIR: inject('keysDir'), ...env }), auditStore: testAuditStore(), subgraphUrls: {}, listen: { host: '127.0.0.1', port: 0 }, auditPort: 0 });
    const broken = path.join(dir, 'broken.json');
    writeFileSync(broken, JSON.stringify({ format: 'apollo-persisted-query-manifest', version: 1, operations: [{ id: idOf('x'), name: 'X', type: 'query', body: 'query Y { district { name } }' }] }));
    await expect(start({ PERSISTED_OPERATIONS_FILE: broken })).rejects.toThrow(`configuration: PERSISTED_OPERATIONS_FILE ${broken} is not a persisted-query manifest: operation X: its id is not the SHA-256 of its body`);
    await expect(start({ SAFELISTED_ORGS: 'partner,partners' })).rejects.toThrow('configuration: SAFELISTED_ORGS names no such org: partners');
  });
});
