// A view of `npm run bench`: the production shape (each service its own process, CPU of every
// process and of the store from /proc) with two variants — "on", the production plugin lists, and
// "off", the same lists less some plugins — alternating on chosen workloads at scale 1. Used by
// bench:safety, bench:rules and bench:log; each prints figures and never fails on timing.
import { parseArgs } from 'node:util';
import { openBenchEnvironment } from './harness.js';
import { startProcessStack, type ProcessStack } from './processes.js';
import { alternate, requestsPerRound, serviceEnv, workloads } from './production.js';
import { printSummaries, summarise } from './report.js';

export interface View {
  /** What is measured, for the first line. */
  title: string;
  /** The plugins the "off" variant leaves out. */
  leave: readonly string[];
  workloads: readonly string[];
  connections: number;
  /** The target, as a most on/off CPU ratio per request. */
  target: number;
}

export async function runView(view: View): Promise<void> {
  const { values } = parseArgs({ options: { rounds: { type: 'string', default: '10' } } });
  const rounds = Number(values.rounds);
  if (!Number.isInteger(rounds) || rounds < 1) {
    console.error('--rounds takes a positive integer');
    process.exit(2);
  }
  const env = await openBenchEnvironment(1);
  const stacks: Record<string, ProcessStack> = {};
  try {
    stacks.on = await startProcessStack({ storeUri: env.uri, leave: [], env: serviceEnv(env) });
    stacks.off = await startProcessStack({ storeUri: env.uri, leave: [...view.leave], env: serviceEnv(env) });
    console.log(`${view.title}: on, and off (less ${view.leave.join(', ')}), ${rounds} rounds each, alternating, ${view.connections} connection(s)`);
    const chosen = workloads(env, 1).filter((w) => view.workloads.includes(w.id));
    const rows = await alternate(env, stacks, chosen, { connections: [view.connections], rounds, requests: requestsPerRound });
    const summaries = summarise(rows, 1, { test: 'on', base: 'off' });
    printSummaries(summaries);
    for (const s of summaries) console.log(`${s.workload}: on/off CPU per request ${s.cpuRatio.median.toFixed(3)}× (target ≤ ${view.target}×)`);
  } finally {
    for (const stack of Object.values(stacks)) await stack.stop();
    await env.close();
  }
}
