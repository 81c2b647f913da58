// Witnesses (issue 8, item 2): the gateway's signed head travels with every subgraph call and each
// institution's disclosure log records it; each institution's head comes back with its answer and
// the gateway's access log records it. A log rewritten whole and consistently — re-hashed, even
// re-signed with a new key — verifies on its own, but no longer holds the head the other party
// witnessed: WITNESS_MISMATCH, naming the chain and sequence number. A private stack over empty
// databases of its own, so the rewrites touch no other test's log.
import { generateKeyPairSync, randomUUID, type KeyObject } from 'node:crypto';
import { MongoClient, type Db, type Document } from 'mongodb';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import {
  GENESIS_HASH,
  RECORD_FORMAT,
  checkWitnesses,
  checkpointDigest,
  createAuditLogStore,
  recordHash,
  signCheckpoint,
  verifyAll,
  type Checkpoint,
  type LogHead,
} from '../audit/index.js';
import { SUBGRAPH_NAMES, loadConfig, type SubgraphName } from '../config/index.js';
import type { RunningGateway } from '../gateway/index.js';
import { startSubgraph, type RunningSubgraph } from '../subgraphs/index.js';
import { auditSigningKey } from '../auth/index.js';
import { callerHeaders, postGraphQL, principal, startTestGateway, testConfig } from './support/stack.js';

const auditor = principal('audit', ['auditor']);
const prefix = `linkage_witness_${randomUUID().slice(0, 8)}`;
const databaseOf = (log: 'gateway' | SubgraphName) => `${prefix}_${log === 'gateway' ? 'audit' : log}`;
const HEAD = { log: expect.any(String), chain: expect.any(String), seq: expect.any(Number), hash: expect.stringMatching(/^[0-9a-f]{64}$/) };

let client: MongoClient;
let gateway: RunningGateway;
const subgraphs: Partial<Record<SubgraphName, RunningSubgraph>> = {};
const db = (log: 'gateway' | SubgraphName): Db => client.db(databaseOf(log));

/** A request that reaches all three institutions (nothing there to find: the databases are empty). */
async function traffic(times: number) {
  for (let i = 0; i < times; i++) {
    const answer = await postGraphQL(
      gateway.url,
      '{ agency(id: "AG-NONE") { id } adminCase(id: "AC-NONE") { id } supervisionCase(id: "SC-NONE") { id } }',
      undefined,
      await callerHeaders(auditor, 'AUDIT'),
    );
    expect(answer.status).toBe(200);
  }
}

const OVERVIEW = `query Overview($full: Boolean) { auditOverview {
  gatewayChains(full: $full) { chain ok firstBadSeq problem }
  governmentChains(full: $full) { chain ok firstBadSeq problem }
  courtChains(full: $full) { chain ok firstBadSeq problem }
  procuratorateChains(full: $full) { chain ok firstBadSeq problem }
  gatewayWitnesses { log chain seq hash }
  governmentWitnesses { log chain seq hash }
  courtWitnesses { log chain seq hash }
  procuratorateWitnesses { log chain seq hash }
} }`;

async function overview(full = false) {
  const answer = await postGraphQL(gateway.url, OVERVIEW, { full }, await callerHeaders(auditor, 'AUDIT'));
  expect(answer.body.errors).toBeUndefined();
  return (answer.body.data as { auditOverview: Record<string, unknown[]> }).auditOverview;
}

/**
 * Rewrites a log whole and consistently, as its database administrator could: every record
 * changed (its request id) and re-hashed in order, every checkpoint rebuilt over the new hashes,
 * chained to its predecessor and signed with `key`.
 */
async function rewriteWhole(database: Db, name: string, key: KeyObject): Promise<void> {
  const records = database.collection(`${name}Records`);
  const checkpoints = database.collection(`${name}Checkpoints`);
  const store = createAuditLogStore<Document>(database, name);
  for (const chain of await store.chains()) {
    const hashes = new Map<number, string>();
    let prevHash = GENESIS_HASH;
    for (const doc of await records.find({ chain }).sort({ seq: 1 }).toArray()) {
      const { _id, hash: _old, ...content } = doc;
      const seq = content.seq as number;
      const changed = { ...content, requestId: `rewritten-${seq}`, prevHash };
      const hash = recordHash(changed as never);
      await records.replaceOne({ _id }, { ...changed, hash });
      hashes.set(seq, hash);
      prevHash = hash;
    }
    let prevCheckpoint = GENESIS_HASH;
    for (const doc of await checkpoints.find({ chain }).sort({ seq: 1 }).toArray()) {
      const old = doc as unknown as Checkpoint & { _id: string; block: number };
      const covered = Array.from({ length: old.seq - old.fromSeq + 1 }, (_, i) => hashes.get(old.fromSeq + i)!);
      const signed = signCheckpoint(key, {
        v: RECORD_FORMAT,
        chain,
        fromSeq: old.fromSeq,
        seq: old.seq,
        hashes: covered,
        headHash: covered.at(-1)!,
        at: old.at,
        prevCheckpoint,
      });
      await checkpoints.replaceOne({ _id: old._id as never }, { block: old.block, ...signed });
      prevCheckpoint = checkpointDigest(signed);
    }
  }
}

/**
 * Waits until every record of a log is signed: the live writers sign within a second, and a
 * checkpoint they sign after a rewrite (with the old key) would be another tamper than the one probed.
 */
async function settled(database: Db, name: string): Promise<void> {
  // The embedded store has no $max accumulator; these logs are a few dozen documents.
  const lastSeq = async (collection: string) => {
    const last: Record<string, number> = {};
    for (const { chain, seq } of await database.collection(collection).find({}, { projection: { chain: 1, seq: 1 } }).toArray()) last[chain] = Math.max(last[chain] ?? 0, seq);
    return last;
  };
  const unsigned = async () => {
    const [records, checkpoints] = [await lastSeq(`${name}Records`), await lastSeq(`${name}Checkpoints`)];
    return Object.entries(records).filter(([chain, seq]) => checkpoints[chain] !== seq);
  };
  await expect.poll(unsigned, { timeout: 10_000 }).toEqual([]);
}

const summary = (rows: unknown[]) => rows.map((row) => row as { chain: string; ok: boolean; firstBadSeq: number | null; problem: string | null });

describe('witnesses: each log’s signed head in the other party’s log', () => {
  beforeAll(async () => {
    client = await MongoClient.connect(inject('mongoUri'));
    // Checkpoints every 5 records or every second, so that a few requests produce signed heads on both sides.
    const config = loadConfig({ KEYS_DIR: inject('keysDir'), AUDIT_CHECKPOINT_RECORDS: '5', AUDIT_CHECKPOINT_SECONDS: '1' });
    for (const name of SUBGRAPH_NAMES) {
      subgraphs[name] = await startSubgraph(name, { config, store: { uri: inject('mongoUri'), database: databaseOf(name) }, listen: { host: '127.0.0.1', port: 0 } });
    }
    gateway = await startTestGateway(subgraphs, config, { uri: inject('mongoUri'), database: databaseOf('gateway') });
    // The gateway signs a head after 5 records; the institutions' first records are the witnesses
    // of it, signed within a second; the next requests carry their heads back.
    await traffic(6);
    await new Promise((resolve) => setTimeout(resolve, 1500));
    await traffic(6);
    await new Promise((resolve) => setTimeout(resolve, 1500));
    await traffic(2);
  }, 60_000);
  afterAll(async () => {
    await gateway?.stop();
    for (const s of Object.values(subgraphs)) await s.stop();
    for (const log of ['gateway', ...SUBGRAPH_NAMES] as const) await db(log).dropDatabase();
    await client.close();
  });

  it('records the other party’s signed heads in the chained records, and indexes the latest per chain', async () => {
    // The gateway's records carry the institutions' heads; each institution's, the gateway's.
    const gatewayWitnessed = (await db('gateway').collection('accessRecords').find({ witnessed: { $exists: true } }).toArray()).flatMap((r) => r.witnessed as LogHead[]);
    expect(new Set(gatewayWitnessed.map((head) => head.log))).toEqual(new Set(SUBGRAPH_NAMES));
    for (const name of SUBGRAPH_NAMES) {
      const witnessed = (await db(name).collection('disclosureRecords').find({ witnessed: { $exists: true } }).toArray()).flatMap((r) => r.witnessed as LogHead[]);
      expect(witnessed.length).toBeGreaterThan(0);
      expect(witnessed.every((head) => head.log === 'gateway' && head.chain === gateway.auditChain)).toBe(true);
      // Every witnessed head is a record of the gateway's log, as it was.
      for (const head of witnessed) {
        const record = await db('gateway').collection('accessRecords').findOne({ chain: head.chain, seq: head.seq });
        expect(record?.hash).toBe(head.hash);
      }
    }
    const seen = await overview();
    expect(seen.gatewayWitnesses).toEqual(expect.arrayContaining(SUBGRAPH_NAMES.map((log) => ({ ...HEAD, log }))));
    for (const name of SUBGRAPH_NAMES) expect(seen[`${name}Witnesses`]).toEqual([{ ...HEAD, log: 'gateway', chain: gateway.auditChain }]);
    // The index holds the latest head per chain: the highest witnessed in the records.
    const latestOfCourt = Math.max(...gatewayWitnessed.filter((head) => head.log === 'court').map((head) => head.seq));
    expect((seen.gatewayWitnesses as LogHead[]).find((head) => head.log === 'court')!.seq).toBe(latestOfCourt);
    for (const log of ['gateway', ...SUBGRAPH_NAMES]) {
      expect(summary(seen[`${log}Chains`]!).every((row) => row.ok && row.problem === null)).toBe(true);
    }
  });

  it('a court log rewritten whole and re-signed with a new key verifies alone, but not against the gateway’s witness', async () => {
    const court = db('court');
    await settled(court, 'disclosure');
    const snapshot = await court.collection('disclosureRecords').find({}).toArray();
    const checkpointsBefore = await court.collection('disclosureCheckpoints').find({}).toArray();
    const { privateKey, publicKey } = generateKeyPairSync('ed25519');
    await rewriteWhole(court, 'disclosure', privateKey);
    const store = createAuditLogStore<Document>(court, 'disclosure');
    const alone = await verifyAll(store, publicKey, null);
    expect(alone.map(({ chain, ok, problem }) => ({ chain, ok, problem }))).toEqual([{ chain: subgraphs.court!.auditChain, ok: true, problem: null }]);
    const witnessed = await createAuditLogStore<Document>(db('gateway'), 'access').witnessesOf('court');
    expect(witnessed).toHaveLength(1);
    expect(await checkWitnesses(store, witnessed, alone)).toEqual([
      { ...alone[0], ok: false, firstBadSeq: witnessed[0]!.seq, problem: 'WITNESS_MISMATCH' },
    ]);
    // Back as it was, for the next probe.
    await court.collection('disclosureRecords').deleteMany({});
    await court.collection('disclosureRecords').insertMany(snapshot);
    await court.collection('disclosureCheckpoints').deleteMany({});
    await court.collection('disclosureCheckpoints').insertMany(checkpointsBefore);
  });

  it('through the auditors’ API: a court log rewritten with the court’s own key is WITNESS_MISMATCH at the witnessed head, the other logs stay verified', async () => {
    const before = await overview(true);
    expect(summary(before.courtChains!).every((row) => row.ok)).toBe(true);
    const config = testConfig();
    await settled(db('court'), 'disclosure');
    await rewriteWhole(db('court'), 'disclosure', auditSigningKey(config.auth, config.audit, 'court'));
    const after = await overview(true);
    // The latest court head the gateway's log holds (the overview's own requests bring newer ones).
    const courtHead = (after.gatewayWitnesses as LogHead[]).find((head) => head.log === 'court')!;
    expect(summary(after.courtChains!)).toEqual([{ chain: courtHead.chain, ok: false, firstBadSeq: courtHead.seq, problem: 'WITNESS_MISMATCH' }]);
    for (const log of ['gateway', 'government', 'procuratorate']) expect(summary(after[`${log}Chains`]!).every((row) => row.ok)).toBe(true);
  });

  it('a gateway log rewritten whole with a new key is caught by the institutions’ witnesses of it', async () => {
    const gatewayDb = db('gateway');
    const { privateKey, publicKey } = generateKeyPairSync('ed25519');
    await settled(gatewayDb, 'access');
    await rewriteWhole(gatewayDb, 'access', privateKey);
    const store = createAuditLogStore<Document>(gatewayDb, 'access');
    const alone = await verifyAll(store, publicKey, null);
    expect(alone.map(({ ok, problem }) => ({ ok, problem }))).toEqual([{ ok: true, problem: null }]);
    const witnessed = (await Promise.all(SUBGRAPH_NAMES.map((name) => createAuditLogStore<Document>(db(name), 'disclosure').witnessesOf('gateway')))).flat();
    expect(witnessed.length).toBe(3);
    const earliest = Math.min(...witnessed.map((head) => head.seq));
    expect(await checkWitnesses(store, witnessed, alone)).toEqual([{ ...alone[0], ok: false, firstBadSeq: earliest, problem: 'WITNESS_MISMATCH' }]);
  });
});
