// One import of one file into one institution's records: read a batch, validate each record
// against its type's schema, obtain the pseudonyms of the ID numbers it names, find the records it
// refers to, compare it with the stored record of the same natural key, and write what changed —
// batch after batch, so memory holds a batch and the keys seen (to find a key given twice and
// references to records earlier in the file), never the file. A bad record is rejected with its
// line and field and the others go on; `strict` checks the whole file first and writes nothing
// if any record is bad; `dryRun` only counts.
import { createHash, randomUUID } from 'node:crypto';
import path from 'node:path';
import type { Document } from 'mongodb';
import type { z } from 'zod';
import { typedCanonical } from '../../../audit/index.js';
import type { Actor, ImportCollection } from '../../../platform/index.js';
import { ImportFileError, readRecords, scanFile, DEFAULT_MAX_RECORD_BYTES, type FileScan, type ReadRecord } from './records.js';
import { day, moment } from './fields.js';
import { digestOf, districtMidnight } from '../workflow.js';

/** Another record of the same institution a record names by its natural key (a hearing's case number). */
export interface Reference {
  field: string;
  type: string;
  key: string;
}

/** What a record's mapping may ask of the batch it is in. */
export interface ImportContext {
  /** The pseudonym of an ID number the record named (its type's idNumbers). */
  pseudonym(idNumber: string): string;
  /** The id of a record the record referred to (its type's references). */
  idOf(type: string, key: string): string;
}

/** One record type an institution imports: its schema, key and the fields it owns. */
export interface ImportType<P = any> {
  name: string;
  /** A record's fields (without `type` and `updatedAt`), validated and parsed. */
  schema: z.ZodType<P>;
  collection: ImportCollection;
  /** The name of the natural key's column, for messages (`caseNumber`). */
  keyName: string;
  /** The national ID numbers the record names, pseudonymised before it is mapped. */
  idNumbers?: (record: P) => string[];
  /** Records of the institution it names by natural key (a party by its pseudonym): found in its records or earlier in the file. */
  references?: (record: P, pseudonym: (idNumber: string) => string) => Reference[];
  /** Its natural key (the value in `collection.keyField`). */
  key: (record: P, context: ImportContext) => string;
  /** The id a new record gets: the file's `id` when given, else one derived from the natural key. */
  id: (record: P, context: ImportContext) => string;
  /** The fields the import owns, as stored: every one the file says, never a workflow's. */
  fields: (record: P, context: ImportContext) => Document;
  /**
   * A versioned workflow record (platform/versioned.ts): what a new one starts with besides the
   * fields (its state and the workflow's empty lists), and its state after an update.
   */
  workflow?: {
    created: (fields: Document) => { state: string } & Document;
    state: (fields: Document, stored: Document) => string;
    /**
     * Fields the workflow writes too (a settlement closes its case): once a step in the graph has
     * written the record, an import that would change one of them is refused for that record, so
     * a nightly file never undoes what was done in the graph.
     */
    shared: readonly string[];
  };
}

/** National ID numbers to pseudonyms, in one batched call (subgraphs/government/pseudonyms.ts). */
export type Pseudonymizer = (idNumbers: readonly string[]) => Promise<Map<string, string>>;

export interface ImportOptions {
  file: string;
  types: readonly ImportType[];
  /** The type of every record; otherwise each record's `type` field says. */
  type?: string;
  pseudonymize: Pseudonymizer;
  /** Who runs it (their token's principal): new and changed workflow records name them. */
  actor: Actor;
  dryRun?: boolean;
  strict?: boolean;
  /** Records whose `updatedAt` is before this are skipped (a nightly job's increment). */
  since?: Date;
  now?: () => Date;
  batchSize?: number;
  maxRecordBytes?: number;
  /** Called after every batch with the records read so far. */
  onProgress?: (read: number, total: number) => void;
}

export interface Rejection {
  line: number;
  type: string | null;
  /** The field at fault; null when the record as a whole is. */
  field: string | null;
  message: string;
}

export interface ImportCounts {
  read: number;
  created: number;
  updated: number;
  unchanged: number;
  rejected: number;
  /** Older than `since`. */
  skipped: number;
}

export interface ImportSummary {
  id: string;
  file: FileScan & { name: string };
  types: string[];
  dryRun: boolean;
  strict: boolean;
  since: Date | null;
  counts: ImportCounts;
  /** Every rejected record's reasons, in file order. */
  rejections: Rejection[];
  /** The latest `updatedAt` among records imported (the next increment's watermark); null when none said. */
  latestUpdatedAt: Date | null;
  startedAt: Date;
  finishedAt: Date;
  /** Strict mode found errors and wrote nothing. */
  aborted: boolean;
  /** Why the import stopped part-way, having written what `counts` says (null: it read the whole file). */
  failure: string | null;
}

interface Parsed {
  line: number;
  type: ImportType;
  record: unknown;
  updatedAt: Date | null;
}

interface Seen {
  id: string;
  line: number;
}

/** A record's `updatedAt`: a moment, or a day, which begins at the district's midnight (as `--since` reads a day). */
const changedAt = moment.or(day.transform(districtMidnight));

/**
 * At most this many updates of a batch at once. The embedded store (FerretDB 1.24 over PostgreSQL)
 * holds one of its 50 PostgreSQL connections for an update's read and takes a second for its
 * write: 50 updates at once each hold one and wait for another, for ever (reproduced with 50
 * concurrent updateOne calls; a goroutine dump shows every handler in pool.Acquire under
 * UpdateAll). Eight at once are as fast (about 0.7 ms an update either way, measured) and leave
 * the pool to the subgraphs.
 */
const UPDATES_IN_FLIGHT = 8;

/**
 * `run` over every item, at most `limit` at once; each result or error in order, once every one has
 * settled (a failure stops no other, and none is left running: each outcome can be counted).
 */
async function inParallel<T, R>(items: readonly T[], limit: number, run: (item: T) => Promise<R>): Promise<({ ok: true; value: R } | { ok: false; error: unknown })[]> {
  const results: ({ ok: true; value: R } | { ok: false; error: unknown })[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      try {
        results[i] = { ok: true, value: await run(items[i] as T) };
      } catch (error) {
        results[i] = { ok: false, error };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

/** At most this many rejections are kept with their reasons (all are counted). */
const REJECTIONS_KEPT = 1000;

export async function importFile(options: ImportOptions): Promise<ImportSummary> {
  const startedAt = (options.now ?? (() => new Date()))();
  const scan = await scanFile(options.file, options.maxRecordBytes ?? DEFAULT_MAX_RECORD_BYTES);
  const byName = new Map(options.types.map((t) => [t.name, t]));
  if (options.type !== undefined && !byName.has(options.type)) {
    throw new ImportFileError(`--type ${options.type} is not a record type here; one of: ${[...byName.keys()].join(', ')}`);
  }
  const id = `import-${randomUUID()}`;
  if (options.strict && !options.dryRun) {
    // Everything is checked first; nothing is written unless every record is good. The check's
    // pseudonyms are kept for the import (the government is asked, and logs, each number once).
    const known = new Map<string, string>();
    const asked = options.pseudonymize;
    options = {
      ...options,
      pseudonymize: async (numbers) => {
        const missing = numbers.filter((n) => !known.has(n));
        if (missing.length) for (const [n, p] of await asked(missing)) known.set(n, p);
        return new Map(numbers.flatMap((n) => (known.has(n) ? [[n, known.get(n) as string] as const] : [])));
      },
    };
    const check = await run({ ...options, dryRun: true }, scan, byName, id, startedAt);
    if (check.counts.rejected > 0) return { ...check, dryRun: false, aborted: true, finishedAt: (options.now ?? (() => new Date()))() };
  }
  return run(options, scan, byName, id, startedAt);
}

async function run(options: ImportOptions, scan: FileScan, byName: Map<string, ImportType>, id: string, startedAt: Date): Promise<ImportSummary> {
  const now = options.now ?? (() => new Date());
  const counts: ImportCounts = { read: 0, created: 0, updated: 0, unchanged: 0, rejected: 0, skipped: 0 };
  const rejections: Rejection[] = [];
  const seen = new Map<string, Map<string, Seen>>();
  /** The ids of stored records referred to (by type, then natural key), found by an earlier batch. */
  const storedRefs = new Map<string, Map<string, string>>();
  const typesSeen = new Set<string>();
  let latestUpdatedAt: Date | null = null;
  const rejectedLines = new Set<number>();
  const reject = (line: number, type: string | null, field: string | null, message: string) => {
    if (rejections.length < REJECTIONS_KEPT) rejections.push({ line, type, field, message });
    if (!rejectedLines.has(line)) {
      rejectedLines.add(line);
      counts.rejected++;
    }
  };

  const processBatch = async (batch: ReadRecord[]) => {
    const parsed: Parsed[] = [];
    for (const read of batch) {
      counts.read++;
      if ('error' in read) {
        reject(read.line, null, null, read.error);
        continue;
      }
      const { type: typeField, updatedAt: updatedField, ...fields } = read.fields;
      const typeName = options.type ?? (typeof typeField === 'string' ? typeField.trim() : undefined);
      if (options.type !== undefined && typeField !== undefined && typeField !== options.type) {
        reject(read.line, options.type, 'type', `says ${String(typeField)}, but the import is of ${options.type}`);
        continue;
      }
      const type = typeName === undefined ? undefined : byName.get(typeName);
      if (!type) {
        reject(read.line, null, 'type', typeName === undefined ? `missing: give every record a type (one of ${[...byName.keys()].join(', ')}) or run with --type` : `${typeName} is not a record type here; one of ${[...byName.keys()].join(', ')}`);
        continue;
      }
      typesSeen.add(type.name);
      let updatedAt: Date | null = null;
      if (updatedField !== undefined && updatedField !== null) {
        const when = changedAt.safeParse(updatedField);
        if (!when.success) {
          reject(read.line, type.name, 'updatedAt', 'must be a date and time with its offset (2025-03-14T09:30:00+08:00) or a day');
          continue;
        }
        updatedAt = when.data;
        if (options.since && updatedAt.getTime() < options.since.getTime()) {
          counts.skipped++;
          continue;
        }
      }
      const result = type.schema.safeParse(fields);
      if (!result.success) {
        for (const issue of result.error.issues) {
          const field = issue.path.length ? issue.path.map(String).join('.') : null;
          // A required field left out (an empty cell, an absent or null JSON value): zod's words for it
          // ("Invalid input: expected string, received undefined") are a programmer's, not the clerk's.
          const raw = issue.path.length === 1 ? fields[String(issue.path[0])] : 'nested';
          const absent = issue.code !== 'custom' && (raw === undefined || raw === null || raw === '');
          reject(
            read.line,
            type.name,
            field,
            issue.code === 'unrecognized_keys'
              ? `unknown field${issue.keys.length > 1 ? 's' : ''} ${issue.keys.join(', ')} (${/^[AEIOU]/.test(type.name) ? 'an' : 'a'} ${type.name} has ${Object.keys((type.schema as unknown as { shape?: object }).shape ?? {}).join(', ')})`
              : absent
                ? 'is required (it is missing or empty)'
                : issue.message,
          );
        }
        continue;
      }
      parsed.push({ line: read.line, type, record: result.data, updatedAt });
    }

    // Pseudonyms of every ID number of the batch, in one call.
    const numbers = [...new Set(parsed.flatMap((p) => p.type.idNumbers?.(p.record) ?? []))];
    const pseudonyms = numbers.length ? await options.pseudonymize(numbers) : new Map<string, string>();
    for (const n of numbers) if (!pseudonyms.has(n)) throw new ImportFileError('the pseudonymisation service did not answer for every ID number of a batch; nothing more was imported');

    const pseudonym = (n: string) => pseudonyms.get(n) as string;
    // References: to records earlier in the file, else among the stored ones (one query per type
    // for the keys no earlier batch found: a file whose records name the same few agencies and
    // parties looks each up once).
    const wanted = new Map<string, Set<string>>();
    for (const p of parsed) {
      for (const ref of p.type.references?.(p.record, pseudonym) ?? []) {
        if (seen.get(ref.type)?.has(ref.key) || storedRefs.get(ref.type)?.has(ref.key)) continue;
        let keys = wanted.get(ref.type);
        if (!keys) wanted.set(ref.type, (keys = new Set()));
        keys.add(ref.key);
      }
    }
    for (const [typeName, keys] of wanted) {
      const type = byName.get(typeName);
      if (!type) throw new Error(`a reference to ${typeName}, which is not imported here`);
      const docs = await type.collection.findByKeys([...keys]);
      let found = storedRefs.get(typeName);
      if (!found) storedRefs.set(typeName, (found = new Map()));
      for (const doc of docs) found.set(String(doc[type.collection.keyField]), String(doc._id));
    }
    const idOf = (typeName: string, key: string): string => {
      const found = seen.get(typeName)?.get(key)?.id ?? storedRefs.get(typeName)?.get(key);
      if (found === undefined) throw new Error(`${typeName} ${key} was not looked up`);
      return found;
    };
    const context: ImportContext = { pseudonym, idOf };

    interface Candidate extends Parsed {
      key: string;
      fields: Document;
      givenId: string | undefined;
      /** The id it has if it is new: the file's, or its type's derived one. */
      newId: string;
    }
    const candidates: Candidate[] = [];
    const batchKeys = new Map<string, Map<string, number>>();
    for (const p of parsed) {
      const missing = (p.type.references?.(p.record, pseudonym) ?? []).filter((ref) => !(seen.get(ref.type)?.has(ref.key) || storedRefs.get(ref.type)?.has(ref.key)));
      if (missing.length) {
        for (const ref of missing) reject(p.line, p.type.name, ref.field, `no ${ref.type} ${ref.key} among the records (nor earlier in this file)`);
        continue;
      }
      const key = p.type.key(p.record, context);
      const earlier = seen.get(p.type.name)?.get(key)?.line ?? batchKeys.get(p.type.name)?.get(key);
      if (earlier !== undefined) {
        reject(p.line, p.type.name, p.type.keyName, `${key} is given twice: line ${earlier} has it too`);
        continue;
      }
      let keys = batchKeys.get(p.type.name);
      if (!keys) batchKeys.set(p.type.name, (keys = new Map()));
      keys.set(key, p.line);
      const givenId = (p.record as { id?: string | null }).id ?? undefined;
      candidates.push({ ...p, key, fields: p.type.fields(p.record, context), givenId, newId: givenId ?? p.type.id(p.record, context) });
    }

    // The stored record of each key. First by the id each record would get (one query per type,
    // on the id's index), which finds every record stored under its derived or given id — all of a
    // re-import. A key is looked for by its own field only where that did not settle it: when its
    // id is held by a record of another key, in a dry run, or when inserting it hits the key's
    // unique index (it is stored under another id; then it is compared like the others). Why not
    // look every key up by its field: on the embedded store (FerretDB over PostgreSQL) a lookup by
    // a field other than _id scans the collection, comparing each row with each key of the batch,
    // so an import's time grew with the square of the collection (measured: 0.9 s a batch of 500
    // at 20,000 records; npm run bench:import). MongoDB answers both from an index.
    const byId = new Map<string, Document>();
    const idsByType = new Map<string, string[]>();
    for (const c of candidates) {
      const list = idsByType.get(c.type.name) ?? [];
      list.push(c.newId);
      idsByType.set(c.type.name, list);
    }
    for (const [typeName, ids] of idsByType) {
      const type = byName.get(typeName) as ImportType;
      for (const doc of await type.collection.findByIds(ids)) byId.set(`${typeName}\n${String(doc._id)}`, doc);
    }
    const existing = new Map<Candidate, Document>();
    const fresh: Candidate[] = [];
    const lookUp: Candidate[] = [];
    for (const c of candidates) {
      const holder = byId.get(`${c.type.name}\n${c.newId}`);
      if (holder && String(holder[c.type.collection.keyField]) === c.key) existing.set(c, holder);
      else if (holder || options.dryRun) lookUp.push(c);
      else fresh.push(c);
    }
    const findByKey = async (list: Candidate[]) => {
      const found = new Map<Candidate, Document>();
      for (const [typeName, keys] of groupKeys(list)) {
        const type = byName.get(typeName) as ImportType;
        const docs = new Map((await type.collection.findByKeys(keys)).map((doc) => [String(doc[type.collection.keyField]), doc]));
        for (const c of list) if (c.type.name === typeName && docs.has(c.key)) found.set(c, docs.get(c.key) as Document);
      }
      return found;
    };
    const storedByKey = await findByKey(lookUp);
    for (const c of lookUp) {
      const stored = storedByKey.get(c);
      if (stored) existing.set(c, stored);
      else fresh.push(c);
    }

    const at = now();
    const inserts = new Map<string, { candidate: Candidate; doc: Document }[]>();
    const updates: { candidate: Candidate; stored: Document; set: Document; event?: Document }[] = [];
    const newIdsInBatch = new Map<string, number>();
    /** A record whose key is stored: unchanged, or an update of the fields that changed. */
    const compare = (c: Candidate, stored: Document) => {
      if (c.givenId !== undefined && c.givenId !== stored._id) {
        reject(c.line, c.type.name, 'id', `${c.key} is the record ${String(stored._id)}, not ${c.givenId}`);
        return;
      }
      // A field the file left out (undefined) is left as stored.
      const changed = Object.keys(c.fields).filter((field) => c.fields[field] !== undefined && typedCanonical(c.fields[field]) !== typedCanonical(stored[field] ?? null));
      if (!changed.length) {
        counts.unchanged++;
        remember(c, String(stored._id));
        return;
      }
      if (c.type.workflow) {
        // A record made in the graph (a suggestion issued there, a dispute proposed) is the workflow's, never a file's.
        const createKey = String(stored.createKey ?? '');
        if (!createKey.startsWith('imported ') && !createKey.startsWith('loaded ')) {
          reject(c.line, c.type.name, c.type.keyName, `${c.key} was made in the graph, not by an import: an import does not overwrite it`);
          return;
        }
        const steps = ((stored.events ?? []) as { action: string; at: Date }[]).filter((event) => event.action !== 'IMPORT');
        const overlap = changed.filter((field) => c.type.workflow?.shared.includes(field));
        const last = steps.at(-1);
        if (last && overlap.length) {
          reject(c.line, c.type.name, overlap[0] as string, `${overlap.join(', ')} of ${c.key} changed in the graph (${last.action}, ${last.at.toISOString().slice(0, 10)}); the import does not undo it: correct it in the graph, or leave the column out`);
          return;
        }
      }
      const set: Document = Object.fromEntries(changed.map((field) => [field, c.fields[field]]));
      set.updatedAt = at;
      set.source = { import: id, line: c.line };
      let event: Document | undefined;
      if (c.type.workflow) {
        const state = c.type.workflow.state(c.fields, stored);
        set.state = state;
        const version = (typeof stored.version === 'number' ? stored.version : 1) + 1;
        event = { action: 'IMPORT', at, by: options.actor, requestId: id, key: `${id} ${c.line}`, input: digestOf(c.fields), version, state };
      }
      updates.push({ candidate: c, stored, set, event });
    };
    for (const [c, stored] of existing) compare(c, stored);
    for (const c of fresh) {
      const newId = c.newId;
      const holder = byId.get(`${c.type.name}\n${newId}`);
      const twin = newIdsInBatch.get(`${c.type.name}\n${newId}`);
      if (holder || twin !== undefined) {
        reject(c.line, c.type.name, c.givenId !== undefined ? 'id' : c.type.keyName, `the id ${newId} is already ${holder ? `that of ${String(holder[c.type.collection.keyField])}` : `given on line ${twin}`}; give this record an id of its own`);
        continue;
      }
      newIdsInBatch.set(`${c.type.name}\n${newId}`, c.line);
      // A new record has every field: one the file left out is empty.
      const doc: Document = { _id: newId, ...Object.fromEntries(Object.entries(c.fields).map(([field, value]) => [field, value ?? null])), version: 1, updatedAt: at, source: { import: id, line: c.line } };
      if (c.type.workflow) {
        Object.assign(doc, c.type.workflow.created(c.fields), {
          createdAt: at,
          // Nobody is the ISSUER of an imported record: an empty sub, which no principal has.
          createdBy: { sub: '', name: options.actor.name, org: options.actor.org, unit: null },
          createKey: `imported ${c.type.name} ${newId}`,
          events: [],
          version: 1,
        });
      }
      const list = inserts.get(c.type.name) ?? [];
      list.push({ candidate: c, doc });
      inserts.set(c.type.name, list);
    }

    // Refused by a unique index: the key is stored under another id (or someone stored the record
    // while this import ran): looked up by key, and compared.
    const refused: Candidate[] = [];
    for (const [typeName, list] of inserts) {
      const type = byName.get(typeName) as ImportType;
      const { duplicates } = options.dryRun ? { duplicates: new Set<number>() } : await type.collection.insert(list.map((x) => x.doc));
      list.forEach((x, i) => {
        if (duplicates.has(i)) {
          refused.push(x.candidate);
        } else {
          counts.created++;
          remember(x.candidate, String(x.doc._id));
        }
      });
    }
    const storedAfterAll = await findByKey(refused);
    for (const c of refused) {
      const stored = storedAfterAll.get(c);
      if (stored) compare(c, stored);
      else reject(c.line, c.type.name, c.type.keyName, `${c.key} was stored by someone else while this import ran: import again`);
    }
    const results = options.dryRun
      ? updates.map(() => ({ ok: true as const, value: true }))
      : await inParallel(updates, UPDATES_IN_FLIGHT, (u) => u.candidate.type.collection.update(String(u.stored._id), typeof u.stored.version === 'number' ? u.stored.version : null, u.set, u.event));
    let failed: unknown = null;
    updates.forEach((u, i) => {
      const result = results[i]!;
      if (!result.ok) failed ??= result.error;
      else if (result.value) {
        counts.updated++;
        remember(u.candidate, String(u.stored._id));
      } else {
        reject(u.candidate.line, u.candidate.type.name, null, `${u.candidate.key} changed while this import ran (a workflow step?): import again`);
      }
    });
    // Every update that was made is counted before the failure stops the import.
    if (failed !== null) throw failed;
  };

  /** Candidates' keys, by type. */
  function groupKeys(list: readonly (Parsed & { key: string })[]): Map<string, string[]> {
    const byType = new Map<string, string[]>();
    for (const c of list) {
      const keys = byType.get(c.type.name) ?? [];
      keys.push(c.key);
      byType.set(c.type.name, keys);
    }
    return byType;
  }

  function remember(c: Parsed & { key: string }, recordId: string) {
    let keys = seen.get(c.type.name);
    if (!keys) seen.set(c.type.name, (keys = new Map()));
    keys.set(c.key, { id: recordId, line: c.line });
    if (c.updatedAt && (!latestUpdatedAt || c.updatedAt.getTime() > latestUpdatedAt.getTime())) latestUpdatedAt = c.updatedAt;
  }

  const size = options.batchSize ?? 500;
  let batch: ReadRecord[] = [];
  let batchType: unknown;
  // The file is hashed again as it is read: what was imported is what the log names.
  const readHash = createHash('sha256');
  let failure: string | null = null;
  try {
    for await (const record of readRecords(options.file, options.maxRecordBytes ?? DEFAULT_MAX_RECORD_BYTES, (chunk) => readHash.update(chunk))) {
      // A batch holds records of one type. A record refers only to records of other types (a hearing
      // to its case, an act to its party), and a batch's references are looked up before any of its
      // records is written: a hearing in the batch of the case it follows would not find it.
      const type = 'error' in record ? batchType : (options.type ?? record.fields.type);
      if (batch.length && type !== batchType) {
        await processBatch(batch);
        batch = [];
        options.onProgress?.(counts.read, scan.records);
      }
      batchType = type;
      batch.push(record);
      if (batch.length >= size) {
        await processBatch(batch);
        batch = [];
        options.onProgress?.(counts.read, scan.records);
      }
    }
    if (batch.length) await processBatch(batch);
    options.onProgress?.(counts.read, scan.records);
    if (readHash.digest('hex') !== scan.sha256) throw new ImportFileError(`${path.basename(options.file)} changed while it was imported: import it again once it is written whole`);
  } catch (error) {
    // Failed before writing anything: nothing to account for. After: the summary says what was
    // written and why it stopped, so that the import is logged with it (runImport) — a record is
    // never left in the store by an import the log does not know.
    if (options.dryRun || counts.created + counts.updated === 0) throw error;
    failure = error instanceof Error ? error.message : String(error);
  }

  rejections.sort((a, b) => a.line - b.line);
  return {
    id,
    file: { ...scan, name: options.file },
    types: [...typesSeen].sort(),
    dryRun: options.dryRun === true,
    strict: options.strict === true,
    since: options.since ?? null,
    counts,
    rejections,
    latestUpdatedAt,
    startedAt,
    finishedAt: now(),
    aborted: false,
    failure,
  };
}
