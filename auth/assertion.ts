// The gateway's signed assertion on every subgraph call: a short-lived EdDSA JWT naming the
// subgraph (aud), the caller and purpose, the request id and a hash of the exact request body,
// with a single-use jti. Subgraphs answer 401 to anything else, `_service` and `_entities`
// included, so nobody can reach a subgraph around the gateway's checks, or replay a captured call
// with another body, to another subgraph, or later.
import { createHash, randomUUID, type KeyObject } from 'node:crypto';
import { SignJWT, jwtVerify } from 'jose';
import type { Db } from 'mongodb';
import { DEFAULT_CLOCK_TOLERANCE_SECONDS } from '../config/index.js';
import { createSpentIds, isTraceparent, type SpentIds } from '../platform/index.js';
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
  /**
   * The W3C trace context of the gateway's fetch (platform/tracing.ts), signed with the rest: a
   * subgraph continues the request's trace from it, and from nothing a client could set.
   */
  traceparent?: string;
}

export function bodyHash(body: string | Buffer): string {
  return createHash('sha256').update(body).digest('base64url');
}

/**
 * `now`: the signer's clock in milliseconds (a test plays a gateway whose clock is off with it).
 * The identity's traceparent, when there is one, is signed as the `tp` claim.
 */
export async function signAssertion(privateKey: KeyObject, subgraph: string, identity: CallIdentity, body: string, now: number = Date.now()): Promise<string> {
  const { principal } = identity;
  if (identity.traceparent !== undefined && !isTraceparent(identity.traceparent)) throw new Error('not a W3C traceparent');
  const issuedAt = Math.floor(now / 1000);
  return new SignJWT({
    name: principal.name,
    org: principal.org,
    roles: principal.roles,
    unit: principal.unit,
    purpose: identity.purpose,
    rid: identity.requestId,
    bh: bodyHash(body),
    ...(identity.traceparent ? { tp: identity.traceparent } : {}),
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

/** Each subgraph's spent assertions, in its own database (platform/spent-ids.ts). */
export const SPENT_ASSERTIONS = 'spentAssertions';

/**
 * Accepts each assertion once across every replica of a subgraph: its jti is spent in the
 * subgraph's own database (SPENT_ASSERTIONS), which all its replicas share. A guard in each
 * process's memory let a captured assertion be spent once at every replica behind the load
 * balancer (issue #15). A jti is kept until no replica can accept its assertion any more: its
 * expiry plus the clock tolerance (verification accepts it that much past `exp`), plus the
 * tolerance again, since the replica or store that forgets it (the sweep, MongoDB's TTL monitor)
 * may have a clock that far ahead of the replica that would still accept it.
 */
export class ReplayGuard {
  /**
   * `clockToleranceSeconds`: how far the gateway's clock may be from this subgraph's
   * (CLOCK_TOLERANCE_SECONDS); with none, gateway and subgraphs on different hosts refused every
   * assertion issued a fraction of a second "ahead". verifyAssertion reads it here, so verification
   * and forgetting cannot disagree.
   */
  constructor(
    private readonly spent: SpentIds,
    readonly clockToleranceSeconds: number = DEFAULT_CLOCK_TOLERANCE_SECONDS,
  ) {}

  /** True the first time a jti is offered at any replica, false ever after; rejects when the store cannot say. */
  accept(jti: string, expiresAtSeconds: number): Promise<boolean> {
    return this.spent.spend(jti, new Date((expiresAtSeconds + 2 * this.clockToleranceSeconds) * 1000));
  }
}

/**
 * The replay guard over `db`'s spent assertions (the subgraph's own database); creates its index.
 * `clockToleranceSeconds`: CLOCK_TOLERANCE_SECONDS (default 5 s); `majorityWrites`: each spending
 * acknowledged by a majority of the replica set (production).
 */
export async function createReplayGuard(db: Db, options: { clockToleranceSeconds?: number; majorityWrites?: boolean } = {}): Promise<ReplayGuard> {
  return new ReplayGuard(await createSpentIds(db, SPENT_ASSERTIONS, { majorityWrites: options.majorityWrites }), options.clockToleranceSeconds);
}

export class AssertionError extends Error {
  constructor(reason: string) {
    super(reason);
    this.name = 'AssertionError';
  }
}

/**
 * The store did not answer (or refused) when the assertion's jti was to be spent: whether it was
 * spent before is unknown, so the call must be refused — not for the caller's fault (401), but as
 * the subgraph being unavailable. Never accepted unchecked.
 */
export class ReplayCheckUnavailableError extends Error {
  constructor(
    readonly requestId: string,
    cause: unknown,
  ) {
    super('the spent assertions could not be checked', { cause });
    this.name = 'ReplayCheckUnavailableError';
  }
}

/**
 * Verifies an assertion for `subgraph` over the exact `body` bytes, with the replay guard's clock
 * tolerance, and spends it; returns who is asking. Throws AssertionError for an assertion that is
 * not valid (or already spent), ReplayCheckUnavailableError when the store cannot say whether it is.
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
  if (typeof principal === 'string' || !purpose || typeof payload.rid !== 'string' || typeof payload.jti !== 'string') throw new AssertionError('malformed assertion claims');
  if (payload.tp !== undefined && !isTraceparent(payload.tp)) throw new AssertionError('malformed assertion claims');
  // Spent last: a call refused for anything else leaves its assertion unspent.
  let first: boolean;
  try {
    first = await replays.accept(payload.jti, Number(payload.exp));
  } catch (error) {
    throw new ReplayCheckUnavailableError(payload.rid, error);
  }
  if (!first) throw new AssertionError('assertion already used');
  return { principal, purpose, requestId: payload.rid, ...(payload.tp ? { traceparent: payload.tp } : {}) };
}
