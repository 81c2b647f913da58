// The gateway's signed assertion on every subgraph call: a short-lived EdDSA JWT naming the
// subgraph (aud), the caller and purpose, the request id and a hash of the exact request body,
// with a single-use jti. Subgraphs answer 401 to anything else, `_service` and `_entities`
// included, so nobody can reach a subgraph around the gateway's checks, or replay a captured call
// with another body, to another subgraph, or later.
import { createHash, randomUUID, type KeyObject } from 'node:crypto';
import { SignJWT, jwtVerify } from 'jose';
import { DEFAULT_CLOCK_TOLERANCE_SECONDS } from '../config/index.js';
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

/** `now`: the signer's clock in milliseconds (a test plays a gateway whose clock is off with it). */
export async function signAssertion(privateKey: KeyObject, subgraph: string, identity: CallIdentity, body: string, now: number = Date.now()): Promise<string> {
  const { principal } = identity;
  const issuedAt = Math.floor(now / 1000);
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
    .setIssuedAt(issuedAt)
    .setExpirationTime(issuedAt + ASSERTION_TTL_SECONDS)
    .sign(privateKey);
}

/**
 * Remembers the jti of every assertion until it can no longer be accepted — its expiry plus the
 * clock tolerance, since verification accepts it that much past `exp` — so each is accepted once.
 */
export class ReplayGuard {
  private readonly seen = new Map<string, number>();
  private lastSweep = 0;

  /**
   * How far the gateway's clock may be from this subgraph's (CLOCK_TOLERANCE_SECONDS): with none,
   * gateway and subgraphs on different hosts refused every assertion issued a fraction of a second
   * "ahead". verifyAssertion reads it here, so verification and forgetting cannot disagree.
   */
  constructor(readonly clockToleranceSeconds: number = DEFAULT_CLOCK_TOLERANCE_SECONDS) {}

  /** True the first time a jti is offered (before its expiry), false ever after. */
  accept(jti: string, expiresAtSeconds: number): boolean {
    const now = Date.now() / 1000;
    // Jtis past expiry and tolerance can be forgotten (jwtVerify refuses their assertions anyway);
    // sweep at most once a second, so a busy subgraph does not scan the map on every call.
    if (now - this.lastSweep >= 1) {
      this.lastSweep = now;
      for (const [id, forgetAt] of this.seen) if (forgetAt < now) this.seen.delete(id);
    }
    if (this.seen.has(jti)) return false;
    this.seen.set(jti, expiresAtSeconds + this.clockToleranceSeconds);
    return true;
  }
}

export class AssertionError extends Error {
  constructor(reason: string) {
    super(reason);
    this.name = 'AssertionError';
  }
}

/**
 * Verifies an assertion for `subgraph` over the exact `body` bytes, with the replay guard's clock
 * tolerance; returns who is asking.
 */
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
      // Applies to exp, and to iat both ways: issued "in the future" or older than the TTL.
      clockTolerance: replays.clockToleranceSeconds,
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
