// When the identity provider's keys (JWKS_URL) cannot be fetched, a caller's token was never
// checked: the gateway answers 503 IDENTITY_PROVIDER_UNAVAILABLE within JWKS_TIMEOUT_MS and logs
// the request as FAILED, not 401 and REJECTED (which would blame the caller). The provider is a
// scripted fixture on loopback: stopped, hanging, answering an error, answering garbage, then back.
import { generateKeyPairSync } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { performance } from 'node:perf_hooks';
import { SignJWT, exportJWK } from 'jose';
import { MongoClient } from 'mongodb';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { AUDIT_DATABASE_NAME, loadConfig } from '../config/index.js';
import type { RunningGateway } from '../gateway/index.js';
import { demoData } from './support/seed-options.js';
import { sharedTestStack, startTestGateway, testConfig } from './support/stack.js';

type Behaviour = 'ok' | 'hang' | 'error' | 'garbage';

/** A JWKS endpoint whose behaviour a test sets, and which can be stopped and started on its port. */
class ScriptedProvider {
  behaviour: Behaviour = 'ok';
  private server: http.Server | null = null;
  private readonly sockets = new Set<Socket>();
  port = 0;

  constructor(private readonly jwks: object) {}

  async start(): Promise<void> {
    const server = http.createServer((_req, res) => {
      switch (this.behaviour) {
        case 'ok':
          return res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(this.jwks));
        case 'hang':
          return; // never answers
        case 'error':
          return res.writeHead(502, { 'content-type': 'text/plain' }).end('bad gateway');
        case 'garbage':
          return res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ keys: 'none' }));
      }
    });
    server.on('connection', (socket) => {
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
    });
    // The same port every time (libuv reuses the address), so a stopped provider is a refused connection.
    await new Promise<void>((resolve) => server.listen(this.port, '127.0.0.1', resolve));
    this.port = (server.address() as AddressInfo).port;
    this.server = server;
  }

  async stop(): Promise<void> {
    const server = this.server;
    this.server = null;
    for (const socket of this.sockets) socket.destroy();
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}/.well-known/jwks.json`;
  }
}

describe('the identity provider unavailable', () => {
  const issuer = 'https://idp.district.example/';
  const key = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const JWKS_TIMEOUT_MS = 1000;
  let provider: ScriptedProvider;
  let gateway: RunningGateway;
  let client: MongoClient;

  beforeAll(async () => {
    provider = new ScriptedProvider({ keys: [{ ...(await exportJWK(key.publicKey)), kid: 'idp-2026', alg: 'ES256', use: 'sig' }] });
    await provider.start();
    const stack = await sharedTestStack();
    const config = loadConfig({
      KEYS_DIR: testConfig().auth.keysDir,
      JWKS_URL: provider.url,
      JWKS_TIMEOUT_MS: String(JWKS_TIMEOUT_MS),
      JWT_ISSUER: issuer,
      JWT_AUDIENCE: 'linkage-graph',
    });
    gateway = await startTestGateway(stack.subgraphs, config);
    client = await MongoClient.connect(inject('mongoUri'));
  });
  afterAll(async () => {
    await gateway?.stop();
    await provider?.stop();
    await client?.close();
  });

  const token = (kid = 'idp-2026') =>
    new SignJWT({ name: '区法院 张法官', org: 'court', roles: ['judge'] })
      .setProtectedHeader({ alg: 'ES256', kid })
      .setSubject('court-judge-0007')
      .setIssuer(issuer)
      .setAudience('linkage-graph')
      .setIssuedAt()
      .setExpirationTime('5m')
      .sign(key.privateKey);

  const ask = async (authorization: string) => {
    const started = performance.now();
    const response = await fetch(gateway.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization, 'x-purpose': 'STATISTICS' },
      body: JSON.stringify({ query: '{ district { name } }' }),
    });
    return {
      status: response.status,
      body: await response.json(),
      wwwAuthenticate: response.headers.get('www-authenticate'),
      requestId: response.headers.get('x-request-id'),
      ms: performance.now() - started,
    };
  };

  const unavailable = {
    status: 503,
    body: { errors: [{ message: 'The identity provider is unavailable: the token could not be checked; try again later', extensions: { code: 'IDENTITY_PROVIDER_UNAVAILABLE' } }] },
    wwwAuthenticate: null,
  };

  /** The request's one access record, without what differs run to run. */
  const record = async (requestId: string | null) =>
    client
      .db(AUDIT_DATABASE_NAME)
      .collection('accessRecords')
      .find({ requestId: requestId ?? 'missing' }, { projection: { _id: 0, at: 0, hash: 0, prevHash: 0, seq: 0, block: 0, durationMs: 0, opens: 0, witnessed: 0 } })
      .toArray();
  const failed = (requestId: string | null) => [
    {
      v: 2,
      chain: gateway.auditChain,
      requestId,
      principal: null,
      purpose: 'STATISTICS',
      operationName: null,
      operationHash: expect.stringMatching(/^[0-9a-f]{64}$/),
      variablesDigest: null,
      fields: [],
      denied: [],
      subgraphs: [],
      outcome: 'FAILED',
      code: 'IDENTITY_PROVIDER_UNAVAILABLE',
      httpStatus: 503,
      day: new Date().toISOString().slice(0, 10),
      anyDenied: true,
    },
  ];

  // The cases run in order: once the provider has answered, jose keeps its keys for ten minutes,
  // so the outages come first and the recovery last.

  it('stopped (connection refused): 503 at once, logged FAILED with the code', async () => {
    await provider.stop();
    const { requestId, ms, ...response } = await ask(`Bearer ${await token()}`);
    expect(response).toEqual(unavailable);
    expect(ms).toBeLessThan(JWKS_TIMEOUT_MS);
    expect(await record(requestId)).toEqual(failed(requestId));
  });

  it('stopped: a token that needs no key (malformed, or an algorithm not allowed) is still the caller’s fault, 401', async () => {
    const hs256 = await new SignJWT({ org: 'court' }).setProtectedHeader({ alg: 'HS256' }).setIssuedAt().setExpirationTime('5m').sign(new Uint8Array(32));
    for (const authorization of ['Bearer not.a.token', `Bearer ${hs256}`]) {
      const { requestId, ms: _ms, ...response } = await ask(authorization);
      expect(response).toEqual({
        status: 401,
        body: { errors: [{ message: 'A valid bearer token is required', extensions: { code: 'UNAUTHENTICATED' } }] },
        wwwAuthenticate: 'Bearer realm="linkage", error="invalid_token", error_description="token is not valid"',
      });
      expect(await record(requestId)).toEqual([expect.objectContaining({ outcome: 'REJECTED', code: 'UNAUTHENTICATED', httpStatus: 401 })]);
    }
    await provider.start();
  });

  it('hanging (never answers): 503 after JWKS_TIMEOUT_MS, not later', async () => {
    provider.behaviour = 'hang';
    const { requestId, ms, ...response } = await ask(`Bearer ${await token()}`);
    expect(response).toEqual(unavailable);
    expect(ms).toBeGreaterThanOrEqual(JWKS_TIMEOUT_MS - 50);
    expect(ms).toBeLessThan(JWKS_TIMEOUT_MS + 2000);
    expect(await record(requestId)).toEqual(failed(requestId));
  });

  it.each([
    ['answering an error status', 'error'],
    ['answering something that is not a key set', 'garbage'],
  ] as const)('%s: 503', async (_name, behaviour) => {
    provider.behaviour = behaviour;
    const { requestId, ms: _ms, ...response } = await ask(`Bearer ${await token()}`);
    expect(response).toEqual(unavailable);
    expect(await record(requestId)).toEqual(failed(requestId));
  });

  it('back: the same token is served, and a key the provider does not publish is 401 again', async () => {
    provider.behaviour = 'ok';
    const { requestId: _id, ms: _ms, ...served } = await ask(`Bearer ${await token()}`);
    expect(served).toEqual({ status: 200, body: { data: { district: { name: demoData().government.district.name } } }, wwwAuthenticate: null });
    const { requestId, ms: _ms2, ...unknownKey } = await ask(`Bearer ${await token('idp-1999')}`);
    expect(unknownKey).toEqual({
      status: 401,
      body: { errors: [{ message: 'A valid bearer token is required', extensions: { code: 'UNAUTHENTICATED' } }] },
      wwwAuthenticate: 'Bearer realm="linkage", error="invalid_token", error_description="token is not valid"',
    });
    expect(await record(requestId)).toEqual([expect.objectContaining({ outcome: 'REJECTED', code: 'UNAUTHENTICATED', httpStatus: 401 })]);
  });
});
