// Shared set-up of the benchmarks: a fresh embedded store in a temporary folder, seeded; callers'
// headers; the median. The stacks themselves run as processes (processes.ts).
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { issueDevToken, type Principal, type Purpose } from '../../auth/index.js';
import { DATABASE_NAMES, SUBGRAPH_NAMES, loadConfig, type Config } from '../../config/index.js';
import { freePort, startEmbeddedStore } from '../../platform/index.js';
import { seedDemoData } from '../../subgraphs/index.js';
import { connectAll } from '../stack.js';

export interface BenchEnvironment {
  config: Config;
  uri: string;
  close(): Promise<void>;
}

export async function openBenchEnvironment(scale: number): Promise<BenchEnvironment> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'linkage-bench-'));
  // Interrupted (Ctrl-C), the store's processes stop at this process's exit (platform/embedded-*);
  // its data goes with them.
  const removeDir = () => rmSync(dir, { recursive: true, force: true });
  process.once('exit', removeDir);
  const config = loadConfig({ KEYS_DIR: path.join(dir, 'keys') });
  const store = await startEmbeddedStore({ ...config.embeddedStore, port: await freePort(), dataDir: path.join(dir, 'store') });
  const locations = Object.fromEntries(SUBGRAPH_NAMES.map((n) => [n, { uri: store.uri, database: DATABASE_NAMES[n] }])) as Parameters<
    typeof connectAll
  >[0];
  const { dbs, close } = await connectAll(locations);
  await seedDemoData(dbs, { scale, pseudonymKey: config.pseudonymKey as string });
  await close();
  return {
    config,
    uri: store.uri,
    close: async () => {
      await store.stop();
      process.removeListener('exit', removeDir);
      removeDir();
    },
  };
}

/** The gateway's checks of an operation's size and cost and of its caller's rate, before anything runs (issue 9). */
export const OPERATION_SAFETY = ['operation-limits', 'operation-input', 'cost-limit', 'rate-limit'];

export async function headersFor(env: BenchEnvironment, who: Principal, purpose: Purpose): Promise<Record<string, string>> {
  return { 'content-type': 'application/json', authorization: `Bearer ${await issueDevToken(env.config.auth, who, 3600)}`, 'x-purpose': purpose };
}

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}
