// The auditors' API. The gateway process serves the `audit` subgraph over its own access log; each
// institution's subgraph adds, from its own disclosure log, its side of every request and of every
// record's history. Federation joins them by request id.
// The auditors' subgraph (`audit`): search, entries, record histories, activity and verification
// over the gateway's access log (exports are streamed by the gateway itself:
// gateway/audit-export.ts), every entry shown with its chain's verdict. The gateway process serves
// it on loopback; each institution's subgraph adds its own side (subgraphs/shared/owner-audit.ts),
// and federation joins them by request id.
import { createPublicKey, type KeyObject } from 'node:crypto';
import DataLoader from 'dataloader';
import { SUBGRAPH_NAMES } from '../../config/index.js';
import { ownerAuditFields, subgraphTypeDefs } from '../../schema/index.js';
import { DateScalar, DateTimeScalar, badUserInput, formatDate, parseDate, parseId, type RunningService } from '../../platform/index.js';
import { ORGS, PURPOSES, type CallIdentity, type ReplayGuard } from '../../auth/index.js';
import {
  ChainIntegrity,
  parseLogHeads,
  type LogHead,
  activityByDay,
  isTimeZone,
  parseLookupText,
  parseRange,
  parseScanRange,
  MAX_SCAN_DAYS,
  requestIdAt,
  parseRecordRef,
  recordsByRequestIds,
  searchAccessLog,
  type AuditLogStore,
  type AuditWriter,
  type ChainPosition,
  type RecordIntegrity,
  type StoredRecord,
} from '../../audit/index.js';
import { serveSubgraph, type ResolverMap, type SubgraphPipeline } from '../shared/index.js';

type Args = Record<string, unknown>;

const OUTCOMES = ['SERVED', 'PARTIAL', 'REJECTED', 'FAILED'];

/** Stable messages of the range caps (MAX_SCAN_DAYS); clients may show them as they are. */
const PRINCIPAL_NAME_RANGE = `filter.principalName needs filter.from before filter.to, at most ${MAX_SCAN_DAYS} days apart`;
const ACTIVITY_RANGE = `accessActivity covers at most ${MAX_SCAN_DAYS} days: ask for a longer range in parts`;

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
  /** The spent assertions, in the gateway's database: shared by every gateway replica's auditors' subgraph. */
  replays: ReplayGuard;
  listen: { host: string; port: number };
  /** The district's time zone (DISTRICT_TIME_ZONE): accessActivity's days, unless a caller names another. */
  timeZone: string;
  /** The request path (default: governedSubgraphPipeline, without a disclosure log: this log is the gateway's). */
  pipeline?: SubgraphPipeline;
}

interface AuditContext {
  identity: CallIdentity;
  entries: DataLoader<string, StoredRecord<{ requestId: string }> | null>;
  /** Every entry an answer shows, checked against its chain's verdict together. */
  integrity: DataLoader<ChainPosition, RecordIntegrity, string>;
}

export function serveAuditSubgraph<TEntry extends { requestId: string }>(options: AuditGraphOptions<TEntry>): Promise<RunningService> {
  const { accessLog, writer } = options;
  const publicKey = createPublicKey(options.signingKey);
  // Every verification of the gateway's log in this process goes through it: the overview's too.
  const integrity = new ChainIntegrity(accessLog, publicKey, writer);
  const resolvers: ResolverMap<AuditContext> = {
    Date: DateScalar,
    DateTime: DateTimeScalar,
    Query: {
      accessLog: (_: unknown, args: Args) => {
        const filter = (args.filter ?? {}) as Args;
        const principalName = optionalText(filter.principalName, 'filter.principalName');
        // No index serves a search by part of a name: every record in the range is read. A bounded
        // range keeps that to a quarter's records, not the whole log.
        const range =
          principalName !== undefined
            ? parseScanRange(filter.from, filter.to, 'filter.principalName', PRINCIPAL_NAME_RANGE)
            : filter.from !== undefined || filter.to !== undefined
              ? { from: filter.from instanceof Date ? filter.from : undefined, to: filter.to instanceof Date ? filter.to : undefined }
              : {};
        return searchAccessLog(
          accessLog,
          {
            principal: optionalText(filter.principal, 'filter.principal'),
            principalName,
            org: optionalText(filter.org, 'filter.org', ORGS),
            purpose: optionalText(filter.purpose, 'filter.purpose', PURPOSES),
            operationName: optionalText(filter.operationName, 'filter.operationName'),
            outcome: optionalText(filter.outcome, 'filter.outcome', OUTCOMES),
            ...range,
          },
          args,
        );
      },
      accessLogEntry: (_: unknown, args: Args, context: AuditContext) => context.entries.load(parseId(args.requestId, 'requestId')),
      recordAccessHistory: (_: unknown, args: Args) => parseRecordRef(args.recordType, args.recordId),
      grantDisclosures: (_: unknown, args: Args) => ({ grantId: parseId(args.grantId, 'grantId') }),
      recordLookup: (_: unknown, args: Args) => ({ text: parseLookupText(args.text) }),
      auditOverview: () => ({ id: 'AUDIT' }),
      accessActivity: async (_: unknown, args: Args) => {
        const period = parseRange(args.from, args.to, 'accessActivity');
        // Every record of the range is read and counted here (activityByDay): a quarter at most.
        parseScanRange(period.from, period.to, 'to', ACTIVITY_RANGE);
        const zone = optionalText(args.timeZone, 'timeZone') ?? options.timeZone;
        if (!isTimeZone(zone)) throw badUserInput('timeZone must be an IANA time zone such as Asia/Shanghai', 'timeZone');
        const days = await activityByDay(accessLog as never, formatDate(period.from), formatDate(period.to), zone);
        return days.map((d) => ({ ...d, day: parseDate(d.day) }));
      },
    },
    AccessLogEntry: {
      __resolveReference: (ref: Args, context: AuditContext) => context.entries.load(parseId(ref.requestId, 'requestId')),
      integrity: (entry: ChainPosition, _args: Args, context: AuditContext) => context.integrity.load({ chain: entry.chain, seq: entry.seq }),
    },
    AuditOverview: {
      // Each institution's witness of this log comes in the representation (@requires): parsed, then only this log's heads kept.
      __resolveReference: (ref: Args) => ({
        id: parseId(ref.id),
        witnessed: SUBGRAPH_NAMES.flatMap((name) => parseLogHeads(ref[ownerAuditFields(name).witnesses])).filter((head) => head.log === 'gateway'),
      }),
      gatewayChains: async (overview: { witnessed?: LogHead[] }, args: Args) =>
        Promise.all(
          (await integrity.verify({ full: args.full === true, witnessed: overview.witnessed ?? [] })).map(async (v) => ({
            ...v,
            institution: 'gateway',
            firstBadRequestId: v.ok ? null : await requestIdAt(accessLog as never, v.chain, v.firstBadSeq),
          })),
        ),
      gatewayWitnesses: async () =>
        (await Promise.all(SUBGRAPH_NAMES.map((name) => accessLog.witnessesOf(name)))).flat().map(({ log, chain, seq, hash }) => ({ log, chain, seq, hash })),
    },
    RecordAccessHistory: {
      __resolveReference: (ref: Args) => parseRecordRef(ref.recordType, ref.recordId),
    },
    RecordLookup: {
      __resolveReference: (ref: Args) => ({ text: parseLookupText(ref.text) }),
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
        integrity: new DataLoader((records: readonly ChainPosition[]) => integrity.of(records), { cacheKeyFn: (r) => `${r.chain}\n${r.seq}` }),
      }),
    },
    { listen: options.listen, verifyingKey: options.verifyingKey, replays: options.replays, pipeline: options.pipeline },
  );
}
