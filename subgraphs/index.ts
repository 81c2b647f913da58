// Starting one institution's subgraph: connect to its own database, build its schema, serve it.
import type { Db } from 'mongodb';
import type { SubgraphName } from '../config/index.js';
import { serveCourt } from './court/index.js';
import { serveGovernment } from './government/index.js';
import { serveProcuratorate } from './procuratorate/index.js';
import { connectDatabase, type Database, type RunningService, type SubgraphSecurity } from './shared/index.js';

export { seedDemoData, needsSeed, generateDemoData, type DemoData } from './seed/index.js';
export { startEmbeddedStore, freePort, connectDatabase, type Database, type EmbeddedStore, type RunningService } from './shared/index.js';

type Serve = (db: Db, listen: { host: string; port: number }, security: SubgraphSecurity, onStop?: () => Promise<void>) => Promise<RunningService>;
const SERVE: Record<SubgraphName, Serve> = {
  government: serveGovernment,
  court: serveCourt,
  procuratorate: serveProcuratorate,
};

export interface RunningSubgraph extends RunningService {
  /** The subgraph's own database connection (tests watch its commands). */
  database: Database;
}

export async function startSubgraph(
  name: SubgraphName,
  store: { uri: string; database: string },
  listen: { host: string; port: number },
  security: SubgraphSecurity,
): Promise<RunningSubgraph> {
  const database = await connectDatabase(store.uri, store.database, `linkage-${name}`);
  try {
    const service = await SERVE[name](database.db, listen, security, () => database.close());
    return { ...service, database };
  } catch (error) {
    await database.close();
    throw error;
  }
}
