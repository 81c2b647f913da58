// The writer under a storm, with the store failing in the middle of it (a real FerretDB killed
// while batches are in flight, then started again on its data): no fork of the chain, no lost
// record of a request that was answered as logged, and every request that was not is told so
// (AuditUnavailableError: the gateway's 503).
import { generateKeyPairSync } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { MongoClient } from 'mongodb';
import { describe, expect, it } from 'vitest';
import { AuditUnavailableError, AuditWriter, createAuditLogStore, verifyAll, type StoredRecord } from '../audit/index.js';
import { freePort, startEmbeddedStore, type EmbeddedStore } from '../platform/index.js';
import { testConfig } from './support/stack.js';

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** `promise`, or a failure naming `what` (and what `detail` says then) once `ms` have passed. */
function within<T>(ms: number, what: string, promise: Promise<T>, detail: () => string = () => ''): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: not within ${ms / 1000} s${detail() ? `; ${detail()}` : ''}`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** The embedded store's PostgreSQL postmaster, from its lock file (null on the SQLite backend, or when it is not running). */
function postmasterOf(dataDir: string): number | null {
  const lockFile = path.join(dataDir, 'postgresql', 'postmaster.pid');
  return existsSync(lockFile) ? Number(readFileSync(lockFile, 'utf8').split('\n')[0]) || null : null;
}

describe('the writer, with the store failing mid-storm', () => {
  it('keeps one unforked chain holding every record it answered as written; every other append fails as unavailable', async () => {
    const { privateKey, publicKey } = generateKeyPairSync('ed25519');
    const dataDir = mkdtempSync(path.join(os.tmpdir(), 'linkage-storm-'));
    const storeConfig = { ...testConfig().embeddedStore, port: await freePort(), dataDir };
    // Every store this test starts is stopped in the end, whatever happens: one still starting
    // when the test gives up on it is stopped once it is up.
    const stores: EmbeddedStore[] = [];
    let cleaningUp = false;
    const startStore = async () => {
      const started = await startEmbeddedStore(storeConfig);
      stores.push(started);
      if (cleaningUp) void started.stop();
      return started;
    };
    let store = await startStore();
    const client = new MongoClient(store.uri, { serverSelectionTimeoutMS: 1000, socketTimeoutMS: 1000, connectTimeoutMS: 1000 });
    let writer: AuditWriter<{ requestId: string }> | null = null;
    let stopped = false;
    try {
      await client.connect();
      const log = createAuditLogStore<{ requestId: string }>(client.db('storm'), 'access');
      await log.ensureIndexes();
      writer = new AuditWriter(log, 'storm/probe', privateKey, { checkpointEvery: 25, checkpointSeconds: 1, maxBatch: 16 });
      await writer.start();
      const stormWriter = writer;

      type Outcome = { requestId: string; record?: StoredRecord<{ requestId: string }>; failed?: unknown };
      const outcomes: Promise<Outcome>[] = [];
      const unsettled = new Set<string>();
      const storm = async (from: number, count: number, gapMs: number) => {
        for (let i = from; i < from + count; i++) {
          const requestId = `r-${i}`;
          unsettled.add(requestId);
          outcomes.push(
            stormWriter.append({ requestId }).then(
              (record) => ({ requestId, record }),
              (failed: unknown) => ({ requestId, failed }),
            ).finally(() => unsettled.delete(requestId)),
          );
          if (i % 8 === 0) await pause(gapMs);
        }
      };
      const before = storm(0, 300, 10);
      await pause(150);
      // The store dies with batches in flight (what it had not committed is lost), and comes back
      // on the same data two seconds later. The whole store: FerretDB killed, its PostgreSQL shut
      // down at once (immediate shutdown, a crash's recovery at the next start). Were PostgreSQL
      // left running, the restart would start a second one on its data directory, which exits at
      // its lock file, while the first one (answering on the same socket) served the restarted
      // FerretDB and was never stopped.
      const postmaster = postmasterOf(dataDir);
      process.kill(store.pid, 'SIGKILL');
      if (postmaster) process.kill(postmaster, 'SIGQUIT');
      await within(10_000, 'the killed store exiting', store.stop());
      await pause(2000);
      store = await within(30_000, 'the store starting again on its data', startStore());
      await before;
      await pause(1500);
      await storm(300, 100, 2);
      // Each append settles, written or unavailable: a batch in the outage waits out the driver's
      // timeouts, or the writer's own (storeTimeoutMs, 10 s) where the driver never settles an
      // insert whose connection died under it; never the store's return.
      const settled = await within(30_000, 'every append settling', Promise.all(outcomes), () => `unsettled: ${[...unsettled].slice(0, 20).join(', ')} (${unsettled.size})`);
      await within(10_000, "the writer's stop", writer.stop());
      stopped = true;

      const written = settled.filter((o) => o.record);
      const failed = settled.filter((o) => o.failed);
      // The outage cost some requests, not all, and every failure says the log is unavailable.
      expect(failed.length).toBeGreaterThan(0);
      expect(written.length).toBeGreaterThan(0);
      expect(failed.every((o) => o.failed instanceof AuditUnavailableError)).toBe(true);

      // Every record answered as written is in the store, as answered.
      const stored = await client.db('storm').collection('accessRecords').find({}, { projection: { requestId: 1, seq: 1, hash: 1 } }).toArray();
      const bySeq = new Map(stored.map((r) => [r.seq as number, r]));
      for (const { requestId, record } of written) {
        expect(bySeq.get(record!.seq), requestId).toEqual({ _id: expect.any(String), requestId, seq: record!.seq, hash: record!.hash });
      }
      // One chain, no fork: sequence numbers 1..n, each once, and the whole verifies.
      expect(stored.map((r) => r.seq as number).sort((a, b) => a - b)).toEqual(Array.from({ length: stored.length }, (_, i) => i + 1));
      const results = await verifyAll(log, publicKey, stormWriter);
      expect(results.map(({ chain, ok, problem, unsignedTail }) => ({ chain, ok, problem, unsignedTail }))).toEqual([
        { chain: 'storm/probe', ok: true, problem: null, unsignedTail: 0 },
      ]);
    } finally {
      // A writer the test did not get to stop no longer checkpoints on a client being closed.
      if (writer && !stopped) await within(5000, "the writer's stop", writer.stop()).catch(() => {});
      await client.close().catch(() => {});
      cleaningUp = true;
      await Promise.all(stores.map((started) => started.stop()));
      rmSync(dataDir, { recursive: true, force: true });
    }
    // Alone it takes about 5 s, on two cores kept busy by four other processes about 10 (each batch
    // in the outage waits out its server-selection timeout, and the store's restart is slower).
    // Each phase has its own bound, well inside this one, so a stuck phase fails naming itself and
    // the stores are still stopped.
  }, 90_000);
});
