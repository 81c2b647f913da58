import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
// Gateway guards, in order: a valid caller token (401 UNAUTHENTICATED), then a valid purpose
// (400 PURPOSE_REQUIRED). Neither failure reaches a subgraph. What they establish is the call
// identity every subgraph call is signed with.
import type { RequestHandler } from 'express';
import { ErrorCode } from '../platform/index.js';
import { InvalidTokenError, PURPOSES, parsePurpose, type CallIdentity, type TokenVerifier } from '../auth/index.js';
import { Rejection } from '../platform/index.js';

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
      next(new Rejection(401, ErrorCode.UNAUTHENTICATED, 'A valid bearer token is required'));
    }
  };
}

export const PURPOSE_HEADER = 'x-purpose';

export function usePurpose(): RequestHandler {
  return (req, res, next) => {
    const purpose = parsePurpose(req.get(PURPOSE_HEADER));
    if (!purpose) {
      return next(new Rejection(400, ErrorCode.PURPOSE_REQUIRED, `Declare the purpose of the request in the ${PURPOSE_HEADER} header: one of ${PURPOSES.join(', ')}`));
    }
    const identity: CallIdentity = { principal: res.locals.principal, purpose, requestId: res.locals.requestId };
    res.locals.identity = identity;
    next();
  };
}

/** Every request gets an id (also sent back in `x-request-id`) and a start time, before any check. */
export function useRequestId(): RequestHandler {
  return (_req, res, next) => {
    res.locals.requestId = randomUUID();
    res.locals.startedAt = performance.now();
    res.setHeader('x-request-id', res.locals.requestId);
    next();
  };
}
