// A private PostgreSQL cluster for the embedded store's PostgreSQL backend: Debian's PostgreSQL
// server, a data directory of the project's own, reached only through a Unix socket (no TCP port,
// so nothing else on the machine can connect and nothing collides). PostgreSQL refuses to run as
// root: as root, the cluster belongs to the `postgres` system user that Debian's package creates.
import { spawn, execFile, type ChildProcess } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, chownSync, statSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface EmbeddedPostgres {
  /** A libpq URL FerretDB connects with (the Unix socket's directory as `host`). */
  url: string;
  pid: number;
  stop(): Promise<void>;
}

interface RunAs {
  uid: number;
  gid: number;
}

/** Who the server runs as: this user, or `postgres` when this is root. */
async function runAs(): Promise<RunAs | null> {
  if (process.getuid?.() !== 0) return null;
  try {
    const [{ stdout: uid }, { stdout: gid }] = await Promise.all([run('id', ['-u', 'postgres']), run('id', ['-g', 'postgres'])]);
    return { uid: Number(uid.trim()), gid: Number(gid.trim()) };
  } catch {
    throw new Error('the embedded store runs PostgreSQL, which refuses root, as the "postgres" user, and there is none: run "npm run setup" (it installs postgresql-15)');
  }
}

/**
 * As root, the `postgres` user must be able to reach its data directory: every directory above it
 * gets the right to pass through (o+x, never to list or write) where it lacks it.
 */
function letThrough(dir: string): void {
  for (let current = path.dirname(dir); ; current = path.dirname(current)) {
    const mode = statSync(current).mode;
    if ((mode & 0o001) === 0) chmodSync(current, mode | 0o001);
    if (current === path.dirname(current)) break;
  }
}

/** A Unix socket path is limited to 107 bytes: a deep data directory gets its socket in a short temporary one. */
function socketDirFor(clusterDir: string, owner: RunAs | null): { dir: string; temporary: boolean } {
  if (path.join(clusterDir, '.s.PGSQL.5432.lock').length < 100) return { dir: clusterDir, temporary: false };
  const dir = mkdtempSync(path.join(os.tmpdir(), 'linkage-pg-'));
  if (owner) chownSync(dir, owner.uid, owner.gid);
  return { dir, temporary: true };
}

export async function startEmbeddedPostgres(options: { binDir: string; dataDir: string }): Promise<EmbeddedPostgres> {
  const { binDir } = options;
  const postgres = path.join(binDir, 'postgres');
  if (!existsSync(postgres)) {
    throw new Error(`PostgreSQL is not installed at ${binDir}: run "npm run setup" (it installs Debian's postgresql-15), or set POSTGRES_BIN_DIR`);
  }
  const owner = await runAs();
  const clusterDir = path.join(options.dataDir, 'postgresql');
  mkdirSync(clusterDir, { recursive: true, mode: 0o700 });
  if (owner) {
    letThrough(clusterDir);
    chownSync(clusterDir, owner.uid, owner.gid);
  }
  const as = owner ? { uid: owner.uid, gid: owner.gid } : {};
  if (!existsSync(path.join(clusterDir, 'PG_VERSION'))) {
    // Trust on the socket only: the socket's directory is the cluster's own (mode 0700) or a fresh temporary one.
    await run(path.join(binDir, 'initdb'), ['-D', clusterDir, '-A', 'trust', '-U', 'postgres', '-E', 'UTF8', '--locale=C', '--no-sync'], { ...as, env: { ...process.env, LC_ALL: 'C' } }).catch(
      (error: { stderr?: string }) => {
        throw new Error(`initdb failed: ${(error.stderr ?? String(error)).trim().slice(0, 2000)}`);
      },
    );
  }
  const socket = socketDirFor(clusterDir, owner);
  const child: ChildProcess = spawn(
    postgres,
    ['-D', clusterDir, '-k', socket.dir, '-p', '5432', '-c', 'listen_addresses=', '-c', 'unix_socket_permissions=0700', '-c', 'log_min_messages=warning'],
    { ...as, stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, LC_ALL: 'C' } },
  );
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-4000);
  });
  let exited = false;
  // Never outlive this process: an immediate shutdown (SIGQUIT) at its exit, even an uncaught error's.
  const quit = () => child.kill('SIGQUIT');
  process.once('exit', quit);
  child.once('exit', () => {
    exited = true;
    process.removeListener('exit', quit);
    if (socket.temporary) rmSync(socket.dir, { recursive: true, force: true });
  });

  const deadline = Date.now() + 60_000;
  for (;;) {
    if (exited) throw new Error(`PostgreSQL exited during start-up: ${stderr.trim() || 'no output'}`);
    const ready = await run(path.join(binDir, 'pg_isready'), ['-q', '-h', socket.dir, '-p', '5432', '-U', 'postgres']).then(
      () => true,
      () => false,
    );
    if (ready) break;
    if (Date.now() > deadline) {
      child.kill('SIGQUIT');
      throw new Error(`PostgreSQL did not accept connections within 60 s: ${stderr.trim().slice(-1000) || 'no output'}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }

  return {
    url: `postgres://postgres@/postgres?host=${encodeURIComponent(socket.dir)}&port=5432`,
    pid: child.pid as number,
    stop: () =>
      new Promise<void>((resolve) => {
        if (exited) return resolve();
        child.once('exit', () => resolve());
        // A fast shutdown: sessions ended, everything written flushed.
        child.kill('SIGINT');
        setTimeout(() => child.kill('SIGQUIT'), 10_000).unref();
      }),
  };
}
