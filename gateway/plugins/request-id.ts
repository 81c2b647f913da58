import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import type { GatewayPlugin } from '../plugin.js';

export interface RequestIdOptions {
  /** The response header that carries the id back to the caller. Default `x-request-id`. */
  header?: string;
}

/** Every request, whatever its method, gets an id (sent back to the caller) and a start time, before any check. */
export function useRequestId(options: RequestIdOptions = {}): GatewayPlugin {
  const header = options.header ?? 'x-request-id';
  return {
    name: 'request-id',
    onArrival(_req, res, next) {
      res.locals.requestId = randomUUID();
      res.locals.startedAt = performance.now();
      res.setHeader(header, res.locals.requestId);
      next();
    },
  };
}
