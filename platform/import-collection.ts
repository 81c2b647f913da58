// What an import does to one collection, built by the store that owns it (the only code that
// builds its filters): find a batch of records by their natural key or id, insert new ones, and
// update one on the version it was read at. Used by subgraphs/shared/import/pipeline.ts.
import type { Collection, Db, Document, Filter, OptionalUnlessRequiredId, UpdateFilter } from 'mongodb';

export interface ImportCollection {
  /** The stored field the natural key is in (`_id` where the key is the id). */
  keyField: string;
  /** The records holding these natural keys (one `$in` over the key's unique index). */
  findByKeys(keys: readonly string[]): Promise<Document[]>;
  /** The records with these ids. */
  findByIds(ids: readonly string[]): Promise<Document[]>;
  /** Inserts new records (unordered: one refused does not stop the others); the indexes of those refused, by duplicate key. */
  insert(docs: Document[]): Promise<{ duplicates: Set<number> }>;
  /**
   * Sets fields of a record read at `version` (null: stored before records had one) and moves its
   * version on by one, pushing `event` to its events when given; false when it changed since.
   */
  update(id: string, version: number | null, set: Document, event?: Document): Promise<boolean>;
}

export function importCollection<T extends Document>(collection: Collection<T>, keyField: string): ImportCollection {
  return {
    keyField,
    findByKeys: (keys) => collection.find({ [keyField]: { $in: [...keys] } } as Filter<T>).toArray() as Promise<Document[]>,
    findByIds: (ids) => collection.find({ _id: { $in: [...ids] } } as Filter<T>).toArray() as Promise<Document[]>,
    async insert(docs) {
      const duplicates = new Set<number>();
      if (!docs.length) return { duplicates };
      try {
        await collection.insertMany(docs as OptionalUnlessRequiredId<T>[], { ordered: false });
      } catch (error) {
        const writeErrors = (error as { writeErrors?: { index: number; code?: number }[] | { index: number; code?: number } }).writeErrors;
        const list = Array.isArray(writeErrors) ? writeErrors : writeErrors ? [writeErrors] : [];
        if (!list.length || list.some((e) => e.code !== 11000)) throw error;
        for (const e of list) duplicates.add(e.index);
      }
      return { duplicates };
    },
    async update(id, version, set, event) {
      const filter = { _id: id, version: version === null ? { $exists: false } : version } as Filter<T>;
      const update = { $set: { ...set, version: (version ?? 1) + 1 }, ...(event ? { $push: { events: event } } : {}) } as unknown as UpdateFilter<T>;
      return (await collection.updateOne(filter, update)).matchedCount === 1;
    },
  };
}

/**
 * Where each feed's last import stopped (`--since last`): the latest `updatedAt` among the
 * records of the last import of the feed that rejected none, in the institution's own database.
 */
export function importWatermarks(db: Db) {
  const watermarks = db.collection<{ _id: string; updatedAt: Date; importId: string; at: Date }>('importWatermarks');
  return {
    get: async (feed: string) => (await watermarks.findOne({ _id: feed }))?.updatedAt ?? null,
    set: (feed: string, updatedAt: Date, importId: string, at: Date) => watermarks.updateOne({ _id: feed }, { $set: { updatedAt, importId, at } }, { upsert: true }),
  };
}
