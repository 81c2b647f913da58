// Shared set-up of the benchmarks: a fresh embedded store in a temporary folder, seeded, and
// whole stacks (three subgraphs and a gateway) started in this process on free ports.
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { issueDevToken, type Principal, type Purpose } from '../../auth/index.js';
import { AUDIT_DATABASE_NAME, DATABASE_NAMES, SUBGRAPH_NAMES, loadConfig, type Config } from '../../config/index.js';
import { governedPipeline, startGateway, type GatewayPipeline } from '../../gateway/index.js';
import { freePort, leaveOut, startEmbeddedStore, type RunningService } from '../../platform/index.js';
import { governedSubgraphPipeline, seedDemoData, startSubgraph, type SubgraphPipeline } from '../../subgraphs/index.js';
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

export interface BenchStack {
  url: string;
  stop(): Promise<void>;
}

/**
 * A stack whose plugin lists leave out the sharing rules (`enforceSharing: false`), the access
 * and disclosure logs (`accessLog: false`) or the operation-safety checks (`operationSafety:
 * false`): the variants a benchmark compares.
 */
export async function startBenchStack(env: BenchEnvironment, options: { enforceSharing?: boolean; accessLog?: boolean; operationSafety?: boolean }): Promise<BenchStack> {
  const left = [
    ...(options.enforceSharing === false ? ['sharing-rules'] : []),
    ...(options.accessLog === false ? ['access-log', 'disclosure-log'] : []),
    ...(options.operationSafety === false ? OPERATION_SAFETY : []),
  ];
  const subgraphPipeline: SubgraphPipeline = leaveOut(governedSubgraphPipeline, left);
  const gatewayPipeline: GatewayPipeline = leaveOut(governedPipeline, left);
  const services: RunningService[] = [];
  const urls: Record<string, string> = {};
  for (const name of SUBGRAPH_NAMES) {
    const service = await startSubgraph(name, {
      config: env.config,
      store: { uri: env.uri, database: DATABASE_NAMES[name] },
      listen: { host: '127.0.0.1', port: 0 },
      pipeline: subgraphPipeline,
    });
    services.push(service);
    urls[name] = service.url;
  }
  const gateway = await startGateway({
    config: env.config,
    auditStore: { uri: env.uri, database: AUDIT_DATABASE_NAME },
    subgraphUrls: urls,
    listen: { host: '127.0.0.1', port: 0 },
    auditPort: 0,
    pipeline: gatewayPipeline,
  });
  return {
    url: gateway.url,
    stop: async () => {
      await gateway.stop();
      for (const s of services) await s.stop();
    },
  };
}

export async function headersFor(env: BenchEnvironment, who: Principal, purpose: Purpose): Promise<Record<string, string>> {
  return { 'content-type': 'application/json', authorization: `Bearer ${await issueDevToken(env.config.auth, who, 3600)}`, 'x-purpose': purpose };
}

/** Posts one query; fails loudly on an error so a benchmark never times a broken request. */
export async function query(url: string, headers: Record<string, string>, body: string): Promise<void> {
  const response = await fetch(url, { method: 'POST', headers, body });
  const json = (await response.json()) as { errors?: unknown[] };
  if (response.status !== 200 || json.errors) throw new Error(`benchmark query failed: ${response.status} ${JSON.stringify(json).slice(0, 300)}`);
}

export async function timed(run: () => Promise<void>): Promise<number> {
  const start = performance.now();
  await run();
  return performance.now() - start;
}

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}
