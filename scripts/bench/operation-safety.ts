// `npm run bench:safety [-- --rounds 10]`: what the operation-safety checks cost (issue #9: depth and
// aliases, argument checks, the cost estimate, the rate limiter) — a view of `npm run bench`: the
// same production shape (each service its own process, CPU of every process and of the store read
// from /proc), with the variants "on" (the production lists) and "off" (the same lists less those
// checks), alternating, on the real dispute timeline (W1) and the 500-row list (W4) at one
// connection. Target: at most 3% added CPU per request. It prints figures and never fails on timing.
import { parseArgs } from 'node:util';
import { OPERATION_SAFETY, openBenchEnvironment } from './harness.js';
import { startProcessStack, type ProcessStack } from './processes.js';
import { alternate, serviceEnv, workloads } from './production.js';
import { printSummaries, summarise } from './report.js';

const { values } = parseArgs({ options: { rounds: { type: 'string', default: '10' }, workloads: { type: 'string', default: 'W1,W4' } } });
const rounds = Number(values.rounds);
if (!Number.isInteger(rounds) || rounds < 1) throw new Error('--rounds takes a positive integer');
const chosenIds = values.workloads.split(',');

const env = await openBenchEnvironment(1);
const stacks: Record<string, ProcessStack> = {};
try {
  stacks.on = await startProcessStack({ storeUri: env.uri, leave: [], env: serviceEnv(env) });
  stacks.off = await startProcessStack({ storeUri: env.uri, leave: OPERATION_SAFETY, env: serviceEnv(env) });
  console.log(`operation-safety checks (${OPERATION_SAFETY.join(', ')}) on and off, ${rounds} rounds each, alternating`);
  const rows = await alternate(env, stacks, workloads(env, 1).filter((w) => chosenIds.includes(w.id)), { connections: [1], rounds, requests: () => 20 });
  const summaries = summarise(rows, 1, { test: 'on', base: 'off' });
  printSummaries(summaries);
  for (const s of summaries) console.log(`${s.workload}: on/off CPU per request ${s.cpuRatio.median.toFixed(3)}× (target ≤ 1.03×)`);
} finally {
  for (const stack of Object.values(stacks)) await stack.stop();
  await env.close();
}
