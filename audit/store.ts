// Where a log lives: two collections in the writer's own database (records and checkpoints),
// with the unique index that makes sequence numbers unique per chain. The only module that
// builds filters on them.
import type { Collection, Db, Document, Filter, WriteConcernSettings } from 'mongodb';
import type { ChainLink, Checkpoint } from './chain.js';

/** A record as stored: its chain link, time, block (records of format 2 since blocks; see BLOCK_SIZE) and entry. */
export type StoredRecord<TEntry> = ChainLink & { at: Date; block?: number } & TEntry;

/**
 * A record's key, `<chain>:<seq, 12 digits>`, and a checkpoint's, `<chain>:<first seq, 12 digits>`:
 * deterministic, so a record or checkpoint can be named (and a second one for the same place is
 * refused by the store).
 */
export const recordKey = (chain: string, seq: number) => `${chain}:${String(seq).padStart(12, '0')}`;
const checkpointKey = recordKey;

/**
 * Records and checkpoints carry their block: a thousand sequence numbers. A store that pushes only
 * equality filters down (the embedded FerretDB) finds the few records added since a verified
 * checkpoint by `{chain, block}`, where a `seq` range would make it decode the whole chain.
 */
export const BLOCK_SIZE = 1000;
export const blockOf = (seq: number) => Math.floor(seq / BLOCK_SIZE);

/**
 * The chain registry: every chain a writer of this log ever opened, with the last sequence number
 * it is known to have reached. Verification holds the records to it, so a chain deleted whole, or
 * its tail with the checkpoints that cover it, is missed.
 */
export interface ChainEntry {
  _id: string;
  service: string;
  startedAt: Date;
  /** Refreshed with every checkpoint tick while the writer lives. */
  heartbeatAt: Date;
  lastSeq: number;
  /** Closed at the writer's stop, or by a later writer that signed its tail after it died. */
  closed: boolean;
  closedBy: string | null;
}

/**
 * Another party's signed head, as this log recorded it (audit/witness.ts): the latest per chain of
 * that party's log, an index of what the chained records carry.
 */
export interface WitnessEntry {
  _id: string;
  log: string;
  chain: string;
  seq: number;
  hash: string;
}

export interface AuditLogStoreOptions {
  /** Writes acknowledged by a majority and journaled: a record a response waited for survives a failover. */
  majorityWrites?: boolean;
}

export function createAuditLogStore<TEntry extends Document>(db: Db, name: string, options: AuditLogStoreOptions = {}) {
  const writeConcern: WriteConcernSettings | undefined = options.majorityWrites ? { w: 'majority', journal: true } : undefined;
  const records = db.collection<StoredRecord<TEntry>>(`${name}Records`, writeConcern ? { writeConcern } : {});
  const checkpoints = db.collection<Checkpoint>(`${name}Checkpoints`, writeConcern ? { writeConcern } : {});
  const registry = db.collection<ChainEntry>(`${name}Chains`, writeConcern ? { writeConcern } : {});
  const witnesses = db.collection<WitnessEntry>(`${name}Witnesses`, writeConcern ? { writeConcern } : {});

  return {
    name,
    records: records as unknown as Collection<Document>,
    checkpoints,

    async ensureIndexes(extra: Record<string, 1 | -1>[] = []): Promise<void> {
      await records.createIndex({ chain: 1, seq: 1 }, { unique: true });
      // Time ranges, and the auditors' search newest first (`at`, then `_id`, read backwards).
      await records.createIndex({ at: 1, _id: 1 });
      await records.createIndex({ requestId: 1 });
      await records.createIndex({ chain: 1, block: 1 });
      for (const index of extra) await records.createIndex(index);
      await checkpoints.createIndex({ chain: 1, seq: 1 }, { unique: true });
      // At most one checkpoint starts at any sequence number: a retried checkpoint whose first
      // attempt landed late is refused, never stored beside it.
      await checkpoints.createIndex({ chain: 1, fromSeq: 1 }, { unique: true });
      await checkpoints.createIndex({ chain: 1, block: 1 });
      // The heads witnessed of another party's log (witnessesOf), in chain order.
      await witnesses.createIndex({ log: 1, chain: 1 });
    },

    /** Ordered: a failure stops at the failing record, and the caller treats the batch as lost. */
    async insert(batch: StoredRecord<TEntry>[]): Promise<void> {
      await records.insertMany(batch as never[], { ordered: true });
    },

    async insertCheckpoint(checkpoint: Checkpoint): Promise<void> {
      // The block (of its first sequence number) is a locator beside the signed fields, not one of them.
      await checkpoints.insertOne({ _id: checkpointKey(checkpoint.chain, checkpoint.fromSeq), block: blockOf(checkpoint.fromSeq), ...checkpoint } as never);
    },

    async lastRecord(chain: string): Promise<StoredRecord<TEntry> | null> {
      return (await records.find({ chain } as Filter<StoredRecord<TEntry>>, { sort: { seq: -1 }, limit: 1 }).toArray())[0] as StoredRecord<TEntry> | null ?? null;
    },

    async register(chain: string, service: string, lastSeq: number): Promise<void> {
      const now = new Date();
      await registry.updateOne(
        { _id: chain },
        // $max: a writer restarting on a chain whose tail was cut must not lower what the registry knew.
        { $set: { heartbeatAt: now, closed: false, closedBy: null }, $max: { lastSeq }, $setOnInsert: { service, startedAt: now } },
        { upsert: true },
      );
    },

    /** The live writer's sign of life; it also reopens its chain if another process took it for dead. */
    async heartbeat(chain: string, lastSeq: number): Promise<void> {
      await registry.updateOne({ _id: chain }, { $set: { heartbeatAt: new Date(), closed: false, closedBy: null }, $max: { lastSeq } });
    },

    async closeChain(chain: string, lastSeq: number, closedBy: string): Promise<void> {
      await registry.updateOne({ _id: chain }, { $set: { closed: true, closedBy, heartbeatAt: new Date() }, $max: { lastSeq } });
    },

    /** Chains of `service` still open whose writer has not been heard from since `before`. */
    staleChains(service: string, before: Date): Promise<ChainEntry[]> {
      return registry.find({ service, closed: false, heartbeatAt: { $lt: before } }).toArray() as Promise<ChainEntry[]>;
    },

    /** Keeps the latest witnessed head of another log's chain (a later one replaces it, an earlier one does not). */
    async noteWitness(head: Omit<WitnessEntry, '_id'>): Promise<void> {
      const _id = `${head.log}|${head.chain}`;
      try {
        await witnesses.updateOne({ _id, seq: { $lt: head.seq } }, { $set: { log: head.log, chain: head.chain, seq: head.seq, hash: head.hash } }, { upsert: true });
      } catch (error) {
        // A later head is there already: its _id exists, but not below this seq.
        if ((error as { code?: number }).code !== 11000) throw error;
      }
    },

    /** The latest head of each chain of `log` that this log witnessed. */
    witnessesOf(log: string): Promise<WitnessEntry[]> {
      return witnesses.find({ log }, { sort: { chain: 1 } }).toArray() as Promise<WitnessEntry[]>;
    },

    /** The hashes of the records at these (chain, seq) points, by record key. */
    async hashesAt(points: { chain: string; seq: number }[]): Promise<Map<string, string>> {
      if (points.length === 0) return new Map();
      const keys = points.map((p) => recordKey(p.chain, p.seq));
      const found = await records.find({ _id: { $in: keys } } as Filter<StoredRecord<TEntry>>, { projection: { hash: 1 } }).toArray();
      return new Map(found.map((doc) => [String(doc._id), String((doc as { hash?: unknown }).hash)]));
    },

    registeredChains(): Promise<ChainEntry[]> {
      return registry.find({}).toArray() as Promise<ChainEntry[]>;
    },

    /** The checkpoint of `chain` that starts at `fromSeq`, if any. */
    async checkpointFrom(chain: string, fromSeq: number): Promise<Checkpoint | null> {
      return checkpoints.findOne({ chain, fromSeq }, { projection: { _id: 0, block: 0 } }) as Promise<Checkpoint | null>;
    },

    async lastCheckpoint(chain: string): Promise<Checkpoint | null> {
      return (await checkpoints.find({ chain }, { sort: { seq: -1 }, limit: 1 }).toArray())[0] ?? null;
    },

    /** Every chain with a record, or in the registry. */
    async chains(): Promise<string[]> {
      const rows = await records.aggregate([{ $group: { _id: '$chain' } }]).toArray();
      const registered = await registry.find({}, { projection: { _id: 1 } }).toArray();
      return [...new Set([...rows.map((row) => String(row._id)), ...registered.map((entry) => entry._id)])].sort();
    },

    /** One chain's records in sequence order (after `afterSeq`), streamed. */
    recordsOf(chain: string, afterSeq = 0): AsyncIterable<StoredRecord<TEntry>> {
      return records.find({ chain, seq: { $gt: afterSeq } } as Filter<StoredRecord<TEntry>>, { sort: { seq: 1 }, batchSize: 1000 }) as unknown as AsyncIterable<
        StoredRecord<TEntry>
      >;
    },

    /** One chain's checkpoints in order (those ending after `afterSeq`). */
    checkpointsOf(chain: string, afterSeq = 0): Promise<Checkpoint[]> {
      return checkpoints.find({ chain, seq: { $gt: afterSeq } }, { sort: { seq: 1 }, projection: { _id: 0, block: 0 } }).toArray() as Promise<Checkpoint[]>;
    },

    /**
     * The records of a chain after `afterSeq`, read block by block (equality filters only) while
     * each block is full. Quick, for the few records added since a verified checkpoint; a record
     * missing at a block's end stops it early, which verification then reports or re-reads.
     */
    async *recentRecordsOf(chain: string, afterSeq: number): AsyncIterable<StoredRecord<TEntry>> {
      for (let block = blockOf(afterSeq + 1); ; block++) {
        const found = (await records.find({ chain, block } as Filter<StoredRecord<TEntry>>, { sort: { seq: 1 } }).toArray()) as StoredRecord<TEntry>[];
        for (const record of found) if (record.seq > afterSeq) yield record;
        if (found.at(-1)?.seq !== (block + 1) * BLOCK_SIZE - 1) return;
      }
    },

    /** The checkpoints of a chain that start after `afterSeq` and no later than `uptoSeq`, by block. */
    async recentCheckpointsOf(chain: string, afterSeq: number, uptoSeq: number): Promise<Checkpoint[]> {
      const found: Checkpoint[] = [];
      for (let block = blockOf(afterSeq + 1); block <= blockOf(uptoSeq); block++) {
        found.push(...((await checkpoints.find({ chain, block }, { projection: { _id: 0, block: 0 } }).toArray()) as Checkpoint[]));
      }
      return found.filter((checkpoint) => checkpoint.fromSeq > afterSeq).sort((a, b) => a.seq - b.seq);
    },

    /** Records of a time range [from, to), all chains, in time then chain order. */
    recordsBetween(from: Date, to: Date): AsyncIterable<StoredRecord<TEntry>> {
      return records.find({ at: { $gte: from, $lt: to } } as Filter<StoredRecord<TEntry>>, {
        sort: { at: 1, chain: 1, seq: 1 },
        projection: { _id: 0 },
        batchSize: 1000,
      }) as unknown as AsyncIterable<StoredRecord<TEntry>>;
    },
  };
}

export type AuditLogStore<TEntry extends Document> = ReturnType<typeof createAuditLogStore<TEntry>>;
