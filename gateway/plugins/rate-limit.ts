// Rate limits per principal and per org: fixed windows counted in MongoDB, so that every gateway
// replica counts against the same limit. Past a limit: 429 RATE_LIMITED with Retry-After (the
// seconds to the window's end), logged like every refusal. If the counters cannot be reached the
// request goes on (the access log, in the same store, then decides whether it can be served) and
// the operator hears of it.
import { ErrorCode, Rejection } from '../../platform/index.js';
import type { GatewayPlugin } from '../plugin.js';
import type { RateCounters } from '../rate-counters.js';

export interface RateLimits {
  /** Requests one principal (`sub`) may make per window. */
  perPrincipal: number;
  /** Requests all callers of one org together may make per window. */
  perOrg: number;
  windowSeconds: number;
}

export function useRateLimit(options: { counters: RateCounters; limits: RateLimits }): GatewayPlugin {
  const { counters, limits } = options;
  const windowMs = limits.windowSeconds * 1000;
  return {
    name: 'rate-limit',
    async onRequest(_req, res, next) {
      const principal = res.locals.principal;
      // The authentication plugin comes first in every list that has this one.
      if (!principal) return next(new Error('rate limit before authentication'));
      const now = Date.now();
      const windowStart = now - (now % windowMs);
      let counts: number[];
      try {
        counts = await counters.increment([`principal:${principal.sub}`, `org:${principal.org}`], windowStart, windowMs);
      } catch (error) {
        console.error(`[gateway] request ${res.locals.requestId ?? '(no id)'}: the rate-limit counters could not be read; the request goes on:`, error);
        return next();
      }
      const [mine, org] = counts as [number, number];
      const over = mine > limits.perPrincipal ? `${limits.perPrincipal} requests per ${limits.windowSeconds} s for one caller` : org > limits.perOrg ? `${limits.perOrg} requests per ${limits.windowSeconds} s for ${principal.org}` : null;
      if (!over) return next();
      res.setHeader('Retry-After', String(Math.max(1, Math.ceil((windowStart + windowMs - now) / 1000))));
      next(new Rejection(429, ErrorCode.RATE_LIMITED, `Too many requests: at most ${over}; try again after Retry-After seconds`));
    },
  };
}
