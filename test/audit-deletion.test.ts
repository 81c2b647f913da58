// Deletions that a hash chain alone cannot see (issue 8, defects 2 and 4b): a chain's tail taken
// with the checkpoints that cover it, a whole earlier chain, and the unsigned tail of a writer that
// crashed. The chain registry, the link from each chain's first record to the service's previous
// chain, and the closing checkpoint a later writer signs for a dead chain make each one visible.
import { generateKeyPairSync, randomUUID } from 'node:crypto';
import { MongoClient, type Db } from 'mongodb';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { AuditWriter, createAuditLogStore, recordHash, verifyAll, type ChainLink } from '../audit/index.js';

type Entry = { requestId: string };
const { privateKey, publicKey } = generateKeyPairSync('ed25519');
let client: MongoClient;
const probes: Db[] = [];

beforeAll(async () => {
  client = await MongoClient.connect(inject('mongoUri'));
});
afterAll(async () => {
  for (const db of probes) await db.dropDatabase();
  await client.close();
});

async function freshStore() {
  const db = client.db(`linkage_audit_probe_${randomUUID().slice(0, 8)}`);
  probes.push(db);
  const store = createAuditLogStore<Entry>(db, 'access');
  await store.ensureIndexes();
  return { db, store };
}

async function writeChain(store: Awaited<ReturnType<typeof freshStore>>['store'], chain: string, count: number, stop = true) {
  const writer = new AuditWriter(store, chain, privateKey, { checkpointEvery: 5, checkpointSeconds: 60, staleAfterSeconds: 1 });
  await writer.start();
  for (let i = 0; i < count; i++) await writer.append({ requestId: `${chain}-${i + 1}` });
  if (stop) await writer.stop();
  return writer;
}

const summary = (results: Awaited<ReturnType<typeof verifyAll>>) => results.map(({ chain, ok, firstBadSeq, problem }) => ({ chain, ok, firstBadSeq, problem }));

describe('deletions the registry and the links catch', () => {
  it('an untouched log of two successive chains verifies, the second naming the first', async () => {
    const { db, store } = await freshStore();
    await writeChain(store, 'svc/a', 12);
    await writeChain(store, 'svc/b', 3);
    const first = await db.collection('accessRecords').findOne({ chain: 'svc/b', seq: 1 });
    expect(first!.opens).toEqual({ chain: 'svc/a', seq: 12, hash: expect.stringMatching(/^[0-9a-f]{64}$/) });
    expect(summary(await verifyAll(store, publicKey, null))).toEqual([
      { chain: 'svc/a', ok: true, firstBadSeq: null, problem: null },
      { chain: 'svc/b', ok: true, firstBadSeq: null, problem: null },
    ]);
  });

  it('the tail deleted with the checkpoints that cover it: TAIL_CUT at its first sequence number', async () => {
    const { db, store } = await freshStore();
    await writeChain(store, 'svc/a', 23);
    await db.collection('accessRecords').deleteMany({ chain: 'svc/a', seq: { $gte: 16 } });
    await db.collection('accessCheckpoints').deleteMany({ chain: 'svc/a', fromSeq: { $gte: 16 } });
    expect(summary(await verifyAll(store, publicKey, null))).toEqual([{ chain: 'svc/a', ok: false, firstBadSeq: 16, problem: 'TAIL_CUT' }]);
  });

  it('a whole earlier chain deleted, with its registry entry: CHAIN_MISSING, named by the next chain', async () => {
    const { db, store } = await freshStore();
    await writeChain(store, 'svc/a', 12);
    await writeChain(store, 'svc/b', 3);
    for (const collection of ['accessRecords', 'accessCheckpoints']) await db.collection(collection).deleteMany({ chain: 'svc/a' });
    await db.collection('accessChains').deleteOne({ _id: 'svc/a' as never });
    expect(summary(await verifyAll(store, publicKey, null))).toEqual([
      { chain: 'svc/a', ok: false, firstBadSeq: 1, problem: 'CHAIN_MISSING' },
      { chain: 'svc/b', ok: true, firstBadSeq: null, problem: null },
    ]);
  });

  it('a whole chain deleted but its registry entry kept: CHAIN_MISSING', async () => {
    const { db, store } = await freshStore();
    await writeChain(store, 'svc/a', 7);
    for (const collection of ['accessRecords', 'accessCheckpoints']) await db.collection(collection).deleteMany({ chain: 'svc/a' });
    expect(summary(await verifyAll(store, publicKey, null))).toEqual([{ chain: 'svc/a', ok: false, firstBadSeq: 1, problem: 'CHAIN_MISSING' }]);
  });

  it('a crashed writer’s unsigned tail is signed by the next writer of its service, so deleting part of it is caught', async () => {
    const { db, store } = await freshStore();
    // Seven records, checkpoints every five: 6 and 7 unsigned when the writer "dies" (never stopped;
    // its registry heartbeat left to go stale).
    await writeChain(store, 'svc/crashed', 7, false);
    await db.collection('accessChains').updateOne({ _id: 'svc/crashed' as never }, { $set: { heartbeatAt: new Date(Date.now() - 3_600_000) } });
    await writeChain(store, 'svc/next', 2);
    const closing = await db.collection('accessCheckpoints').findOne({ chain: 'svc/crashed', fromSeq: 6 });
    expect({ fromSeq: closing!.fromSeq, seq: closing!.seq }).toEqual({ fromSeq: 6, seq: 7 });
    expect(await db.collection('accessChains').findOne({ _id: 'svc/crashed' as never }, { projection: { _id: 0, closed: 1, closedBy: 1, lastSeq: 1 } })).toEqual({
      closed: true,
      closedBy: 'svc/next',
      lastSeq: 7,
    });
    await db.collection('accessRecords').deleteOne({ chain: 'svc/crashed', seq: 7 });
    expect(summary(await verifyAll(store, publicKey, null))).toContainEqual({ chain: 'svc/crashed', ok: false, firstBadSeq: 7, problem: 'TAIL_CUT' });
  });

  it('a writer restarted on its chain after the tail was cut does not lower what the registry knew: still TAIL_CUT', async () => {
    const { db, store } = await freshStore();
    await writeChain(store, 'svc/a', 23);
    await db.collection('accessRecords').deleteMany({ chain: 'svc/a', seq: { $gte: 16 } });
    await db.collection('accessCheckpoints').deleteMany({ chain: 'svc/a', fromSeq: { $gte: 16 } });
    await writeChain(store, 'svc/a', 0);
    expect(summary(await verifyAll(store, publicKey, null))).toEqual([{ chain: 'svc/a', ok: false, firstBadSeq: 16, problem: 'TAIL_CUT' }]);
  });

  it('an older chain’s tail rewritten after its last checkpoint was deleted: CHECKPOINT_MISSING by the registry, NOT_AS_CHECKPOINTED by the next chain’s link', async () => {
    const { db, store } = await freshStore();
    await writeChain(store, 'svc/a', 12);
    await writeChain(store, 'svc/b', 3);
    // Delete the checkpoint over 11-12, rewrite 12 with a recomputed hash.
    await db.collection('accessCheckpoints').deleteOne({ chain: 'svc/a', fromSeq: 11 });
    const twelve = await db.collection('accessRecords').findOne({ chain: 'svc/a', seq: 12 }, { projection: { _id: 0 } });
    const forged = { ...twelve!, requestId: 'nobody' } as unknown as ChainLink & Record<string, unknown>;
    forged.hash = recordHash(forged);
    await db.collection('accessRecords').replaceOne({ chain: 'svc/a', seq: 12 }, forged);
    expect(summary(await verifyAll(store, publicKey, null))).toContainEqual({ chain: 'svc/a', ok: false, firstBadSeq: 11, problem: 'CHECKPOINT_MISSING' });
    // ... and with the registry lowered to match, the next chain's first record still names the original.
    await db.collection('accessChains').updateOne({ _id: 'svc/a' as never }, { $set: { lastSeq: 10 } });
    expect(summary(await verifyAll(store, publicKey, null))).toContainEqual({ chain: 'svc/a', ok: false, firstBadSeq: 12, problem: 'NOT_AS_CHECKPOINTED' });
  });
});
