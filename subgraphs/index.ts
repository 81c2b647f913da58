// Starting one institution's subgraph: connect to its own database, open its disclosure log
// there, build its schema, serve it behind its plugin list.
import { createPublicKey } from 'node:crypto';
import type { Db } from 'mongodb';
import type { Config, SubgraphName } from '../config/index.js';
import { assertionVerifyingKey, auditSigningKey, createReplayGuard, readPseudonymKey } from '../auth/index.js';
import { AuditWriter, auditChainName, auditLogMetrics, createAuditLogStore, disclosureEntrySchema, type DisclosureEntry } from '../audit/index.js';
import { connectDatabase, createMetricsRegistry, createReadiness, listenerTls, pingCheck, storeCheck, type Database, type RunningService } from '../platform/index.js';
import { courtSubgraph } from './court/index.js';
import { governmentSubgraph } from './government/index.js';
import { procuratorateSubgraph } from './procuratorate/index.js';
import { DISCLOSURE_LOG, DISCLOSURE_LOG_INDEXES, serveSubgraph, type GrantBookOptions, type SubgraphPipeline, type SubgraphServing } from './shared/index.js';

export { seedDemoData, needsSeed, generateDemoData, type DemoData } from './seed/index.js';
export { serveAuditSubgraph } from './audit/index.js';
export { renderClientSchema, CLIENT_SCHEMA_PATH } from './client-schema.js';
export { buildCatalogue, buildFieldLabels, readSubgraphPolicies, CATALOGUE_PATH, CATALOGUE_JSON_PATH, FIELD_LABELS_PATH, type FieldLabel } from './catalogue.js';
export {
  governedSubgraphPipeline,
  useGatewayAssertion,
  useSharingRules,
  useDisclosureLog,
  type SubgraphPipeline,
  type SubgraphParts,
} from './shared/index.js';

/** Serves one institution's definition (each has its own context type). */
async function serveInstitution(name: SubgraphName, db: Db, serving: SubgraphServing, config: Config): Promise<RunningService> {
  switch (name) {
    case 'government':
      return serveSubgraph(await governmentSubgraph(db, { pseudonymKey: readPseudonymKey(config) }), serving);
    case 'court':
      return serveSubgraph(await courtSubgraph(db), serving);
    case 'procuratorate':
      return serveSubgraph(await procuratorateSubgraph(db), serving);
  }
}

export { DISCLOSURE_LOG, DISCLOSURE_LOG_INDEXES, importFile, remotePseudonymizer, ImportFileError, type ImportSummary, type ImportType, type Pseudonymizer } from './shared/index.js';
export { runImport, recordImport, institutionImports, importRefusal, ImportRefusedError, ImportFailedError, IMPORT_ROLES, type InstitutionImport } from './imports/index.js';
export { localPseudonymizer, partyPseudonym } from './government/index.js';

export interface RunningSubgraph extends RunningService {
  /** The subgraph's own database connection (tests watch its commands). */
  database: Database;
  /** The chain its disclosure log is written to. */
  auditChain: string;
}

export interface SubgraphOptions {
  config: Config;
  store: { uri: string; database: string };
  listen: { host: string; port: number };
  /** The request path (default: governedSubgraphPipeline). A benchmark or test composes another list; no configuration reaches this. */
  pipeline?: SubgraphPipeline;
  /** The clock workflow steps are stamped and judged by (a test fixes it); default the system's. */
  clock?: () => Date;
  /** How often grants on application are read again (default 2 s; a test shortens it). */
  grantRefresh?: GrantBookOptions;
}

export async function startSubgraph(name: SubgraphName, options: SubgraphOptions): Promise<RunningSubgraph> {
  const { config } = options;
  // This subgraph's metrics (GET /metrics), when enabled: its own registry, never the global one.
  const registry = config.metrics.enabled ? createMetricsRegistry() : null;
  const database = await connectDatabase(options.store.uri, options.store.database, `linkage-${name}`, {
    commandTimeoutMS: config.timeouts.database,
    ...(registry ? { metrics: registry } : {}),
  });
  let writer: AuditWriter<DisclosureEntry> | null = null;
  try {
    const log = createAuditLogStore<DisclosureEntry>(database.db, DISCLOSURE_LOG, { majorityWrites: config.audit.majorityWrites });
    // A record's history; what was disclosed under one grant on application; the imports; newest first.
    await log.ensureIndexes(DISCLOSURE_LOG_INDEXES);
    const signingKey = auditSigningKey(config.auth, config.audit, name);
    const logMetrics = registry ? auditLogMetrics(registry, 'disclosure') : null;
    const chainWriter = new AuditWriter(log, auditChainName(name, config.audit.instanceId), signingKey, {
      checkpointEvery: config.audit.checkpointRecords,
      checkpointSeconds: config.audit.checkpointSeconds,
      validate: (entry) => disclosureEntrySchema.parse(entry),
      ...(logMetrics ? { metrics: logMetrics.hooks } : {}),
    });
    logMetrics?.watch(chainWriter);
    writer = chainWriter;
    await chainWriter.start();
    const service = await serveInstitution(name, database.db, {
      listen: options.listen,
      tls: listenerTls(config.tls),
      metricsListen: config.metrics.port === null ? null : { host: config.host, port: config.metrics.port },
      verifyingKey: assertionVerifyingKey(config.auth),
      // Spent in the institution's own database: every replica of this subgraph refuses a replay.
      replays: await createReplayGuard(database.db, { clockToleranceSeconds: config.auth.clockToleranceSeconds, majorityWrites: config.audit.majorityWrites }),
      auditLog: { institution: name, store: log, writer: chainWriter, publicKey: createPublicKey(signingKey) },
      pipeline: options.pipeline,
      ...(registry ? { metrics: registry } : {}),
      clock: options.clock,
      grantRefresh: options.grantRefresh,
      onStop: async () => {
        await chainWriter.stop();
        await database.close();
      },
      // Closing the client fails at once whatever still waits for a dead store (the log's last checkpoint).
      forceStop: () => database.close(),
      shutdownGraceMs: config.timeouts.shutdownGrace,
      // The institution's records and its disclosure log share its database: the store answers a
      // ping, and the log's own collections a read (its chain's last checkpoint, by index).
      readiness: createReadiness({ store: pingCheck(database.db), auditLog: storeCheck(() => log.lastCheckpoint(chainWriter.chain)) }, { service: name }).report,
    }, config);
    return { ...service, database, auditChain: chainWriter.chain };
  } catch (error) {
    await writer?.stop();
    await database.close();
    throw error;
  }
}
