// An institution's side of the auditors' API, from its own disclosure log: what it disclosed for a
// request, who saw one of its records, its chains' verification and its export. Field names come
// from schema/owner-audit.ts, which also writes the SDL that declares them.
import type { KeyObject } from 'node:crypto';
import DataLoader from 'dataloader';
import type { SubgraphName } from '../../config/index.js';
import { ownerAuditFields } from '../../schema/index.js';
import { DateTimeScalar, parseId } from '../../platform/index.js';
import {
  exportRange,
  parseRange,
  parseRecordRef,
  recordsByRequestIds,
  recordsNaming,
  verifyAll,
  VerificationCache,
  type AuditLogStore,
  type AuditWriter,
  type DisclosedRecord,
  type DisclosureEntry,
  type StoredRecord,
} from '../../audit/index.js';
import type { ResolverMap } from './resolver-map.js';

type Args = Record<string, unknown>;

export interface OwnerAuditLog {
  institution: SubgraphName;
  store: AuditLogStore<DisclosureEntry>;
  /** The running writer (null when the log is off, in a benchmark): its head guards against tail cuts. */
  writer: AuditWriter<DisclosureEntry> | null;
  publicKey: KeyObject;
}

function disclosureOf(institution: string, doc: StoredRecord<DisclosureEntry>, record: DisclosedRecord) {
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
    refused: record.refused,
  };
}

/** Per-request loaders, kept beside the request's context object. */
const requestLoaders = new WeakMap<object, DataLoader<string, StoredRecord<DisclosureEntry>[]>>();

export function ownerAuditResolvers(log: OwnerAuditLog): ResolverMap<object> {
  const n = log.institution;
  const fields = ownerAuditFields(n);
  const cache = new VerificationCache();
  const byRequest = (context: object) => {
    let loader = requestLoaders.get(context);
    if (!loader) {
      loader = new DataLoader((ids: readonly string[]) => recordsByRequestIds(log.store, ids));
      requestLoaders.set(context, loader);
    }
    return loader;
  };
  return {
    DateTime: DateTimeScalar,
    AccessLogEntry: {
      __resolveReference: (ref: Args) => ({ requestId: parseId(ref.requestId, 'requestId') }),
      [fields.disclosures]: async (entry: { requestId: string }, _args: Args, context: object) =>
        (await byRequest(context).load(entry.requestId)).flatMap((doc) => doc.records.map((record) => disclosureOf(n, doc, record))),
    },
    RecordAccessHistory: {
      __resolveReference: (ref: Args) => parseRecordRef(ref.recordType, ref.recordId),
      [fields.history]: async (history: { recordType: string; recordId: string }) => {
        const key = `${history.recordType}:${history.recordId}`;
        return (await recordsNaming(log.store, key)).flatMap((doc) => doc.records.filter((r) => r.key === key).map((r) => disclosureOf(n, doc, r)));
      },
    },
    AuditOverview: {
      __resolveReference: (ref: Args) => ({ id: parseId(ref.id) }),
      [fields.chains]: async (_: unknown, args: Args) =>
        (await verifyAll(log.store, log.publicKey, log.writer, { cache, full: args.full === true })).map((v) => ({ ...v, institution: n })),
    },
    AuditExport: {
      __resolveReference: (ref: Args) => parseRange(DateTimeScalar.parseValue(ref.from), DateTimeScalar.parseValue(ref.to), 'auditExport'),
      [fields.export]: (e: { from: Date; to: Date }) => exportRange(log.store as never, n, e.from, e.to),
    },
    Disclosure: {
      request: (d: { requestId: string }) => ({ requestId: d.requestId }),
    },
  };
}
