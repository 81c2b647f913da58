// A caller's token is refused (401 UNAUTHENTICATED, logged REJECTED) when the provider signed
// something it should not have: no iat or exp, an iat in the future beyond the clock tolerance, a
// lifetime (exp − iat) above MAX_TOKEN_LIFETIME_SECONDS (12 h by default), or a `sub`, `name` or
// `unit` with control or format characters. The header names the check; the body is the same
// for every refusal. Development tokens (`npm run token`) stay acceptable.
import { MongoClient } from 'mongodb';
import { SignJWT, type JWTPayload } from 'jose';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { InvalidTokenError, createTokenVerifier, issueDevToken, loadOrCreateKeyPair } from '../auth/index.js';
import { AUDIT_DATABASE_NAME, loadConfig } from '../config/index.js';
import { demoData } from './support/seed-options.js';
import { principal, sharedTestStack, testConfig, type TestStack } from './support/stack.js';

const HOUR = 3600;

describe('caller token claims', () => {
  let stack: TestStack;
  let client: MongoClient;
  const auth = testConfig().auth;
  const now = () => Math.floor(Date.now() / 1000);
  const judge = { sub: 'court-judge-0007', name: '区法院 张法官', org: 'court', roles: ['judge'] };
  const officer = { sub: 'gov-officer-0001', name: '区自然资源局 李科员', org: 'government', roles: ['agency_officer'], unit: 'AG-NRB' };

  /** A token signed with the development issuer key, with exactly these claims (iat/exp included or left out). */
  const signed = (claims: JWTPayload) =>
    new SignJWT(claims)
      .setProtectedHeader({ alg: 'EdDSA' })
      .setIssuer(auth.issuer)
      .setAudience(auth.audience)
      .sign(loadOrCreateKeyPair(auth.keysDir, 'dev-token-issuer').privateKey);

  const ask = async (token: string) => {
    const response = await fetch(stack.gateway!.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}`, 'x-purpose': 'STATISTICS' },
      body: JSON.stringify({ query: '{ district { name } }' }),
    });
    return { status: response.status, body: await response.json(), wwwAuthenticate: response.headers.get('www-authenticate'), requestId: response.headers.get('x-request-id') };
  };
  const served = () => ({ status: 200, body: { data: { district: { name: demoData().government.district.name } } }, wwwAuthenticate: null });
  const refused = (reason: string) => ({
    status: 401,
    body: { errors: [{ message: 'A valid bearer token is required', extensions: { code: 'UNAUTHENTICATED' } }] },
    wwwAuthenticate: `Bearer realm="linkage", error="invalid_token", error_description="${reason}"`,
  });
  const record = async (requestId: string | null) =>
    client
      .db(AUDIT_DATABASE_NAME)
      .collection('accessRecords')
      .find({ requestId: requestId ?? 'missing' }, { projection: { _id: 0, outcome: 1, code: 1, httpStatus: 1, principal: 1, subgraphs: 1 } })
      .toArray();

  /** Asks the gateway with `claims`: the whole response, and the request's record. */
  const expectRefused = async (claims: JWTPayload, reason: string) => {
    const { requestId, ...response } = await ask(await signed(claims));
    expect(response).toEqual(refused(reason));
    expect(await record(requestId)).toEqual([{ principal: null, subgraphs: [], outcome: 'REJECTED', code: 'UNAUTHENTICATED', httpStatus: 401 }]);
  };
  const expectServed = async (claims: JWTPayload) => {
    const { requestId: _id, ...response } = await ask(await signed(claims));
    expect(response).toEqual(served());
  };

  beforeAll(async () => {
    stack = await sharedTestStack();
    client = await MongoClient.connect(inject('mongoUri'));
  });
  afterAll(async () => {
    await client?.close();
  });

  describe('iat and exp', () => {
    it('a token without iat, or without exp, is refused', async () => {
      await expectRefused({ ...judge, exp: now() + 300 }, 'token has no iat claim');
      await expectRefused({ ...judge, iat: now() - 60 }, 'token has no exp claim');
    });

    it('an iat in the future beyond the 5 s clock tolerance is refused; within it, served', async () => {
      await expectRefused({ ...judge, iat: now() + 60, exp: now() + 360 }, 'token issued in the future (iat beyond the 5 s clock tolerance)');
      await expectRefused({ ...judge, iat: now() + 7, exp: now() + 300 }, 'token issued in the future (iat beyond the 5 s clock tolerance)');
      await expectServed({ ...judge, iat: now() + 3, exp: now() + 300 });
    });

    it('a lifetime above 12 h is refused, even while the token is fresh; 12 h exactly is served', async () => {
      const iat = now() - 60;
      await expectRefused({ ...judge, iat, exp: iat + 12 * HOUR + 1 }, 'token lifetime (exp - iat) of 43201 s is above the maximum of 43200 s');
      await expectRefused({ ...judge, iat, exp: iat + 30 * 24 * HOUR }, 'token lifetime (exp - iat) of 2592000 s is above the maximum of 43200 s');
      await expectServed({ ...judge, iat, exp: iat + 12 * HOUR });
    });

    it('MAX_TOKEN_LIFETIME_SECONDS and CLOCK_TOLERANCE_SECONDS set the limits', async () => {
      const verify = createTokenVerifier(loadConfig({ KEYS_DIR: auth.keysDir, MAX_TOKEN_LIFETIME_SECONDS: '600', CLOCK_TOLERANCE_SECONDS: '0' }).auth);
      const iat = now() - 10;
      await expect(verify(await signed({ ...judge, iat, exp: iat + 601 }))).rejects.toThrow(
        new InvalidTokenError('token lifetime (exp - iat) of 601 s is above the maximum of 600 s'),
      );
      await expect(verify(await signed({ ...judge, iat: now() + 2, exp: now() + 300 }))).rejects.toThrow(
        new InvalidTokenError('token issued in the future (iat beyond the 0 s clock tolerance)'),
      );
      await expect(verify(await signed({ ...judge, iat, exp: iat + 600 }))).resolves.toEqual({ ...judge, unit: null });
    });
  });

  describe('control and format characters in sub, name and unit', () => {
    const invisible = [
      ['U+202E right-to-left override', '\u202E'],
      ['U+200B zero-width space', '\u200B'],
      ['U+2066 left-to-right isolate', '\u2066'],
      ['U+FEFF byte order mark', '\uFEFF'],
      ['U+0007 bell', '\u0007'],
      ['U+0085 next line', '\u0085'],
      ['U+2028 line separator', '\u2028'],
      ['U+2029 paragraph separator', '\u2029'],
      ['a lone surrogate', '\uD800'],
    ] as const;
    const textReason = (claim: string) => `${claim} must be a string of 1-128 characters without control or format characters`;

    it.each(invisible)('%s in sub or name: refused', async (_name, character) => {
      const times = { iat: now(), exp: now() + 300 };
      await expectRefused({ ...judge, ...times, sub: `court-judge${character}-0007` }, textReason('sub'));
      await expectRefused({ ...judge, ...times, name: `区法院 张${character}法官` }, textReason('name'));
    });

    it.each(invisible)('%s in unit: refused', async (_name, character) => {
      await expectRefused({ ...officer, iat: now(), exp: now() + 300, unit: `AG-${character}NRB` }, 'unit must be an agency id');
    });

    it('the same claims without the character are served; Chinese names and spaces are text', async () => {
      await expectServed({ ...judge, iat: now(), exp: now() + 300 });
      await expectServed({ ...officer, iat: now(), exp: now() + 300 });
    });
  });

  describe('development tokens', () => {
    const partner = principal('partner', ['viewer']);

    it('npm run token’s default lifetime (1 h), and the maximum, are accepted', async () => {
      const verify = createTokenVerifier(auth);
      await expect(verify(await issueDevToken(auth, partner, HOUR))).resolves.toEqual(partner);
      await expect(verify(await issueDevToken(auth, partner, 12 * HOUR))).resolves.toEqual(partner);
    });

    it('a lifetime the gateway would refuse is not issued', async () => {
      await expect(issueDevToken(auth, partner, 12 * HOUR + 1)).rejects.toThrow(
        new RangeError("a token's lifetime must be from 1 s to 43200 s (MAX_TOKEN_LIFETIME_SECONDS); got 43201 s"),
      );
    });
  });
});

// A verified token is remembered until it expires, so the gateway does not check the same
// signature on every request; the expiry is checked on every use.
describe('verified tokens remembered until they expire', () => {
  const auth = { ...testConfig().auth, clockToleranceSeconds: 0 };
  const who = { sub: 'court-judge-0008', name: '区法院 王法官', org: 'court', roles: ['judge'] };
  const signedFor = (seconds: number) => {
    const issuedAt = Math.floor(Date.now() / 1000);
    return new SignJWT({ name: who.name, org: who.org, roles: who.roles })
      .setProtectedHeader({ alg: 'EdDSA' })
      .setSubject(who.sub)
      .setIssuer(auth.issuer)
      .setAudience(auth.audience)
      .setIssuedAt(issuedAt)
      .setExpirationTime(issuedAt + seconds)
      .sign(loadOrCreateKeyPair(auth.keysDir, 'dev-token-issuer').privateKey);
  };

  it('answers a token seen before with the same, unchangeable caller', async () => {
    const verify = createTokenVerifier(auth);
    const token = await signedFor(HOUR);
    const first = await verify(token);
    expect(first).toEqual({ sub: who.sub, name: who.name, org: 'court', roles: ['judge'], unit: null });
    expect(await verify(token)).toBe(first);
    expect(Object.isFrozen(first) && Object.isFrozen(first.roles)).toBe(true);
  });

  it('refuses a remembered token once it has expired', async () => {
    const verify = createTokenVerifier(auth);
    const token = await signedFor(1);
    expect((await verify(token)).sub).toBe(who.sub);
    // exp is in whole seconds: past it for sure after two.
    await new Promise((resolve) => setTimeout(resolve, 2100));
    await expect(verify(token)).rejects.toEqual(new InvalidTokenError('token is not valid'));
  });
});
