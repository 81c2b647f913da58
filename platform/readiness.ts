// Readiness (`GET /ready`): whether this process can serve now, with the reason per dependency.
// `/health` stays a liveness check (the process answers); an orchestrator restarts on liveness and
// routes on readiness, so a dead store must not fail /health (a restart cures nothing) but must
// fail /ready (requests would only fail). Every check is bounded, they run concurrently, and the
// answer is remembered for a moment, so a storm of probes (every replica, every kubelet, a
// dashboard) costs the store at most one ping per check per `cacheMs`.
import type { Db } from 'mongodb';
import { serviceLog } from './log.js';
import type { ServiceFetch } from './tls.js';

/** One dependency's state. A reason names the failure for an operator; never a stack, address or credential. */
export type CheckResult = { ok: true } | { ok: false; reason: string };
/** A failure with what only the service's log may hold (the driver's message, an address). */
export class CheckFailure extends Error {
  constructor(
    readonly reason: string,
    readonly detail: string,
  ) {
    super(reason);
  }
}
/** A check: resolves when the dependency is usable, throws (a CheckFailure, or anything) when not. */
export type Check = () => Promise<void>;
/** The checks of a service, one level of grouping deep (the gateway's `subgraphs`). */
export type Checks = Record<string, Check | Record<string, Check>>;

export interface ReadinessReport {
  ready: boolean;
  checks: Record<string, CheckResult | Record<string, CheckResult>>;
}

export interface ReadinessOptions {
  /** How long one check may take before it counts as failed. Default 1000 ms. */
  timeoutMs?: number;
  /** How long an answer is reused. Default 1000 ms. */
  cacheMs?: number;
  /** Names the service in its log lines (a dependency going down or coming back). */
  service: string;
}

export const DEFAULT_READINESS = { timeoutMs: 1000, cacheMs: 1000 } as const;

/**
 * One check bounded by `timeoutMs`. While an earlier run of it is still pending past its bound (a
 * ping waiting out the driver's server selection), no other is started and the answer is at once
 * that it has not answered: one stuck ping per dependency, however many probes arrive.
 */
function bounded(check: Check, timeoutMs: number): Check {
  let pending: Promise<void> | null = null;
  const timedOut = () => new CheckFailure(`no answer within ${timeoutMs} ms`, `no answer within ${timeoutMs} ms`);
  return async () => {
    if (pending) throw timedOut();
    const run = check();
    pending = run;
    // Whoever settles it later, it is no longer pending (and its late failure is nobody's).
    run.then(
      () => void (pending = null),
      () => void (pending = null),
    );
    let timer: NodeJS.Timeout | undefined;
    try {
      await Promise.race([
        run,
        new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(timedOut()), timeoutMs);
          timer.unref();
        }),
      ]);
    } finally {
      clearTimeout(timer);
    }
  };
}

/** The service's readiness: `report()` runs every check (or reuses an answer younger than cacheMs). */
export function createReadiness(checks: Checks, options: ReadinessOptions): { report(): Promise<ReadinessReport> } {
  const { timeoutMs, cacheMs } = { ...DEFAULT_READINESS, ...options };
  const flat: { path: string[]; check: Check }[] = [];
  for (const [name, entry] of Object.entries(checks)) {
    if (typeof entry === 'function') flat.push({ path: [name], check: bounded(entry, timeoutMs) });
    else for (const [inner, check] of Object.entries(entry)) flat.push({ path: [name, inner], check: bounded(check, timeoutMs) });
  }
  // The last state logged per dependency: a change is logged once, not once per probe.
  const logged = new Map<string, string>();
  const log = serviceLog(options.service);
  let answer: { at: number; report: Promise<ReadinessReport> } | null = null;

  const run = async (): Promise<ReadinessReport> => {
    const results = await Promise.all(
      flat.map(async ({ path, check }): Promise<CheckResult> => {
        const name = path.join('.');
        try {
          await check();
          if (logged.get(name) !== undefined && logged.get(name) !== 'ok') log.info({ dependency: name }, `ready: ${name} is back`);
          logged.set(name, 'ok');
          return { ok: true };
        } catch (error) {
          const failure = error instanceof CheckFailure ? error : new CheckFailure('check failed', error instanceof Error ? `${error.name}: ${error.message}` : String(error));
          if (logged.get(name) !== failure.reason) log.warn({ dependency: name, reason: failure.reason, detail: failure.detail }, `not ready: ${name}: ${failure.reason}`);
          logged.set(name, failure.reason);
          return { ok: false, reason: failure.reason };
        }
      }),
    );
    const report: ReadinessReport = { ready: results.every((r) => r.ok), checks: {} };
    flat.forEach(({ path }, i) => {
      const [name, inner] = path as [string, string | undefined];
      if (inner === undefined) report.checks[name] = results[i]!;
      else ((report.checks[name] ??= {}) as Record<string, CheckResult>)[inner] = results[i]!;
    });
    return report;
  };

  return {
    report() {
      // An answer being computed is shared; a finished one is reused for cacheMs after it came.
      if (!answer || Date.now() - answer.at >= cacheMs) {
        const next = { at: Infinity, report: run() };
        void next.report.finally(() => (next.at = Date.now())).catch(() => {});
        answer = next;
      }
      return answer.report;
    },
  };
}

/** A MongoDB error's class, which tells an operator what kind of failure it was, without its text (addresses, hosts). */
function driverReason(error: unknown): string {
  const name = error instanceof Error ? error.name : '';
  if (name === 'MongoServerSelectionError' || name === 'MongoTopologyClosedError') return 'unreachable';
  if (name.startsWith('MongoNetwork')) return 'connection failed';
  if (name === 'MongoServerError') return `refused the ping (code ${(error as { code?: unknown }).code ?? 'unknown'})`;
  return 'ping failed';
}

/** A read from the store succeeds (`probe`: one small indexed read). */
export function storeCheck(probe: () => Promise<unknown>): Check {
  return async () => {
    try {
      await probe();
    } catch (error) {
      throw new CheckFailure(driverReason(error), error instanceof Error ? `${error.name}: ${error.message}` : String(error));
    }
  };
}

/** The store answers a `ping`. */
export function pingCheck(db: Db): Check {
  return storeCheck(() => db.command({ ping: 1 }));
}

/**
 * Another service of the graph is ready: its `/ready` (beside its GraphQL path) answers 200. A
 * service that has no /ready (an institution's older deployment: 404) counts when its /health does.
 */
export function serviceCheck(graphqlUrl: string, timeoutMs: number = DEFAULT_READINESS.timeoutMs, call: ServiceFetch = fetch): Check {
  const ready = new URL('ready', graphqlUrl);
  const health = new URL('health', graphqlUrl);
  const get = async (url: URL) => {
    try {
      return await call(url, { signal: AbortSignal.timeout(timeoutMs), headers: { accept: 'application/json' } });
    } catch (error) {
      const cause = (error as { cause?: { code?: unknown } }).cause;
      const code = typeof cause?.code === 'string' ? cause.code : null;
      const reason =
        error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError')
          ? `no answer within ${timeoutMs} ms`
          : code === 'ECONNREFUSED'
            ? 'connection refused'
            : code === 'ENOTFOUND' || code === 'EAI_AGAIN'
              ? 'host not found'
              : code
                ? `unreachable (${code})`
                : 'unreachable';
      throw new CheckFailure(reason, `${url.href}: ${error instanceof Error ? error.message : String(error)}${code ? ` (${code})` : ''}`);
    }
  };
  return async () => {
    let response = await get(ready);
    if (response.status === 404) {
      await response.body?.cancel();
      response = await get(health);
    }
    if (response.ok) return void (await response.body?.cancel());
    // Its own report names which of its dependencies failed: the names, not its reasons.
    const body = (await response.json().catch(() => null)) as ReadinessReport | null;
    // Names only of a check's shape (at most 8): the answer is the subgraph's, and this reason is
    // repeated on the gateway's public /ready and in its log.
    const failing =
      body && typeof body.checks === 'object' && body.checks !== null
        ? Object.entries(body.checks)
            .filter(([name, r]) => /^[A-Za-z][A-Za-z0-9_.-]{0,31}$/.test(name) && (r as { ok?: unknown } | null)?.ok === false)
            .map(([name]) => name)
            .slice(0, 8)
        : [];
    const reason = response.status === 503 && failing.length ? `not ready (${failing.join(', ')})` : `answered HTTP ${response.status}`;
    throw new CheckFailure(reason, `${response.url}: HTTP ${response.status}`);
  };
}
