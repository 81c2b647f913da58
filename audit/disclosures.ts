// Disclosures, written by each owner (as X-Road logs on both sides): under the gateway's request
// id, which of its records (type and id) a subgraph disclosed, field by field, and which fields it
// refused and why. "Who saw AdminCase X" is then answered by the institution that owns X, from its
// own database.
import { GraphQLError, getNamedType, isLeafType, type GraphQLResolveInfo, type GraphQLSchema } from 'graphql';
import { z } from 'zod';
import type { ApolloServerPlugin } from '@apollo/server';
import { AUDIT_UNAVAILABLE_ERROR, isPending, logError, serviceLog, wrapFieldResolvers, type FieldResolver } from '../platform/index.js';
import { principalClaims, type CallIdentity, type Principal } from '../auth/index.js';
import type { AuditWriter } from './writer.js';
import { LOG_HEAD_EXTENSION, logHeadSchema, parseLogHead, type LogHead, type WitnessBook } from './witness.js';

/**
 * What a caller received of one record, as the readers (the auditors' API, the page, the tests)
 * see it, whichever shape the entry was stored in (disclosedRecordsOf).
 */
export interface DisclosedRecord {
  /** `Type:id`, one indexed field to find a record's history by. */
  key: string;
  type: string;
  id: string;
  /** Fields (and fields nested under the record, as `parties.name`) the caller received as they are. */
  disclosed: string[];
  /** ... received masked, and the mask (none on records written before masks were recorded). */
  masked: { field: string; mask: string }[];
  /** ... refused, and why. */
  refused: { field: string; reason: string }[];
  /** Fields disclosed (or masked) under a grant on application, and its id (none on records written before grants). */
  granted: { field: string; grant: string }[];
  /** What the request wrote to the record, when it did (a write's digests, never its values). */
  written?: RecordWrite;
}

/** One written field: SHA-256 (hex) of the typed canonical form of its value before and after; null where absent. */
export interface WrittenField {
  field: string;
  before: string | null;
  after: string | null;
}

/** A write to one record by one request: the workflow's action, the version it made, the fields it changed. */
export interface RecordWrite {
  action: string;
  version: number;
  fields: WrittenField[];
}

/**
 * One set of verdicts, stored once however many records got it: a 500-row list gives every row
 * the same fields, and repeating them per record made one request's entry 100-200 KB (a
 * prosecutor's 450-case list at the test scale: 207 KB, 42 KB compact), whose encoding and storing
 * was most of the store's CPU in governance's cost (issue #10).
 */
export interface Verdicts {
  disclosed: string[];
  masked: { field: string; mask: string }[];
  refused: { field: string; reason: string }[];
  /** Absent where no field was disclosed under a grant on application (and on every set written before them). */
  granted?: { field: string; grant: string }[];
}

/** A record of the request and the index of its verdicts in the entry's `verdicts`. */
export interface RecordVerdicts {
  /** `Type:id`, as in every format: the `{'records.key': 1}` index and the history query use it unchanged. */
  key: string;
  v: number;
}

/** The compact parts of a disclosure entry: distinct verdict sets in first-seen order, and each record's. */
export interface CompactDisclosures {
  verdicts: Verdicts[];
  records: RecordVerdicts[];
}

/**
 * An import of records into the owner from its own case system (npm run import), recorded in its
 * log as an entry of kind IMPORT with no records: who ran it is the entry's principal.
 */
export interface DataImport {
  file: string;
  sha256: string;
  bytes: number;
  format: string;
  types: string[];
  strict: boolean;
  since: Date | null;
  counts: { read: number; created: number; updated: number; unchanged: number; rejected: number; skipped: number };
  startedAt: Date;
  finishedAt: Date;
  /** Why it stopped part-way, having written what its counts say; absent when it read the whole file. */
  failure?: string;
}

/** An owner's disclosure entry as written now. */
export interface DisclosureEntry extends CompactDisclosures {
  /** IMPORT for an import's entry (not `kind`: an export's lines name their kind beside the record's fields) (indexed: the auditors' list of imports); absent on a request's. */
  entryType?: 'IMPORT';
  import?: DataImport;
  /** The grants on application the request disclosed under (indexed: the auditors' view of one grant). */
  grants?: string[];
  /** The request's writes, each naming its record by the key it has in `records`. */
  writes?: (RecordWrite & { key: string })[];
  requestId: string;
  principal: Pick<Principal, 'sub' | 'name' | 'org' | 'roles' | 'unit'>;
  purpose: string;
  /** The gateway's signed head, when this request brought a new one: this log's witness of the gateway's. */
  witnessed?: LogHead[];
}

/**
 * An entry as written before the compact format: each record with its type, id and verdicts
 * (`masked` absent on the oldest). Never written again, and never validated again: existing logs
 * keep them, read and hashed as stored.
 */
export interface LegacyDisclosureEntry {
  requestId: string;
  principal: DisclosureEntry['principal'];
  purpose: string;
  records: (Omit<DisclosedRecord, 'masked' | 'granted' | 'written'> & { masked?: DisclosedRecord['masked'] })[];
  witnessed?: LogHead[];
}

/** What a disclosure log's documents may hold: either format (a log written across the change holds both). */
export type StoredDisclosureEntry = DisclosureEntry | LegacyDisclosureEntry;

function isCompact(entry: StoredDisclosureEntry): entry is DisclosureEntry {
  return Array.isArray((entry as Partial<DisclosureEntry>).verdicts);
}

/**
 * A key's type and id: split at its first `:`. A type is a GraphQL name (`[_A-Za-z][_0-9A-Za-z]*`,
 * never a `:`), and an id is a string (the collector records only objects whose `id` is one) that
 * may itself hold `:` (`AuditExport:2025-01-01T00:00:00.000Z_…`), so the first `:` is the split.
 */
function splitKey(key: string): { type: string; id: string } {
  const colon = key.indexOf(':');
  return { type: key.slice(0, colon), id: key.slice(colon + 1) };
}

/**
 * The records of a stored disclosure entry, of either format, one per record with its verdicts —
 * the one way every reader sees them. `only`: the records with that key (a history's), without
 * expanding the others.
 */
export function disclosedRecordsOf(entry: StoredDisclosureEntry, only?: string): DisclosedRecord[] {
  if (!isCompact(entry)) {
    const records = only === undefined ? entry.records : entry.records.filter((record) => record.key === only);
    // Records written before masks were recorded have none to show.
    return records.map((record) => ({ ...record, masked: record.masked ?? [], granted: [] }));
  }
  const records = only === undefined ? entry.records : entry.records.filter((record) => record.key === only);
  return records.map(({ key, v }) => {
    const verdicts = entry.verdicts[v];
    const write = entry.writes?.find((w) => w.key === key);
    // The writer's schema holds every index within `verdicts`; a stored entry edited since is the
    // chain's to flag (HASH_MISMATCH), not a reason to fail the answer that shows it flagged.
    return {
      key,
      ...splitKey(key),
      disclosed: verdicts?.disclosed ?? [],
      masked: verdicts?.masked ?? [],
      refused: verdicts?.refused ?? [],
      granted: verdicts?.granted ?? [],
      ...(write ? { written: { action: write.action, version: write.version, fields: write.fields } } : {}),
    };
  });
}

/**
 * Records with their verdicts, stored compactly: each distinct set of verdicts once, in the order
 * first seen, and each record (in the given order) with the index of its set. The sets are told
 * apart by their lists as given (sorted by whoever made them), so the result is deterministic.
 */
export function compactDisclosures(records: readonly DisclosedRecord[]): CompactDisclosures {
  const verdicts: Verdicts[] = [];
  const indexOf = new Map<string, number>();
  const compact = records.map(({ key, disclosed, masked, refused, granted }): RecordVerdicts => {
    // A canonical key of the lists; JSON keeps each list's order and cannot confuse a field
    // name holding a separator with two names.
    const canonical = JSON.stringify([disclosed, masked.map((m) => [m.field, m.mask]), refused.map((r) => [r.field, r.reason]), granted.map((g) => [g.field, g.grant])]);
    let v = indexOf.get(canonical);
    if (v === undefined) {
      v = verdicts.push({ disclosed, masked, refused, ...(granted.length ? { granted } : {}) }) - 1;
      indexOf.set(canonical, v);
    }
    return { key, v };
  });
  return { verdicts, records: compact };
}

const text = (max: number) => z.string().max(max);
const digest = z.string().regex(/^[0-9a-f]{64}$/);
const count = z.number().int().min(0);
const GRAPHQL_NAME = /^[_A-Za-z][_0-9A-Za-z]*$/;

/** `Type:id` within today's bounds: a type (a GraphQL name) of at most 64 characters, an id of at most 64. */
const recordKey = text(200).refine((key) => {
  const colon = key.indexOf(':');
  if (colon < 1) return false;
  const { type, id } = splitKey(key);
  return type.length <= 64 && GRAPHQL_NAME.test(type) && id.length <= 64;
}, 'a record key is Type:id, a type name and an id of at most 64 characters each');

/**
 * What an owner's disclosure record must be before it may join a batch: the compact format only
 * (entries stored in the earlier format are read, never written or validated again).
 */
export const disclosureEntrySchema = z
  .object({
    requestId: z.string().min(1).max(64),
    principal: z.object({ sub: text(128), name: text(128), org: text(32), roles: z.array(text(64)).max(10), unit: text(64).nullable() }).strict(),
    purpose: text(64),
    verdicts: z.array(
      z
        .object({
          disclosed: z.array(text(200)),
          masked: z.array(z.object({ field: text(200), mask: text(32) }).strict()),
          refused: z.array(z.object({ field: text(200), reason: text(64) }).strict()),
          granted: z.array(z.object({ field: text(200), grant: text(64) }).strict()).optional(),
        })
        .strict(),
    ),
    grants: z.array(text(64)).max(500).optional(),
    records: z.array(z.object({ key: recordKey, v: z.number().int().min(0) }).strict()),
    writes: z
      .array(
        z
          .object({
            key: recordKey,
            action: text(64),
            version: z.number().int().min(1),
            fields: z.array(z.object({ field: text(200), before: digest.nullable(), after: digest.nullable() }).strict()).max(200),
          })
          .strict(),
      )
      .max(50)
      .optional(),
    witnessed: z.array(logHeadSchema).max(1).optional(),
    entryType: z.literal('IMPORT').optional(),
    import: z
      .object({
        file: text(255),
        sha256: digest,
        bytes: count,
        format: z.enum(['csv', 'ndjson']),
        types: z.array(text(64)).max(50),
        strict: z.boolean(),
        since: z.date().nullable(),
        counts: z.object({ read: count, created: count, updated: count, unchanged: count, rejected: count, skipped: count }).strict(),
        startedAt: z.date(),
        finishedAt: z.date(),
        failure: text(1000).optional(),
      })
      .strict()
      .optional(),
  })
  .strict()
  .refine((entry) => (entry.entryType === 'IMPORT') === (entry.import !== undefined), { message: 'an IMPORT entry, and only one, holds an import', path: ['import'] })
  // Each record names verdicts that are there, and no set is stored that no record could name.
  .refine((entry) => entry.verdicts.length <= entry.records.length, { message: 'more verdict sets than records', path: ['verdicts'] })
  .refine((entry) => entry.records.every((record) => record.v < entry.verdicts.length), { message: 'a record names verdicts that are not there', path: ['records'] })
  .refine((entry) => (entry.writes ?? []).every((write) => entry.records.some((record) => record.key === write.key)), { message: 'a write names a record that is not there', path: ['writes'] });

interface RecordEntry {
  type: string;
  id: string;
  disclosed: Set<string>;
  /** Field → mask; made when the record has one (most have none). */
  masked: Map<string, string> | undefined;
  /** Field → reason; as `masked`. */
  refused: Map<string, string> | undefined;
  /** Field → the grant on application it was disclosed under; as `masked`. */
  granted: Map<string, string> | undefined;
}

/**
 * A path of field names under a record (`''`, `parties.`), and the names of the fields below it
 * (`parties.name`), made once per request: a field resolves on every row, and its name under each
 * record it sits in is then found, not concatenated (and hashed) again for every row.
 */
class FieldPrefix {
  private readonly fields = new Map<string, string>();
  private readonly below = new Map<string, FieldPrefix>();

  constructor(private readonly prefix: string) {}

  /** `parties.name`, for `name` under `parties.`. */
  field(name: string): string {
    if (this.prefix === '') return name;
    let field = this.fields.get(name);
    if (field === undefined) this.fields.set(name, (field = `${this.prefix}${name}`));
    return field;
  }

  /** `parties.`, under `''`. */
  under(name: string): FieldPrefix {
    let prefix = this.below.get(name);
    if (!prefix) this.below.set(name, (prefix = new FieldPrefix(`${this.prefix}${name}.`)));
    return prefix;
  }
}

/** Which record a value sits in, and the path of field names from that record to it. */
interface Enclosing {
  /** `Type:id`. */
  key: string;
  type: string;
  id: string;
  /** `''` for the record's own fields, `parties.` for those of the parties under it. */
  prefix: FieldPrefix;
  /** The record's entry, once a field of it has resolved (a record with nothing resolved is not one of the request's). */
  record: RecordEntry | undefined;
}

/** graphql's `info.path`: a linked list, one object per step, shared by every layer of wrappers. */
type ResponsePath = { readonly prev: ResponsePath | undefined; readonly key: string | number };

const NOT_ENCLOSED: readonly Enclosing[] = Object.freeze([]);

/**
 * Gathers one request's disclosures as its fields resolve: per record (an object with an `id`),
 * every field asked of it and of the values nested under it, with what the caller received.
 */
export class DisclosureCollector {
  /** In the order their first field resolved: the order of the records written. */
  private readonly byKey = new Map<string, RecordEntry>();
  /** A resolved field that holds objects: its path → its name and the records its parent sits in. */
  private readonly fields = new WeakMap<ResponsePath, { name: string; enclosing: readonly Enclosing[] }>();
  /** An object's path → the records it sits in (itself first, when it is one). */
  private readonly objects = new WeakMap<ResponsePath, readonly Enclosing[]>();
  private readonly ownFields = new FieldPrefix('');

  private record(enclosing: Enclosing): RecordEntry {
    let record = this.byKey.get(enclosing.key);
    if (!record) {
      record = { type: enclosing.type, id: enclosing.id, disclosed: new Set(), masked: undefined, refused: undefined, granted: undefined };
      this.byKey.set(enclosing.key, record);
    }
    return (enclosing.record = record);
  }

  /**
   * The records the object at `path` sits in: itself when it has an id, and every record above
   * it, found through the field that produced it (by field names, never the client's aliases).
   */
  enclosing(path: ResponsePath | undefined, type: string, object: unknown): readonly Enclosing[] {
    if (!path) return NOT_ENCLOSED;
    const known = this.objects.get(path);
    if (known) return known;
    let fieldPath: ResponsePath | undefined = path;
    while (fieldPath && typeof fieldPath.key === 'number') fieldPath = fieldPath.prev;
    const producer = fieldPath ? this.fields.get(fieldPath) : undefined;
    const id = (object as { id?: unknown } | null)?.id;
    const result: Enclosing[] = typeof id === 'string' ? [{ key: `${type}:${id}`, type, id, prefix: this.ownFields, record: undefined }] : [];
    if (producer) {
      for (const above of producer.enclosing) result.push({ ...above, prefix: above.prefix.under(producer.name) });
    }
    const enclosing = result.length ? result : NOT_ENCLOSED;
    this.objects.set(path, enclosing);
    return enclosing;
  }

  /**
   * A field resolved at `path`, on an object sitting in `enclosing`: what the caller received.
   * `nests` when its values are objects, whose own fields then find their records through it.
   */
  resolved(path: ResponsePath, name: string, nests: boolean, enclosing: readonly Enclosing[], outcome: { refused: string } | { masked: string } | null, grant?: string): void {
    if (nests) this.fields.set(path, { name, enclosing });
    for (const within of enclosing) {
      const record = within.record ?? this.record(within);
      const field = within.prefix.field(name);
      if (outcome === null) record.disclosed.add(field);
      else if ('refused' in outcome) (record.refused ??= new Map()).set(field, outcome.refused);
      else (record.masked ??= new Map()).set(field, outcome.masked);
      if (grant !== undefined) {
        (record.granted ??= new Map()).set(field, grant);
        this.grants.add(grant);
      }
    }
  }

  /** The grants on application the request's fields were disclosed under. */
  private readonly grants = new Set<string>();

  /** The request's writes, by record key, in the order made. */
  private readonly writes = new Map<string, RecordWrite>();

  /**
   * The request wrote to a record (a workflow's step, subgraphs/shared/workflow.ts): the record is
   * one of the request's, whatever the caller then reads of it, so its history shows the write.
   */
  wrote(type: string, id: string, write: RecordWrite): void {
    const key = `${type}:${id}`;
    if (!this.byKey.has(key)) this.byKey.set(key, { type, id, disclosed: new Set(), masked: undefined, refused: undefined, granted: undefined });
    this.writes.set(key, write);
  }

  /**
   * A resolver showed fields of a record that is not itself in the answer (an auditor's lookup
   * shows a dispute's title by the dispute's type and id): recorded as disclosed to the caller.
   */
  shown(type: string, id: string, fields: readonly string[]): void {
    const key = `${type}:${id}`;
    let record = this.byKey.get(key);
    if (!record) {
      record = { type, id, disclosed: new Set(), masked: undefined, refused: undefined, granted: undefined };
      this.byKey.set(key, record);
    }
    for (const field of fields) record.disclosed.add(field);
  }

  get size(): number {
    return this.byKey.size;
  }

  /** The request's records, in the order their first field resolved, with what each received. */
  records(): DisclosedRecord[] {
    return [...this.byKey.entries()].map(([key, r]) => ({
      key,
      type: r.type,
      id: r.id,
      disclosed: [...r.disclosed].sort(),
      masked: r.masked ? [...r.masked.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([field, mask]) => ({ field, mask })) : [],
      refused: r.refused ? [...r.refused.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([field, reason]) => ({ field, reason })) : [],
      granted: r.granted ? [...r.granted.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([field, grant]) => ({ field, grant })) : [],
    }));
  }

  /** The same, as stored: each distinct set of verdicts once (compactDisclosures). */
  entry(): CompactDisclosures & Pick<DisclosureEntry, 'writes' | 'grants'> {
    const compact = compactDisclosures(this.records());
    return {
      ...compact,
      ...(this.writes.size ? { writes: [...this.writes].map(([key, write]) => ({ key, ...write })) } : {}),
      ...(this.grants.size ? { grants: [...this.grants].sort() } : {}),
    };
  }
}

export interface DisclosureContext {
  disclosures: DisclosureCollector;
  /** Where the sharing rules applied a mask (auth's SharingContext.masksApplied): recorded as masked, not disclosed. */
  masksApplied?: WeakMap<object, string>;
  /** Where a grant on application disclosed a field (auth's SharingContext.grantsApplied): recorded with its id. */
  grantsApplied?: WeakMap<object, string>;
}

function forbiddenReason(value: unknown): string | null {
  return value instanceof GraphQLError && value.extensions?.code === 'FORBIDDEN' ? String(value.extensions.reason) : null;
}

/** What the caller received of a field whose resolver gave `value` (or threw it): noted in the collector. */
function note(context: DisclosureContext, info: GraphQLResolveInfo, nests: boolean, enclosing: readonly Enclosing[], value: unknown): void {
  const reason = forbiddenReason(value);
  if (reason) context.disclosures.resolved(info.path, info.fieldName, nests, enclosing, { refused: reason });
  else if (!(value instanceof Error)) {
    const mask = context.masksApplied?.get(info.path);
    context.disclosures.resolved(info.path, info.fieldName, nests, enclosing, mask ? { masked: mask } : null, context.grantsApplied?.get(info.path));
  }
}

/**
 * Wraps, in place, the resolver of every field of every object type (the roots and federation's
 * own types aside) to record what the caller received: disclosed, masked (with the mask) or
 * refused (with the reason) — on the record the field belongs to (an object with an `id`), and on
 * every record it is nested under, by the path of field names (`parties.name`). Applied outside
 * the sharing rules, so it sees their verdict and the masks they applied. Synchronous where the
 * value is: a 500-row list has thousands of fields, and a promise for each was most of the
 * governed request's CPU (issue #10); only a pending value is noted when it settles.
 */
export function disclosureTracking(schema: GraphQLSchema): GraphQLSchema {
  const roots = new Set([schema.getQueryType()?.name, schema.getMutationType()?.name, schema.getSubscriptionType()?.name]);
  return wrapFieldResolvers(schema, (resolve, type, field): FieldResolver | undefined => {
    if (type.name.startsWith('_') || roots.has(type.name)) return undefined;
    // Only a field holding objects is looked up again, by the fields of those objects.
    const nests = !isLeafType(getNamedType(field.type));
    return (parent, args, context: DisclosureContext, info) => {
      const enclosing = context.disclosures.enclosing(info.path.prev, info.parentType.name, parent);
      let value: unknown;
      try {
        value = resolve(parent, args, context, info);
      } catch (error) {
        note(context, info, nests, enclosing, error);
        throw error;
      }
      if (!isPending(value)) {
        note(context, info, nests, enclosing, value);
        return value;
      }
      return value.then(
        (settled) => {
          note(context, info, nests, enclosing, settled);
          return settled;
        },
        (error: unknown) => {
          note(context, info, nests, enclosing, error);
          throw error;
        },
      );
    };
  });
}

export interface DisclosureLogParts {
  /** The institution, whose log this is. */
  institution: string;
  writer: AuditWriter<DisclosureEntry>;
  /** The gateway's heads this log recorded. */
  witnesses: WitnessBook;
}

/**
 * Gives each request a collector, and holds its response until the owner's disclosure record is
 * durable; fails closed otherwise. A record is written when the request disclosed or refused
 * anything, or brought a new signed head of the gateway's log (which it witnesses); the response
 * to a call that brought one carries this log's own signed head back, for the gateway's to witness.
 */
export function disclosureLogPlugin({ institution, writer, witnesses }: DisclosureLogParts): ApolloServerPlugin<DisclosureContext & { identity: CallIdentity }> {
  const log = serviceLog(institution);
  return {
    async requestDidStart({ contextValue }) {
      // Each request's own collector, which disclosureTracking fills as fields resolve.
      contextValue.disclosures = new DisclosureCollector();
      contextValue.masksApplied = new WeakMap();
      contextValue.grantsApplied = new WeakMap();
      return {
        async willSendResponse({ request, response, contextValue }) {
          // The gateway's head came in the body its assertion signed; only the gateway's is taken.
          const gatewayHead = parseLogHead(request.extensions?.[LOG_HEAD_EXTENSION]);
          const witnessed = gatewayHead?.log === 'gateway' ? witnesses.fresh([gatewayHead]) : [];
          const ownHead = writer.signedHead;
          // Heads are exchanged: this log's goes back only to a call that brought the gateway's.
          if (ownHead && gatewayHead?.log === 'gateway' && response.body.kind === 'single') {
            response.body.singleResult.extensions = { ...response.body.singleResult.extensions, [LOG_HEAD_EXTENSION]: { log: institution, ...ownHead } };
          }
          if (contextValue.disclosures.size === 0 && witnessed.length === 0) return;
          const { principal, purpose, requestId } = contextValue.identity;
          try {
            await writer.append({
              requestId,
              principal: principalClaims(principal),
              purpose,
              ...contextValue.disclosures.entry(),
              ...(witnessed.length ? { witnessed } : {}),
            });
            if (witnessed.length) await witnesses.recorded(witnessed);
          } catch (error) {
            // A record that only witnesses the gateway's head discloses nothing: the answer goes
            // out (the head is witnessed with a later request). Disclosures fail closed.
            if (contextValue.disclosures.size === 0) {
              logError(log, "the gateway's log head could not be witnessed (nothing was disclosed; the answer stands)", error, { requestId }, 'warn');
              return;
            }
            logError(log, 'the disclosure log could not be written; the request failed with AUDIT_UNAVAILABLE', error, { requestId });
            // The gateway sees the code and fails the whole request: nothing is disclosed.
            response.body = {
              kind: 'single',
              singleResult: { data: null, errors: [AUDIT_UNAVAILABLE_ERROR] },
            };
          }
        },
      };
    },
  };
}

