// A valid caller token, or 401 UNAUTHENTICATED before anything reaches a subgraph. When the
// identity provider's keys cannot be fetched the token was never checked: that is our outage, not
// the caller's fault, so it is 503 IDENTITY_PROVIDER_UNAVAILABLE (logged FAILED, not REJECTED).
import { IdentityProviderUnavailableError, InvalidTokenError, type TokenVerifier } from '../../auth/index.js';
import { ErrorCode, Rejection, serviceLog } from '../../platform/index.js';
import type { GatewayPlugin } from '../plugin.js';

export interface AuthenticationOptions {
  /** Verifies a bearer token (auth's createTokenVerifier: JWKS in production, a local key in development). */
  verify: TokenVerifier;
}

const BEARER = /^Bearer ([A-Za-z0-9_-]+\.[A-Za-z0-9_-]*\.[A-Za-z0-9_-]*)$/;

/** A reason fit for a quoted header parameter (RFC 6750 error_description: printable ASCII but `"` and `\`). */
const describe = (reason: string) => reason.replace(/[^\x20-\x21\x23-\x5b\x5d-\x7e]/g, '?').slice(0, 200);

export function useAuthentication(options: AuthenticationOptions): GatewayPlugin {
  return {
    name: 'authentication',
    async onRequest(req, res, next) {
      const match = BEARER.exec(req.get('authorization') ?? '');
      try {
        if (!match) throw new InvalidTokenError('missing bearer token');
        res.locals.principal = await options.verify(match[1] as string);
        next();
      } catch (error) {
        if (error instanceof IdentityProviderUnavailableError) {
          // The operator needs the cause (refused, timed out, not a key set); the client does not.
          serviceLog('gateway').error({ requestId: res.locals.requestId ?? null, reason: error.message }, 'the identity provider is unavailable: the token could not be checked');
          return next(new Rejection(503, ErrorCode.IDENTITY_PROVIDER_UNAVAILABLE, 'The identity provider is unavailable: the token could not be checked; try again later'));
        }
        if (!(error instanceof InvalidTokenError)) return next(error);
        // The body says only that the token is not valid, as for every refusal; for a token that
        // was presented, the header says which check failed (jose's own failures stay "token is
        // not valid": see auth/tokens.ts).
        const description = match ? `, error_description="${describe(error.message)}"` : '';
        res.setHeader('WWW-Authenticate', `Bearer realm="linkage", error="invalid_token"${description}`);
        next(new Rejection(401, ErrorCode.UNAUTHENTICATED, 'A valid bearer token is required'));
      }
    },
  };
}
