// Attempts to get around the sharing rules. Each is refused for the protected field (or refused
// outright when it carries no valid credentials), while the rest of the response is served.
import { generateKeyPairSync, randomUUID } from 'node:crypto';
import { SignJWT, UnsecuredJWT } from 'jose';
import { beforeAll, describe, expect, it } from 'vitest';
import { ASSERTION_HEADER, assertionSigningKey, type CallIdentity } from '../auth/index.js';
import { demoData } from './support/seed-options.js';
import { callerHeaders, postGraphQL, postSubgraph, principal, sharedTestStack, testConfig, type TestStack } from './support/stack.js';

const forbidden = (path: (string | number)[], reason: string, serviceName: string) => ({
  message: `Not shared with you: ${reason}`,
  path,
  extensions: { code: 'FORBIDDEN', reason, serviceName },
});
const unauthenticated = (message: string) => ({ errors: [{ message, extensions: { code: 'UNAUTHENTICATED' } }] });

describe('bypass attempts', () => {
  let stack: TestStack;
  const showcase = () => demoData().showcase;
  const showcaseCase = () => demoData().court.adminCases.find((c) => c._id === showcase().adminCaseId)!;
  // A prosecutor may supervise court cases, but the panel's deliberation notes are the court's own.
  const prosecutor = () => callerHeaders(principal('procuratorate', ['prosecutor']), 'SUPERVISION');

  beforeAll(async () => {
    stack = await sharedTestStack();
  });

  describe('through the gateway, with a valid token', () => {
    it('an alias does not rename the field past its rule', async () => {
      const { body } = await postGraphQL(
        stack.gateway!.url,
        `query($id: ID!) { adminCase(id: $id) { number: caseNumber notes: deliberationNotes } }`,
        { id: showcase().adminCaseId },
        await prosecutor(),
      );
      expect(body).toEqual({
        data: { adminCase: { number: showcaseCase().caseNumber, notes: null } },
        errors: [forbidden(['adminCase', 'notes'], 'OWNER_ONLY', 'court')],
      });
    });

    it('named and inline fragments do not hide the field', async () => {
      const { body } = await postGraphQL(
        stack.gateway!.url,
        `query($id: ID!) { adminCase(id: $id) { ...Secret ... on AdminCase { again: deliberationNotes caseNumber } } }
         fragment Secret on AdminCase { deliberationNotes }`,
        { id: showcase().adminCaseId },
        await prosecutor(),
      );
      expect(body.data).toEqual({ adminCase: { deliberationNotes: null, again: null, caseNumber: showcaseCase().caseNumber } });
      expect(body.errors).toEqual([
        forbidden(['adminCase', 'deliberationNotes'], 'OWNER_ONLY', 'court'),
        forbidden(['adminCase', 'again'], 'OWNER_ONLY', 'court'),
      ]);
    });

    it('an entity join from another subgraph reaches the field under the owner’s rule', async () => {
      const supervision = demoData().procuratorate.supervisionCases.find((s) => s._id === showcase().supervisionCaseId)!;
      const { body } = await postGraphQL(
        stack.gateway!.url,
        `query($id: ID!) { supervisionCase(id: $id) { caseNumber adminCase { caseNumber deliberationNotes } } }`,
        { id: supervision._id },
        await prosecutor(),
      );
      expect(body).toEqual({
        data: { supervisionCase: { caseNumber: supervision.caseNumber, adminCase: { caseNumber: showcaseCase().caseNumber, deliberationNotes: null } } },
        errors: [forbidden(['supervisionCase', 'adminCase', 'deliberationNotes'], 'OWNER_ONLY', 'court')],
      });
    });
  });

  describe('calling a subgraph directly', () => {
    const entities = `query($r: [_Any!]!) { _entities(representations: $r) { ... on AdminCase { id caseNumber judge deliberationNotes } } }`;
    const court = () => stack.subgraphs.court!.url;

    it('`_entities` with a valid assertion for another principal is held to that principal’s rules', async () => {
      const identity: CallIdentity = { principal: principal('procuratorate', ['prosecutor']), purpose: 'SUPERVISION', requestId: randomUUID() };
      const { status, body } = await postSubgraph('court', court(), entities, { r: [{ __typename: 'AdminCase', id: showcase().adminCaseId }] }, identity);
      expect(status).toBe(200);
      expect(body.data).toEqual({ _entities: [{ id: showcase().adminCaseId, caseNumber: showcaseCase().caseNumber, judge: showcaseCase().judge, deliberationNotes: null }] });
      expect(body.errors).toEqual([
        { message: 'Not shared with you: OWNER_ONLY', locations: [{ line: 1, column: 95 }], path: ['_entities', 0, 'deliberationNotes'], extensions: { code: 'FORBIDDEN', reason: 'OWNER_ONLY' } },
      ]);
    });

    it('a spoofed representation is ignored: the record is reloaded from the owner’s store', async () => {
      // An officer of another agency claims the case belongs to their agency.
      const c = showcaseCase();
      const other = demoData().government.agencies.find((a) => a._id !== c.defendantId)!._id;
      const identity: CallIdentity = { principal: principal('government', ['agency_officer'], other), purpose: 'CASE_HANDLING', requestId: randomUUID() };
      const { body } = await postSubgraph('court', court(), `query($r: [_Any!]!) { _entities(representations: $r) { ... on AdminCase { id judge } } }`, {
        r: [{ __typename: 'AdminCase', id: c._id, defendantId: other, judge: 'spoofed', deliberationNotes: 'spoofed' }],
      }, identity);
      expect(body).toEqual({
        data: { _entities: [{ id: c._id, judge: null }] },
        errors: [{ message: 'Not shared with you: NOT_OWN_UNIT', locations: [{ line: 1, column: 78 }], path: ['_entities', 0, 'judge'], extensions: { code: 'FORBIDDEN', reason: 'NOT_OWN_UNIT' } }],
      });
    });

    const send = (headers: Record<string, string>, body: string, url = court()) =>
      fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body }).then(async (r) => ({ status: r.status, body: await r.json() }));
    const identity = (): CallIdentity => ({ principal: principal('court', ['judge']), purpose: 'CASE_HANDLING', requestId: randomUUID() });
    const query = JSON.stringify({ query: '{ _service { sdl } }' });
    const refused = { status: 401, body: unauthenticated('A valid gateway assertion is required') };

    it('no assertion: 401, `_service` included', async () => {
      expect(await send({}, query)).toEqual(refused);
      expect(await send({}, JSON.stringify({ query: `{ adminCase(id: "${showcase().adminCaseId}") { judge } }` }))).toEqual(refused);
    });

    it('an assertion signed with another key: 401', async () => {
      const { privateKey } = generateKeyPairSync('ed25519');
      const { signAssertion } = await import('../auth/index.js');
      expect(await send({ [ASSERTION_HEADER]: await signAssertion(privateKey, 'court', identity(), query) }, query)).toEqual(refused);
    });

    it('an expired assertion: 401', async () => {
      const { bodyHash } = await import('../auth/index.js');
      const who = identity();
      const past = Math.floor(Date.now() / 1000) - 600;
      const expired = await new SignJWT({ name: who.principal.name, org: who.principal.org, roles: who.principal.roles, unit: null, purpose: who.purpose, rid: who.requestId, bh: bodyHash(query) })
        .setProtectedHeader({ alg: 'EdDSA', typ: 'linkage-assertion+jwt' })
        .setIssuer('linkage-gateway').setAudience('court').setSubject(who.principal.sub).setJti(randomUUID())
        .setIssuedAt(past).setExpirationTime(past + 60)
        .sign(assertionSigningKey(testConfig().auth));
      expect(await send({ [ASSERTION_HEADER]: expired }, query)).toEqual(refused);
    });

    it('a captured assertion: replayed, with another body, or at another subgraph: 401', async () => {
      const first = await postSubgraph('court', court(), '{ _service { sdl } }', undefined, identity());
      expect(first.status).toBe(200);
      expect(typeof (first.body.data as { _service: { sdl: string } })._service.sdl).toBe('string');
      // The same assertion and body again.
      expect(await send({ [ASSERTION_HEADER]: first.assertion }, first.body_)).toEqual(refused);
      // A fresh assertion, captured, used with a different body before it is spent.
      const fresh = await postSubgraph('court', court(), '{ __typename }', undefined, identity());
      const other = await postSubgraph('court', court(), '{ __typename }', undefined, identity());
      expect(fresh.status).toBe(200);
      expect(other.status).toBe(200);
      const { signAssertion } = await import('../auth/index.js');
      const unspent = await signAssertion(assertionSigningKey(testConfig().auth), 'court', identity(), query);
      expect(await send({ [ASSERTION_HEADER]: unspent }, JSON.stringify({ query: `{ adminCase(id: "${showcase().adminCaseId}") { deliberationNotes } }` }))).toEqual(refused);
      // ... or at another subgraph.
      expect(await send({ [ASSERTION_HEADER]: unspent }, query, stack.subgraphs.government!.url)).toEqual(refused);
      // It was never spent by those refusals: at its own subgraph, with its own body, it still works once.
      expect((await send({ [ASSERTION_HEADER]: unspent }, query)).status).toBe(200);
      expect(await send({ [ASSERTION_HEADER]: unspent }, query)).toEqual(refused);
    });
  });

  describe('the gateway’s front door', () => {
    const query = `{ district { name } }`;
    const post = (headers: Record<string, string>) => postGraphQL(stack.gateway!.url, query, undefined, headers);
    const refused = { status: 401, body: unauthenticated('A valid bearer token is required') };
    const claims = { name: 'Mallory', org: 'court', roles: ['judge'] };
    const auth = testConfig().auth;

    it('refuses requests without credentials, and nothing reaches a subgraph', async () => {
      stack.resetCommands();
      expect(await post({ 'x-purpose': 'STATISTICS' })).toEqual(refused);
      expect(await post({ authorization: 'Bearer not-a-token', 'x-purpose': 'STATISTICS' })).toEqual(refused);
      expect(stack.commands).toEqual({ government: [], court: [], procuratorate: [] });
    });

    it('refuses `alg: none`, a wrong issuer or audience, an expired token and a forged signature', async () => {
      const { privateKey: foreign } = generateKeyPairSync('ed25519');
      const { loadOrCreateKeyPair } = await import('../auth/index.js');
      const issuerKey = loadOrCreateKeyPair(auth.keysDir, 'dev-token-issuer').privateKey;
      const now = Math.floor(Date.now() / 1000);
      const signed = (overrides: { iss?: string; aud?: string; exp?: number }, key = issuerKey) =>
        new SignJWT(claims)
          .setProtectedHeader({ alg: 'EdDSA' })
          .setSubject('mallory')
          .setIssuer(overrides.iss ?? auth.issuer)
          .setAudience(overrides.aud ?? auth.audience)
          .setIssuedAt(now - 120)
          .setExpirationTime(overrides.exp ?? now + 300)
          .sign(key);
      const none = new UnsecuredJWT(claims).setSubject('mallory').setIssuer(auth.issuer).setAudience(auth.audience).setIssuedAt().setExpirationTime('5m').encode();
      stack.resetCommands();
      for (const token of [
        none,
        await signed({ iss: 'https://evil.example/' }),
        await signed({ aud: 'some-other-api' }),
        await signed({ exp: now - 60 }),
        await signed({}, foreign),
      ]) {
        expect(await post({ authorization: `Bearer ${token}`, 'x-purpose': 'STATISTICS' })).toEqual(refused);
      }
      // The same token, properly signed, is accepted: the refusals above are for the defect alone.
      const good = await post({ authorization: `Bearer ${await signed({})}`, 'x-purpose': 'STATISTICS' });
      expect(good).toEqual({ status: 200, body: { data: { district: { name: demoData().government.district.name } } } });
      expect(stack.commands.court).toEqual([]);
    });

    it('refuses a missing or unknown purpose with PURPOSE_REQUIRED, before any subgraph', async () => {
      const { authorization } = await callerHeaders(principal('court', ['judge']), 'CASE_HANDLING');
      const refusedPurpose = {
        status: 400,
        body: {
          errors: [
            {
              message: 'Declare the purpose of the request in the x-purpose header: one of CASE_HANDLING, DISPUTE_RESOLUTION, SUPERVISION, STATISTICS, AUDIT',
              extensions: { code: 'PURPOSE_REQUIRED' },
            },
          ],
        },
      };
      stack.resetCommands();
      expect(await post({ authorization: authorization! })).toEqual(refusedPurpose);
      expect(await post({ authorization: authorization!, 'x-purpose': 'CURIOSITY' })).toEqual(refusedPurpose);
      expect(stack.commands).toEqual({ government: [], court: [], procuratorate: [] });
    });

    it('answers /health without a token', async () => {
      const response = await fetch(stack.gateway!.url.replace(/graphql$/, 'health'));
      expect({ status: response.status, body: await response.json() }).toEqual({ status: 200, body: { status: 'ok', service: 'gateway' } });
    });
  });
});
