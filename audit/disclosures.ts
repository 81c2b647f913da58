// Disclosures, written by each owner (as X-Road logs on both sides): under the gateway's request
// id, which of its records (type and id) a subgraph disclosed, field by field, and which fields it
// refused and why. "Who saw AdminCase X" is then answered by the institution that owns X, from its
// own database.
import { GraphQLError, getNamedType, isLeafType, type GraphQLResolveInfo, type GraphQLSchema } from 'graphql';
import { z } from 'zod';
import type { ApolloServerPlugin } from '@apollo/server';
import { AUDIT_UNAVAILABLE_ERROR, isPending, wrapFieldResolvers, type FieldResolver } from '../platform/index.js';
import { principalClaims, type CallIdentity, type Principal } from '../auth/index.js';
import type { AuditWriter } from './writer.js';
import { LOG_HEAD_EXTENSION, logHeadSchema, parseLogHead, type LogHead, type WitnessBook } from './witness.js';

export interface DisclosedRecord {
  /** `Type:id`, one indexed field to find a record's history by. */
  key: string;
  type: string;
  id: string;
  /** Fields (and fields nested under the record, as `parties.name`) the caller received as they are. */
  disclosed: string[];
  /** ... received masked, and the mask (absent on records written before masks were recorded). */
  masked?: { field: string; mask: string }[];
  /** ... refused, and why. */
  refused: { field: string; reason: string }[];
}

export interface DisclosureEntry {
  requestId: string;
  principal: Pick<Principal, 'sub' | 'name' | 'org' | 'roles' | 'unit'>;
  purpose: string;
  records: DisclosedRecord[];
  /** The gateway's signed head, when this request brought a new one: this log's witness of the gateway's. */
  witnessed?: LogHead[];
}

const text = (max: number) => z.string().max(max);

/** What an owner's disclosure record must be before it may join a batch. */
export const disclosureEntrySchema = z
  .object({
    requestId: z.string().min(1).max(64),
    principal: z.object({ sub: text(128), name: text(128), org: text(32), roles: z.array(text(64)).max(10), unit: text(64).nullable() }).strict(),
    purpose: text(64),
    records: z.array(
      z
        .object({
          key: text(200),
          type: text(64),
          id: text(64),
          disclosed: z.array(text(200)),
          masked: z.array(z.object({ field: text(200), mask: text(32) }).strict()).optional(),
          refused: z.array(z.object({ field: text(200), reason: text(64) }).strict()),
        })
        .strict(),
    ),
    witnessed: z.array(logHeadSchema).max(1).optional(),
  })
  .strict();

interface RecordEntry {
  type: string;
  id: string;
  disclosed: Set<string>;
  /** Field → mask; made when the record has one (most have none). */
  masked: Map<string, string> | undefined;
  /** Field → reason; as `masked`. */
  refused: Map<string, string> | undefined;
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
      record = { type: enclosing.type, id: enclosing.id, disclosed: new Set(), masked: undefined, refused: undefined };
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
  resolved(path: ResponsePath, name: string, nests: boolean, enclosing: readonly Enclosing[], outcome: { refused: string } | { masked: string } | null): void {
    if (nests) this.fields.set(path, { name, enclosing });
    for (const within of enclosing) {
      const record = within.record ?? this.record(within);
      const field = within.prefix.field(name);
      if (outcome === null) record.disclosed.add(field);
      else if ('refused' in outcome) (record.refused ??= new Map()).set(field, outcome.refused);
      else (record.masked ??= new Map()).set(field, outcome.masked);
    }
  }

  get size(): number {
    return this.byKey.size;
  }

  records(): DisclosedRecord[] {
    return [...this.byKey.entries()].map(([key, r]) => ({
      key,
      type: r.type,
      id: r.id,
      disclosed: [...r.disclosed].sort(),
      masked: r.masked ? [...r.masked.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([field, mask]) => ({ field, mask })) : [],
      refused: r.refused ? [...r.refused.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([field, reason]) => ({ field, reason })) : [],
    }));
  }
}

export interface DisclosureContext {
  disclosures: DisclosureCollector;
  /** Where the sharing rules applied a mask (auth's SharingContext.masksApplied): recorded as masked, not disclosed. */
  masksApplied?: WeakMap<object, string>;
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
    context.disclosures.resolved(info.path, info.fieldName, nests, enclosing, mask ? { masked: mask } : null);
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
  return {
    async requestDidStart({ contextValue }) {
      // Each request's own collector, which disclosureTracking fills as fields resolve.
      contextValue.disclosures = new DisclosureCollector();
      contextValue.masksApplied = new WeakMap();
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
              records: contextValue.disclosures.records(),
              ...(witnessed.length ? { witnessed } : {}),
            });
            if (witnessed.length) await witnesses.recorded(witnessed);
          } catch (error) {
            // A record that only witnesses the gateway's head discloses nothing: the answer goes
            // out (the head is witnessed with a later request). Disclosures fail closed.
            if (contextValue.disclosures.size === 0) {
              console.error(`[disclosure log] request ${requestId}: the gateway's head could not be witnessed (nothing was disclosed; the answer stands):`, error);
              return;
            }
            console.error(`[disclosure log] request ${requestId}: the disclosure log could not be written; the request failed with AUDIT_UNAVAILABLE:`, error);
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

