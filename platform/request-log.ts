// One `info` line per request answered at /graphql and the other endpoints (not /health, /ready,
// /metrics, which pass no arrival hook): the operator's view of the traffic, with the request id
// the caller got, to find its other lines by. The access log is the record of what was disclosed;
// this line is for operations and carries no operation text and no token claims but the org.
import { performance } from 'node:perf_hooks';
import type { BaseContext } from '@apollo/server';
import type { Request } from 'express';
import type { LogFields, Logger } from './log.js';
import type { ServicePlugin } from './plugin.js';

/**
 * The route a request arrived by: `/graphql` for anything the arrival hooks mounted there, or the
 * endpoint's own path — in the service's spelling (routes match a path in any case).
 */
export function routeOf(req: Request): string {
  const route = req.baseUrl || (req.route as { path?: unknown } | undefined)?.path;
  return typeof route === 'string' ? route.toLowerCase() : 'other';
}

export interface RequestLogOptions {
  /** The service's log. */
  log: Logger;
  /**
   * What else the line says, read from `res.locals` once the answer has gone (the plugins have
   * run by then): the caller's org and purpose, and the request id where the service learns it
   * later than arrival (a subgraph: from the gateway's assertion). Default: nothing more.
   */
  fields?: (locals: Express.Locals) => LogFields;
}

/** Logs each request as it ends: id, method, path, status, duration, and the service's `fields`. */
export function useRequestLog<TContext extends BaseContext>(options: RequestLogOptions): ServicePlugin<TContext> {
  return {
    name: 'request-log',
    onArrival(req, res, next) {
      const startedAt = res.locals.startedAt ?? performance.now();
      // The route it came in by, as the service names it (never the path as typed: unbounded, any case).
      const path = routeOf(req);
      // 'close', not 'finish': it comes after a finished answer too, and also when the client went
      // away (or the service destroyed the socket) before the answer was done — that is a request too.
      res.once('close', () => {
        const extra = options.fields?.(res.locals) ?? {};
        options.log.info(
          {
            requestId: res.locals.requestId ?? null,
            method: req.method,
            path,
            // A client gone before any answer was sent has no status (Node's default 200 is not one).
            status: res.headersSent ? res.statusCode : null,
            durationMs: Math.round(performance.now() - startedAt),
            ...(res.locals.traceId ? { traceId: res.locals.traceId } : {}),
            ...Object.fromEntries(Object.entries(extra).filter(([, value]) => value !== undefined)),
            ...(res.writableFinished ? {} : { completed: false }),
          },
          'request',
        );
      });
      next();
    },
  };
}
