// Production identity: the gateway takes the identity provider's keys from JWKS_URL (here a JWKS
// served on loopback), accepts its tokens, and refuses tokens signed with any other key.
import { generateKeyPairSync } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { SignJWT, exportJWK } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../config/index.js';
import type { RunningGateway } from '../gateway/index.js';
import { demoData } from './support/seed-options.js';
import { callerHeaders, postGraphQL, principal, startTestGateway, startTestStack, testConfig, type TestStack } from './support/stack.js';

describe('tokens from an identity provider (JWKS_URL)', () => {
  const provider = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  let jwks: http.Server;
  let stack: TestStack;
  let gateway: RunningGateway;
  const issuer = 'https://idp.district.example/';

  beforeAll(async () => {
    const jwk = { ...(await exportJWK(provider.publicKey)), kid: 'idp-2026', alg: 'ES256', use: 'sig' };
    jwks = http.createServer((_req, res) => res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ keys: [jwk] })));
    await new Promise<void>((resolve) => jwks.listen(0, '127.0.0.1', resolve));
    stack = await startTestStack({});
    const config = loadConfig({
      KEYS_DIR: testConfig().auth.keysDir,
      JWKS_URL: `http://127.0.0.1:${(jwks.address() as AddressInfo).port}/.well-known/jwks.json`,
      JWT_ISSUER: issuer,
      JWT_AUDIENCE: 'linkage-graph',
    });
    gateway = await startTestGateway(stack.subgraphs, config);
  });
  afterAll(async () => {
    await gateway?.stop();
    await stack?.stop();
    jwks?.close();
  });

  const idpToken = (kid: string, key = provider.privateKey) =>
    new SignJWT({ name: '区法院 张法官', org: 'court', roles: ['judge'] })
      .setProtectedHeader({ alg: 'ES256', kid })
      .setSubject('court-judge-0007')
      .setIssuer(issuer)
      .setAudience('linkage-graph')
      .setIssuedAt()
      .setExpirationTime('5m')
      .sign(key);

  it('accepts a token the provider signed', async () => {
    const caseId = demoData().showcase.adminCaseId;
    const response = await postGraphQL(gateway.url, `{ adminCase(id: "${caseId}") { caseNumber } }`, undefined, {
      authorization: `Bearer ${await idpToken('idp-2026')}`,
      'x-purpose': 'CASE_HANDLING',
    });
    expect(response).toEqual({
      status: 200,
      body: { data: { adminCase: { caseNumber: demoData().court.adminCases.find((c) => c._id === caseId)!.caseNumber } } },
    });
  });

  it('refuses a development token, and a token signed with another key under the provider’s key id', async () => {
    const refused = { status: 401, body: { errors: [{ message: 'A valid bearer token is required', extensions: { code: 'UNAUTHENTICATED' } }] } };
    const dev = await callerHeaders(principal('court', ['judge']), 'CASE_HANDLING');
    expect(await postGraphQL(gateway.url, '{ district { name } }', undefined, dev)).toEqual(refused);
    const impostor = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey;
    expect(
      await postGraphQL(gateway.url, '{ district { name } }', undefined, { authorization: `Bearer ${await idpToken('idp-2026', impostor)}`, 'x-purpose': 'CASE_HANDLING' }),
    ).toEqual(refused);
  });
});
