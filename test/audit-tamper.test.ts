// Tamper probes on a real log in the test store: each edit of the database is caught, with the
// right sequence number.
import { createHash, generateKeyPairSync, randomUUID } from 'node:crypto';
import { MongoClient, type Db } from 'mongodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import { AuditWriter, GENESIS_HASH, canonical, createAuditLogStore, exportStream, logLines, recordHash, signCheckpoint, verifyChain, verifyExport, type ChainLink } from '../audit/index.js';

interface Entry {
  requestId: string;
  principal: { sub: string; org: string };
  note: string;
}

const CHAIN = 'probe-writer';
const { privateKey, publicKey } = generateKeyPairSync('ed25519');
let client: MongoClient;

beforeAll(async () => {
  client = await MongoClient.connect(inject('mongoUri'));
});
afterAll(async () => {
  for (const db of probes) await db.dropDatabase();
  await client.close();
});

/** Databases this file makes, dropped when it ends. */
const probes: Db[] = [];
function probeDatabase(): Db {
  const db = client.db(`linkage_audit_probe_${randomUUID().slice(0, 8)}`);
  probes.push(db);
  return db;
}

/** A fresh log of 23 records written concurrently, checkpointed every 5 (the last covers 21-23). */
async function freshLog(): Promise<{ db: Db; store: ReturnType<typeof createAuditLogStore<Entry>>; writer: AuditWriter<Entry> }> {
  const db = probeDatabase();
  const store = createAuditLogStore<Entry>(db, 'access');
  await store.ensureIndexes();
  const writer = new AuditWriter(store, CHAIN, privateKey, { checkpointEvery: 5, checkpointSeconds: 60 });
  await writer.start();
  await Promise.all(
    Array.from({ length: 23 }, (_, i) => writer.append({ requestId: `r-${i + 1}`, principal: { sub: `user-${i % 3}`, org: 'court' }, note: `line\r\nbreak ${i}` })),
  );
  await writer.stop();
  return { db, store, writer };
}

async function verify(store: ReturnType<typeof createAuditLogStore<Entry>>, expectedHeadSeq?: number) {
  return verifyChain(CHAIN, store.recordsOf(CHAIN), await store.checkpointsOf(CHAIN), publicKey, { expectedHeadSeq });
}

describe('the access log’s tamper evidence', () => {
  it('an untouched log verifies, with contiguous sequence numbers and every record signed for', async () => {
    const { db, store } = await freshLog();
    const records = await db.collection('accessRecords').find({}, { sort: { seq: 1 } }).toArray();
    expect(records.map((r) => r.seq)).toEqual(Array.from({ length: 23 }, (_, i) => i + 1));
    // Values from clients are stored as data: no CR/LF survives.
    expect(records[0]!.note).toBe('linebreak 0');
    expect((await store.checkpointsOf(CHAIN)).map((c) => [c.fromSeq, c.seq])).toEqual([[1, 5], [6, 10], [11, 15], [16, 20], [21, 23]]);
    expect(await verify(store)).toEqual({
      chain: CHAIN, ok: true, records: 23, headSeq: 23, checkpointedSeq: 23, firstBadSeq: null, problem: null, unsignedTail: 0,
    });
  });

  it('the database refuses a second record with the same sequence number', async () => {
    const { db } = await freshLog();
    const seven = await db.collection('accessRecords').findOne({ seq: 7 }, { projection: { _id: 0 } });
    await expect(db.collection('accessRecords').insertOne({ ...seven })).rejects.toThrow(/duplicate key/i);
  });

  it.each([
    {
      probe: 'edit one field of a record',
      tamper: (db: Db) => db.collection('accessRecords').updateOne({ seq: 7 }, { $set: { 'principal.sub': 'someone-else' } }),
      expected: { firstBadSeq: 7, problem: 'HASH_MISMATCH' },
    },
    {
      probe: "change a field's BSON type: a record's time from a date to the same instant as a string (hidden from every time-range query)",
      tamper: async (db: Db) => {
        const record = await db.collection('accessRecords').findOne({ seq: 13 });
        await db.collection('accessRecords').updateOne({ seq: 13 }, { $set: { at: (record!.at as Date).toISOString() } });
      },
      expected: { firstBadSeq: 13, problem: 'HASH_MISMATCH' },
    },
    {
      probe: 'move a nested field into an `_id` (the first format dropped `_id` at every depth)',
      tamper: (db: Db) => db.collection('accessRecords').updateOne({ seq: 8 }, { $set: { 'principal._id': 'extra' } }),
      expected: { firstBadSeq: 8, problem: 'HASH_MISMATCH' },
    },
    {
      probe: 'delete a checkpoint in the middle',
      tamper: (db: Db) => db.collection('accessCheckpoints').deleteOne({ seq: 10 }),
      expected: { firstBadSeq: 6, problem: 'CHECKPOINT_MISSING' },
    },
    {
      probe: 'delete a record',
      tamper: (db: Db) => db.collection('accessRecords').deleteOne({ seq: 9 }),
      expected: { firstBadSeq: 9, problem: 'RECORD_MISSING' },
    },
    {
      probe: 'swap two records',
      tamper: async (db: Db) => {
        const records = db.collection('accessRecords');
        await records.updateOne({ seq: 4 }, { $set: { seq: -4 } });
        await records.updateOne({ seq: 5 }, { $set: { seq: 4 } });
        await records.updateOne({ seq: -4 }, { $set: { seq: 5 } });
      },
      expected: { firstBadSeq: 4, problem: 'HASH_MISMATCH' },
    },
    {
      probe: 'insert a forged record with a recomputed hash (and every later one recomputed)',
      tamper: async (db: Db) => {
        const records = db.collection('accessRecords');
        const all = (await records.find({}, { sort: { seq: 1 }, projection: { _id: 0 } }).toArray()) as unknown as (ChainLink & Record<string, unknown>)[];
        const forged = { ...all[11]!, requestId: 'forged', note: 'nobody saw anything' };
        const rewritten = [...all.slice(0, 11), forged, ...all.slice(11)];
        let prevHash = all[10]!.hash;
        for (let i = 11; i < rewritten.length; i++) {
          const record = { ...rewritten[i]!, seq: i + 1, prevHash };
          record.hash = recordHash(record);
          rewritten[i] = record;
          prevHash = record.hash;
        }
        await records.deleteMany({ seq: { $gte: 12 } });
        await records.insertMany(rewritten.slice(11));
      },
      expected: { firstBadSeq: 12, problem: 'NOT_AS_CHECKPOINTED' },
    },
    {
      probe: 'cut off the tail',
      tamper: (db: Db) => db.collection('accessRecords').deleteMany({ seq: { $gte: 20 } }),
      expected: { firstBadSeq: 20, problem: 'TAIL_CUT' },
    },
    {
      probe: 'alter a checkpoint signature',
      tamper: async (db: Db) => {
        const checkpoints = db.collection('accessCheckpoints');
        const checkpoint = await checkpoints.findOne({ seq: 10 });
        const signature = Buffer.from(checkpoint!.signature as string, 'base64url');
        signature[0] = (signature[0] as number) ^ 0xff;
        await checkpoints.updateOne({ seq: 10 }, { $set: { signature: signature.toString('base64url') } });
      },
      expected: { firstBadSeq: 10, problem: 'CHECKPOINT_SIGNATURE_INVALID' },
    },
  ])('$probe is caught at the right sequence number', async ({ tamper, expected }) => {
    const { store } = await freshLog();
    await tamper(store.records.db as unknown as Db);
    const result = await verify(store);
    expect({ ok: result.ok, firstBadSeq: result.firstBadSeq, problem: result.problem }).toEqual({ ok: false, ...expected });
  });

  it('a cut after the last checkpoint is caught against the live writer’s head', async () => {
    const db = probeDatabase();
    const store = createAuditLogStore<Entry>(db, 'access');
    await store.ensureIndexes();
    const writer = new AuditWriter(store, CHAIN, privateKey, { checkpointEvery: 100, checkpointSeconds: 60 });
    await writer.start();
    for (let i = 0; i < 6; i++) await writer.append({ requestId: `r-${i}`, principal: { sub: 'u', org: 'court' }, note: '' });
    await db.collection('accessRecords').deleteMany({ seq: { $gte: 5 } });
    const result = await verify(store, writer.headSeq);
    expect({ ok: result.ok, firstBadSeq: result.firstBadSeq, problem: result.problem, unsignedTail: result.unsignedTail }).toEqual({
      ok: false, firstBadSeq: 5, problem: 'TAIL_CUT', unsignedTail: 4,
    });
    await writer.stop();
  });

  it('a restarted writer continues its chain where the database ends', async () => {
    const { store } = await freshLog();
    const again = new AuditWriter(store, CHAIN, privateKey, { checkpointEvery: 5, checkpointSeconds: 60 });
    await again.start();
    const record = await again.append({ requestId: 'after-restart', principal: { sub: 'u', org: 'court' }, note: '' });
    expect(record.seq).toBe(24);
    await again.stop();
    expect(await verify(store)).toMatchObject({ ok: true, records: 24, checkpointedSeq: 24 });
  });

  it('records of the first format (no `v`, untyped encoding) still verify, with format-2 records after them, in the store and in an export', async () => {
    const db = probeDatabase();
    const store = createAuditLogStore<Entry>(db, 'access');
    await store.ensureIndexes();
    // Three records and their checkpoint as the first version wrote them.
    let prevHash = GENESIS_HASH;
    const legacy: (ChainLink & Record<string, unknown>)[] = [];
    for (let seq = 1; seq <= 3; seq++) {
      const content = { requestId: `old-${seq}`, principal: { sub: 'u', org: 'court' }, note: '', chain: CHAIN, seq, prevHash, at: new Date(Date.UTC(2025, 0, seq)) };
      const hash = createHash('sha256').update(prevHash).update('\n').update(canonical(content)).digest('hex');
      legacy.push({ ...content, hash });
      prevHash = hash;
    }
    await db.collection('accessRecords').insertMany(legacy.map((r) => ({ _id: `${CHAIN}:${r.seq}`, ...r })) as never[]);
    await db.collection('accessCheckpoints').insertOne(
      signCheckpoint(privateKey, { chain: CHAIN, fromSeq: 1, seq: 3, hashes: legacy.map((r) => r.hash), headHash: prevHash, at: new Date(Date.UTC(2025, 0, 4)) }) as never,
    );
    const writer = new AuditWriter(store, CHAIN, privateKey, { checkpointEvery: 100, checkpointSeconds: 60 });
    await writer.start();
    const added = await writer.append({ requestId: 'new-4', principal: { sub: 'u', org: 'court' }, note: '' });
    await writer.stop();
    expect({ seq: added.seq, v: added.v }).toEqual({ seq: 4, v: 2 });
    expect(await verify(store)).toMatchObject({ ok: true, records: 4, checkpointedSeq: 4, firstBadSeq: null });

    const range = { from: new Date(Date.UTC(2024, 0, 1)), to: new Date(Date.now() + 60_000) };
    let exported = '';
    for await (const block of exportStream(range, [{ log: 'probe', lines: logLines(store, 'probe', range) }], { log: 'probe', key: privateKey, requestId: 'probe-export' })) exported += block;
    expect(await verifyExport(exported, () => publicKey)).toEqual({
      ok: true,
      lines: [
        `ok   probe ${CHAIN}: 4 records, seq 1-4`,
        `ok   export ${range.from.toISOString()} to ${range.to.toISOString()}: complete, probe: 4 records, 2 checkpoints; signed by probe for request probe-export`,
      ],
    });
  });
});
