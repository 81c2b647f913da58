// Once per test run: a fresh embedded FerretDB in a temporary folder (or the MongoDB named by
// TEST_MONGODB_URI), seeded with the demo district at scale 1. Never a mock or in-memory fake.
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { TestProject } from 'vitest/node';
import { DATABASE_NAMES, loadConfig } from '../../config/index.js';
import { connectDatabase, freePort, startEmbeddedStore, type EmbeddedStore } from '../../platform/index.js';
import { seedDemoData } from '../../subgraphs/index.js';
import { TEST_SEED } from './seed-options.js';

declare module 'vitest' {
  export interface ProvidedContext {
    mongoUri: string;
    /** A temporary KEYS_DIR: the run's own development token-issuer and assertion keys. */
    keysDir: string;
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  // Tests drop and refill the three databases, so they never use MONGODB_URI: only a server
  // named for testing.
  const external = process.env.TEST_MONGODB_URI;
  let embedded: EmbeddedStore | null = null;
  let dataDir: string | null = null;
  if (!external) {
    dataDir = mkdtempSync(path.join(os.tmpdir(), 'linkage-test-store-'));
    const config = loadConfig({});
    embedded = await startEmbeddedStore({ ...config.embeddedStore, port: await freePort(), dataDir });
  }
  const uri = external ?? (embedded as EmbeddedStore).uri;

  const connections = await Promise.all(
    (Object.entries(DATABASE_NAMES) as [keyof typeof DATABASE_NAMES, string][]).map(async ([name, database]) => [
      name,
      await connectDatabase(uri, database, 'linkage-test-seed'),
    ] as const),
  );
  const dbs = Object.fromEntries(connections.map(([name, c]) => [name, c.db])) as Record<keyof typeof DATABASE_NAMES, import('mongodb').Db>;
  const keysDir = mkdtempSync(path.join(os.tmpdir(), 'linkage-test-keys-'));
  // Each import of the demo district is recorded in its institution's log, signed with the run's keys.
  await seedDemoData(dbs, TEST_SEED, loadConfig({ KEYS_DIR: keysDir, AUDIT_CHECKPOINT_RECORDS: '5' }));
  await Promise.all(connections.map(([, c]) => c.close()));

  project.provide('mongoUri', uri);
  project.provide('keysDir', keysDir);
  return async () => {
    rmSync(keysDir, { recursive: true, force: true });
    await embedded?.stop();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  };
}
