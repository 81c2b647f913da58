// The writer of one chain. `append` resolves only once the record is durable in the database, so a
// response can wait for it; concurrent appends share one `insertMany` (group commit). A failed
// write rejects every record of its batch and the writer re-reads its head before trying again,
// so the chain never skips or repeats a sequence number.
import type { KeyObject } from 'node:crypto';
import type { Document } from 'mongodb';
import { GENESIS_HASH, recordHash, signCheckpoint, type Checkpoint } from './chain.js';
import type { AuditLogStore, StoredRecord } from './store.js';

export interface AuditWriterOptions {
  /** How long the first record of a batch waits for company. Default 2 ms. */
  batchDelayMs?: number;
  /** The most records one `insertMany` carries. Default 256. */
  maxBatch?: number;
  /** A checkpoint after this many unsigned records. Default 50. */
  checkpointEvery?: number;
  /** ... or after this many seconds with any unsigned record. Default 5. */
  checkpointSeconds?: number;
}

/** Values from clients are kept as data: control characters (CR, LF, …) are stripped from strings. */
export function normalise(value: unknown): unknown {
  if (value === undefined || value === null) return null;
  if (typeof value === 'string') return value.replace(/[\u0000-\u001f\u007f]/g, '');
  if (value instanceof Date) return value;
  if (Array.isArray(value)) return value.map(normalise);
  if (typeof value === 'object') {
    return Object.fromEntries(Object.entries(value as Record<string, unknown>).map(([k, v]) => [k, normalise(v)]));
  }
  return value;
}

interface Pending<TEntry> {
  entry: TEntry;
  at: Date;
  resolve: (record: StoredRecord<TEntry>) => void;
  reject: (error: unknown) => void;
}

export class AuditUnavailableError extends Error {
  constructor(cause: unknown) {
    super('the access log cannot be written', { cause });
    this.name = 'AuditUnavailableError';
  }
}

export class AuditWriter<TEntry extends Document> {
  private queue: Pending<TEntry>[] = [];
  private timer: NodeJS.Timeout | null = null;
  private flushing: Promise<void> = Promise.resolve();
  private head = { seq: 0, hash: GENESIS_HASH };
  private checkpointed = { seq: 0 };
  /** Hashes of the records after the last checkpoint, in order. */
  private unsigned: string[] = [];
  private headKnown = false;
  private checkpointTimer: NodeJS.Timeout | null = null;
  private readonly options: Required<AuditWriterOptions>;

  constructor(
    private readonly store: AuditLogStore<TEntry>,
    readonly chain: string,
    private readonly key: KeyObject,
    options: AuditWriterOptions = {},
  ) {
    this.options = { batchDelayMs: 2, maxBatch: 256, checkpointEvery: 50, checkpointSeconds: 5, ...options };
  }

  /** Resumes the chain where the database ends, and starts the periodic checkpoint. */
  async start(): Promise<void> {
    await this.loadHead();
    this.checkpointTimer = setInterval(() => {
      this.flushing = this.flushing.then(() => this.checkpoint()).catch(() => {});
    }, this.options.checkpointSeconds * 1000);
    this.checkpointTimer.unref();
  }

  /** The last sequence number this writer knows it wrote (for tail-cut detection). */
  get headSeq(): number {
    return this.head.seq;
  }

  append(entry: TEntry): Promise<StoredRecord<TEntry>> {
    return new Promise((resolve, reject) => {
      this.queue.push({ entry: normalise(entry) as TEntry, at: new Date(), resolve, reject });
      if (this.queue.length >= this.options.maxBatch) this.schedule(0);
      else this.schedule(this.options.batchDelayMs);
    });
  }

  /** Writes what is queued and a final checkpoint. */
  async stop(): Promise<void> {
    if (this.checkpointTimer) clearInterval(this.checkpointTimer);
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.flushing = this.flushing.then(() => this.flush()).then(() => this.checkpoint());
    await this.flushing.catch(() => {});
  }

  private schedule(delayMs: number): void {
    if (this.timer && delayMs > 0) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = null;
      this.flushing = this.flushing.then(() => this.flush());
    }, delayMs);
  }

  private async loadHead(): Promise<void> {
    const last = await this.store.lastRecord(this.chain);
    this.head = last ? { seq: last.seq, hash: last.hash } : { seq: 0, hash: GENESIS_HASH };
    const checkpoint = await this.store.lastCheckpoint(this.chain);
    this.checkpointed = { seq: checkpoint?.seq ?? 0 };
    this.unsigned = [];
    if (this.head.seq > this.checkpointed.seq) {
      // Records written after the last checkpoint (e.g. before a crash): sign for them as found.
      for await (const record of this.store.recordsOf(this.chain, this.checkpointed.seq)) this.unsigned.push(record.hash);
    }
    this.headKnown = true;
  }

  private async flush(): Promise<void> {
    while (this.queue.length) {
      const batch = this.queue.splice(0, this.options.maxBatch);
      try {
        if (!this.headKnown) await this.loadHead();
        let { seq, hash } = this.head;
        const records = batch.map((pending) => {
          seq += 1;
          const content = { ...pending.entry, chain: this.chain, seq, prevHash: hash, at: pending.at } as Omit<StoredRecord<TEntry>, 'hash'>;
          hash = recordHash(content as never);
          // A string _id (chain and padded seq) keeps keyset pagination simple; it is not hashed.
          return { _id: `${this.chain}:${String(seq).padStart(12, '0')}`, ...content, hash } as StoredRecord<TEntry>;
        });
        await this.store.insert(records);
        this.head = { seq, hash };
        this.unsigned.push(...records.map((r) => r.hash));
        records.forEach((record, i) => batch[i]!.resolve(record));
        // Checkpoints at a fixed interval of records: each signs for exactly `checkpointEvery`.
        while (this.unsigned.length >= this.options.checkpointEvery) await this.checkpoint(this.options.checkpointEvery);
      } catch (error) {
        // Part of an ordered batch may have been written: re-read the head before the next one.
        this.headKnown = false;
        for (const pending of batch) pending.reject(new AuditUnavailableError(error));
      }
    }
  }

  /** Signs for the next `count` records written since the last checkpoint (default: all of them). */
  private async checkpoint(count = this.unsigned.length): Promise<void> {
    if (!this.headKnown || this.unsigned.length === 0) return;
    const hashes = this.unsigned.slice(0, count);
    const fromSeq = this.checkpointed.seq + 1;
    const checkpoint: Checkpoint = signCheckpoint(this.key, {
      chain: this.chain,
      fromSeq,
      seq: fromSeq + hashes.length - 1,
      hashes,
      headHash: hashes.at(-1) as string,
      at: new Date(),
    });
    await this.store.insertCheckpoint(checkpoint);
    this.checkpointed = { seq: checkpoint.seq };
    this.unsigned = this.unsigned.slice(hashes.length);
  }
}
