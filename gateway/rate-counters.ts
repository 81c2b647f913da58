// Request counters for the rate limits, shared by every gateway replica through MongoDB (the
// deployment's own engine; no other store): one document per key and fixed window, incremented
// atomically. The only module that builds filters on them.
import type { Db } from 'mongodb';

interface Counter {
  _id: string;
  count: number;
  /** When the window ends; older counters are removed (a TTL index where the store has them, and here). */
  expiresAt: Date;
}

export interface RateCounters {
  /** Counts one request for each key in the window that starts at `windowStart`; returns the counts. */
  increment(keys: string[], windowStart: number, windowMs: number): Promise<number[]>;
}

export async function createRateCounters(db: Db): Promise<RateCounters> {
  const counters = db.collection<Counter>('rateLimitCounters');
  // MongoDB removes expired windows itself; a store without TTL indexes keeps them until the sweep below.
  await counters.createIndex({ expiresAt: 1 }, { expireAfterSeconds: 0 }).catch(() => counters.createIndex({ expiresAt: 1 }));
  let lastSweep = 0;
  return {
    async increment(keys, windowStart, windowMs) {
      const expiresAt = new Date(windowStart + windowMs);
      if (windowStart - lastSweep >= windowMs) {
        lastSweep = windowStart;
        void counters.deleteMany({ expiresAt: { $lt: new Date(windowStart) } }).catch(() => {});
      }
      return Promise.all(
        keys.map(async (key) => {
          const counter = await counters.findOneAndUpdate(
            { _id: `${key}|${windowStart}` },
            { $inc: { count: 1 }, $setOnInsert: { expiresAt } },
            { upsert: true, returnDocument: 'after' },
          );
          return counter?.count ?? 1;
        }),
      );
    },
  };
}
