// Starting one institution's subgraph: connect to its own database, open its disclosure log
// there, build its schema, serve it.
import { createPublicKey } from 'node:crypto';
import type { Db } from 'mongodb';
import type { Config, SubgraphName } from '../config/index.js';
import { assertionVerifyingKey, auditSigningKey } from '../auth/index.js';
import { AuditWriter, auditChainName, createAuditLogStore, type DisclosureEntry } from '../audit/index.js';
import { serveCourt } from './court/index.js';
import { serveGovernment } from './government/index.js';
import { serveProcuratorate } from './procuratorate/index.js';
import { connectDatabase, type Database, type RunningService } from '../platform/index.js';
import type { SubgraphSecurity } from './shared/index.js';

export { seedDemoData, needsSeed, generateDemoData, type DemoData } from './seed/index.js';
export { serveAuditSubgraph } from './audit/index.js';
export { buildCatalogue, CATALOGUE_PATH } from './catalogue.js';

type Serve = (db: Db, listen: { host: string; port: number }, security: SubgraphSecurity, onStop?: () => Promise<void>) => Promise<RunningService>;
const SERVE: Record<SubgraphName, Serve> = {
  government: serveGovernment,
  court: serveCourt,
  procuratorate: serveProcuratorate,
};

/** The collections of an owner's disclosure log, in its own database. */
export const DISCLOSURE_LOG = 'disclosure';

export interface RunningSubgraph extends RunningService {
  /** The subgraph's own database connection (tests watch its commands). */
  database: Database;
  /** The chain its disclosure log is written to (null when the log is off, in a benchmark). */
  auditChain: string | null;
}

export interface SubgraphOptions {
  config: Config;
  store: { uri: string; database: string };
  listen: { host: string; port: number };
  /** Benchmarks only: run without the sharing rules, or without the disclosure log. */
  enforceSharing?: boolean;
  logDisclosures?: boolean;
}

export async function startSubgraph(name: SubgraphName, options: SubgraphOptions): Promise<RunningSubgraph> {
  const { config } = options;
  const database = await connectDatabase(options.store.uri, options.store.database, `linkage-${name}`);
  let writer: AuditWriter<DisclosureEntry> | null = null;
  try {
    const log = createAuditLogStore<DisclosureEntry>(database.db, DISCLOSURE_LOG);
    await log.ensureIndexes([{ 'records.key': 1 }]);
    const signingKey = auditSigningKey(config.auth, config.audit, name);
    if (options.logDisclosures !== false) {
      writer = new AuditWriter(log, auditChainName(name, config.audit.instanceId), signingKey, {
        checkpointEvery: config.audit.checkpointRecords,
        checkpointSeconds: config.audit.checkpointSeconds,
      });
      await writer.start();
    }
    const security: SubgraphSecurity = {
      verifyingKey: assertionVerifyingKey(config.auth),
      enforceSharing: options.enforceSharing ?? true,
      auditLog: { institution: name, store: log, writer, publicKey: createPublicKey(signingKey) },
    };
    const service = await SERVE[name](database.db, options.listen, security, async () => {
      await writer?.stop();
      await database.close();
    });
    return { ...service, database, auditChain: writer?.chain ?? null };
  } catch (error) {
    await writer?.stop();
    await database.close();
    throw error;
  }
}
