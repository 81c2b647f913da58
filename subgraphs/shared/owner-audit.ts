// An institution's side of the auditors' API, from its own disclosure log: what it disclosed for a
// request, who saw one of its records and its chains' verification (its export: audit-export.ts);
// each disclosure shown with its chain's verdict. Field names come from schema/owner-audit.ts,
// which also writes the SDL that declares them.
import type { KeyObject } from 'node:crypto';
import DataLoader from 'dataloader';
import type { SubgraphName } from '../../config/index.js';
import { ownerAuditFields } from '../../schema/index.js';
import { DateTimeScalar, badUserInput, parseId } from '../../platform/index.js';
import {
  parseLogHeads,
  type LogHead,
  ChainIntegrity,
  disclosedRecordsOf,
  parseRecordRef,
  recordsByRequestIds,
  recordsNaming,
  recordsNamingField,
  requestIdAt,
  MAX_FIELD_HISTORY_SCAN,
  parseFieldPath,
  parseLookupText,
  type DisclosureContext,
  recordsUnderGrant,
  importsOf,
  type AuditLogStore,
  type AuditWriter,
  type ChainPosition,
  type DisclosedRecord,
  type DisclosureEntry,
  type DataImport,
  type RecordIntegrity,
  type StoredDisclosureEntry,
  type StoredRecord,
  type TimeRange,
} from '../../audit/index.js';
import type { ResolverMap } from './resolver-map.js';

type Args = Record<string, unknown>;

export interface OwnerAuditLog {
  institution: SubgraphName;
  /** Its documents hold entries of either format: a log written across the compact format's arrival holds both. */
  store: AuditLogStore<StoredDisclosureEntry>;
  /** The running writer (null when the log is off, in a benchmark): its head guards against tail cuts. */
  writer: AuditWriter<DisclosureEntry> | null;
  publicKey: KeyObject;
}

/**
 * A record an auditor's lookup found in an institution's store: its type and id, and the label it
 * was found by (`labelField`: title, caseNumber, number, name or id), which the sharing rules
 * otherwise refuse to auditors: the owner discloses it for the lookup, and logs that it did.
 */
export interface RecordMatch {
  recordType: string;
  recordId: string;
  label: string;
  labelField: string;
}

/** An institution's lookup over its own store (its store module builds the filters). */
export type RecordLookupFn = (text: string) => Promise<RecordMatch[]>;

function disclosureOf(institution: string, doc: StoredRecord<StoredDisclosureEntry>, record: DisclosedRecord) {
  return {
    requestId: doc.requestId,
    institution,
    chain: doc.chain,
    seq: doc.seq,
    at: doc.at,
    principal: doc.principal,
    purpose: doc.purpose,
    recordType: record.type,
    recordId: record.id,
    disclosed: record.disclosed,
    masked: record.masked,
    refused: record.refused,
    granted: record.granted,
    written: record.written ?? null,
  };
}

/** An import as the auditors' API shows it: its log record's place and principal, the file and its counts. */
function importOf(institution: string, doc: StoredRecord<StoredDisclosureEntry>) {
  const entry = doc as StoredRecord<DisclosureEntry>;
  const data = entry.import as DataImport;
  return {
    id: doc.requestId,
    institution,
    chain: doc.chain,
    seq: doc.seq,
    at: doc.at,
    principal: doc.principal,
    file: data.file,
    sha256: data.sha256,
    bytes: data.bytes,
    format: data.format,
    types: data.types,
    strict: data.strict,
    since: data.since,
    ...data.counts,
    startedAt: data.startedAt,
    finishedAt: data.finishedAt,
    failure: data.failure ?? null,
  };
}

/**
 * A history's optional time range [from, to). The DateTime scalar has parsed each end it was given;
 * whatever else arrives is refused before a filter is built.
 */
function parseTimeRange(from: unknown, to: unknown): TimeRange {
  const end = (value: unknown, argument: string): Date | undefined => {
    if (value === undefined || value === null) return undefined;
    if (!(value instanceof Date)) throw badUserInput(`${argument} must be a DateTime`, argument);
    return value;
  };
  const range = { from: end(from, 'from'), to: end(to, 'to') };
  if (range.from && range.to && range.from.getTime() >= range.to.getTime()) {
    throw badUserInput('from must be before to: the range is [from, to)', 'from');
  }
  return range;
}

interface RequestLoaders {
  byRequest: DataLoader<string, StoredRecord<StoredDisclosureEntry>[]>;
  /** Every disclosure an answer shows, checked against its chain's verdict together. */
  integrity: DataLoader<ChainPosition, RecordIntegrity, string>;
}

/** Per-request loaders, kept beside the request's context object. */
const requestLoaders = new WeakMap<object, RequestLoaders>();

export function ownerAuditResolvers(log: OwnerAuditLog, lookup?: RecordLookupFn): ResolverMap<object> {
  const n = log.institution;
  const fields = ownerAuditFields(n);
  // Every verification of this log in this process goes through it: the overview's too.
  const integrity = new ChainIntegrity(log.store, log.publicKey, log.writer);
  const loaders = (context: object) => {
    let mine = requestLoaders.get(context);
    if (!mine) {
      mine = {
        byRequest: new DataLoader((ids: readonly string[]) => recordsByRequestIds(log.store, ids)),
        integrity: new DataLoader((records: readonly ChainPosition[]) => integrity.of(records), { cacheKeyFn: (r) => `${r.chain}\n${r.seq}` }),
      };
      requestLoaders.set(context, mine);
    }
    return mine;
  };
  return {
    DateTime: DateTimeScalar,
    AccessLogEntry: {
      __resolveReference: (ref: Args) => ({ requestId: parseId(ref.requestId, 'requestId') }),
      [fields.disclosures]: async (entry: { requestId: string }, _args: Args, context: object) =>
        (await loaders(context).byRequest.load(entry.requestId)).flatMap((doc) => disclosedRecordsOf(doc).map((record) => disclosureOf(n, doc, record))),
    },
    RecordAccessHistory: {
      __resolveReference: (ref: Args) => parseRecordRef(ref.recordType, ref.recordId),
      [fields.history]: async (history: { recordType: string; recordId: string }, args: Args) => {
        const key = `${history.recordType}:${history.recordId}`;
        const range = parseTimeRange(args.from, args.to);
        const field = parseFieldPath(args.field);
        // The page arguments are parsed by findPage (or recordsNamingField), before its query runs.
        // A field filter reads the record's requests in the range in order (recordsNamingField): past
        // MAX_FIELD_HISTORY_SCAN of them, the auditor is asked for a narrower range.
        const tooMany = (error: unknown) => {
          throw error instanceof RangeError ? badUserInput(`More than ${MAX_FIELD_HISTORY_SCAN} requests name this record in the range: narrow the time range to filter by field`, 'from') : error;
        };
        const page = field
          ? await recordsNamingField(log.store, key, range, field, { first: args.first, after: args.after }).catch(tooMany)
          : await recordsNaming(log.store, key, range, { first: args.first, after: args.after });
        if (field) {
          const count = page.totalCount;
          page.totalCount = () => count().catch(tooMany);
        }
        return {
          ...page,
          edges: page.edges.flatMap(({ node, cursor }) => disclosedRecordsOf(node, key).map((r) => ({ node: disclosureOf(n, node, r), cursor }))),
        };
      },
    },
    RecordLookup: {
      __resolveReference: (ref: Args) => ({ text: parseLookupText(ref.text) }),
      // What the auditor is shown of each record found is recorded as disclosed to them, like any
      // read: the dispute's title, the case's number.
      [fields.history]: async (of: { text: string }, _args: Args, context: Partial<DisclosureContext>) => {
        const matches = lookup ? await lookup(of.text) : [];
        for (const m of matches) context.disclosures?.shown(m.recordType, m.recordId, [...new Set(['id', m.labelField])]);
        return matches.map((m) => ({ ...m, institution: n }));
      },
    },
    GrantDisclosures: {
      __resolveReference: (ref: Args) => ({ grantId: parseId(ref.grantId, 'grantId') }),
      [fields.history]: async (of: { grantId: string }, args: Args) => {
        // The page arguments are parsed by findPage, before its query runs.
        const page = await recordsUnderGrant(log.store, of.grantId, { first: args.first, after: args.after });
        return {
          ...page,
          edges: page.edges.flatMap(({ node, cursor }) =>
            disclosedRecordsOf(node)
              .filter((r) => r.granted.some((g) => g.grant === of.grantId))
              .map((r) => ({ node: disclosureOf(n, node, r), cursor })),
          ),
        };
      },
    },
    AuditOverview: {
      // The gateway's witness of this log comes in the representation (@requires): parsed, then only this log's heads kept.
      __resolveReference: (ref: Args) => ({ id: parseId(ref.id), witnessed: parseLogHeads(ref.gatewayWitnesses).filter((head) => head.log === n) }),
      [fields.chains]: async (overview: { witnessed?: LogHead[] }, args: Args) =>
        Promise.all(
          (await integrity.verify({ full: args.full === true, witnessed: overview.witnessed ?? [] })).map(async (v) => ({
            ...v,
            institution: n,
            firstBadRequestId: v.ok ? null : await requestIdAt(log.store as never, v.chain, v.firstBadSeq),
          })),
        ),
      [fields.imports]: async (_overview: unknown, args: Args) => {
        // The page arguments are parsed by findPage, before its query runs.
        const page = await importsOf(log.store, { first: args.first, after: args.after });
        return { ...page, edges: page.edges.map(({ node, cursor }) => ({ node: importOf(n, node), cursor })) };
      },
      [fields.witnesses]: async () => (await log.store.witnessesOf('gateway')).map(({ log: party, chain, seq, hash }) => ({ log: party, chain, seq, hash })),
    },
    DataImport: {
      integrity: (d: ChainPosition, _args: Args, context: object) => loaders(context).integrity.load({ chain: d.chain, seq: d.seq }),
    },
    Disclosure: {
      request: (d: { requestId: string }) => ({ requestId: d.requestId }),
      integrity: (d: ChainPosition, _args: Args, context: object) => loaders(context).integrity.load({ chain: d.chain, seq: d.seq }),
    },
  };
}
