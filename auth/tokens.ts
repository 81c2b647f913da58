// Callers' tokens: verified at the gateway with jose (signature, exp, iss, aud, allowed algorithms
// only, then iat and lifetime), and issued for development by `npm run token`.
import type { KeyObject } from 'node:crypto';
import { SignJWT, createRemoteJWKSet, errors, jwtVerify, type JWTVerifyGetKey } from 'jose';
import type { AuthConfig } from '../config/index.js';
import { loadOrCreateKeyPair } from './keys.js';
import { parsePrincipal, type Principal } from './principal.js';

export const DEV_ISSUER_KEY = 'dev-token-issuer';

export type TokenVerifier = (token: string) => Promise<Principal>;

/**
 * The token is refused (401). `reason` says why; the refusals after the signature has been
 * checked name their check (the caller holds a token the provider signed, so nothing leaks).
 */
export class InvalidTokenError extends Error {
  constructor(reason: string) {
    super(reason);
    this.name = 'InvalidTokenError';
  }
}

/**
 * The identity provider's keys could not be had (JWKS_URL refused, timed out, answered something
 * else than a key set): the token was never checked, so the caller is not to blame (503).
 */
export class IdentityProviderUnavailableError extends Error {
  constructor(cause: unknown) {
    super(`the identity provider's keys (JWKS_URL) could not be fetched: ${describeCause(cause)}`, { cause });
    this.name = 'IdentityProviderUnavailableError';
  }
}

/** "fetch failed (ECONNREFUSED)": a failed fetch says why only in its cause. */
function describeCause(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const inner = error.cause as { code?: unknown; message?: unknown } | undefined;
  const detail = inner && typeof inner === 'object' ? (typeof inner.code === 'string' ? inner.code : typeof inner.message === 'string' ? inner.message : null) : null;
  return detail ? `${error.message} (${detail})` : error.message;
}

/**
 * Whether jose's key resolver failed to obtain the key set, rather than found no key for this token.
 * jose throws JWKSTimeout on a timeout, the fetch's own error (not a JOSEError) when the connection
 * fails, a generic JOSEError on a status other than 200 or a body that is not JSON, and JWKSInvalid
 * on JSON that is not a key set. JWKSNoMatchingKey and JWKSMultipleMatchingKeys are about the
 * token's `kid`/`alg` (jose has already re-fetched the set once for an unknown kid): the caller's.
 */
function keySetUnavailable(error: unknown): boolean {
  if (!(error instanceof errors.JOSEError)) return true;
  return error instanceof errors.JWKSTimeout || error instanceof errors.JWKSInvalid || error.code === errors.JOSEError.code;
}

/** The provider's published keys, fetched (and cached by jose) within `timeoutMs`. */
function remoteKeys(url: string, timeoutMs: number): JWTVerifyGetKey {
  const keys = createRemoteJWKSet(new URL(url), { timeoutDuration: timeoutMs });
  return async (header, token) => {
    try {
      return await keys(header, token);
    } catch (error) {
      throw keySetUnavailable(error) ? new IdentityProviderUnavailableError(error) : error;
    }
  };
}

/** How many verified tokens the gateway remembers (a partner frontend's users reuse theirs for hours). */
const VERIFIED_TOKENS_KEPT = 10_000;

export function createTokenVerifier(config: AuthConfig): TokenVerifier {
  const key: KeyObject | JWTVerifyGetKey = config.jwksUrl
    ? remoteKeys(config.jwksUrl, config.jwksTimeoutMs)
    : loadOrCreateKeyPair(config.keysDir, DEV_ISSUER_KEY).publicKey;
  const tolerance = config.clockToleranceSeconds;
  // A token verified once stays so until it expires: the same exact string is not checked again
  // (its signature, issuer and audience cannot have changed; its expiry is checked on every use).
  // Oldest first out, so a flood of distinct tokens costs memory up to the bound and no more.
  const verified = new Map<string, { principal: Principal; exp: number }>();
  return async (token) => {
    const known = verified.get(token);
    if (known) {
      if (known.exp + tolerance > Date.now() / 1000) return known.principal;
      verified.delete(token);
    }
    const principal = await verify(token);
    if (verified.size >= VERIFIED_TOKENS_KEPT) verified.delete(verified.keys().next().value!);
    // Shared by every request that brings this token: nobody may change it.
    Object.freeze(principal.principal.roles);
    verified.set(token, { principal: Object.freeze(principal.principal), exp: principal.exp });
    return principal.principal;
  };

  async function verify(token: string): Promise<{ principal: Principal; exp: number }> {
    let payload: Record<string, unknown>;
    try {
      const verified = await jwtVerify(token, key as KeyObject, {
        issuer: config.issuer,
        audience: config.audience,
        algorithms: config.algorithms,
        // Without iat the lifetime below cannot be known; without exp a token never expires.
        requiredClaims: ['sub', 'exp', 'iat'],
        clockTolerance: tolerance,
      });
      payload = verified.payload as Record<string, unknown>;
    } catch (error) {
      if (error instanceof IdentityProviderUnavailableError) throw error;
      // jose checks claims only once the signature holds, so a missing one may be named.
      if (error instanceof errors.JWTClaimValidationFailed && error.reason === 'missing') throw new InvalidTokenError(`token has no ${error.claim} claim`);
      // jose's message names the failed check; the client only learns that the token is not valid.
      throw new InvalidTokenError('token is not valid');
    }
    // jose checks iat's type but not its value (unless given a maximum age, which is not the
    // lifetime): a token "issued" in the future, or one issued to live for weeks, is a token the
    // provider should never have signed — a stolen one would stay usable for as long.
    const iat = payload.iat as number;
    const exp = payload.exp as number;
    if (iat > Date.now() / 1000 + tolerance) throw new InvalidTokenError(`token issued in the future (iat beyond the ${tolerance} s clock tolerance)`);
    if (exp - iat > config.maxTokenLifetimeSeconds) {
      throw new InvalidTokenError(`token lifetime (exp - iat) of ${exp - iat} s is above the maximum of ${config.maxTokenLifetimeSeconds} s`);
    }
    const principal = parsePrincipal(payload);
    if (typeof principal === 'string') throw new InvalidTokenError(principal);
    return { principal, exp };
  }
}

/** A development token signed with the local issuer key (never used in production); it lives at most MAX_TOKEN_LIFETIME_SECONDS. */
export async function issueDevToken(
  config: AuthConfig,
  principal: Principal,
  ttlSeconds: number,
): Promise<string> {
  // The gateway would refuse a longer-lived token: say so here rather than hand out a useless one.
  if (!Number.isInteger(ttlSeconds) || ttlSeconds < 1 || ttlSeconds > config.maxTokenLifetimeSeconds) {
    throw new RangeError(`a token's lifetime must be from 1 s to ${config.maxTokenLifetimeSeconds} s (MAX_TOKEN_LIFETIME_SECONDS); got ${ttlSeconds} s`);
  }
  const { privateKey } = loadOrCreateKeyPair(config.keysDir, DEV_ISSUER_KEY);
  const issuedAt = Math.floor(Date.now() / 1000);
  return new SignJWT({ name: principal.name, org: principal.org, roles: principal.roles, ...(principal.unit ? { unit: principal.unit } : {}) })
    .setProtectedHeader({ alg: 'EdDSA', typ: 'JWT' })
    .setSubject(principal.sub)
    .setIssuer(config.issuer)
    .setAudience(config.audience)
    .setIssuedAt(issuedAt)
    .setExpirationTime(issuedAt + ttlSeconds)
    .sign(privateKey);
}
