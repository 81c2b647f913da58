// Records that workflows write (a suggestion, a dispute, a supervision item): each carries its
// version, its state and the events that made it, and every write is one atomic operation on one
// document. That is what makes a write idempotent and safe under concurrency without
// transactions (the embedded store has none): a creation is recognised again by its unique
// `createKey`, a later step by its key among the record's events, and a step made on a version
// the record has left changes nothing. Used by the subgraphs' store modules, which build the
// filters; subgraphs/shared/workflow.ts decides what to write.
import { GraphQLError } from 'graphql';
import type { Collection, Document, Filter, OptionalUnlessRequiredId, UpdateFilter } from 'mongodb';
import { ErrorCode } from './errors.js';

/** Who took a step, as the gateway's assertion named them. */
export interface Actor {
  sub: string;
  name: string;
  org: string;
  unit: string | null;
}

/** One step of a record's workflow: what, when, by whom, under which idempotency key and input. */
export interface WorkflowEvent {
  action: string;
  at: Date;
  by: Actor;
  /** The gateway's request id. */
  requestId: string;
  /** `<sub> <mutation> <client's idempotency key>`: the same key from another caller or mutation is another step. */
  key: string;
  /** SHA-256 of the step's input: a key sent again with other input is refused, not taken for a retry. */
  input: string;
  /** The version this step made. */
  version: number;
  /** The state after it. */
  state: string;
}

export interface VersionedDoc {
  _id: string;
  version: number;
  state: string;
  createdAt: Date;
  createdBy: Actor;
  updatedAt: Date;
  /** The creating event's key (unique): a creation sent again finds the record it made. */
  createKey: string;
  events: WorkflowEvent[];
}

const alreadyMade = (id: string) =>
  new GraphQLError(`${id} was just made by another request: read it again and retry`, { extensions: { code: ErrorCode.CONFLICT } });

const isDuplicateKey = (error: unknown) => (error as { code?: unknown } | null)?.code === 11000;

/** The indexes every versioned collection needs: creations recognised by their key (after upgradeToVersioned). */
export async function ensureVersionedIndexes(collection: Collection<Document>): Promise<void> {
  await collection.createIndex({ createKey: 1 }, { unique: true });
}

/**
 * Inserts a new record, or finds the one an earlier sending of the same creation made: `created`
 * tells which.
 */
export async function insertOnce<T extends VersionedDoc>(collection: Collection<T>, doc: T): Promise<{ doc: T; created: boolean }> {
  try {
    await collection.insertOne(doc as OptionalUnlessRequiredId<T>);
    return { doc, created: true };
  } catch (error) {
    if (!isDuplicateKey(error)) throw error;
    const earlier = (await collection.findOne({ createKey: doc.createKey } as Filter<T>)) as T | null;
    // Another creation made a record with this id first (two first replies at once): the caller
    // reads it and decides again.
    if (!earlier) throw alreadyMade(doc._id);
    return { doc: earlier, created: false };
  }
}

/**
 * Applies one step to version `expected` of a record: sets `changes`, moves the version on by one
 * and appends the event, in one operation. Null when the record is not at that version (or gone).
 */
export async function updateVersion<T extends VersionedDoc>(
  collection: Collection<T>,
  id: string,
  expected: number,
  changes: Partial<Omit<T, keyof VersionedDoc>> & { state: string },
  event: WorkflowEvent,
): Promise<T | null> {
  const update = {
    $set: { ...changes, version: expected + 1, updatedAt: event.at },
    $push: { events: event },
  } as unknown as UpdateFilter<T>;
  return (await collection.findOneAndUpdate({ _id: id, version: expected } as Filter<T>, update, { returnDocument: 'after' })) as T | null;
}

/**
 * The next number of a series (a document's 文号: one series per kind, or per kind and year): one counter document per series,
 * started, the first time, after the numbers already taken (`taken`: how many records the series
 * already has, e.g. loaded by the demo data).
 */
export async function nextInSeries(
  counters: Collection<{ _id: string; seq: number }>,
  series: string,
  taken: () => Promise<number>,
  /** Whether a number is already held by a record (one an import stored since the counter began): skipped. */
  used?: (n: number) => Promise<boolean>,
): Promise<number> {
  if (!(await counters.findOne({ _id: series }))) {
    try {
      await counters.insertOne({ _id: series, seq: await taken() });
    } catch (error) {
      if (!isDuplicateKey(error)) throw error;
    }
  }
  for (;;) {
    const counter = await counters.findOneAndUpdate({ _id: series }, { $inc: { seq: 1 } }, { returnDocument: 'after' });
    if (!counter) throw new Error(`counter ${series} vanished`);
    if (!(await used?.(counter.seq))) return counter.seq;
  }
}

/**
 * Records stored before their collection became versioned (a deployment loaded before workflows
 * existed) get the bookkeeping a loaded record has — version 1, no events, made by nobody (an empty
 * sub, which no principal has: nobody is their ISSUER) at
 * `at` — and what else `complete` says, one by one (the embedded store has no pipeline updates).
 * Run before the unique index on `createKey`, which such records would otherwise break.
 */
export async function upgradeToVersioned<T extends Document>(
  collection: Collection<T>,
  upgrade: (doc: T) => { at: Date; state: string; org: string; fields?: Record<string, unknown> },
): Promise<number> {
  const old = await collection.find({ version: { $exists: false } } as Filter<T>).toArray();
  for (const doc of old) {
    const { at, state, org, fields } = upgrade(doc as T);
    const id = String(doc._id);
    await collection.updateOne({ _id: doc._id, version: { $exists: false } } as Filter<T>, {
      $set: { ...fields, version: 1, state, createdAt: at, createdBy: { sub: '', name: 'loaded', org, unit: null }, updatedAt: at, createKey: `loaded ${id}`, events: [] },
    } as unknown as UpdateFilter<T>);
  }
  return old.length;
}
