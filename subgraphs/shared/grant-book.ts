// The grants on application an owner approved, kept in memory for its sharing rules (which decide
// synchronously, field by field) and refreshed from its store every couple of seconds, so a grant
// takes effect and ends on every replica within a few seconds, without a restart. Polling rather
// than a change stream: the embedded store (FerretDB 1.24) has none, and the grants are few. A
// replica that has not refreshed for a while stops trusting what it holds: it consults no grant
// (every field falls back to its static rules: deny) until a refresh succeeds again.
import { performance } from 'node:perf_hooks';
import type { ActiveGrant, GrantBook } from '../../auth/index.js';
import { logError, serviceLog, type Logger } from '../../platform/index.js';

export interface GrantBookOptions {
  /** How often the grants are read again (default 2 s). */
  refreshMs?: number;
  /** How old a successful read may be before no grant is trusted (default 10 s). */
  staleMs?: number;
  /** The institution whose grants these are, named in its log lines. */
  service?: string;
}

export class PollingGrantBook implements GrantBook {
  private byField = new Map<string, ActiveGrant[]>();
  private refreshedAt = Number.NEGATIVE_INFINITY;
  private timer: NodeJS.Timeout | null = null;
  private loadsStarted = 0;
  private lastApplied = 0;
  private readonly refreshMs: number;
  private readonly staleMs: number;
  private readonly log: Logger;

  constructor(
    private readonly load: () => Promise<ActiveGrant[]>,
    private readonly clock: () => Date,
    options: GrantBookOptions = {},
  ) {
    this.refreshMs = options.refreshMs ?? 2000;
    this.staleMs = options.staleMs ?? 10_000;
    this.log = serviceLog(options.service ?? 'grants');
  }

  /** Reads the grants again (a decision of this replica's calls it at once, not waiting for the next tick). */
  async refresh(): Promise<void> {
    // Loads may overlap (the timer's and a decision's): one that started before the last applied
    // one is older than it and is dropped, so a revoked grant never comes back from a slow read.
    const started = ++this.loadsStarted;
    const startedAt = performance.now();
    const grants = await this.load();
    if (started < this.lastApplied) return;
    this.lastApplied = started;
    const byField = new Map<string, ActiveGrant[]>();
    for (const grant of grants) {
      for (const field of grant.fields) {
        const key = `${grant.type}.${field}`;
        byField.set(key, [...(byField.get(key) ?? []), grant]);
      }
    }
    this.byField = byField;
    this.refreshedAt = startedAt;
  }

  async start(): Promise<void> {
    await this.refresh();
    this.timer = setInterval(() => {
      this.refresh().catch((error: unknown) => logError(this.log, 'the grants on application could not be read; the last read stands until it is stale', error, {}, 'warn'));
    }, this.refreshMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  grantsOn(type: string, field: string): readonly ActiveGrant[] | null {
    if (performance.now() - this.refreshedAt > this.staleMs) return null;
    return this.byField.get(`${type}.${field}`) ?? [];
  }

  now(): Date {
    return this.clock();
  }
}
