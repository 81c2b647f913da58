// `npm start -- <service>` in a process of its own, as a production container runs it: the
// environment given and nothing else (PATH and HOME aside), its output kept, its exit code and
// the moment it exited (for a shutdown's bound).
import { spawn } from 'node:child_process';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { PROJECT_ROOT } from '../../config/index.js';

export function startServiceProcess(service: string, env: Record<string, string>) {
  const child = spawn(path.join(PROJECT_ROOT, 'node_modules/.bin/tsx'), ['scripts/start.ts', service], {
    cwd: PROJECT_ROOT,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<{ code: number | null; at: number }>((resolve) => child.once('exit', (code) => resolve({ code, at: performance.now() })));
  return { child, exited, output: () => output, lines: () => logLines(output) };
}

/** A service's log line (platform/log.ts): one JSON object. */
export type LogLine = { level: string; time: string; service: string; msg: string } & Record<string, unknown>;

/** Output as log lines, each parsed; a line that is not JSON stays a string (for an assertion to show). */
export function logLines(output: string): (LogLine | string)[] {
  return output
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => {
      try {
        return JSON.parse(line) as LogLine;
      } catch {
        return line;
      }
    });
}

/** Whether a service has said it listens at `url`. */
export const listening = (lines: (LogLine | string)[], service: string, url: string) =>
  lines.some((line) => typeof line === 'object' && line.service === service && line.msg === 'listening' && line.url === url);
