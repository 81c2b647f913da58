// The gateway's signed assertion on every subgraph call: a short-lived EdDSA JWT naming the
// subgraph (aud), the caller and purpose, the request id and a hash of the exact request body,
// with a single-use jti. Subgraphs answer 401 to anything else, `_service` and `_entities`
// included, so nobody can reach a subgraph around the gateway's checks, or replay a captured call
// with another body, to another subgraph, or later.
import { createHash, randomUUID, type KeyObject } from 'node:crypto';
import { SignJWT, jwtVerify } from 'jose';
import { parsePrincipal, parsePurpose, type Principal, type Purpose } from './principal.js';

export const ASSERTION_HEADER = 'x-linkage-assertion';
const ISSUER = 'linkage-gateway';
const TYPE = 'linkage-assertion+jwt';
/** Lifetime of an assertion; a subgraph call takes far less. */
export const ASSERTION_TTL_SECONDS = 60;

export interface CallIdentity {
  principal: Principal;
  purpose: Purpose;
  requestId: string;
}

export function bodyHash(body: string | Buffer): string {
  return createHash('sha256').update(body).digest('base64url');
}

export async function signAssertion(privateKey: KeyObject, subgraph: string, identity: CallIdentity, body: string): Promise<string> {
  const { principal } = identity;
  return new SignJWT({
    name: principal.name,
    org: principal.org,
    roles: principal.roles,
    unit: principal.unit,
    purpose: identity.purpose,
    rid: identity.requestId,
    bh: bodyHash(body),
  })
    .setProtectedHeader({ alg: 'EdDSA', typ: TYPE })
    .setIssuer(ISSUER)
    .setAudience(subgraph)
    .setSubject(principal.sub)
    .setJti(randomUUID())
    .setIssuedAt()
    .setExpirationTime(Math.floor(Date.now() / 1000) + ASSERTION_TTL_SECONDS)
    .sign(privateKey);
}

/** Remembers the jti of every assertion until it expires, so each is accepted once. */
export class ReplayGuard {
  private readonly seen = new Map<string, number>();
  private lastSweep = 0;

  /** True the first time a jti is offered (before its expiry), false ever after. */
  accept(jti: string, expiresAtSeconds: number): boolean {
    const now = Date.now() / 1000;
    // Expired jtis can be forgotten (jwtVerify refuses their assertions anyway); sweep at most
    // once a second, so a busy subgraph does not scan the map on every call.
    if (now - this.lastSweep >= 1) {
      this.lastSweep = now;
      for (const [id, expiry] of this.seen) if (expiry < now) this.seen.delete(id);
    }
    if (this.seen.has(jti)) return false;
    this.seen.set(jti, expiresAtSeconds);
    return true;
  }
}

export class AssertionError extends Error {
  constructor(reason: string) {
    super(reason);
    this.name = 'AssertionError';
  }
}

/** Verifies an assertion for `subgraph` over the exact `body` bytes; returns who is asking. */
export async function verifyAssertion(
  publicKey: KeyObject,
  subgraph: string,
  token: string | undefined,
  body: Buffer,
  replays: ReplayGuard,
): Promise<CallIdentity> {
  if (!token) throw new AssertionError('missing assertion');
  let payload: Record<string, unknown>;
  try {
    ({ payload } = await jwtVerify(token, publicKey, {
      issuer: ISSUER,
      audience: subgraph,
      algorithms: ['EdDSA'],
      typ: TYPE,
      maxTokenAge: ASSERTION_TTL_SECONDS,
      requiredClaims: ['jti', 'exp', 'iat', 'sub'],
    }));
  } catch {
    throw new AssertionError('invalid assertion');
  }
  if (payload.bh !== bodyHash(body)) throw new AssertionError('assertion does not match the request body');
  const principal = parsePrincipal(payload);
  const purpose = parsePurpose(payload.purpose);
  if (typeof principal === 'string' || !purpose || typeof payload.rid !== 'string') throw new AssertionError('malformed assertion claims');
  if (!replays.accept(String(payload.jti), Number(payload.exp))) throw new AssertionError('assertion already used');
  return { principal, purpose, requestId: payload.rid };
}
