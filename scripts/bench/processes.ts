// A benchmark stack in the production shape: each service its own process (scripts/bench/service.ts),
// the store its own processes (FerretDB and PostgreSQL, started by the harness), and what each
// process used read from /proc — CPU time, resident memory — plus what each service counted
// (requests served, database commands sent).
import { fork, type ChildProcess } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { PROJECT_ROOT, SUBGRAPH_NAMES, type SubgraphName } from '../../config/index.js';
import type { ParentMessage, ServiceMessage, ServiceSpec } from './service.js';

const SERVICE_ENTRY = path.join(path.dirname(fileURLToPath(import.meta.url)), 'service.ts');
/** Linux's USER_HZ: /proc reports CPU time in these ticks. */
const TICKS_PER_SECOND = 100;
const PAGE_BYTES = 4096;

export type ProcessName = 'gateway' | SubgraphName;
export const PROCESS_NAMES: readonly ProcessName[] = ['gateway', ...SUBGRAPH_NAMES];

/** CPU milliseconds (user + system) a process has used, from /proc/<pid>/stat; 0 once it is gone. */
export function cpuMsOf(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may hold spaces; fields after its closing parenthesis are fixed.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / TICKS_PER_SECOND;
  } catch {
    return 0;
  }
}

/** Resident memory of a process in MB, from /proc/<pid>/statm. */
export function rssMbOf(pid: number): number {
  try {
    return (Number(readFileSync(`/proc/${pid}/statm`, 'utf8').split(' ')[1]) * PAGE_BYTES) / 1024 / 1024;
  } catch {
    return 0;
  }
}

/** Every process descended from `root` (the embedded store's FerretDB and PostgreSQL under this one). */
export function descendantsOf(root: number): number[] {
  const children = new Map<number, number[]>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const parent = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      children.set(parent, [...(children.get(parent) ?? []), Number(entry)]);
    } catch {
      // gone between the listing and the read
    }
  }
  const found: number[] = [];
  const walk = (pid: number) => {
    for (const child of children.get(pid) ?? []) {
      found.push(child);
      walk(child);
    }
  };
  walk(root);
  return found;
}

/** The 1-minute load average. */
export const loadAverage = () => Number(readFileSync('/proc/loadavg', 'utf8').split(' ')[0]);

interface ServiceProcess {
  name: ProcessName;
  child: ChildProcess;
  url: string;
}

export interface ProcessCounters {
  cpuMs: number;
  requests: number;
  commands: number;
}

export interface ProcessStack {
  /** The gateway's GraphQL endpoint. */
  url: string;
  pids: Record<ProcessName, number>;
  /** CPU, requests and commands so far, per process. */
  counters(): Promise<Record<ProcessName, ProcessCounters>>;
  rssMb(): Record<ProcessName, number>;
  stop(): Promise<void>;
}

function ask(child: ChildProcess, message: ParentMessage, expect: ServiceMessage['type']): Promise<ServiceMessage> {
  return new Promise((resolve, reject) => {
    const onMessage = (reply: ServiceMessage) => {
      if (reply.type !== expect) return;
      child.off('message', onMessage);
      child.off('exit', onExit);
      resolve(reply);
    };
    const onExit = (code: number | null) => reject(new Error(`a benchmark service exited (${code}) before it answered`));
    child.on('message', onMessage);
    child.once('exit', onExit);
    if (message) child.send(message);
  });
}

async function forkService(spec: ServiceSpec): Promise<ServiceProcess> {
  // BENCH_PROFILE=gateway (or a subgraph's name, or several, comma-separated): that service writes a
  // V8 CPU profile to bench/profiles/ when it stops, for finding where its time goes.
  const profiled = (process.env.BENCH_PROFILE ?? '').split(',').includes(spec.service);
  const child = fork(SERVICE_ENTRY, [], {
    execArgv: ['--import', 'tsx', ...(profiled ? ['--cpu-prof', `--cpu-prof-dir=${path.join(PROJECT_ROOT, 'bench', 'profiles', `${spec.service}-${spec.leave.length ? 'less' : 'all'}-${Date.now()}`)}`] : [])],
    env: { ...process.env, BENCH_SERVICE: JSON.stringify(spec) },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const ready = await new Promise<ServiceMessage>((resolve, reject) => {
    child.once('message', resolve);
    child.once('exit', (code) => reject(new Error(`benchmark service ${spec.service} exited (${code}) while starting`)));
  });
  if (ready.type !== 'ready') throw new Error(`benchmark service ${spec.service}: unexpected first message ${JSON.stringify(ready)}`);
  return { name: spec.service, child, url: ready.url };
}

/**
 * Starts the three subgraphs and the gateway, each in its own process, one after another (the
 * first to need a development key writes it before the next reads it).
 */
export async function startProcessStack(options: { storeUri: string; leave: string[]; env: Record<string, string> }): Promise<ProcessStack> {
  const started: ServiceProcess[] = [];
  const stopAll = async () => {
    await Promise.all(
      started.map(
        ({ child }) =>
          new Promise<void>((resolve) => {
            if (child.exitCode !== null) return resolve();
            child.once('exit', () => resolve());
            child.send({ type: 'stop' } satisfies ParentMessage);
          }),
      ),
    );
  };
  try {
    const subgraphUrls: Partial<Record<SubgraphName, string>> = {};
    for (const name of SUBGRAPH_NAMES) {
      const service = await forkService({ service: name, leave: options.leave, storeUri: options.storeUri, env: options.env });
      started.push(service);
      subgraphUrls[name] = service.url;
    }
    started.push(await forkService({ service: 'gateway', leave: options.leave, storeUri: options.storeUri, env: options.env, subgraphUrls }));
  } catch (error) {
    await stopAll();
    throw error;
  }
  const byName = Object.fromEntries(started.map((s) => [s.name, s])) as Record<ProcessName, ServiceProcess>;
  const pids = Object.fromEntries(started.map((s) => [s.name, s.child.pid!])) as Record<ProcessName, number>;
  return {
    url: byName.gateway.url,
    pids,
    async counters() {
      const entries = await Promise.all(
        PROCESS_NAMES.map(async (name) => {
          const reply = await ask(byName[name].child, { type: 'counters' }, 'counters');
          if (reply.type !== 'counters') throw new Error('unreachable');
          return [name, { cpuMs: cpuMsOf(pids[name]), requests: reply.requests, commands: reply.commands }] as const;
        }),
      );
      return Object.fromEntries(entries) as Record<ProcessName, ProcessCounters>;
    },
    rssMb: () => Object.fromEntries(PROCESS_NAMES.map((name) => [name, rssMbOf(pids[name])])) as Record<ProcessName, number>,
    stop: stopAll,
  };
}
