// Structured logs (issue #15): one JSON line per event, each with its service, level, time and
// message; the line of a request carries the request id its caller got in `x-request-id`; in
// production an error's line has no stack (that goes on a debug line with the same request id,
// written only at LOG_LEVEL=debug); and a failure to write the access log is an error line.
// The gateway runs as production runs it: `npm start -- gateway` in a process of its own, its
// callers' keys from an identity provider over HTTPS (a JWKS served here), its institutions down.
import { execFileSync } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { SignJWT, exportJWK } from 'jose';
import { MongoClient } from 'mongodb';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { AUDIT_DATABASE_NAME } from '../config/index.js';
import { configureLogs, freePort } from '../platform/index.js';
import { listening, startServiceProcess, type LogLine } from './support/service-process.js';
import { callerHeaders, principal, startTestGateway, testConfig } from './support/stack.js';

const ISSUER = 'https://idp.district.example/';
const LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal'];
const ISO_TIME = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;

async function post(url: string, query: string, headers: Record<string, string>) {
  const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify({ query }) });
  return { status: response.status, requestId: response.headers.get('x-request-id'), body: (await response.json()) as unknown };
}

describe('structured logs of a production gateway in its own process', () => {
  let dir: string;
  let jwks: https.Server;
  const provider = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const env: Record<string, string> = {};

  beforeAll(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'linkage-logs-'));
    // The identity provider's keys over HTTPS (production refuses anything else), its certificate
    // trusted by the gateway's process alone.
    const [key, cert] = [path.join(dir, 'idp.key'), path.join(dir, 'idp.crt')];
    execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-days', '1', '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1', '-keyout', key, '-out', cert], { stdio: 'ignore' });
    const jwk = { ...(await exportJWK(provider.publicKey)), kid: 'idp-logs', alg: 'ES256', use: 'sig' };
    jwks = https.createServer({ key: readFileSync(key), cert: readFileSync(cert) }, (_req, res) => res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ keys: [jwk] })));
    await new Promise<void>((resolve) => jwks.listen(0, '127.0.0.1', resolve));

    const pem = (name: string, contents: string) => (writeFileSync(path.join(dir, name), contents), path.join(dir, name));
    const nobody = `http://127.0.0.1:${await freePort()}/graphql`;
    Object.assign(env, {
      LINKAGE_ENV: 'production',
      HOST: '127.0.0.1',
      NODE_EXTRA_CA_CERTS: cert,
      JWKS_URL: `https://127.0.0.1:${(jwks.address() as AddressInfo).port}/.well-known/jwks.json`,
      JWT_ISSUER: ISSUER,
      JWT_AUDIENCE: 'linkage-graph',
      ASSERTION_PRIVATE_KEY_FILE: pem('assertion.pem', generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' }) as string),
      AUDIT_SIGNING_KEY_FILE: pem('audit.pem', generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' }) as string),
      AUDIT_MONGODB_URI: inject('mongoUri'),
      // No institution answers: nothing listens where they should be.
      GOVERNMENT_URL: nobody,
      COURT_URL: nobody,
      PROCURATORATE_URL: nobody,
    });
  });
  afterAll(() => {
    jwks?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const token = (org: string, roles: string[]) =>
    new SignJWT({ name: `Test ${org}`, org, roles })
      .setProtectedHeader({ alg: 'ES256', kid: 'idp-logs' })
      .setSubject(`logs-${org}`)
      .setIssuer(ISSUER)
      .setAudience('linkage-graph')
      .setIssuedAt()
      .setExpirationTime('5m')
      .sign(provider.privateKey);

  it('every line is one JSON object; a request’s line carries its request id; an error’s line its request id and no stack', async () => {
    const port = await freePort();
    const gateway = startServiceProcess('gateway', { ...env, GATEWAY_PORT: String(port), AUDIT_PORT: String(await freePort()) });
    const url = `http://127.0.0.1:${port}/graphql`;
    let served: Awaited<ReturnType<typeof post>>;
    let failed: Awaited<ReturnType<typeof post>>;
    try {
      await expect.poll(() => listening(gateway.lines(), 'gateway', url), { timeout: 30_000 }).toBe(true);
      served = await post(url, '{ __typename }', { authorization: `Bearer ${await token('partner', ['viewer'])}`, 'x-purpose': 'STATISTICS' });
      expect({ status: served.status, body: served.body }).toEqual({ status: 200, body: { data: { __typename: 'Query' } } });
      failed = await post(url, '{ district { name } }', { authorization: `Bearer ${await token('court', ['judge'])}`, 'x-purpose': 'CASE_HANDLING' });
      expect(failed.status).toBe(200);
      const requestLine = (id: string | null) => gateway.lines().some((line) => typeof line === 'object' && line.msg === 'request' && line.requestId === id);
      await expect.poll(() => requestLine(served.requestId) && requestLine(failed.requestId), { timeout: 10_000 }).toBe(true);
    } finally {
      gateway.child.kill('SIGTERM');
    }
    expect((await gateway.exited).code).toBe(0);
    const lines = gateway.lines();

    // One JSON object per line, each with its service, a level label, an ISO time and a message.
    expect(lines.filter((line) => typeof line !== 'object' || typeof line.service !== 'string' || !LEVELS.includes(line.level) || !ISO_TIME.test(line.time) || typeof line.msg !== 'string')).toEqual([]);
    const objects = lines as LogLine[];
    // No stack anywhere (a stack's frames read "    at …"), and at the default level no debug line.
    expect(objects.filter((line) => /\\n\s+at /.test(JSON.stringify(line)) || JSON.stringify(line).includes('"stack"'))).toEqual([]);
    expect(objects.filter((line) => line.level === 'debug' || line.level === 'trace')).toEqual([]);

    const line = { level: 'info', time: expect.stringMatching(ISO_TIME), service: 'gateway' };
    expect(objects.filter((l) => l.msg === 'request' && l.requestId === served!.requestId)).toEqual([
      { ...line, requestId: served!.requestId, method: 'POST', path: '/graphql', status: 200, durationMs: expect.any(Number), org: 'partner', purpose: 'STATISTICS', msg: 'request' },
    ]);
    expect(objects.filter((l) => l.msg === 'request' && l.requestId === failed!.requestId)).toEqual([
      { ...line, requestId: failed!.requestId, method: 'POST', path: '/graphql', status: 200, durationMs: expect.any(Number), org: 'court', purpose: 'CASE_HANDLING', msg: 'request' },
    ]);
    // The institution's failure: an error line with the request id, the error's name, message and cause.
    expect(objects.filter((l) => l.level === 'error' && l.requestId === failed!.requestId)).toEqual([
      {
        ...line,
        level: 'error',
        requestId: failed!.requestId,
        subgraph: 'government',
        err: { name: 'TypeError', message: 'fetch failed', cause: expect.stringContaining('ECONNREFUSED') },
        msg: 'the government subgraph did not answer',
      },
    ]);
    // The process's own events are lines too: where it listens, each institution's reachability, its stop.
    expect(objects.filter((l) => l.msg === 'listening' || l.msg.startsWith('subgraph ') || l.msg === 'stopping')).toEqual([
      ...['government', 'court', 'procuratorate'].map((subgraph) => ({
        ...line,
        level: 'warn',
        subgraph,
        url: expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+\/graphql$/),
        reason: 'connection refused',
        msg: 'subgraph unavailable; starting anyway, its fields are null until it answers',
      })),
      { ...line, url, msg: 'listening' },
      { ...line, signal: 'SIGTERM', graceSeconds: 10, msg: 'stopping' },
    ]);
  }, 90_000);

  it('at LOG_LEVEL=debug the stack follows on a debug line of its own, with the same request id', async () => {
    const port = await freePort();
    const gateway = startServiceProcess('gateway', { ...env, LOG_LEVEL: 'debug', GATEWAY_PORT: String(port), AUDIT_PORT: String(await freePort()) });
    const url = `http://127.0.0.1:${port}/graphql`;
    let failed: Awaited<ReturnType<typeof post>>;
    try {
      await expect.poll(() => listening(gateway.lines(), 'gateway', url), { timeout: 30_000 }).toBe(true);
      failed = await post(url, '{ district { name } }', { authorization: `Bearer ${await token('court', ['judge'])}`, 'x-purpose': 'CASE_HANDLING' });
      expect(failed.status).toBe(200);
      await expect.poll(() => gateway.lines().some((line) => typeof line === 'object' && line.msg === 'request' && line.requestId === failed.requestId), { timeout: 10_000 }).toBe(true);
    } finally {
      gateway.child.kill('SIGTERM');
    }
    await gateway.exited;
    const mine = gateway.lines().filter((line): line is LogLine => typeof line === 'object' && line.requestId === failed!.requestId && line.msg !== 'request');
    expect(mine).toEqual([
      expect.objectContaining({ level: 'error', msg: 'the government subgraph did not answer', err: { name: 'TypeError', message: 'fetch failed', cause: expect.stringContaining('ECONNREFUSED') } }),
      {
        level: 'debug',
        time: expect.stringMatching(ISO_TIME),
        service: 'gateway',
        requestId: failed!.requestId,
        subgraph: 'government',
        err: { name: 'TypeError', stack: expect.stringMatching(/^TypeError: fetch failed\n\s+at /) },
        msg: 'stack of: the government subgraph did not answer',
      },
    ]);
  }, 90_000);
});

describe('a failure to write the access log', () => {
  // The gateway's own access-log database, so that the record put in its way troubles no other file.
  const audit = { uri: inject('mongoUri'), database: `${AUDIT_DATABASE_NAME}_structured_logs` };
  let client: MongoClient;
  beforeAll(async () => {
    client = await MongoClient.connect(audit.uri);
    await client.db(audit.database).dropDatabase();
  });
  afterAll(async () => {
    await client.db(audit.database).dropDatabase();
    await client.close();
  });

  it('is an error line with the request id the caller got', async () => {
    const captured: LogLine[] = [];
    const previous = configureLogs({ level: 'info', destination: { write: (line) => void captured.push(JSON.parse(line) as LogLine) } });
    const gateway = await startTestGateway({}, testConfig(), audit);
    try {
      const headers = await callerHeaders(principal('partner', ['viewer']), 'STATISTICS');
      expect((await post(gateway.url, '{ __typename }', headers)).status).toBe(200);
      // Another writer takes the chain's next sequence number: the gateway's insert collides.
      const records = client.db(audit.database).collection('accessRecords');
      const head = await records.findOne({ chain: gateway.auditChain }, { sort: { seq: -1 }, projection: { _id: 0 } });
      await records.insertOne({ ...head, seq: (head!.seq as number) + 1, requestId: 'squatter' });
      const failed = await post(gateway.url, '{ __typename }', headers);
      expect({ status: failed.status, body: failed.body }).toEqual({
        status: 503,
        body: { errors: [{ message: 'The access log is unavailable: the request was not served', extensions: { code: 'AUDIT_UNAVAILABLE' } }] },
      });
      await expect.poll(() => captured.some((line) => line.msg === 'request' && line.requestId === failed.requestId)).toBe(true);
      expect(captured.filter((line) => line.requestId === failed.requestId)).toEqual([
        {
          level: 'error',
          time: expect.stringMatching(ISO_TIME),
          service: 'gateway',
          requestId: failed.requestId,
          err: expect.objectContaining({ name: expect.any(String), message: expect.any(String) }),
          msg: 'the access log could not be written; the request failed with AUDIT_UNAVAILABLE',
        },
        {
          level: 'info',
          time: expect.stringMatching(ISO_TIME),
          service: 'gateway',
          requestId: failed.requestId,
          method: 'POST',
          path: '/graphql',
          status: 503,
          durationMs: expect.any(Number),
          org: 'partner',
          purpose: 'STATISTICS',
          msg: 'request',
        },
      ]);
      // Production's way by default: the error's line has no stack.
      expect(captured.filter((line) => line.requestId === failed.requestId && JSON.stringify(line).includes('"stack"'))).toEqual([]);
    } finally {
      await gateway.stop();
      configureLogs(previous);
    }
  });
});
