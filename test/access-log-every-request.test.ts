// Every request leaves exactly one well-formed record, whatever its method or content, and one bad
// request never sinks the valid ones that share its batch (issue 8, defects 1 and 7).
import { generateKeyPairSync, randomUUID } from 'node:crypto';
import { connect } from 'node:net';
import { gzipSync } from 'node:zlib';
import { MongoClient, type Db } from 'mongodb';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { AuditRecordInvalidError, AuditUnavailableError, AuditWriter, createAuditLogStore, verifyChain } from '../audit/index.js';
import { AUDIT_DATABASE_NAME } from '../config/index.js';
import { callerHeaders, principal, startTestStack, type TestStack } from './support/stack.js';

describe('one record per request, of any method', () => {
  let stack: TestStack;
  let client: MongoClient;
  const recordsOf = (requestId: string) => client.db(AUDIT_DATABASE_NAME).collection('accessRecords').find({ requestId }).toArray();

  beforeAll(async () => {
    stack = await startTestStack({ gateway: true });
    client = await MongoClient.connect(inject('mongoUri'));
  });
  afterAll(async () => {
    await client.close();
    await stack.stop();
  });

  it('a storm of GETs among valid POSTs: every POST served, every GET 405 with Allow, each logged once', async () => {
    const headers = await callerHeaders(principal('partner', ['viewer']), 'STATISTICS');
    const url = stack.gateway!.url;
    const send = (method: string) => async () => {
      const response = await fetch(url, {
        method,
        headers: { 'content-type': 'application/json', ...headers },
        ...(method === 'POST' ? { body: JSON.stringify({ query: '{ district { name } }' }) } : method === 'PUT' ? { body: '{}' } : {}),
      });
      const text = await response.text();
      return { method, status: response.status, allow: response.headers.get('allow'), requestId: response.headers.get('x-request-id'), body: text ? JSON.parse(text) : null };
    };
    const methods = Array.from({ length: 40 }, () => ['GET', 'POST']).flat().concat(['PUT', 'HEAD', 'DELETE', 'PATCH']);
    const answers = await Promise.all(methods.map((method) => send(method)()));

    const posts = answers.filter((a) => a.method === 'POST');
    expect(posts.map((a) => ({ status: a.status, body: a.body }))).toEqual(posts.map(() => ({ status: 200, body: { data: { district: { name: '示范区' } } } })));
    const others = answers.filter((a) => a.method !== 'POST');
    expect(others.map((a) => ({ method: a.method, status: a.status, allow: a.allow, body: a.body }))).toEqual(
      others.map((a) => ({
        method: a.method,
        status: 405,
        allow: 'POST',
        // A HEAD answer has no body.
        body: a.method === 'HEAD' ? null : { errors: [{ message: 'Use POST for /graphql', extensions: { code: 'METHOD_NOT_ALLOWED' } }] },
      })),
    );

    const ids = answers.map((a) => a.requestId);
    expect(new Set(ids).size).toBe(answers.length);
    for (const answer of answers) {
      const logged = await recordsOf(answer.requestId!);
      expect(logged.length, `${answer.method} ${answer.requestId}`).toBe(1);
      const [record] = logged;
      expect({ outcome: record!.outcome, code: record!.code, httpStatus: record!.httpStatus }).toEqual(
        answer.method === 'POST' ? { outcome: 'SERVED', code: null, httpStatus: 200 } : { outcome: 'REJECTED', code: 'METHOD_NOT_ALLOWED', httpStatus: 405 },
      );
      expect(Number.isInteger(record!.durationMs) && record!.durationMs >= 0).toBe(true);
    }
  });

  it('refusals before GraphQL — cross-site content types, bodies too large or inflating past the limit, unreadable encodings, oversized headers — each answered and logged once', async () => {
    const headers = await callerHeaders(principal('partner', ['viewer']), 'STATISTICS');
    const query = JSON.stringify({ query: '{ district { name } }' });
    const cases: { name: string; headers: Record<string, string>; body: string | Buffer; status: number; code: string }[] = [
      { name: 'text/plain (a simple cross-site request)', headers: { 'content-type': 'text/plain' }, body: query, status: 415, code: 'UNSUPPORTED_MEDIA_TYPE' },
      { name: 'a form', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: query, status: 415, code: 'UNSUPPORTED_MEDIA_TYPE' },
      { name: 'a body over 1 MB', headers: { 'content-type': 'application/json' }, body: `{"query":"${'a'.repeat(1_100_000)}"}`, status: 413, code: 'PAYLOAD_TOO_LARGE' },
      { name: 'a gzip body inflating past 1 MB', headers: { 'content-type': 'application/json', 'content-encoding': 'gzip' }, body: gzipSync(Buffer.alloc(5_000_000, 32)), status: 413, code: 'PAYLOAD_TOO_LARGE' },
      { name: 'extensions that are not an object (Apollo would refuse them before any plugin)', headers: { 'content-type': 'application/json' }, body: '{"query":"{ __typename }","extensions":"x"}', status: 400, code: 'BAD_REQUEST' },
      { name: 'an unknown encoding', headers: { 'content-type': 'application/json', 'content-encoding': 'bogus' }, body: query, status: 415, code: 'UNSUPPORTED_MEDIA_TYPE' },
    ];
    for (const probe of cases) {
      const response = await fetch(stack.gateway!.url, { method: 'POST', headers: { ...headers, ...probe.headers }, body: probe.body });
      const requestId = response.headers.get('x-request-id')!;
      expect({ name: probe.name, status: response.status, code: ((await response.json()) as any).errors[0].extensions.code }).toEqual({ name: probe.name, status: probe.status, code: probe.code });
      const logged = await recordsOf(requestId);
      expect(logged.map((r) => ({ outcome: r.outcome, code: r.code, httpStatus: r.httpStatus })), probe.name).toEqual([{ outcome: 'REJECTED', code: probe.code, httpStatus: probe.status }]);
    }

    // Headers Node's parser refuses (over 16 KB) never reach express: answered and logged all the same.
    const { port } = new URL(stack.gateway!.url);
    const raw = await new Promise<string>((resolve, reject) => {
      const socket = connect(Number(port), '127.0.0.1', () => socket.write(`POST /graphql HTTP/1.1\r\nhost: x\r\nx-big: ${'a'.repeat(20_000)}\r\n\r\n`));
      let text = '';
      socket.on('data', (chunk) => (text += chunk.toString()));
      socket.on('end', () => resolve(text));
      socket.on('error', reject);
    });
    expect(raw.split('\r\n')[0]).toBe('HTTP/1.1 431 Request Header Fields Too Large');
    const requestId = /x-request-id: ([0-9a-f-]{36})/.exec(raw)![1]!;
    expect(JSON.parse(raw.slice(raw.indexOf('\r\n\r\n') + 4))).toEqual({ errors: [{ message: 'The request headers are too large', extensions: { code: 'HEADERS_TOO_LARGE' } }] });
    expect((await recordsOf(requestId)).map((r) => ({ outcome: r.outcome, code: r.code, httpStatus: r.httpStatus, principal: r.principal }))).toEqual([
      { outcome: 'REJECTED', code: 'HEADERS_TOO_LARGE', httpStatus: 431, principal: null },
    ]);
  });

  it('bounds client strings and strips format characters (a right-to-left override, a zero-width space, a line separator)', async () => {
    const headers = await callerHeaders(principal('partner', ['viewer']), 'STATISTICS');
    const sneaky = 'Evil\u202Egnp.exe\u200B\u2028next';
    const long = 'A'.repeat(900_000);
    const answers = [];
    for (const operationName of [sneaky, long]) {
      const response = await fetch(stack.gateway!.url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify({ query: 'query Q { district { name } }', operationName }) });
      answers.push({ status: response.status, requestId: response.headers.get('x-request-id')! });
    }
    const [sneakyRecord] = await recordsOf(answers[0]!.requestId);
    const [longRecord] = await recordsOf(answers[1]!.requestId);
    expect(sneakyRecord!.operationName).toBe('Evilgnp.exenext');
    expect(longRecord!.operationName).toBe('A'.repeat(200));
  });
});

describe('the writer, with a record the store refuses in the middle of a batch', () => {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  let client: MongoClient;
  let db: Db;
  beforeAll(async () => {
    client = await MongoClient.connect(inject('mongoUri'));
    db = client.db(`linkage_audit_probe_${randomUUID().slice(0, 8)}`);
  });
  afterAll(async () => {
    await db.dropDatabase();
    await client.close();
  });

  it('keeps a record with a lone surrogate verifiable: stripped before it is hashed (the store would turn it into U+FFFD)', async () => {
    const store = createAuditLogStore<{ requestId: string; ticket: string; n: number }>(db, 'lone');
    await store.ensureIndexes();
    const writer = new AuditWriter(store, 'lone', privateKey, { checkpointEvery: 2, checkpointSeconds: 60 });
    await writer.start();
    await writer.append({ requestId: 'r-1', ticket: 'half\ud800way', n: 1 });
    await writer.append({ requestId: 'r-2', ticket: 'plain', n: 2 });
    await writer.stop();
    expect((await db.collection('loneRecords').findOne({ requestId: 'r-1' }))!.ticket).toBe('halfway');
    const verification = await verifyChain('lone', store.recordsOf('lone'), await store.checkpointsOf('lone'), publicKey);
    expect({ ok: verification.ok, records: verification.records, problem: verification.problem }).toEqual({ ok: true, records: 2, problem: null });
  });

  it('writes the others, fails only that one, and keeps one unbroken chain', async () => {
    const store = createAuditLogStore<{ requestId: string; ticket: string; n: number }>(db, 'access');
    await store.ensureIndexes();
    // A store-side rule the writer cannot know: one record per ticket.
    await db.collection('accessRecords').createIndex({ ticket: 1 }, { unique: true, name: 'one-per-ticket' });
    const writer = new AuditWriter(store, 'probe', privateKey, { checkpointEvery: 10, checkpointSeconds: 60, batchDelayMs: 5 });
    await writer.start();
    const entries = Array.from({ length: 30 }, (_, i) => ({ requestId: `r-${i}`, ticket: i === 17 ? 't-3' : `t-${i}`, n: i }));
    const outcomes = await Promise.all(entries.map((entry) => writer.append(entry).then(() => 'written', (error: unknown) => (error instanceof AuditUnavailableError ? 'failed' : 'other'))));
    expect(outcomes.filter((o) => o === 'failed').length).toBe(1);
    expect(outcomes.filter((o) => o === 'written').length).toBe(29);
    // A record the writer itself can check (NaN cannot be hashed) is refused before any batch.
    await expect(writer.append({ requestId: 'r-nan', ticket: 't-nan', n: Number.NaN })).rejects.toBeInstanceOf(AuditRecordInvalidError);
    await writer.stop();
    const verification = await verifyChain('probe', store.recordsOf('probe'), await store.checkpointsOf('probe'), publicKey);
    expect({ ok: verification.ok, records: verification.records, problem: verification.problem }).toEqual({ ok: true, records: 29, problem: null });
    expect((await db.collection('accessRecords').distinct('requestId')).sort()).toEqual(entries.filter((e) => e.n !== 17).map((e) => e.requestId).sort());
  });
});
