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
  options: { serverSelectionTimeoutMS?: number } = {},
): Promise<Database> {
  // monitorCommands lets tests count the commands a request issues (batching checks).
  const client = new MongoClient(uri, { appName, monitorCommands: true, serverSelectionTimeoutMS: options.serverSelectionTimeoutMS ?? 10_000 });
  await client.connect();
  return { client, db: client.db(database), close: () => client.close() };
}
