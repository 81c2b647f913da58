// The embedded default store: FerretDB 1.24.2 (MongoDB wire protocol) over a private PostgreSQL
// cluster (platform/embedded-postgres.ts) or over SQLite files, launched as a child process on
// loopback with telemetry off. Installed by scripts/install-ferretdb.sh.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import net from 'node:net';
import type { EmbeddedStoreConfig } from '../config/index.js';
import { startEmbeddedPostgres, type EmbeddedPostgres } from './embedded-postgres.js';

export interface EmbeddedStore {
  uri: string;
  /** The FerretDB process (tests pause it to script a stalled store). */
  pid: number;
  backend: EmbeddedStoreConfig['backend'];
  stop(): Promise<void>;
}

function portAnswers(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/** A free loopback port, for tests that start their own store. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/**
 * The embedded store another process of this project runs (`npm start`) when its port answers, or
 * one started here: a command-line tool (npm run import) works beside a running stack, or alone.
 */
export async function attachOrStartEmbeddedStore(config: EmbeddedStoreConfig): Promise<EmbeddedStore> {
  if (await portAnswers(config.port)) return { uri: `mongodb://127.0.0.1:${config.port}/`, pid: 0, backend: config.backend, stop: async () => {} };
  return startEmbeddedStore(config);
}

export async function startEmbeddedStore(config: EmbeddedStoreConfig): Promise<EmbeddedStore> {
  if (!existsSync(config.binary)) {
    throw new Error(`FerretDB is not installed at ${config.binary}: run "npm run setup" (or set MONGODB_URI)`);
  }
  if (await portAnswers(config.port)) {
    throw new Error(`EMBEDDED_STORE_PORT ${config.port} is already in use; stop what listens there or choose another port`);
  }
  mkdirSync(config.dataDir, { recursive: true });
  const postgres: EmbeddedPostgres | null = config.backend === 'postgresql' ? await startEmbeddedPostgres({ binDir: config.postgresBinDir, dataDir: config.dataDir }) : null;
  const backendFlags = postgres ? ['--handler=postgresql', `--postgresql-url=${postgres.url}`] : ['--handler=sqlite', `--sqlite-url=file:${config.dataDir}/`];
  const child: ChildProcess = spawn(
    config.binary,
    [
      ...backendFlags,
      `--listen-addr=127.0.0.1:${config.port}`,
      `--state-dir=${config.dataDir}`,
      '--debug-addr=-',
      '--telemetry=disable',
      '--log-level=error',
    ],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-4000);
  });
  let exited = false;
  // Never outlive this process, even when it dies of an uncaught error.
  const killChild = () => child.kill('SIGKILL');
  process.once('exit', killChild);
  child.once('exit', () => {
    exited = true;
    process.removeListener('exit', killChild);
  });

  const stopFerretDB = () =>
    new Promise<void>((resolve) => {
      if (exited) return resolve();
      child.once('exit', () => resolve());
      child.kill('SIGTERM');
      setTimeout(() => child.kill('SIGKILL'), 5000).unref();
    });

  const deadline = Date.now() + 30_000;
  while (!(await portAnswers(config.port))) {
    const failure = exited
      ? `FerretDB exited during start-up: ${stderr.trim() || 'no output'}`
      : Date.now() > deadline
        ? 'FerretDB did not start listening within 30 s'
        : null;
    if (failure) {
      await stopFerretDB();
      await postgres?.stop();
      throw new Error(failure);
    }
    await new Promise((r) => setTimeout(r, 100));
  }

  return {
    uri: `mongodb://127.0.0.1:${config.port}/`,
    pid: child.pid as number,
    backend: config.backend,
    stop: async () => {
      await stopFerretDB();
      await postgres?.stop();
    },
  };
}
