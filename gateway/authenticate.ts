// Gateway guards, in order: a valid caller token (401 UNAUTHENTICATED), then a valid purpose
// (400 PURPOSE_REQUIRED). Neither failure reaches a subgraph. What they establish is the call
// identity every subgraph call is signed with.
import { randomUUID } from 'node:crypto';
import type { RequestHandler } from 'express';
import { ErrorCode, InvalidTokenError, PURPOSES, parsePurpose, type CallIdentity, type TokenVerifier } from '../auth/index.js';
import { sendError } from '../subgraphs/shared/index.js';

const BEARER = /^Bearer ([A-Za-z0-9_-]+\.[A-Za-z0-9_-]*\.[A-Za-z0-9_-]*)$/;

export function useAuthentication(verify: TokenVerifier): RequestHandler {
  return async (req, res, next) => {
    const match = BEARER.exec(req.get('authorization') ?? '');
    try {
      if (!match) throw new InvalidTokenError('missing bearer token');
      res.locals.principal = await verify(match[1] as string);
      next();
    } catch (error) {
      if (!(error instanceof InvalidTokenError)) return next(error);
      res.setHeader('WWW-Authenticate', 'Bearer realm="linkage", error="invalid_token"');
      sendError(res, 401, ErrorCode.UNAUTHENTICATED, 'A valid bearer token is required');
    }
  };
}

export const PURPOSE_HEADER = 'x-purpose';

export function usePurpose(): RequestHandler {
  return (req, res, next) => {
    const purpose = parsePurpose(req.get(PURPOSE_HEADER));
    if (!purpose) {
      return sendError(res, 400, ErrorCode.PURPOSE_REQUIRED, `Declare the purpose of the request in the ${PURPOSE_HEADER} header: one of ${PURPOSES.join(', ')}`);
    }
    const requestId = randomUUID();
    res.setHeader('x-request-id', requestId);
    const identity: CallIdentity = { principal: res.locals.principal, purpose, requestId };
    res.locals.identity = identity;
    next();
  };
}
