// The writer under a storm, with the store failing in the middle of it (a real FerretDB killed
// while batches are in flight, then started again on its data): no fork of the chain, no lost
// record of a request that was answered as logged, and every request that was not is told so
// (AuditUnavailableError: the gateway's 503).
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { MongoClient } from 'mongodb';
import { describe, expect, it } from 'vitest';
import { AuditUnavailableError, AuditWriter, createAuditLogStore, verifyAll, type StoredRecord } from '../audit/index.js';
import { freePort, startEmbeddedStore } from '../platform/index.js';
import { testConfig } from './support/stack.js';

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('the writer, with the store failing mid-storm', () => {
  it('keeps one unforked chain holding every record it answered as written; every other append fails as unavailable', async () => {
    const { privateKey, publicKey } = generateKeyPairSync('ed25519');
    const dataDir = mkdtempSync(path.join(os.tmpdir(), 'linkage-storm-'));
    const storeConfig = { ...testConfig().embeddedStore, port: await freePort(), dataDir };
    let store = await startEmbeddedStore(storeConfig);
    const client = new MongoClient(store.uri, { serverSelectionTimeoutMS: 1000, socketTimeoutMS: 1000, connectTimeoutMS: 1000 });
    try {
      await client.connect();
      const log = createAuditLogStore<{ requestId: string }>(client.db('storm'), 'access');
      await log.ensureIndexes();
      const writer = new AuditWriter(log, 'storm/probe', privateKey, { checkpointEvery: 25, checkpointSeconds: 1, maxBatch: 16 });
      await writer.start();

      type Outcome = { requestId: string; record?: StoredRecord<{ requestId: string }>; failed?: unknown };
      const outcomes: Promise<Outcome>[] = [];
      const storm = async (from: number, count: number, gapMs: number) => {
        for (let i = from; i < from + count; i++) {
          const requestId = `r-${i}`;
          outcomes.push(writer.append({ requestId }).then((record) => ({ requestId, record }), (failed: unknown) => ({ requestId, failed })));
          if (i % 8 === 0) await pause(gapMs);
        }
      };
      const before = storm(0, 300, 10);
      await pause(150);
      // The store dies with batches in flight (what it had not committed is lost), and comes back
      // on the same data two seconds later.
      process.kill(store.pid, 'SIGKILL');
      await pause(2000);
      store = await startEmbeddedStore(storeConfig);
      await before;
      await pause(1500);
      await storm(300, 100, 2);
      const settled = await Promise.all(outcomes);
      await writer.stop();

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
      const results = await verifyAll(log, publicKey, writer);
      expect(results.map(({ chain, ok, problem, unsignedTail }) => ({ chain, ok, problem, unsignedTail }))).toEqual([
        { chain: 'storm/probe', ok: true, problem: null, unsignedTail: 0 },
      ]);
    } finally {
      await client.close().catch(() => {});
      await store.stop();
      rmSync(dataDir, { recursive: true, force: true });
    }
    // Alone it takes about 5 s; a loaded machine has taken over 40 (each batch in the outage waits
    // out its server-selection timeout, and the store's restart is slower).
  }, 90_000);
});
