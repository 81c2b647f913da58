// The auditors' API. The gateway process serves the `audit` subgraph over its own access log; each
// institution's subgraph adds, from its own disclosure log, its side of every request and of every
// record's history. Federation joins them by request id.
// The auditors' subgraph (`audit`): search, entries, record histories, activity, verification and
// exports over the gateway's access log. The gateway process serves it on loopback; each
// institution's subgraph adds its own side (subgraphs/shared/owner-audit.ts), and federation joins
// them by request id.
import { createPublicKey, type KeyObject } from 'node:crypto';
import DataLoader from 'dataloader';
import { subgraphTypeDefs } from '../../schema/index.js';
import { DateScalar, DateTimeScalar, badUserInput, formatDate, parseDate, parseId, type RunningService } from '../../platform/index.js';
import { ORGS, PURPOSES, type CallIdentity } from '../../auth/index.js';
import {
  activityByDay,
  exportRange,
  parseRange,
  parseRecordRef,
  recordsByRequestIds,
  searchAccessLog,
  verifyAll,
  VerificationCache,
  type AuditLogStore,
  type AuditWriter,
  type StoredRecord,
} from '../../audit/index.js';
import { serveSubgraph, type ResolverMap, type SubgraphPipeline } from '../shared/index.js';

type Args = Record<string, unknown>;

const OUTCOMES = ['SERVED', 'PARTIAL', 'REJECTED', 'FAILED'];
const MAX_EXPORT_DAYS = 366;

function optionalText(value: unknown, argument: string, allowed?: readonly string[]): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string' || value.length === 0 || value.length > 200 || /[\u0000-\u001f]/.test(value)) throw badUserInput(`Invalid ${argument}`, argument);
  if (allowed && !allowed.includes(value)) throw badUserInput(`${argument} must be one of ${allowed.join(', ')}`, argument);
  return value;
}

export interface AuditGraphOptions<TEntry extends { requestId: string }> {
  accessLog: AuditLogStore<TEntry>;
  writer: AuditWriter<TEntry>;
  signingKey: KeyObject;
  verifyingKey: KeyObject;
  listen: { host: string; port: number };
  /** The request path (default: governedSubgraphPipeline, without a disclosure log: this log is the gateway's). */
  pipeline?: SubgraphPipeline;
}

interface AuditContext {
  identity: CallIdentity;
  entries: DataLoader<string, StoredRecord<{ requestId: string }> | null>;
}

export function serveAuditSubgraph<TEntry extends { requestId: string }>(options: AuditGraphOptions<TEntry>): Promise<RunningService> {
  const { accessLog, writer } = options;
  const publicKey = createPublicKey(options.signingKey);
  const cache = new VerificationCache();
  const resolvers: ResolverMap<AuditContext> = {
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
        const period = parseRange(args.from, args.to, 'accessActivity');
        const days = await activityByDay(accessLog as never, formatDate(period.from), formatDate(period.to));
        return days.map((d) => ({ ...d, day: parseDate(d.day) }));
      },
      auditExport: (_: unknown, args: Args) => {
        const period = parseRange(args.from, args.to, 'auditExport');
        if (period.to.getTime() - period.from.getTime() > MAX_EXPORT_DAYS * 86_400_000) throw badUserInput(`An export covers at most ${MAX_EXPORT_DAYS} days`, 'auditExport');
        return period;
      },
    },
    AccessLogEntry: {
      __resolveReference: (ref: Args, context: AuditContext) => context.entries.load(parseId(ref.requestId, 'requestId')),
    },
    AuditOverview: {
      __resolveReference: (ref: Args) => ({ id: parseId(ref.id) }),
      gatewayChains: async (_: unknown, args: Args) =>
        (await verifyAll(accessLog, publicKey, writer, { cache, full: args.full === true })).map((v) => ({ ...v, institution: 'gateway' })),
    },
    RecordAccessHistory: {
      __resolveReference: (ref: Args) => parseRecordRef(ref.recordType, ref.recordId),
    },
    AuditExport: {
      __resolveReference: (ref: Args) => parseRange(DateTimeScalar.parseValue(ref.from), DateTimeScalar.parseValue(ref.to), 'auditExport'),
      gateway: (e: { from: Date; to: Date }) => exportRange(accessLog as never, 'gateway', e.from, e.to),
    },
  };

  return serveSubgraph<AuditContext>(
    {
      name: 'audit',
      typeDefs: subgraphTypeDefs('audit'),
      resolvers,
      agencyOf: {},
      context: async (identity) => ({
        identity,
        entries: new DataLoader(async (ids: readonly string[]) =>
          (await recordsByRequestIds(accessLog, ids)).map((docs) => (docs[0] as StoredRecord<{ requestId: string }> | undefined) ?? null),
        ),
      }),
    },
    { listen: options.listen, verifyingKey: options.verifyingKey, pipeline: options.pipeline },
  );
}
