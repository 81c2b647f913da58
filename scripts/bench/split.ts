// `npm run bench:split [-- --rounds 4 --workloads W1,W3,W4 --connections 1]`: where governance's
// cost goes. Five stacks over one store, alternating as `npm run bench` does: governed, governed
// less the access log, less the disclosure log, less the sharing rules, and plain; each compared
// with plain, CPU per request per process. What a part costs is governed minus governed-less-it.
import { parseArgs } from 'node:util';
import { openBenchEnvironment } from './harness.js';
import { startProcessStack, type ProcessStack } from './processes.js';
import { GOVERNANCE, alternate, requestsPerRound, serviceEnv, workloads } from './production.js';
import { printSummaries, summarise } from './report.js';

const VARIANTS: Record<string, readonly string[]> = {
  governed: [],
  'less-access-log': ['access-log'],
  'less-disclosure-log': ['disclosure-log'],
  'less-sharing-rules': ['sharing-rules'],
  plain: GOVERNANCE,
};

const { values } = parseArgs({
  options: {
    rounds: { type: 'string', default: '4' },
    workloads: { type: 'string', default: 'W1,W3,W4' },
    connections: { type: 'string', default: '1' },
  },
});
const rounds = Number(values.rounds);
const connections = Number(values.connections);
const chosenIds = values.workloads.split(',').map((s) => s.trim());
if (!Number.isInteger(rounds) || rounds < 1 || !Number.isInteger(connections) || connections < 1) {
  console.error('npm run bench:split: --rounds and --connections take positive integers');
  process.exit(2);
}
const env = await openBenchEnvironment(1);
const stacks: Record<string, ProcessStack> = {};
try {
  for (const [name, leave] of Object.entries(VARIANTS)) stacks[name] = await startProcessStack({ storeUri: env.uri, leave: [...leave], env: serviceEnv(env) });
  const chosen = workloads(env, 1).filter((w) => chosenIds.includes(w.id));
  if (chosen.length !== chosenIds.length) throw new Error(`--workloads: choose among W1, W2, W3, W4 (given ${values.workloads})`);
  const rows = await alternate(env, stacks, chosen, { connections: [connections], rounds, requests: requestsPerRound });
  for (const name of Object.keys(VARIANTS)) if (name !== 'plain') printSummaries(summarise(rows, 1, { test: name, base: 'plain' }));
} finally {
  for (const stack of Object.values(stacks)) await stack.stop();
  await env.close();
}
