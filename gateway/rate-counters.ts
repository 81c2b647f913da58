// The rate limits' token buckets (gateway/token-bucket.ts), decided by each gateway replica from its
// own copy and shared with the others through MongoDB (the deployment's own engine; no other store)
// in the background: a request waits for the store only when this replica first sees its key. The
// only module that builds filters on the buckets.
import type { Db } from 'mongodb';
import { logError, serviceLog } from '../platform/index.js';

const log = serviceLog('gateway');

interface StoredBucket {
  _id: string;
  /** Theoretical arrival time, ms since the epoch: when the bucket is full again. */
  tat: number;
  /** The writer's view of `tat` plus W (slack for what others admitted unseen): past it the document is removed (a TTL index where the store has them, and a sweep here). */
  expiresAt: Date;
}

/** One key's bucket as this replica sees it. */
export interface Bucket {
  readonly key: string;
  /** ms per token (W/L). */
  readonly intervalMs: number;
  /** The shared `tat` as last read, plus what this replica admitted since. */
  tat: number;
  /** Admissions not yet written to the store, and the time of the earliest. */
  pending: number;
  pendingSince: number;
  /** When a request last asked for this bucket. */
  usedAt: number;
}

export interface RateBuckets {
  /** The bucket of `key`; on this replica's first sight of the key, a promise of it read from the store. */
  get(key: string, intervalMs: number, now: number): Bucket | Promise<Bucket>;
  /** Records one admission at `now`, after which the bucket's `tat` is `tat`. */
  admit(bucket: Bucket, tat: number, now: number): void;
  /** Stops the background sync after writing what is pending. */
  stop(): Promise<void>;
}

/**
 * How long a first sight waits for the store before deciding on a full bucket (the next sync
 * corrects it): a read by `_id` takes milliseconds, and a stalled store must not hold requests.
 */
const FIRST_READ_TIMEOUT_MS = 500;

export async function createRateBuckets(db: Db, options: { windowMs: number; syncMs: number }): Promise<RateBuckets> {
  const { windowMs, syncMs } = options;
  const store = db.collection<StoredBucket>('rateLimitBuckets');
  // MongoDB removes idle buckets itself; a store without TTL indexes keeps them until the sweep below.
  await store.createIndex({ expiresAt: 1 }, { expireAfterSeconds: 0 }).catch(() => store.createIndex({ expiresAt: 1 }));
  const buckets = new Map<string, Bucket>();
  const loading = new Map<string, Promise<Bucket>>();
  // In a failure streak: reported once, and keys seen for the first time are not read.
  let failing = false;
  let lastSweep = 0;

  /** The shared `tat` of `key`; 0 (a full bucket) if the store has none, or does not answer in time. */
  async function read(key: string): Promise<number> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<null>((resolve) => (timer = setTimeout(() => resolve(null), FIRST_READ_TIMEOUT_MS)));
    try {
      return (await Promise.race([store.findOne({ _id: key }), timeout]))?.tat ?? 0;
    } catch {
      return 0; // the local bucket still limits; the sync reports the store
    } finally {
      clearTimeout(timer);
    }
  }

  function remember(key: string, intervalMs: number, tat: number, now: number): Bucket {
    const bucket: Bucket = { key, intervalMs, tat, pending: 0, pendingSince: 0, usedAt: now };
    buckets.set(key, bucket);
    return bucket;
  }

  /** Writes this replica's admissions, then reads back every key it uses (and its sweep, once per window). */
  async function sync(readBack: boolean): Promise<void> {
    const now = Date.now();
    // A key idle for a window has a full bucket (tat ≤ last use + W): forgetting it loses nothing.
    for (const [key, bucket] of buckets) if (bucket.pending === 0 && bucket.usedAt < now - windowMs) buckets.delete(key);
    const batch = [...buckets.values()].filter((bucket) => bucket.pending > 0).map((bucket) => ({ bucket, count: bucket.pending, since: bucket.pendingSince }));
    // Taken off now: what is admitted while the writes are under way waits for the next sync.
    for (const { bucket } of batch) bucket.pending = 0;
    try {
      if (batch.length) {
        // Together `tat = max(tat, since) + count·interval`: GCRA's update for `count` requests from
        // `since` on. Another replica's pair in between adds its own requests to the same sum, which
        // can only make the result later (stricter), never lose a request. The expiry leaves W of
        // slack beyond this replica's view for what the others admitted that it has not read yet.
        await store.bulkWrite(
          batch.flatMap(({ bucket, count, since }) => [
            { updateOne: { filter: { _id: bucket.key }, update: { $max: { tat: since, expiresAt: new Date(bucket.tat + windowMs) } }, upsert: true } },
            { updateOne: { filter: { _id: bucket.key }, update: { $inc: { tat: count * bucket.intervalMs } } } },
          ]),
          { ordered: true },
        );
      }
      if (readBack && buckets.size) {
        for (const stored of await store.find({ _id: { $in: [...buckets.keys()] } }, { projection: { tat: 1 } }).toArray()) {
          const bucket = buckets.get(stored._id);
          if (!bucket) continue;
          // The shared tat holds every replica's written admissions; add this one's made since.
          bucket.tat = bucket.pending ? Math.max(stored.tat, bucket.pendingSince) + bucket.pending * bucket.intervalMs : stored.tat;
        }
      }
      if (failing) log.info('the rate-limit buckets are shared through the store again');
      failing = false;
      if (now - lastSweep >= windowMs) {
        lastSweep = now;
        void store.deleteMany({ expiresAt: { $lt: new Date(now) } }).catch(() => {});
      }
    } catch (error) {
      // The batch is not written again: a write that did land would count twice, and admissions
      // kept through a long outage would lock their keys for as long afterwards. The local buckets
      // limited them meanwhile.
      if (!failing) logError(log, 'the rate-limit buckets cannot be shared through the store; each gateway limits alone until it answers', error, {}, 'warn');
      failing = true;
    }
  }

  let running: Promise<void> | null = null;
  const timer = setInterval(() => {
    // A slow store skips ticks rather than piling syncs up.
    running ??= sync(true).finally(() => (running = null));
  }, syncMs);
  timer.unref();

  return {
    get(key, intervalMs, now) {
      const bucket = buckets.get(key);
      if (bucket) {
        bucket.usedAt = now;
        return bucket;
      }
      let reading = loading.get(key);
      if (reading) return reading;
      // The store known to be unreachable: a full bucket at once rather than a request held.
      if (failing) return remember(key, intervalMs, 0, now);
      reading = read(key)
        .then((tat) => buckets.get(key) ?? remember(key, intervalMs, tat, now))
        .finally(() => loading.delete(key));
      loading.set(key, reading);
      return reading;
    },
    admit(bucket, tat, now) {
      if (bucket.pending++ === 0) bucket.pendingSince = now;
      bucket.tat = tat;
    },
    async stop() {
      clearInterval(timer);
      await running;
      await sync(false);
    },
  };
}
