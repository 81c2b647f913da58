// A token bucket as GCRA, the generic cell rate algorithm (ITU-T I.371; as in redis-cell and
// Brandur Leach's "throttled"). A bucket of capacity L that gets one token back every W/L is one
// number per key: its theoretical arrival time `tat`, when the bucket would be full again (a bucket
// whose `tat` is past is full). Pure arithmetic: where `tat` is kept is gateway/rate-counters.ts.

export type BucketDecision = { admitted: true; tat: number } | { admitted: false; retryAfterMs: number };

/**
 * Takes one token at `now` (ms) from the bucket at `tat`, for a limit that gives one token back
 * every `intervalMs` (W/L) and holds `windowMs` (W) worth of them. A refusal takes nothing and says
 * how long until a token is back.
 */
export function takeToken(tat: number, now: number, intervalMs: number, windowMs: number): BucketDecision {
  const next = Math.max(tat, now) + intervalMs;
  // The tolerance: an interval such as 60000/7 ms is not exact in binary, and L of them must fit in W.
  if (next - now <= windowMs + 1e-6) return { admitted: true, tat: next };
  return { admitted: false, retryAfterMs: next - now - windowMs };
}
