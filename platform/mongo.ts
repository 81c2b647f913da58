// Connecting a subgraph to its own database with the official driver.
import { MongoClient, type Db } from 'mongodb';
import { observeCommands, type MetricsRegistry } from './metrics.js';
import { traceCommands } from './tracing.js';

/** Commands that are connection housekeeping, not work a request asked for (left out where commands are counted). */
export const HOUSEKEEPING_COMMANDS: ReadonlySet<string> = new Set(['hello', 'isMaster', 'ismaster', 'ping', 'endSessions', 'buildInfo', 'saslStart', 'saslContinue']);

/**
 * The `comment` a service's own background reads carry (the grants a subgraph polls): not work a
 * request asked for, so left out where commands are counted (isHousekeeping).
 */
export const BACKGROUND_COMMENT = 'linkage background';

/** Whether a command is housekeeping or a background read, not a request's work. */
export function isHousekeeping(event: { commandName: string; command: Record<string, unknown> }): boolean {
  return HOUSEKEEPING_COMMANDS.has(event.commandName) || event.command.comment === BACKGROUND_COMMENT;
}

export interface Database {
  client: MongoClient;
  db: Db;
  close(): Promise<void>;
}

export async function connectDatabase(
  uri: string,
  database: string,
  appName: string,
  /** `metrics`: the service's registry, to which every command's latency is reported (linkage_db_command_duration_seconds). */
  options: { serverSelectionTimeoutMS?: number; commandTimeoutMS?: number; metrics?: MetricsRegistry } = {},
): Promise<Database> {
  // monitorCommands lets tests count the commands a request issues (batching checks), and the
  // service's metrics time each one.
  // commandTimeoutMS bounds each round trip (socketTimeoutMS) and the wait for a pooled connection:
  // a stalled store fails a command within it instead of holding the request. (The driver's
  // timeoutMS is deprecated and has no effect in this major version.)
  const client = new MongoClient(uri, {
    appName,
    monitorCommands: true,
    serverSelectionTimeoutMS: options.serverSelectionTimeoutMS ?? 10_000,
    ...(options.commandTimeoutMS ? { socketTimeoutMS: options.commandTimeoutMS, waitQueueTimeoutMS: options.commandTimeoutMS } : {}),
  });
  if (options.metrics) observeCommands(client, options.metrics);
  traceCommands(client);
  await client.connect();
  return { client, db: client.db(database), close: () => client.close() };
}
