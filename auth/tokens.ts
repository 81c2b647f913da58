// Callers' tokens: verified at the gateway with jose (signature, exp, iss, aud, allowed algorithms
// only), and issued for development by `npm run token`.
import type { KeyObject } from 'node:crypto';
import { SignJWT, createRemoteJWKSet, jwtVerify, type JWTVerifyGetKey } from 'jose';
import type { AuthConfig } from '../config/index.js';
import { loadOrCreateKeyPair } from './keys.js';
import { parsePrincipal, type Principal } from './principal.js';

export const DEV_ISSUER_KEY = 'dev-token-issuer';

export type TokenVerifier = (token: string) => Promise<Principal>;

export class InvalidTokenError extends Error {
  constructor(reason: string) {
    super(reason);
    this.name = 'InvalidTokenError';
  }
}

export function createTokenVerifier(config: AuthConfig): TokenVerifier {
  const key: KeyObject | JWTVerifyGetKey = config.jwksUrl
    ? createRemoteJWKSet(new URL(config.jwksUrl))
    : loadOrCreateKeyPair(config.keysDir, DEV_ISSUER_KEY).publicKey;
  return async (token) => {
    let payload: Record<string, unknown>;
    try {
      const verified = await jwtVerify(token, key as KeyObject, {
        issuer: config.issuer,
        audience: config.audience,
        algorithms: config.algorithms,
        requiredClaims: ['sub', 'exp', 'iat'],
        clockTolerance: 5,
      });
      payload = verified.payload as Record<string, unknown>;
    } catch {
      // jose's message names the failed check; the client only learns that the token is not valid.
      throw new InvalidTokenError('token is not valid');
    }
    const principal = parsePrincipal(payload);
    if (typeof principal === 'string') throw new InvalidTokenError(principal);
    return principal;
  };
}

/** A development token signed with the local issuer key (never used in production). */
export async function issueDevToken(
  config: AuthConfig,
  principal: Principal,
  ttlSeconds: number,
): Promise<string> {
  const { privateKey } = loadOrCreateKeyPair(config.keysDir, DEV_ISSUER_KEY);
  return new SignJWT({ name: principal.name, org: principal.org, roles: principal.roles, ...(principal.unit ? { unit: principal.unit } : {}) })
    .setProtectedHeader({ alg: 'EdDSA', typ: 'JWT' })
    .setSubject(principal.sub)
    .setIssuer(config.issuer)
    .setAudience(config.audience)
    .setIssuedAt()
    .setExpirationTime(Math.floor(Date.now() / 1000) + ttlSeconds)
    .sign(privateKey);
}
