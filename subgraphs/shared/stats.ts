// Statistics per period, batched: every (agency or district, period) a request asks for is
// answered by one `$group` aggregation per figure and period, whatever the number of agencies.
// Ratios are computed here from the counts, because FerretDB has no `$cond`/`$avg`.
import DataLoader from 'dataloader';
import type { Collection, Document, Filter } from 'mongodb';
import { periodKey, type Period } from '../../platform/index.js';

/** The scope of district-wide totals (the District entity's id). */
export const DISTRICT_ID = 'DISTRICT';
/** The district's short name, as its institutions' document numbers (文号) begin. */
export const DISTRICT_NAME = '示范区';

export interface StatsKey {
  /** An agency id, or DISTRICT_ID for the whole district. */
  scope: string;
  period: Period;
}

/** One row of a `$group`: its key fields (always including `agency`) and the count. */
export interface CountRow {
  key: Record<string, unknown> & { agency?: unknown };
  n: number;
}

export async function countBy<TDoc extends Document>(
  collection: Collection<TDoc>,
  match: Filter<TDoc>,
  keys: Record<string, `$${string}`>,
): Promise<CountRow[]> {
  const rows = await collection.aggregate([{ $match: match }, { $group: { _id: keys, n: { $sum: 1 } } }]).toArray();
  return rows.map((row) => ({ key: (row._id ?? {}) as CountRow['key'], n: Number(row.n) }));
}

/** Sums the rows of one scope (all rows for the district) that satisfy `where`. */
export function tally(rows: CountRow[], scope: string, where: (key: CountRow['key']) => boolean = () => true): number {
  let total = 0;
  for (const row of rows) {
    if ((scope === DISTRICT_ID || row.key.agency === scope) && where(row.key)) total += row.n;
  }
  return total;
}

/**
 * A per-request loader of one kind of statistics. `compute` runs the aggregations for one period
 * and returns a function that reads any scope's figures out of their rows.
 */
export function createStatsLoader<TStats>(
  compute: (period: Period) => Promise<(scope: string) => TStats>,
): DataLoader<StatsKey, TStats, string> {
  return new DataLoader<StatsKey, TStats, string>(
    async (keys) => {
      const byPeriod = new Map<string, Promise<(scope: string) => TStats>>();
      for (const { period } of keys) {
        const k = periodKey(period);
        if (!byPeriod.has(k)) byPeriod.set(k, compute(period));
      }
      return Promise.all(keys.map(async ({ scope, period }) => (await byPeriod.get(periodKey(period))!)(scope)));
    },
    { cacheKeyFn: ({ scope, period }) => `${scope}@${periodKey(period)}` },
  );
}

export function inPeriod(period: Period): { $gte: Date; $lt: Date } {
  return { $gte: period.from, $lt: period.to };
}
