// `npm run bench [-- --scales 1,10 --rounds 5 --connections 1,16 --workloads W1,W2,W3,W4 --round-seconds 15 --out bench/results]`
// (issue #10): what governance costs, measured in the production shape. For each seed scale, one
// embedded store (FerretDB over PostgreSQL, its own processes) and two stacks of four processes
// each: **governed** (the production plugin lists) and **plain** (the same gateway, resolvers,
// store and HTTP client with the governance plugins left out). Workloads W1–W4 alternate between
// the variants, at 1 and 16 connections. Per request: CPU of every process (from /proc), subgraph
// calls and database commands; per variant: throughput, p50/p99, RSS; the governed/plain ratios
// with their range over rounds and the load average. Prints a table and writes
// bench/results/<date>.json and .svg. A benchmark, not a test: it never fails on timing.
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { PROJECT_ROOT } from '../../config/index.js';
import { openBenchEnvironment } from './harness.js';
import { startProcessStack, type ProcessStack } from './processes.js';
import { GOVERNANCE, alternate, percentile, requestsPerRound, serviceEnv, totalCpu, workloads, type RoundResult } from './production.js';
import { printSummaries, ratioChart, summarise, type Summary } from './report.js';

/** A bad argument: said plainly, no stack. */
function usage(problem: string): never {
  console.error(`npm run bench: ${problem}`);
  process.exit(2);
}
const values = (() => {
  try {
    return parseArgs({
      options: {
        scales: { type: 'string', default: '1,10' },
        rounds: { type: 'string', default: '5' },
        connections: { type: 'string', default: '1,16' },
        workloads: { type: 'string', default: 'W1,W2,W3,W4' },
        out: { type: 'string', default: 'bench/results' },
        'round-seconds': { type: 'string', default: '15' },
      },
    }).values;
  } catch (error) {
    return usage((error as Error).message);
  }
})();
const list = (value: string) => value.split(',').map((s) => s.trim()).filter(Boolean);
const scales = list(values.scales).map(Number);
const rounds = Number(values.rounds);
const connections = list(values.connections).map(Number);
const chosenIds = list(values.workloads);
const roundSeconds = Number(values['round-seconds']);
const unknownWorkloads = chosenIds.filter((id) => !['W1', 'W2', 'W3', 'W4'].includes(id));
if (unknownWorkloads.length) usage(`--workloads: no workload ${unknownWorkloads.join(', ')} (W1, W2, W3, W4)`);
if (scales.some((s) => !Number.isInteger(s) || s < 1) || !Number.isInteger(rounds) || rounds < 1 || connections.some((c) => !Number.isInteger(c) || c < 1) || !(roundSeconds > 0)) {
  usage('--scales, --rounds, --connections and --round-seconds take positive numbers');
}

const results: RoundResult[] = [];
const summaries: Summary[] = [];
for (const scale of scales) {
  const started = Date.now();
  const env = await openBenchEnvironment(scale);
  console.log(`\nscale ${scale}: store seeded in ${((Date.now() - started) / 1000).toFixed(0)} s`);
  const childEnv = serviceEnv(env);
  const stacks: Record<string, ProcessStack> = {};
  try {
    stacks.governed = await startProcessStack({ storeUri: env.uri, leave: [], env: childEnv });
    stacks.plain = await startProcessStack({ storeUri: env.uri, leave: GOVERNANCE, env: childEnv });
    const chosen = workloads(env, scale).filter((w) => chosenIds.includes(w.id));
    const rows = await alternate(env, stacks, chosen, {
      connections,
      rounds,
      requests: requestsPerRound,
      roundSeconds,
      onRound: (r) =>
        console.log(
          `  ${r.workload} ×${String(r.connections).padStart(2)} ${r.variant.padEnd(8)} ${(r.requests / (r.wallMs / 1000)).toFixed(1).padStart(7)} req/s  p50 ${percentile(r.latenciesMs, 50).toFixed(0).padStart(5)} ms  CPU ${totalCpu(r).toFixed(1).padStart(6)} ms/req  load ${r.loadAverage.toFixed(2)}`,
        ),
    });
    results.push(...rows);
    summaries.push(...summarise(rows, scale));
  } finally {
    for (const stack of Object.values(stacks)) await stack.stop();
    await env.close();
  }
}

printSummaries(summaries);

const dir = path.resolve(PROJECT_ROOT, values.out);
mkdirSync(dir, { recursive: true });
const stamp = new Date().toISOString().slice(0, 10);
const machine = { cpus: (await import('node:os')).cpus().length, node: process.version };
writeFileSync(path.join(dir, `${stamp}.json`), JSON.stringify({ date: new Date().toISOString(), machine, options: { scales, rounds, connections, workloads: chosenIds, roundSeconds }, governance: GOVERNANCE, summaries, rounds: results.map(({ latenciesMs, ...rest }) => ({ ...rest, p50Ms: percentile(latenciesMs, 50), p99Ms: percentile(latenciesMs, 99) })) }, null, 2) + '\n');
writeFileSync(path.join(dir, `${stamp}.svg`), ratioChart(summaries));
console.log(`\nwritten: ${path.relative(PROJECT_ROOT, path.join(dir, `${stamp}.json`))} and .svg`);
