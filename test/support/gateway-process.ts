// Another gateway replica, started as production starts one (`npm start -- gateway`, configured by
// its environment) in a process of its own, in front of the test stack's subgraphs.
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { PROJECT_ROOT } from '../../config/index.js';
import { freePort } from '../../platform/index.js';
import type { TestStack } from './stack.js';

export interface GatewayProcess {
  url: string;
  stop(): Promise<void>;
}

/** The gateway's line (platform/log.ts, scripts/start.ts) saying where it listens. */
const STARTED = /^\{.*"service":"gateway".*"url":"(http:[^"]+)".*"msg":"listening"\}$/m;

export async function startGatewayProcess(env: Record<string, string>, stack: TestStack): Promise<GatewayProcess> {
  const urls = Object.fromEntries(Object.entries(stack.subgraphs).map(([name, subgraph]) => [`${name.toUpperCase()}_URL`, subgraph.url]));
  const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', path.join(PROJECT_ROOT, 'scripts', 'start.ts'), 'gateway'], {
    cwd: PROJECT_ROOT,
    env: { ...process.env, ...urls, GATEWAY_PORT: String(await freePort()), AUDIT_PORT: String(await freePort()), HOST: '127.0.0.1', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the gateway process did not start in 30 s:\n${output}`)), 30_000);
    const read = (chunk: Buffer) => {
      output += chunk.toString();
      const found = STARTED.exec(output);
      if (found) {
        clearTimeout(timer);
        resolve(found[1]!);
      }
    };
    child.stdout!.on('data', read);
    child.stderr!.on('data', read);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`the gateway process exited (${code}) while starting:\n${output}`));
    });
  });
  return {
    url,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}
