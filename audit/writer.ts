// The writer of one chain. `append` resolves only once the record is durable in the database, so a
// response can wait for it; concurrent appends share one `insertMany` (group commit). A failed
// write rejects every record of its batch and the writer re-reads its head before trying again,
// so the chain never skips or repeats a sequence number.
import type { KeyObject } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { MongoBulkWriteError, MongoServerError, MongoWriteConcernError, type Document } from 'mongodb';
import { ROOT_CONTEXT, context, trace } from '@opentelemetry/api';
import { inSpan, serviceLog } from '../platform/index.js';
import { GENESIS_HASH, RECORD_FORMAT, checkpointDigest, recordHash, signCheckpoint, typedCanonical, type Checkpoint } from './chain.js';
import { blockOf, recordKey, type AuditLogStore, type StoredRecord } from './store.js';

const LOG_TRACER = trace.getTracer('linkage-audit');

export interface AuditWriterOptions<TEntry = unknown> {
  /**
   * How long the first record of a batch waits for company. Default 0: the next turn of the event
   * loop — records that arrive while a batch is being written wait for it and go together in the
   * next (group commit), so a lone request is not held for a timer.
   */
  batchDelayMs?: number;
  /** The most records one `insertMany` carries. Default 256. */
  maxBatch?: number;
  /** A checkpoint after this many unsigned records. Default 50. */
  checkpointEvery?: number;
  /** ... or after this many seconds with any unsigned record. Default 5. */
  checkpointSeconds?: number;
  /**
   * Checks a record (already normalised) before it joins a batch, and returns what is stored;
   * throws for a record the log's schema refuses. Default: accepts anything.
   */
  validate?: (entry: unknown) => unknown;
  /**
   * An open chain of this writer's service not heard from for this long has no live writer: at
   * start, this writer signs its unsigned tail and closes it. Default: 3 checkpoint intervals, at
   * least 15 s.
   */
  staleAfterSeconds?: number;
  /**
   * How long the writer waits for one operation of the store (a batch's insert, a read of its
   * head, a checkpoint) before taking it as failed, so that every append settles — written, or
   * AuditUnavailableError — even when the store dies under an operation the driver then never
   * settles. What such an insert may still land is found when the head is read again. Default 10 s.
   */
  storeTimeoutMs?: number;
  /** What the writer reports as it works (audit/metrics.ts turns it into Prometheus metrics). Default: nothing. */
  metrics?: AuditWriterMetrics<TEntry>;
}

/**
 * Hooks a writer calls as it works; each optional. The queue depth and the records not yet signed
 * are read when wanted (AuditWriter.queueDepth, .unsignedRecords), so they need no hook.
 */
export interface AuditWriterMetrics<TEntry> {
  /** One insert of a batch: its records, how long it took, whether the store acknowledged it. */
  batchWritten?(records: number, seconds: number, written: boolean): void;
  /** Each record appended, once it is durable (true) or has failed (false, refused before writing included). */
  recorded?(entry: TEntry, durable: boolean): void;
}

/**
 * Characters a log record never keeps: controls (CR, LF, …), format characters (U+202E
 * right-to-left override, U+200B zero-width space, …) and the line and paragraph separators
 * (U+2028, U+2029): they would forge lines, or make a name read otherwise on the auditors' page.
 * And lone surrogates (a client can send `\ud800` in JSON): the store keeps them as U+FFFD, so a
 * record holding one would no longer hash as it was written — a false tamper alarm anyone could raise.
 */
const UNSHOWABLE = /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}\p{Cs}]/gu;

/** Values from clients are kept as data: unshowable characters are stripped from strings. */
export function normalise(value: unknown): unknown {
  if (value === undefined || value === null) return null;
  if (typeof value === 'string') return value.replace(UNSHOWABLE, '');
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
  constructor(cause: unknown, message = 'the access log cannot be written') {
    super(message, { cause });
    this.name = 'AuditUnavailableError';
  }
}

/** A record the log's schema refuses: only its own request fails, never its batch. */
export class AuditRecordInvalidError extends AuditUnavailableError {
  constructor(cause: unknown) {
    super(cause, `an access-log record was refused before writing: ${cause instanceof Error ? cause.message.slice(0, 500) : String(cause)}`);
    this.name = 'AuditRecordInvalidError';
  }
}

/** A property of a driver error that may be missing, or a getter that throws on a partial result. */
function countOf(error: object, property: 'writeErrors' | 'writeConcernErrors'): number {
  try {
    const value = (error as Record<string, unknown>)[property];
    return Array.isArray(value) ? value.length : 0;
  } catch {
    return 0;
  }
}

/**
 * Written, but not acknowledged as the write concern asked (in production: by a majority,
 * journaled): not durable, so not answered as written.
 */
function isWriteConcernFailure(error: unknown): boolean {
  return error instanceof MongoWriteConcernError || (error instanceof MongoBulkWriteError && countOf(error, 'writeConcernErrors') > 0);
}

/**
 * The store refused records of the batch (a duplicate key, a validation rule), not the batch: it
 * is retried record by record. A network failure wrapped in a bulk error is not that.
 */
function isRecordLevelFailure(error: unknown): boolean {
  if (isWriteConcernFailure(error)) return false;
  if (error instanceof MongoBulkWriteError) return countOf(error, 'writeErrors') > 0;
  return error instanceof MongoServerError;
}

export class AuditWriter<TEntry extends Document> {
  private queue: Pending<TEntry>[] = [];
  /** The flush to come: after a delay, or on the next turn of the event loop (`soon`). */
  private timer: { cancel(): void; soon: boolean } | null = null;
  private flushing: Promise<void> = Promise.resolve();
  private head = { seq: 0, hash: GENESIS_HASH };
  private checkpointed = { seq: 0, digest: GENESIS_HASH, headHash: GENESIS_HASH };
  /** Hashes of the records after the last checkpoint, in order. */
  private unsigned: string[] = [];
  private headKnown = false;
  /** How many queued records are to be written one per insert (after a record-level failure). */
  private singly = 0;
  private checkpointTimer: NodeJS.Timeout | null = null;
  private readonly options: Required<Omit<AuditWriterOptions<TEntry>, 'metrics'>>;
  private readonly metrics: AuditWriterMetrics<TEntry>;
  private readonly service: string;
  /** What this chain's first record names: the service's previous chain and its head then. */
  private opens: { chain: string; seq: number; hash: string } | null = null;

  constructor(
    private readonly store: AuditLogStore<TEntry>,
    readonly chain: string,
    private readonly key: KeyObject,
    { metrics, ...options }: AuditWriterOptions<TEntry> = {},
  ) {
    const checkpointSeconds = options.checkpointSeconds ?? 5;
    this.metrics = metrics ?? {};
    this.options = {
      batchDelayMs: 0,
      maxBatch: 256,
      checkpointEvery: 50,
      checkpointSeconds,
      validate: (entry) => entry,
      staleAfterSeconds: Math.max(15, 3 * checkpointSeconds),
      storeTimeoutMs: 10_000,
      ...options,
    };
    this.service = chain.split('/')[0]!;
  }

  /**
   * Resumes the chain where the database ends; signs and closes the chains of its service whose
   * writers died; registers its own, naming the service's previous chain; and starts the periodic
   * checkpoint, which also tells the registry this writer lives.
   */
  async start(): Promise<void> {
    await this.loadHead();
    const registered = await this.store.registeredChains();
    await this.closeDeadChains();
    const previous = registered.filter((entry) => entry.service === this.service && entry._id !== this.chain).sort((a, b) => b.startedAt.getTime() - a.startedAt.getTime())[0];
    const previousHead = previous ? await this.store.lastRecord(previous._id) : null;
    this.opens = previous && previousHead ? { chain: previous._id, seq: previousHead.seq, hash: previousHead.hash } : null;
    await this.store.register(this.chain, this.service, this.checkpointed.seq);
    this.checkpointTimer = setInterval(() => {
      // A failure here fails no request; the checkpoint path has already resynchronised.
      this.flushing = this.flushing.then(() => this.checkpoint()).catch(() => {});
      // The sign of life goes on its own, not behind a flush a stalled store may hold up, so that
      // no other process takes this writer for dead while it waits.
      this.store.heartbeat(this.chain, this.checkpointed.seq).catch(() => {});
    }, this.options.checkpointSeconds * 1000);
    this.checkpointTimer.unref();
  }

  /**
   * A chain of this service still open but not heard from within staleAfterSeconds lost its
   * writer (a crash): its records after its last checkpoint are signed here, with this service's
   * key, as its closing checkpoint, so they cannot be deleted unnoticed; then it is closed.
   */
  private async closeDeadChains(): Promise<void> {
    const before = new Date(Date.now() - this.options.staleAfterSeconds * 1000);
    for (const dead of await this.store.staleChains(this.service, before)) {
      if (dead._id === this.chain) continue;
      const last = await this.store.lastRecord(dead._id);
      const signed = await this.store.lastCheckpoint(dead._id);
      const signedSeq = signed?.seq ?? 0;
      if (last && last.seq > signedSeq) {
        // Only a tail that follows from the last signed record, each record hashing as it says,
        // is signed: anything else is left for verification to report, never vouched for.
        const hashes: string[] = [];
        let expected = { seq: signedSeq + 1, prevHash: signed?.headHash ?? GENESIS_HASH };
        let intact = true;
        for await (const record of this.store.recordsOf(dead._id, signedSeq)) {
          if (record.seq !== expected.seq || record.prevHash !== expected.prevHash || recordHash(record as never) !== record.hash) {
            intact = false;
            break;
          }
          hashes.push(record.hash);
          expected = { seq: record.seq + 1, prevHash: record.hash };
        }
        if (!intact) {
          serviceLog(this.service).error({ chain: dead._id, seq: last.seq }, "a dead writer's chain: its unsigned tail does not follow from its last checkpoint; not signed, left to verification");
          await this.store.closeChain(dead._id, last.seq, this.chain);
          continue;
        }
        const closing = signCheckpoint(this.key, {
          v: RECORD_FORMAT,
          chain: dead._id,
          fromSeq: signedSeq + 1,
          seq: signedSeq + hashes.length,
          hashes,
          headHash: hashes.at(-1) as string,
          at: new Date(),
          prevCheckpoint: signed ? checkpointDigest(signed) : GENESIS_HASH,
        });
        // Another replica starting at the same time may have signed it first: then theirs stands.
        await this.store.insertCheckpoint(closing).catch(async (error: unknown) => {
          if (!(await this.store.checkpointFrom(dead._id, closing.fromSeq))) throw error;
        });
      }
      await this.store.closeChain(dead._id, last?.seq ?? signedSeq, this.chain);
    }
  }

  /**
   * The chain's last signed head (its last checkpoint's sequence number and record hash), which
   * another party's log witnesses; null before the first checkpoint.
   */
  get signedHead(): { chain: string; seq: number; hash: string } | null {
    return this.checkpointed.seq > 0 ? { chain: this.chain, seq: this.checkpointed.seq, hash: this.checkpointed.headHash } : null;
  }

  /** The last sequence number this writer knows it wrote (for tail-cut detection). */
  get headSeq(): number {
    return this.head.seq;
  }

  /** Records waiting for their batch to be written. */
  get queueDepth(): number {
    return this.queue.length;
  }

  /** Records written since the last checkpoint: not yet signed for. */
  get unsignedRecords(): number {
    return this.unsigned.length;
  }

  append(entry: TEntry): Promise<StoredRecord<TEntry>> {
    // A span of the request's trace, from the append to the record durable (platform/tracing.ts).
    return inSpan(LOG_TRACER, 'log append', { 'linkage.log': this.store.name, 'linkage.chain': this.chain }, () => this.enqueue(entry));
  }

  private enqueue(entry: TEntry): Promise<StoredRecord<TEntry>> {
    const { recorded } = this.metrics;
    let checked: TEntry;
    try {
      checked = this.options.validate(normalise(entry)) as TEntry;
      // A record that cannot be hashed (a non-finite number, an invalid date) is refused here, not in a batch.
      typedCanonical(checked);
    } catch (error) {
      recorded?.(entry, false);
      return Promise.reject(new AuditRecordInvalidError(error));
    }
    return new Promise((resolve, reject) => {
      this.queue.push({
        entry: checked,
        at: new Date(),
        resolve: (record) => {
          recorded?.(entry, true);
          resolve(record);
        },
        reject: (error) => {
          recorded?.(entry, false);
          reject(error);
        },
      });
      if (this.queue.length >= this.options.maxBatch) this.schedule(0);
      else this.schedule(this.options.batchDelayMs);
    });
  }

  /** Writes what is queued and a final checkpoint. */
  async stop(): Promise<void> {
    if (this.checkpointTimer) clearInterval(this.checkpointTimer);
    this.timer?.cancel();
    this.timer = null;
    // The chain of flushes is left settled whatever the store did: a checkpoint or close that
    // failed (a store down at the stop) must not hold back an append made after it, which would
    // otherwise be neither written nor rejected (and its flush an unhandled rejection).
    this.flushing = this.flushing
      .then(() => this.flush())
      .then(() => this.checkpoint())
      .then(() => this.bounded('closing the chain', this.store.closeChain(this.chain, this.checkpointed.seq, this.chain)))
      .catch(() => {});
    await this.flushing;
  }

  private schedule(delayMs: number): void {
    // A flush already due no later than asked for stands.
    if (this.timer && (delayMs > 0 || this.timer.soon)) return;
    this.timer?.cancel();
    // A batch holds many requests' records: its writes belong to no one request's trace.
    const run = context.bind(ROOT_CONTEXT, () => {
      this.timer = null;
      // flush() settles every record it takes; should it ever throw, the next flush still runs.
      this.flushing = this.flushing.then(() => this.flush()).catch(() => {});
    });
    if (delayMs > 0) {
      const timeout = setTimeout(run, delayMs);
      this.timer = { cancel: () => clearTimeout(timeout), soon: false };
    } else {
      const immediate = setImmediate(run);
      this.timer = { cancel: () => clearImmediate(immediate), soon: true };
    }
  }

  /**
   * A store operation, or a failure once storeTimeoutMs have passed. The operation itself may
   * still settle later: nothing it would change is changed by the caller after a failure.
   */
  private bounded<T>(what: string, operation: Promise<T>): Promise<T> {
    let timer: NodeJS.Timeout | undefined;
    const ms = this.options.storeTimeoutMs;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`the store did not answer within ${ms} ms (${what})`)), ms);
    });
    return Promise.race([operation, timeout]).finally(() => clearTimeout(timer));
  }

  /** Reads the chain's head, last checkpoint and unsigned tail; the writer's state changes only once all three are read. */
  private async loadHead(): Promise<void> {
    const last = await this.bounded('reading the head', this.store.lastRecord(this.chain));
    const head = last ? { seq: last.seq, hash: last.hash } : { seq: 0, hash: GENESIS_HASH };
    const checkpoint = await this.bounded('reading the last checkpoint', this.store.lastCheckpoint(this.chain));
    const checkpointed = { seq: checkpoint?.seq ?? 0, digest: checkpoint ? checkpointDigest(checkpoint) : GENESIS_HASH, headHash: checkpoint?.headHash ?? GENESIS_HASH };
    const unsigned: string[] = [];
    if (head.seq > checkpointed.seq) {
      // Records written after the last checkpoint (e.g. before a crash): sign for them as found.
      const read = (async () => {
        const hashes: string[] = [];
        for await (const record of this.store.recordsOf(this.chain, checkpointed.seq)) hashes.push(record.hash);
        return hashes;
      })();
      unsigned.push(...(await this.bounded('reading the unsigned tail', read)));
    }
    this.head = head;
    this.checkpointed = checkpointed;
    this.unsigned = unsigned;
    this.headKnown = true;
  }

  private async flush(): Promise<void> {
    while (this.queue.length) {
      // After a batch some of whose records the store refused, its records go one by one, so that
      // only the refused one fails.
      const size = this.singly > 0 ? 1 : this.options.maxBatch;
      if (this.singly > 0) this.singly--;
      const batch = this.queue.splice(0, size);
      let records: StoredRecord<TEntry>[] = [];
      let startedAt: number | null = null;
      try {
        if (!this.headKnown) await this.loadHead();
        records = this.chainRecords(batch);
        startedAt = performance.now();
        await this.bounded('writing a batch', this.store.insert(records));
      } catch (error) {
        if (startedAt !== null) this.metrics.batchWritten?.(records.length, (performance.now() - startedAt) / 1000, false);
        await this.afterFailedInsert(batch, records, error);
        continue;
      }
      this.metrics.batchWritten?.(records.length, (performance.now() - startedAt) / 1000, true);
      this.head = { seq: records.at(-1)!.seq, hash: records.at(-1)!.hash };
      this.unsigned.push(...records.map((r) => r.hash));
      records.forEach((record, i) => batch[i]!.resolve(record));
      // Checkpoints at a fixed interval of records: each signs for exactly `checkpointEvery`. A
      // failure here fails no request (their records are written); the next flush signs them.
      try {
        while (this.unsigned.length >= this.options.checkpointEvery) await this.checkpoint(this.options.checkpointEvery);
      } catch {
        this.headKnown = false;
      }
    }
  }

  /** The batch's records, chained after the head. */
  private chainRecords(batch: Pending<TEntry>[]): StoredRecord<TEntry>[] {
    let { seq, hash } = this.head;
    return batch.map((pending) => {
      seq += 1;
      const content = { ...pending.entry, v: RECORD_FORMAT, chain: this.chain, seq, block: blockOf(seq), prevHash: hash, at: pending.at } as Omit<StoredRecord<TEntry>, 'hash'>;
      // A chain's first record names the service's previous chain and its head, hashed with it.
      if (seq === 1) (content as Record<string, unknown>).opens = this.opens;
      hash = recordHash(content as never);
      // A string _id (chain and padded seq) keeps keyset pagination simple; it is not hashed.
      return { _id: recordKey(this.chain, seq), ...content, hash } as StoredRecord<TEntry>;
    });
  }

  /**
   * An ordered insert stops at its first failing record: those before it are written. The head is
   * read again to learn how many; they are answered as written, and the rest are retried one by
   * one when the store refused a record (its request alone fails), or fail when the store did.
   */
  private async afterFailedInsert(batch: Pending<TEntry>[], records: StoredRecord<TEntry>[], error: unknown): Promise<void> {
    const startSeq = this.head.seq;
    this.headKnown = false;
    let written = 0;
    if (records.length) {
      try {
        await this.loadHead();
        // Records the store holds but did not acknowledge as durable stay in the chain (the next
        // record follows them), but their requests fail.
        written = isWriteConcernFailure(error) ? 0 : Math.max(0, Math.min(records.length, this.head.seq - startSeq));
        if (this.head.seq !== startSeq && !isWriteConcernFailure(error) && (written === 0 || this.head.hash !== records[written - 1]!.hash)) {
          // The head is a record this writer did not chain (another writer took the sequence
          // number): nothing of this batch is answered as written, and nothing is signed until
          // the head is read again.
          written = 0;
          this.headKnown = false;
        }
      } catch {
        written = 0;
      }
    }
    batch.slice(0, written).forEach((pending, i) => pending.resolve(records[i]!));
    const rest = batch.slice(written);
    // Retried one by one only where what landed is known (else a landed record would be written twice).
    if (rest.length > 1 && isRecordLevelFailure(error) && this.headKnown) {
      this.queue.unshift(...rest);
      this.singly += rest.length;
      return;
    }
    for (const pending of rest) pending.reject(new AuditUnavailableError(error));
  }

  /**
   * Signs for the next `count` records written since the last checkpoint (default: all of them).
   * The one path for periodic, batch and closing checkpoints. An insert that failed may still have
   * landed (the driver gave up on a stalled store that later committed it), so it is resolved by
   * reading back the checkpoint that starts where this one starts (the store holds at most one):
   * this writer then goes on from whichever is there. If even that read fails, the head is read
   * again before anything else is signed.
   */
  private async checkpoint(count = this.unsigned.length): Promise<void> {
    if (!this.headKnown || this.unsigned.length === 0) return;
    const hashes = this.unsigned.slice(0, count);
    const fromSeq = this.checkpointed.seq + 1;
    const checkpoint: Checkpoint = signCheckpoint(this.key, {
      v: RECORD_FORMAT,
      chain: this.chain,
      fromSeq,
      seq: fromSeq + hashes.length - 1,
      hashes,
      headHash: hashes.at(-1) as string,
      at: new Date(),
      prevCheckpoint: this.checkpointed.digest,
    });
    let stored: Checkpoint | null = checkpoint;
    try {
      await this.bounded('writing a checkpoint', this.store.insertCheckpoint(checkpoint));
    } catch (error) {
      try {
        stored = await this.bounded('reading a checkpoint back', this.store.checkpointFrom(this.chain, fromSeq));
      } catch {
        this.headKnown = false;
        throw error;
      }
      if (!stored) throw error;
    }
    this.checkpointed = { seq: stored.seq, digest: checkpointDigest(stored), headHash: stored.headHash };
    this.unsigned = this.unsigned.slice(stored.seq - fromSeq + 1);
  }

}
