// A store that stalls under the writer and then resumes leaves a log that verifies: a checkpoint
// insert the driver gave up on but the store committed later is read back, never repeated beside
// itself (issue 8, defect 4). The store is a real FerretDB, paused with SIGSTOP.
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { MongoClient } from 'mongodb';
import { describe, expect, it } from 'vitest';
import { AuditWriter, createAuditLogStore, verifyChain } from '../audit/index.js';
import { freePort, startEmbeddedStore } from '../platform/index.js';
import { testConfig } from './support/stack.js';

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('the access log under a stalled store', () => {
  it('a store paused while a checkpoint is being written, then resumed: no repeated checkpoint, the chain verifies', async () => {
    const { privateKey, publicKey } = generateKeyPairSync('ed25519');
    const dataDir = mkdtempSync(path.join(os.tmpdir(), 'linkage-stall-'));
    const store = await startEmbeddedStore({ ...testConfig().embeddedStore, port: await freePort(), dataDir });
    // The driver gives up on a command after 1.5 s: shorter than the pause below.
    const client = new MongoClient(store.uri, { serverSelectionTimeoutMS: 1000, socketTimeoutMS: 1500 });
    try {
      await client.connect();
      const log = createAuditLogStore<{ requestId: string }>(client.db('stall'), 'access');
      await log.ensureIndexes();
      const writer = new AuditWriter(log, 'stall/probe', privateKey, { checkpointEvery: 1000, checkpointSeconds: 1 });
      await writer.start();
      const append = (from: number, to: number) =>
        Promise.allSettled(Array.from({ length: to - from }, (_, i) => writer.append({ requestId: `r-${from + i}` })));
      await append(0, 20);

      // The periodic checkpoint fires while the store is stopped: its insert times out in the
      // driver, and lands when the store resumes.
      process.kill(store.pid, 'SIGSTOP');
      await pause(3000);
      process.kill(store.pid, 'SIGCONT');
      await pause(1500);
      const after = await append(20, 40);
      expect(after.filter((r) => r.status === 'rejected')).toEqual([]);
      await pause(2500);
      await writer.stop();

      const checkpoints = await log.checkpointsOf('stall/probe');
      const result = await verifyChain('stall/probe', log.recordsOf('stall/probe'), checkpoints, publicKey, { expectedHeadSeq: writer.headSeq });
      expect({ ok: result.ok, problem: result.problem, records: result.records, unsignedTail: result.unsignedTail }).toEqual({ ok: true, problem: null, records: 40, unsignedTail: 0 });
      // Contiguous, non-overlapping segments.
      checkpoints.forEach((c, i) => expect(c.fromSeq).toBe(i === 0 ? 1 : checkpoints[i - 1]!.seq + 1));
    } finally {
      process.kill(store.pid, 'SIGCONT');
      await client.close().catch(() => {});
      await store.stop();
      rmSync(dataDir, { recursive: true, force: true });
    }
  }, 30_000);
});
