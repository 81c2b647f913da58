// Rate limits per principal and per org as token buckets (gateway/token-bucket.ts): capacity the
// limit, one token back every window / limit. Decided from this replica's copy of the buckets,
// shared with the other replicas through the store in the background (gateway/rate-counters.ts), so
// a request waits for the store only when this replica first sees its caller or org. Past a limit:
// 429 RATE_LIMITED with Retry-After (the seconds until a token is back), logged like every refusal.
import { ErrorCode, Rejection, type PluginResponse } from '../../platform/index.js';
import type { GatewayPlugin } from '../plugin.js';
import type { Bucket, RateBuckets } from '../rate-counters.js';
import { takeToken } from '../token-bucket.js';

export interface RateLimits {
  /** Requests one principal (`sub`) may make per window: its bucket's capacity. */
  perPrincipal: number;
  /** Requests all callers of one org together may make per window: its bucket's capacity. */
  perOrg: number;
  windowSeconds: number;
}

export function useRateLimit(options: { buckets: RateBuckets; limits: RateLimits }): GatewayPlugin {
  const { buckets, limits } = options;
  const windowMs = limits.windowSeconds * 1000;
  const principalInterval = windowMs / limits.perPrincipal;
  const orgInterval = windowMs / limits.perOrg;

  /** Both buckets must give a token, or neither does. */
  function decide(mine: Bucket, org: Bucket, orgName: string, now: number, res: PluginResponse, next: (error?: unknown) => void) {
    const forMine = takeToken(mine.tat, now, principalInterval, windowMs);
    const forOrg = takeToken(org.tat, now, orgInterval, windowMs);
    if (forMine.admitted && forOrg.admitted) {
      buckets.admit(mine, forMine.tat, now);
      buckets.admit(org, forOrg.tat, now);
      return next();
    }
    const waitMs = Math.max(forMine.admitted ? 0 : forMine.retryAfterMs, forOrg.admitted ? 0 : forOrg.retryAfterMs);
    const over = forMine.admitted ? `${limits.perOrg} requests per ${limits.windowSeconds} s for ${orgName}` : `${limits.perPrincipal} requests per ${limits.windowSeconds} s for one caller`;
    res.setHeader('Retry-After', String(Math.max(1, Math.ceil(waitMs / 1000))));
    next(new Rejection(429, ErrorCode.RATE_LIMITED, `Too many requests: at most ${over}; try again after Retry-After seconds`));
  }

  return {
    name: 'rate-limit',
    // Not async: the common path decides synchronously, without a promise per request.
    onRequest(_req, res, next) {
      const principal = res.locals.principal;
      // The authentication plugin comes first in every list that has this one.
      if (!principal) return next(new Error('rate limit before authentication'));
      const now = Date.now();
      const mine = buckets.get(`principal:${principal.sub}`, principalInterval, now);
      const org = buckets.get(`org:${principal.org}`, orgInterval, now);
      if (mine instanceof Promise || org instanceof Promise) {
        return Promise.all([mine, org]).then(([m, o]) => decide(m, o, principal.org, Date.now(), res, next));
      }
      decide(mine, org, principal.org, now, res, next);
    },
  };
}
