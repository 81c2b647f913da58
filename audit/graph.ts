// The auditors' API. The gateway process serves the `audit` subgraph over its own access log; each
// institution's subgraph adds, from its own disclosure log, its side of every request and of every
// record's history. Federation joins them by request id.
import { createPublicKey, type KeyObject } from 'node:crypto';
import DataLoader from 'dataloader';
import { parse } from 'graphql';
import type { GraphQLResolverMap } from '@apollo/subgraph/dist/schema-helper/index.js';
import type { CallIdentity } from '../auth/index.js';
import { ORGS, PURPOSES } from '../auth/index.js';
import { readSubgraphSdl } from '../schema/compose.js';
import {
  DateScalar,
  DateTimeScalar,
  badUserInput,
  formatDate,
  parseDate,
  parseId,
  serveSubgraph,
  type RunningService,
} from '../subgraphs/shared/index.js';
import type { DisclosedRecord, DisclosureEntry } from './disclosures.js';
import { ExportTooLargeError, activityByDay, exportRange as exportAll, recordsByRequestIds, recordsNaming, searchAccessLog, verifyAll } from './queries.js';
import type { AuditLogStore, StoredRecord } from './store.js';
import type { AuditWriter } from './writer.js';

type Args = Record<string, unknown>;

/** An export, with a too-large range reported to the auditor as their input, not as a failure. */
async function exportRange(...args: Parameters<typeof exportAll>): Promise<string> {
  try {
    return await exportAll(...args);
  } catch (error) {
    if (error instanceof ExportTooLargeError) throw badUserInput(`${error.message}: narrow the range`, 'auditExport');
    throw error;
  }
}
const OUTCOMES = ['SERVED', 'PARTIAL', 'REJECTED', 'FAILED'];
const RECORD_TYPE = /^[A-Z][A-Za-z]{1,40}$/;
const MAX_EXPORT_DAYS = 366;

function optionalText(value: unknown, argument: string, allowed?: readonly string[]): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string' || value.length === 0 || value.length > 200 || /[\u0000-\u001f]/.test(value)) throw badUserInput(`Invalid ${argument}`, argument);
  if (allowed && !allowed.includes(value)) throw badUserInput(`${argument} must be one of ${allowed.join(', ')}`, argument);
  return value;
}

function range(from: unknown, to: unknown, argument: string): { from: Date; to: Date } {
  if (!(from instanceof Date) || !(to instanceof Date) || from.getTime() >= to.getTime()) throw badUserInput(`${argument}: from must be before to`, argument);
  return { from, to };
}

export function parseRecordRef(recordType: unknown, recordId: unknown): { recordType: string; recordId: string } {
  if (typeof recordType !== 'string' || !RECORD_TYPE.test(recordType)) throw badUserInput('recordType must be a type name such as AdminCase', 'recordType');
  return { recordType, recordId: parseId(recordId, 'recordId') };
}

// ---- The institutions' side ----

export interface OwnerAuditLog {
  institution: 'government' | 'court' | 'procuratorate';
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

export function ownerAuditResolvers(log: OwnerAuditLog): GraphQLResolverMap<object> {
  const n = log.institution;
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
      [`${n}Disclosures`]: async (entry: { requestId: string }, _args: Args, context: object) =>
        (await byRequest(context).load(entry.requestId)).flatMap((doc) => doc.records.map((record) => disclosureOf(n, doc, record))),
    },
    RecordAccessHistory: {
      __resolveReference: (ref: Args) => parseRecordRef(ref.recordType, ref.recordId),
      [n]: async (history: { recordType: string; recordId: string }) => {
        const key = `${history.recordType}:${history.recordId}`;
        return (await recordsNaming(log.store, key)).flatMap((doc) => doc.records.filter((r) => r.key === key).map((r) => disclosureOf(n, doc, r)));
      },
    },
    AuditOverview: {
      __resolveReference: (ref: Args) => ({ id: parseId(ref.id) }),
      [`${n}Chains`]: async () => (await verifyAll(log.store, log.publicKey, log.writer)).map((v) => ({ ...v, institution: n })),
    },
    AuditExport: {
      __resolveReference: (ref: Args) => range(DateTimeScalar.parseValue(ref.from), DateTimeScalar.parseValue(ref.to), 'auditExport'),
      [n]: (e: { from: Date; to: Date }) => exportRange(log.store as never, n, e.from, e.to),
    },
    Disclosure: {
      request: (d: { requestId: string }) => ({ requestId: d.requestId }),
    },
  };
}

// ---- The gateway's side: the audit subgraph ----

export interface AuditGraphOptions<TEntry extends { requestId: string }> {
  accessLog: AuditLogStore<TEntry>;
  writer: AuditWriter<TEntry>;
  signingKey: KeyObject;
  verifyingKey: KeyObject;
  listen: { host: string; port: number };
}

interface AuditContext {
  identity: CallIdentity;
  entries: DataLoader<string, StoredRecord<{ requestId: string }> | null>;
}

export function serveAuditSubgraph<TEntry extends { requestId: string }>(options: AuditGraphOptions<TEntry>): Promise<RunningService> {
  const { accessLog, writer } = options;
  const publicKey = createPublicKey(options.signingKey);
  const resolvers: GraphQLResolverMap<AuditContext> = {
    Date: DateScalar,
    DateTime: DateTimeScalar,
    Query: {
      accessLog: (_: unknown, args: Args) => {
        const filter = (args.filter ?? {}) as Args;
        return searchAccessLog(
          accessLog,
          {
            principal: optionalText(filter.principal, 'filter.principal'),
            org: optionalText(filter.org, 'filter.org', ORGS),
            purpose: optionalText(filter.purpose, 'filter.purpose', PURPOSES),
            operationName: optionalText(filter.operationName, 'filter.operationName'),
            outcome: optionalText(filter.outcome, 'filter.outcome', OUTCOMES),
            ...(filter.from !== undefined || filter.to !== undefined
              ? {
                  from: filter.from instanceof Date ? filter.from : undefined,
                  to: filter.to instanceof Date ? filter.to : undefined,
                }
              : {}),
          },
          args,
        );
      },
      accessLogEntry: (_: unknown, args: Args, context: AuditContext) => context.entries.load(parseId(args.requestId, 'requestId')),
      recordAccessHistory: (_: unknown, args: Args) => parseRecordRef(args.recordType, args.recordId),
      auditOverview: () => ({ id: 'AUDIT' }),
      accessActivity: async (_: unknown, args: Args) => {
        const period = range(args.from, args.to, 'accessActivity');
        const days = await activityByDay(accessLog as never, formatDate(period.from), formatDate(period.to));
        return days.map((d) => ({ ...d, day: parseDate(d.day) }));
      },
      auditExport: (_: unknown, args: Args) => {
        const period = range(args.from, args.to, 'auditExport');
        if (period.to.getTime() - period.from.getTime() > MAX_EXPORT_DAYS * 86_400_000) throw badUserInput(`An export covers at most ${MAX_EXPORT_DAYS} days`, 'auditExport');
        return period;
      },
    },
    AccessLogEntry: {
      __resolveReference: (ref: Args, context: AuditContext) => context.entries.load(parseId(ref.requestId, 'requestId')),
    },
    AuditOverview: {
      __resolveReference: (ref: Args) => ({ id: parseId(ref.id) }),
      gatewayChains: async () => (await verifyAll(accessLog, publicKey, writer)).map((v) => ({ ...v, institution: 'gateway' })),
    },
    RecordAccessHistory: {
      __resolveReference: (ref: Args) => parseRecordRef(ref.recordType, ref.recordId),
    },
    AuditExport: {
      __resolveReference: (ref: Args) => range(DateTimeScalar.parseValue(ref.from), DateTimeScalar.parseValue(ref.to), 'auditExport'),
      gateway: (e: { from: Date; to: Date }) => exportRange(accessLog as never, 'gateway', e.from, e.to),
    },
  };

  return serveSubgraph<AuditContext>(
    {
      name: 'audit',
      typeDefs: parse(readSubgraphSdl('audit')),
      resolvers,
      agencyOf: {},
      context: async (identity) => ({
        identity,
        entries: new DataLoader(async (ids: readonly string[]) =>
          (await recordsByRequestIds(accessLog, ids)).map((docs) => (docs[0] as StoredRecord<{ requestId: string }> | undefined) ?? null),
        ),
      }),
    },
    options.listen,
    { verifyingKey: options.verifyingKey },
  );
}
