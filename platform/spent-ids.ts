// Ids that may be used once, across every replica of a service: a collection of the spent ones in
// the service's own database, each kept until it may be forgotten. The insert is the check and the
// spending in one atomic step (the unique `_id` refuses a second), so two replicas offered the same
// id at the same moment cannot both accept it — which a read-then-write, or a copy in each
// process's memory, would allow. The only module that builds filters on such a collection.
import type { Db } from 'mongodb';

interface SpentId {
  _id: string;
  /** Past it the id may be forgotten: removed by MongoDB's TTL monitor, or by the sweep below where the store has none. */
  expiresAt: Date;
}

export interface SpentIds {
  /**
   * Spends `id`: true the first time, false if any replica spent it before. `forgetAt`: when it
   * may be forgotten (nothing can be accepted with it any more). Rejects when the store does not
   * answer or refuses the write: the caller cannot know whether the id was spent, and must not
   * accept what it guards.
   */
  spend(id: string, forgetAt: Date): Promise<boolean>;
}

export interface SpentIdsOptions {
  /**
   * How often, at most, this process deletes the ids past their time itself, where the store has
   * no TTL indexes (FerretDB 1.24 refuses the option; MongoDB removes them every 60 s on its own).
   * Default 60 s, MongoDB's own cadence. The sweep runs beside the request that triggers it,
   * never holding it.
   */
  sweepEveryMs?: number;
  /**
   * Each spending acknowledged by a majority of the replica set (production, where each MongoDB is
   * one): a spent id acknowledged by the primary alone could be rolled back by a failover, and its
   * assertion accepted again. Without it, the server's default write concern.
   */
  majorityWrites?: boolean;
}

/** MongoDB's code for an index option the server does not implement (FerretDB 1.24: `expireAfterSeconds`). */
const NOT_IMPLEMENTED = 238;
const DUPLICATE_KEY = 11000;
const codeOf = (error: unknown) => (error as { code?: unknown } | null)?.code;

export async function createSpentIds(db: Db, collectionName: string, options: SpentIdsOptions = {}): Promise<SpentIds> {
  const sweepEveryMs = options.sweepEveryMs ?? 60_000;
  const collection = db.collection<SpentId>(collectionName, options.majorityWrites ? { writeConcern: { w: 'majority' } } : {});
  // A TTL index where the store has them (MongoDB: production). FerretDB 1.24 refuses the option
  // (NotImplemented); there the same index, without it, serves the sweep's range.
  let sweeps = false;
  try {
    await collection.createIndex({ expiresAt: 1 }, { expireAfterSeconds: 0 });
  } catch (error) {
    if (codeOf(error) !== NOT_IMPLEMENTED) throw error;
    await collection.createIndex({ expiresAt: 1 });
    sweeps = true;
  }
  let lastSweep = 0;

  function sweep(now: number): void {
    if (!sweeps || now - lastSweep < sweepEveryMs) return;
    lastSweep = now;
    // Best effort: an id kept too long only takes space; the next sweep (or replica) removes it.
    void collection.deleteMany({ expiresAt: { $lt: new Date(now) } }).catch(() => {});
  }

  return {
    async spend(id, forgetAt) {
      sweep(Date.now());
      try {
        await collection.insertOne({ _id: id, expiresAt: forgetAt });
        return true;
      } catch (error) {
        if (codeOf(error) === DUPLICATE_KEY) return false;
        throw error;
      }
    },
  };
}
