// Connecting a subgraph to its own database with the official driver.
import { MongoClient, type Db } from 'mongodb';

export interface Database {
  client: MongoClient;
  db: Db;
  close(): Promise<void>;
}

export async function connectDatabase(
  uri: string,
  database: string,
  appName: string,
  options: { serverSelectionTimeoutMS?: number; commandTimeoutMS?: number } = {},
): Promise<Database> {
  // monitorCommands lets tests count the commands a request issues (batching checks).
  // commandTimeoutMS bounds each round trip (socketTimeoutMS) and the wait for a pooled connection:
  // a stalled store fails a command within it instead of holding the request. (The driver's
  // timeoutMS is deprecated and has no effect in this major version.)
  const client = new MongoClient(uri, {
    appName,
    monitorCommands: true,
    serverSelectionTimeoutMS: options.serverSelectionTimeoutMS ?? 10_000,
    ...(options.commandTimeoutMS ? { socketTimeoutMS: options.commandTimeoutMS, waitQueueTimeoutMS: options.commandTimeoutMS } : {}),
  });
  await client.connect();
  return { client, db: client.db(database), close: () => client.close() };
}
