// The gateway: @apollo/gateway over the committed supergraph, behind the plugin list of
// gateway/pipeline.ts (request id, authentication, purpose, operation limits, cost limit, access
// log, subgraph assertion, error masking). It also serves the auditors' subgraph on loopback, their page, and
// their export of every log (gateway/audit-export.ts).
import { createPublicKey } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { ServerResponse } from 'node:http';
import { performance } from 'node:perf_hooks';
import { ApolloGateway } from '@apollo/gateway';
import cors from 'cors';
import { SUBGRAPH_NAMES, type Config, type GraphName, type SubgraphName } from '../config/index.js';
import { ORGS, assertionSigningKey, auditSigningKey, createReplayGuard, createTokenVerifier, type Org } from '../auth/index.js';
import { AuditWriter, WitnessBook, auditChainName, createAuditLogStore } from '../audit/index.js';
import { ErrorCode, apolloLogger, connectDatabase, serviceLog, createMetricsRegistry, createReadiness, listenerTls, pingCheck, serveGraphQL, serviceCheck, serviceFetch, storeCheck, type Database, type ReadinessReport, type RunningService } from '../platform/index.js';
import { readSubgraphPolicies, serveAuditSubgraph } from '../subgraphs/index.js';
import { readReferenceDeclarations } from '../schema/index.js';
import { auditExportEndpoint } from './audit-export.js';
import { mountAuditPage } from './audit-page.js';
import { bulletinPdfEndpoint, mountReportsPage } from './reports-page.js';
import { mountIdePage } from './ide-page.js';
import type { GatewayContext } from './context.js';
import { subgraphDataSource, type SubgraphSource } from './data-source.js';
import { governedPipeline, type GatewayPipeline } from './pipeline.js';
import { OperationManifest } from './plugins/persisted-operations.js';
import { createRateBuckets } from './rate-counters.js';
import { gatewayMetrics } from './metrics.js';
import { accessEntrySchema, type AccessEntry } from './plugins/access-log.js';

export type { AccessEntry } from './plugins/access-log.js';
export type { GatewayContext } from './context.js';
export type { GatewayPlugin, SubgraphCall } from './plugin.js';
export { subgraphDataSource, type SubgraphFetchMetrics } from './data-source.js';
export { gatewayMetrics, type GatewayMetrics } from './metrics.js';
// The bulletin report's composite score (plain JavaScript the page loads as it is; tests rank with it too).
export { INDICATORS, litigationIncidence, rankAgencies, scoreText } from './reports-ui/score.js';
export { IDE_BUNDLE_DIR, IDE_SOURCE_DIR } from './ide-page.js';
export { governedPipeline, type GatewayParts, type GatewayPipeline } from './pipeline.js';
export { useRequestId } from './plugins/request-id.js';
export { useAuthentication } from './plugins/authentication.js';
export { usePurpose, PURPOSE_HEADER } from './plugins/purpose.js';
export { useOperationLimits, DEFAULT_OPERATION_LIMITS } from './plugins/operation-limits.js';
export { useOperationInput, DEFAULT_CHECKED_SCALARS, type OperationInputOptions } from './plugins/operation-input.js';
export { useCostLimit, estimateCost, DEFAULT_COST_LIMITS, DEFAULT_LIST_SIZES, type CostLimitOptions } from './plugins/cost-limit.js';
export { useAccessLog } from './plugins/access-log.js';
export { useSubgraphAssertion } from './plugins/subgraph-assertion.js';
export { takeToken, type BucketDecision } from './token-bucket.js';

export interface GatewayOptions {
  config: Config;
  /** Where the access log is (the configured store, resolved by the caller). */
  auditStore: { uri: string; database: string };
  /** Overrides the configured subgraph URLs (tests start subgraphs on free ports). */
  subgraphUrls?: Partial<Record<SubgraphName, string>>;
  listen?: { host: string; port: number };
  /** Loopback port of the auditors' subgraph this process serves (default AUDIT_PORT; 0: any free one). */
  auditPort?: number;
  /** The request path (default: governedPipeline). A benchmark composes another list; no configuration reaches this. */
  pipeline?: GatewayPipeline;
}

export interface RunningGateway extends RunningService {
  /** The chain this gateway writes its access log to. */
  auditChain: string;
  /** Its connection to the access log's store (a benchmark counts the commands it sends). */
  database: Database;
  /** What `GET /ready` answers: its store, its access log, each institution's subgraph. */
  ready(): Promise<ReadinessReport>;
}

/**
 * A subgraph's readiness is asked over HTTP within this bound, and the gateway's own store within
 * it too: longer than a subgraph's own checks (1 s), so a subgraph whose store is down is reported
 * as such rather than as silent.
 */
const SUBGRAPH_CHECK_MS = 2000;

/**
 * Aborted when the request's deadline passes (counted from its arrival) or its client goes away
 * before the answer is sent: the work it caused then stops (every subgraph call listens to it).
 */
function requestSignal(res: ServerResponse, startedAt: number, deadlineMs: number): AbortSignal {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(ErrorCode.DEADLINE_EXCEEDED), Math.max(0, deadlineMs - (performance.now() - startedAt)));
  timer.unref();
  res.once('close', () => {
    clearTimeout(timer);
    if (!res.writableFinished) controller.abort(ErrorCode.CLIENT_CLOSED);
  });
  return controller.signal;
}

/** The registered operations, when a manifest is configured; its safelisted orgs must be orgs. */
function registeredOperations(config: Config): OperationManifest | null {
  const unknown = config.persistedOperations.safelistedOrgs.filter((org) => !(ORGS as readonly string[]).includes(org));
  if (unknown.length) throw new Error(`configuration: SAFELISTED_ORGS names no such org: ${unknown.join(', ')} (orgs: ${ORGS.join(', ')})`);
  const { file } = config.persistedOperations;
  if (!file) return null;
  try {
    return new OperationManifest(file);
  } catch (error) {
    throw new Error(`configuration: PERSISTED_OPERATIONS_FILE ${file} is not a persisted-query manifest: ${error instanceof Error ? error.message : String(error)}`);
  }
}

export async function startGateway(options: GatewayOptions): Promise<RunningGateway> {
  const { config } = options;
  const assertionKey = assertionSigningKey(config.auth);

  // This gateway's metrics (GET /metrics), when enabled: its own registry, never the global one.
  const registry = config.metrics.enabled ? createMetricsRegistry() : null;
  const metrics = registry ? gatewayMetrics(registry) : null;
  // A request waits for its log record, so an unreachable log store must fail it within seconds.
  const database = await connectDatabase(options.auditStore.uri, options.auditStore.database, 'linkage-gateway-audit', {
    serverSelectionTimeoutMS: 3000,
    commandTimeoutMS: config.timeouts.database,
    ...(registry ? { metrics: registry } : {}),
  });
  const accessLog = createAuditLogStore<AccessEntry>(database.db, 'access', { majorityWrites: config.audit.majorityWrites });
  // The auditors' search filters (a purpose or an operation matches much of the log: its index
  // carries the newest-first order, so a page stops at its last row) and the activity chart's days.
  await accessLog.ensureIndexes([
    { 'principal.sub': 1 },
    { 'principal.org': 1 },
    { outcome: 1 },
    { purpose: 1, at: -1, _id: -1 },
    { operationName: 1, at: -1, _id: -1 },
    // The activity chart's range, counted by the district's days (audit/queries.ts, activityByDay).
    { at: -1, _id: -1 },
  ]);
  const auditKey = auditSigningKey(config.auth, config.audit, 'gateway');
  const writer = new AuditWriter(accessLog, auditChainName('gateway', config.audit.instanceId), auditKey, {
    checkpointEvery: config.audit.checkpointRecords,
    checkpointSeconds: config.audit.checkpointSeconds,
    validate: (entry) => accessEntrySchema.parse(entry),
    ...(metrics ? { metrics: metrics.accessLog } : {}),
  });
  metrics?.watchAccessLog(writer);
  await writer.start();
  // Only this gateway calls the auditors' subgraph, so it listens on loopback whatever HOST says.
  const auditGraph = await serveAuditSubgraph({
    accessLog,
    writer,
    signingKey: auditKey,
    // The gateway holds the assertion key pair's private half; it verifies its own calls with the
    // public half of that key (ASSERTION_PUBLIC_KEY_FILE is the subgraphs' setting).
    verifyingKey: createPublicKey(assertionKey),
    // Its assertions are spent in the gateway's database, like the rate buckets: shared by replicas.
    replays: await createReplayGuard(database.db, { majorityWrites: config.audit.majorityWrites }),
    listen: { host: '127.0.0.1', port: options.auditPort ?? config.ports.audit },
    timeZone: config.districtTimeZone,
  });
  const urls: Record<GraphName, string> = { ...config.subgraphUrls, ...options.subgraphUrls, audit: auditGraph.url };
  // Its calls to the subgraphs trust TLS_CA_FILE's certificates (when set); it listens over HTTPS
  // with TLS_CERT_FILE (platform/tls.ts). Both read now: a bad file stops the start.
  const send = serviceFetch(config.tls.caFile);
  const tls = listenerTls(config.tls);

  const manifest = registeredOperations(config);
  // Filled as the gateway builds them: the write-references plugin reads records through them.
  const sources = new Map<string, SubgraphSource>();
  const rateBuckets = await createRateBuckets(database.db, { windowMs: config.rateLimits.windowSeconds * 1000, syncMs: config.rateLimits.syncMs });
  const plugins = (options.pipeline ?? governedPipeline)({
    config,
    verify: createTokenVerifier(config.auth),
    assertionKey,
    accessLog: writer,
    witnesses: new WitnessBook(accessLog, 'gateway'),
    persistedOperations: manifest ? { manifest, safelisted: config.persistedOperations.safelistedOrgs as Org[] } : null,
    rateBuckets,
    writeReferences: {
      declarations: readReferenceDeclarations(),
      writeRules: new Map(
        readSubgraphPolicies().flatMap((policy) =>
          [...policy.fields.values()].filter((f) => f.type === 'Mutation').map((f) => [f.field, { owner: policy.owner, policy: f }] as const),
        ),
      ),
      read: (name, query, variables, context) => {
        const source = sources.get(name);
        if (!source) throw new Error(`no data source for subgraph ${name}`);
        return source.read(query, variables, context);
      },
    },
  });
  // @apollo/gateway reads this when constructed and otherwise reports usage to Apollo's
  // collector; a government network must not phone home.
  process.env.APOLLO_TELEMETRY_DISABLED = 'true';
  const gateway = new ApolloGateway({
    supergraphSdl: readFileSync(config.supergraphPath, 'utf8'),
    logger: apolloLogger(serviceLog('gateway')),
    // Its spans carry no operation text and no exception messages (traces leave the host).
    telemetry: { includeDocument: false, recordExceptions: false },
    buildService: ({ name }) => {
      const url = urls[name as GraphName];
      if (!url) throw new Error(`no URL configured for subgraph ${name}`);
      // The auditors' subgraph (in this process) is bounded by the request's deadline alone.
      const timeoutMs = name === 'audit' ? config.timeouts.request : config.timeouts.subgraph[name as SubgraphName];
      const source = subgraphDataSource(name, url, plugins, timeoutMs, metrics?.subgraphFetch, send);
      sources.set(name, source);
      return source;
    },
  });
  // Not ready while its store or its access log does not answer (every request would fail closed:
  // 503 AUDIT_UNAVAILABLE), or while an institution's subgraph is not ready (its part of every
  // answer would be null: README, "Readiness").
  const readiness = createReadiness(
    {
      store: pingCheck(database.db),
      auditLog: storeCheck(() => accessLog.lastCheckpoint(writer.chain)),
      subgraphs: Object.fromEntries(SUBGRAPH_NAMES.map((name) => [name, serviceCheck(urls[name], SUBGRAPH_CHECK_MS, send)])),
    },
    { service: 'gateway', timeoutMs: SUBGRAPH_CHECK_MS },
  );
  const service = await serveGraphQL<GatewayContext>({
    name: 'gateway',
    graph: { gateway },
    plugins,
    introspection: config.mode === 'development',
    // The auditors' export of every log, streamed (GET /audit/export), behind the same plugins.
    // and the bulletin report's PDF (GET /reports/bulletin.pdf, gateway/reports-page.ts).
    endpoints: [auditExportEndpoint({ accessLog, writer, signingKey: auditKey, subgraphUrls: urls, plugins, send, answerTimeoutMs: (log) => config.timeouts.subgraph[log] }), bulletinPdfEndpoint({ config, writer })],
    ...(manifest ? { persistedOperations: manifest.cache } : {}),
    ...(registry ? { metrics: registry } : {}),
    routes: (app) => {
      mountReportsPage(app, config);
      mountAuditPage(app, { timeZone: config.districtTimeZone });
      // Development: the GraphQL IDE for a browser's GET /graphql (every other request to /graphql is untouched).
      mountIdePage(app, config.mode);
      // Partner frontends in browsers on other origins: only the configured ones, only /graphql.
      app.use('/graphql', cors({ origin: config.corsOrigins, methods: ['POST'], allowedHeaders: ['authorization', 'content-type', 'x-purpose'], exposedHeaders: ['x-request-id'], maxAge: 600 }));
    },
    context: async (_req, res) => {
      const startedAt = res.locals.startedAt ?? performance.now();
      return {
        requestId: res.locals.requestId ?? null,
        identity: res.locals.identity ?? null,
        subgraphsCalled: new Set<string>(),
        logHeads: [],
        signal: requestSignal(res, startedAt, config.timeouts.request),
        startedAt,
      };
    },
    listen: options.listen ?? { host: config.host, port: config.ports.gateway },
    tls,
    metricsListen: config.metrics.port === null ? null : { host: config.host, port: config.metrics.port },
    onStop: async () => {
      await rateBuckets.stop();
      manifest?.close();
      await auditGraph.stop();
      await writer.stop();
      await database.close();
      await send.close();
    },
    // Closing the client fails at once whatever still waits for a dead store (the rate buckets'
    // last sync, the log's last checkpoint).
    forceStop: () => database.close(),
    shutdownGraceMs: config.timeouts.shutdownGrace,
    readiness: readiness.report,
  });
  return { ...service, auditChain: writer.chain, database, ready: readiness.report };
}
