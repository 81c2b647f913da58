// The embedded store's patched FerretDB (scripts/ferretdb/pushdown.patch, issue #10) hands `$in`
// and date/number ranges down to PostgreSQL. FerretDB filters every returned row again in Go, so
// the pushed-down SQL must keep a superset of the matches and never drop one: the results of each
// filter are compared with the same filter evaluated in JS and with FerretDB's own unpushed
// evaluation (the filter wrapped in a top-level `$and`, which the backend does not push down), over
// documents with arrays, missing fields, null, mixed types. `explain` shows what reaches PostgreSQL.
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Double, Int32, Long, MongoClient, ObjectId, type Collection, type Document } from 'mongodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EmbeddedStore } from '../platform/index.js';
import { freePort, startEmbeddedStore } from '../platform/index.js';
import { testConfig } from './support/stack.js';

const oid1 = new ObjectId('65a1b2c3d4e5f60718293a4b');
const oid2 = new ObjectId('65a1b2c3d4e5f60718293a4c');
const t1 = new Date('2024-01-01T00:00:00.000Z');
const t2 = new Date('2024-06-01T12:00:00.123Z');
const t3 = new Date('2025-01-01T00:00:00.000Z');

const DOCS: Document[] = [
  { _id: 's1', f: 'x' },
  { _id: 's2', f: 'y' },
  { _id: 'arr', f: ['x', 'z'] },
  { _id: 'arrnum', f: [1, 't'] },
  { _id: 'arrdate', f: [t1, 'x'] },
  { _id: 'arrmixed', f: [-7, t3, 'q'] },
  { _id: 'empty', f: [] },
  { _id: 'missing' },
  { _id: 'null', f: null },
  { _id: 'i32', f: new Int32(1) },
  { _id: 'dbl', f: new Double(1.5) },
  { _id: 'dblint', f: new Double(2) },
  { _id: 'long', f: Long.fromNumber(3) },
  { _id: 'biglong', f: Long.fromString('9007199254740993') },
  { _id: 'neg', f: new Int32(-4) },
  { _id: 'bool', f: true },
  { _id: 'date1', f: t1 },
  { _id: 'date2', f: t2 },
  { _id: 'date3', f: t3 },
  { _id: 'oid', f: oid1 },
  { _id: 'oidhex', f: oid1.toHexString() },
  { _id: 'doc', f: { a: 'x' } },
  { _id: 'numstr', f: '1' },
  { _id: 'millis', f: Long.fromNumber(t2.getTime()) },
  { _id: oid2, f: 'x' },
  { _id: new Int32(7), f: 'x' },
];

// ---- the filters, evaluated in JS (MongoDB's semantics for these shapes) ----
type Class = 'number' | 'string' | 'date' | 'objectId' | 'bool' | 'null' | 'other';
function classOf(v: unknown): Class {
  if (v === null || v === undefined) return 'null';
  if (typeof v === 'number' || v instanceof Int32 || v instanceof Double || v instanceof Long) return 'number';
  if (typeof v === 'string') return 'string';
  if (v instanceof Date) return 'date';
  if (v instanceof ObjectId) return 'objectId';
  if (typeof v === 'boolean') return 'bool';
  return 'other';
}
const num = (x: unknown) => (x instanceof Long ? x.toNumber() : x instanceof Int32 || x instanceof Double ? x.value : Number(x));
/** a − b for values of one class (numbers exact to 2^53, which the filters below stay within), else null. */
function compare(a: unknown, b: unknown): number | null {
  const c = classOf(a);
  if (c !== classOf(b) || c === 'other') return null;
  switch (c) {
    case 'number':
      return num(a) - num(b);
    case 'date':
      return (a as Date).getTime() - (b as Date).getTime();
    case 'objectId':
      return (a as ObjectId).toHexString().localeCompare((b as ObjectId).toHexString());
    case 'string':
      return a === b ? 0 : (a as string) < (b as string) ? -1 : 1;
    case 'bool':
      return Number(a) - Number(b);
    default:
      return 0; // null
  }
}
const RANGE: Record<string, (d: number) => boolean> = { $gt: (d) => d > 0, $gte: (d) => d >= 0, $lt: (d) => d < 0, $lte: (d) => d <= 0 };
/** A field's condition `{op: value, …}` (ANDed), on a value that may be an array (any element matches). */
function matchesField(field: unknown, cond: Record<string, unknown>): boolean {
  return Object.entries(cond).every(([op, operand]) => {
    const one = (x: unknown): boolean => {
      if (op === '$in') return (operand as unknown[]).some((v) => compare(x, v) === 0);
      const d = compare(x, operand);
      return d !== null && RANGE[op]!(d);
    };
    return Array.isArray(field) ? field.some(one) : one(field ?? null);
  });
}
function evaluate(filter: Record<string, Record<string, unknown>>): string[] {
  return DOCS.filter((doc) => Object.entries(filter).every(([key, cond]) => matchesField(doc[key], cond))).map((d) => idText(d._id)).sort();
}
const idText = (id: unknown) => (id instanceof ObjectId ? `oid:${id.toHexString()}` : String(id));

/** Filters the backend now pushes down (explain says so), with what JS says they match. */
const PUSHED: Record<string, Record<string, unknown>>[] = [
  { f: { $in: ['x'] } },
  { f: { $in: ['x', 'y', 'nope'] } },
  { f: { $in: [new Int32(1), new Int32(2), new Int32(3)] } },
  { f: { $in: [new Double(1.5), true, 't'] } },
  { f: { $in: [Long.fromNumber(-7), new Double(-4)] } },
  { f: { $in: [t1] } },
  { f: { $in: [t2, t3] } },
  { f: { $in: [oid1] } },
  { f: { $in: [oid1.toHexString()] } },
  { f: { $in: ['1'] } },
  { _id: { $in: ['s1', 'arr', 'nope'] } },
  { _id: { $in: [oid2, new Int32(7), 's2'] } },
  { _id: { $in: [new Double(7)] } },
  { f: { $gt: new Int32(1) } },
  { f: { $gte: new Double(1.5) } },
  { f: { $lt: new Int32(2) } },
  { f: { $lte: Long.fromNumber(3) } },
  { f: { $gt: new Int32(-10), $lt: new Int32(2) } },
  { f: { $gte: t2 } },
  { f: { $gt: t2 } },
  { f: { $lt: t2 } },
  { f: { $lte: t2 } },
  { f: { $gte: t1, $lt: t3 } },
  { f: { $in: ['x', 'z'] }, _id: { $in: ['arr', 's1', 's2', 'arrdate'] } },
];
/** Filters left to FerretDB's Go filter as before (no pushdown): still the same results. */
const NOT_PUSHED: Record<string, Record<string, unknown>>[] = [
  { f: { $in: [] } },
  { f: { $in: ['x', null] } },
  { f: { $in: [null] } },
  { f: { $in: [/^x/] } },
  { f: { $in: ['x', { a: 'x' }] } },
  { f: { $in: [['x', 'z']] } },
  { f: { $in: [Long.fromString('9007199254740993')] } },
  { f: { $gt: Long.fromString('9007199254740992') } },
  { f: { $lt: 'z' } },
  { f: { $gte: oid1 } },
  { f: { $in: Array.from({ length: 5001 }, (_, i) => `v${i}`) } },
];
const JS_EVALUATED = new Set([...PUSHED, NOT_PUSHED[0], NOT_PUSHED[10]]);

const planText = (explained: Document) => JSON.stringify(explained.queryPlanner);

describe.skipIf(testConfig().embeddedStore.backend !== 'postgresql')('the embedded store pushes $in and ranges down to PostgreSQL (patched FerretDB)', () => {
  let dataDir: string;
  let store: EmbeddedStore;
  let client: MongoClient;
  let things: Collection;
  const explainFind = (filter: Document, collection = 'things') => client.db('pushdown').command({ explain: { find: collection, filter } });
  const ids = async (filter: Document) => (await things.find(filter).toArray()).map((d) => idText(d._id)).sort();

  beforeAll(async () => {
    dataDir = mkdtempSync(path.join(os.tmpdir(), 'linkage-pushdown-'));
    store = await startEmbeddedStore({ ...testConfig().embeddedStore, port: await freePort(), dataDir });
    client = await MongoClient.connect(store.uri);
    things = client.db('pushdown').collection('things');
    await things.insertMany(DOCS);
    await things.createIndex({ f: 1 });
  });
  afterAll(async () => {
    await client?.close();
    await store?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('each pushed-down filter matches exactly what JS and the unpushed evaluation match', async () => {
    for (const filter of PUSHED) {
      const label = JSON.stringify(filter);
      expect((await explainFind(filter)).filterPushdown, label).toBe(true);
      expect((await explainFind({ $and: [filter] })).filterPushdown, label).toBe(false);
      const got = await ids(filter);
      expect(got, label).toEqual(await ids({ $and: [filter] }));
      if (JS_EVALUATED.has(filter)) expect(got, label).toEqual(evaluate(filter));
    }
  });

  it('filters it cannot push (empty $in, null, regex, documents, arrays, unsafe numbers, string ranges) are left as before', async () => {
    for (const filter of NOT_PUSHED) {
      const label = JSON.stringify(filter).slice(0, 80);
      expect((await explainFind(filter)).filterPushdown, label).toBe(false);
      const got = await ids(filter);
      expect(got, label).toEqual(await ids({ $and: [filter] }));
      if (JS_EVALUATED.has(filter)) expect(got, label).toEqual(evaluate(filter));
    }
  });

  it('explain: $in on _id is an IN on the primary key, $in on a field ORs containments, a range compares', async () => {
    const byId = planText(await explainFind({ _id: { $in: ['s1', 'arr'] } }));
    expect(byId).toMatch(/_jsonb -> '_id'::text\) = ANY \(.*s1.*arr/);
    const byField = planText(await explainFind({ f: { $in: ['x', 'y'] } }));
    expect(byField).toContain(`_jsonb -> 'f'::text) @> '\\"x\\"'::jsonb`);
    expect(byField).toContain(`_jsonb -> 'f'::text) @> '\\"y\\"'::jsonb`);
    const byDate = planText(await explainFind({ f: { $gte: t1, $lt: t3 } }));
    expect(byDate).toContain(`_jsonb -> 'f'::text) >= '${t1.getTime()}'::jsonb`);
    expect(byDate).toContain(`_jsonb -> 'f'::text) < '${t3.getTime()}'::jsonb`);
    const aggregate = await client.db('pushdown').command({ explain: { aggregate: 'things', pipeline: [{ $match: { f: { $gte: t1 } } }, { $count: 'n' }], cursor: {} } });
    expect(aggregate.filterPushdown).toBe(true);
  });

  it('a batch of ids, or one id, is read through the _id index, not by scanning the collection', async () => {
    const many = client.db('pushdown').collection<{ _id: string; group: string }>('many');
    await many.insertMany(Array.from({ length: 5000 }, (_, i) => ({ _id: `m${i}`, group: `g${i % 50}` })));
    const explained = await explainFind({ _id: { $in: ['m1', 'm2500', 'm4999'] } }, 'many');
    expect(explained.filterPushdown).toBe(true);
    expect(planText(explained)).toMatch(/Index Scan|Index Only Scan|Bitmap Index Scan/);
    expect((await many.find({ _id: { $in: ['m1', 'm2500', 'm4999', 'nope'] } }).toArray()).map((d) => d._id).sort()).toEqual(['m1', 'm2500', 'm4999']);
    // One id (plain equality) likewise.
    const one = await explainFind({ _id: 'm2500' }, 'many');
    expect(one.filterPushdown).toBe(true);
    expect(planText(one)).toMatch(/Index Scan|Index Only Scan|Bitmap Index Scan/);
    for (const filter of [{ _id: 's1' }, { _id: oid2 }, { _id: new Double(7) }, { _id: new Int32(7) }, { _id: 'nope' }]) {
      expect(await ids(filter), JSON.stringify(filter)).toEqual(await ids({ $and: [filter] }));
      expect(await ids(filter), JSON.stringify(filter)).toHaveLength(filter._id === 'nope' ? 0 : 1);
    }
  });
});
