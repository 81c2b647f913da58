// The gateway: @apollo/gateway over the committed supergraph. Callers must present a valid token
// and a purpose; every subgraph call is signed for that caller; every request is logged before
// its response leaves; only deliberate errors get out.
import { createPublicKey } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { ApolloGateway } from '@apollo/gateway';
import cors from 'cors';
import type { Config, GraphName, SubgraphName } from '../config/index.js';
import { assertionSigningKey, auditSigningKey, createTokenVerifier, type CallIdentity } from '../auth/index.js';
import { AuditWriter, auditChainName, createAuditLogStore } from '../audit/index.js';
import { serveAuditSubgraph } from '../subgraphs/index.js';
import { connectDatabase, serveGraphQL, type RunningService } from '../platform/index.js';
import { accessLogPlugin, logRejections, type AccessEntry } from './access-log.js';
import { mountAuditPage } from './audit-page.js';
import { operationLimitRules } from './limits.js';
import { usePurpose, useAuthentication, useRequestId } from './authenticate.js';
import type { GatewayContext } from './context.js';
import { signingDataSource } from './signing.js';

export type { AccessEntry } from './access-log.js';

export interface GatewayOptions {
  config: Config;
  /** Where the access log is (the configured store, resolved by the caller). */
  auditStore: { uri: string; database: string };
  /** Overrides the configured subgraph URLs (tests start subgraphs on free ports). */
  subgraphUrls?: Partial<Record<SubgraphName, string>>;
  listen?: { host: string; port: number };
  /** Loopback port of the auditors' subgraph this process serves (default AUDIT_PORT; 0: any free one). */
  auditPort?: number;
  /** The log-off benchmark only: serve without writing the access log. No configuration reaches it. */
  accessLog?: boolean;
}

export interface RunningGateway extends RunningService {
  /** The chain this gateway writes its access log to. */
  auditChain: string;
}

export async function startGateway(options: GatewayOptions): Promise<RunningGateway> {
  const { config } = options;
  const signingKey = assertionSigningKey(config.auth);

  // A request waits for its log record, so an unreachable log store must fail it within seconds.
  const database = await connectDatabase(options.auditStore.uri, options.auditStore.database, 'linkage-gateway-audit', {
    serverSelectionTimeoutMS: 3000,
  });
  const accessLog = createAuditLogStore<AccessEntry>(database.db, 'access');
  await accessLog.ensureIndexes([{ 'principal.sub': 1 }, { 'principal.org': 1 }, { outcome: 1 }]);
  const writer = new AuditWriter(accessLog, auditChainName('gateway', config.audit.instanceId), auditSigningKey(config.auth, config.audit, 'gateway'), {
    checkpointEvery: config.audit.checkpointRecords,
    checkpointSeconds: config.audit.checkpointSeconds,
  });
  await writer.start();
  const auditKey = auditSigningKey(config.auth, config.audit, 'gateway');
  // Only this gateway calls the auditors' subgraph, so it listens on loopback whatever HOST says.
  const auditGraph = await serveAuditSubgraph({
    accessLog,
    writer,
    signingKey: auditKey,
    // The gateway holds the assertion key pair's private half; it verifies its own calls with the
    // public half of that key (ASSERTION_PUBLIC_KEY_FILE is the subgraphs' setting).
    verifyingKey: createPublicKey(signingKey),
    listen: { host: '127.0.0.1', port: options.auditPort ?? config.ports.audit },
  });
  const urls: Record<GraphName, string> = { ...config.subgraphUrls, ...options.subgraphUrls, audit: auditGraph.url };

  // @apollo/gateway reads this when constructed and otherwise reports usage to Apollo's
  // collector; a government network must not phone home.
  process.env.APOLLO_TELEMETRY_DISABLED = 'true';
  const gateway = new ApolloGateway({
    supergraphSdl: readFileSync(config.supergraphPath, 'utf8'),
    buildService: ({ name }) => {
      const url = urls[name as GraphName];
      if (!url) throw new Error(`no URL configured for subgraph ${name}`);
      return signingDataSource(name, url, signingKey);
    },
  });
  const development = config.mode === 'development';
  const service = await serveGraphQL<GatewayContext>({
    name: 'gateway',
    apollo: {
      gateway,
      introspection: development,
      // Field suggestions ("did you mean …") would let anyone map the schema without introspection.
      hideSchemaDetailsFromClientErrors: !development,
      validationRules: operationLimitRules(config.limits),
      plugins: options.accessLog === false ? [] : [accessLogPlugin(writer)],
    },
    guards: [useRequestId(), useAuthentication(createTokenVerifier(config.auth)), usePurpose()],
    ...(options.accessLog === false ? {} : { onRejection: logRejections(writer) }),
    routes: (app) => {
      mountAuditPage(app);
      // Partner frontends in browsers on other origins: only the configured ones, only /graphql.
      app.use('/graphql', cors({ origin: config.corsOrigins, methods: ['POST'], allowedHeaders: ['authorization', 'content-type', 'x-purpose'], exposedHeaders: ['x-request-id'], maxAge: 600 }));
    },
    context: async (_req, res) => ({
      identity: res.locals.identity as CallIdentity,
      subgraphsCalled: new Set<string>(),
      startedAt: res.locals.startedAt as number,
    }),
    listen: options.listen ?? { host: config.host, port: config.ports.gateway },
    onStop: async () => {
      await auditGraph.stop();
      await writer.stop();
      await database.close();
    },
  });
  return { ...service, auditChain: writer.chain };
}
