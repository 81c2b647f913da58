// Where each institution's database is: the configured MongoDB, or the embedded FerretDB started
// here (one FerretDB process, one SQLite-backed database per institution).
import type { Db } from 'mongodb';
import { ConfigError, ENV, SUBGRAPH_NAMES, type Config, type StoreLocation, type SubgraphName } from '../config/index.js';
import { readPseudonymKey } from '../auth/index.js';
import { attachOrStartEmbeddedStore, connectDatabase, startEmbeddedStore, type Database, type EmbeddedStore } from '../platform/index.js';

export interface StoreLocations {
  locations: Record<SubgraphName, { uri: string; database: string }>;
  /** The gateway's access-log database (null when the gateway is not among the services). */
  audit: { uri: string; database: string } | null;
  /** The embedded store, when one was started for any of them. */
  embedded: EmbeddedStore | null;
}

/** Resolves the stores of `subgraphs` (and the gateway's audit store), starting the embedded one if any needs it. */
export async function locateStores(
  config: Config,
  subgraphs: readonly SubgraphName[] = SUBGRAPH_NAMES,
  withGateway = true,
  /** Use the embedded store a running stack has started, if one has (a tool beside `npm start`). */
  attach = false,
): Promise<StoreLocations> {
  const needed: StoreLocation[] = [...subgraphs.map((name) => config.stores[name]), ...(withGateway ? [config.audit.store] : [])];
  const start = attach ? attachOrStartEmbeddedStore : startEmbeddedStore;
  const embedded = needed.some((store) => store.kind === 'embedded') ? await start(config.embeddedStore) : null;
  const resolve = (store: StoreLocation) => ({ uri: store.kind === 'uri' ? store.uri : (embedded as EmbeddedStore).uri, database: store.database });
  const locations = {} as StoreLocations['locations'];
  for (const name of subgraphs) locations[name] = resolve(config.stores[name]);
  return { locations, audit: withGateway ? resolve(config.audit.store) : null, embedded };
}

/** Connections to all three databases (for seeding). */
export async function connectAll(
  locations: StoreLocations['locations'],
): Promise<{ dbs: Record<SubgraphName, Db>; close: () => Promise<void> }> {
  const connections: Database[] = [];
  const dbs = {} as Record<SubgraphName, Db>;
  for (const name of SUBGRAPH_NAMES) {
    const connection = await connectDatabase(locations[name].uri, locations[name].database, `linkage-seed-${name}`);
    connections.push(connection);
    dbs[name] = connection.db;
  }
  return { dbs, close: async () => void (await Promise.all(connections.map((c) => c.close()))) };
}

/** The key the demo data's party pseudonyms are derived under; production must name its own. */
export function requirePseudonymKey(config: Config): string {
  const key = readPseudonymKey(config);
  if (key === null) throw new ConfigError(ENV.pseudonymKey, 'is required to seed when LINKAGE_ENV=production');
  return key;
}
