// A valid caller token, or 401 UNAUTHENTICATED before anything reaches a subgraph.
import { InvalidTokenError, type TokenVerifier } from '../../auth/index.js';
import { ErrorCode, Rejection } from '../../platform/index.js';
import type { GatewayPlugin } from '../plugin.js';

export interface AuthenticationOptions {
  /** Verifies a bearer token (auth's createTokenVerifier: JWKS in production, a local key in development). */
  verify: TokenVerifier;
}

const BEARER = /^Bearer ([A-Za-z0-9_-]+\.[A-Za-z0-9_-]*\.[A-Za-z0-9_-]*)$/;

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
        if (!(error instanceof InvalidTokenError)) return next(error);
        res.setHeader('WWW-Authenticate', 'Bearer realm="linkage", error="invalid_token"');
        next(new Rejection(401, ErrorCode.UNAUTHENTICATED, 'A valid bearer token is required'));
      }
    },
  };
}
