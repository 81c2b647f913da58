// `npm run bench:rules [rounds]`: a 500-row list through the gateway with the sharing rules on and
// off, same process, alternating, and the ratio of their median times. Target: at most 1.25×.
// A benchmark, not a test: it prints figures and never fails on timing.
import { headersFor, median, openBenchEnvironment, query, startBenchStack, timed } from './harness.js';

const ROUNDS = Number(process.argv[2] ?? 40);
const WARMUP = 5;
const LIST = JSON.stringify({
  query: `{ acts(first: 500) { edges { node { id number category decidedAt legalReviewed summary agency { name } party { kind } } } } }`,
});

const env = await openBenchEnvironment(1);
const on = await startBenchStack(env, { enforceSharing: true });
const off = await startBenchStack(env, { enforceSharing: false });
try {
  // A reconsideration officer may see every field asked for, so both variants return the same data.
  const headers = await headersFor(env, { sub: 'bench', name: 'Bench reviewer', org: 'government', roles: ['reviewer'], unit: null }, 'CASE_HANDLING');
  const times = { on: [] as number[], off: [] as number[] };
  for (let round = 0; round < WARMUP + ROUNDS; round++) {
    // Alternate which variant goes first, so neither always runs on a warmer machine.
    const order = round % 2 === 0 ? (['on', 'off'] as const) : (['off', 'on'] as const);
    for (const variant of order) {
      const ms = await timed(() => query((variant === 'on' ? on : off).url, headers, LIST));
      if (round >= WARMUP) times[variant].push(ms);
    }
  }
  const ratio = median(times.on) / median(times.off);
  console.log(`500-row list through the gateway, ${ROUNDS} rounds each, alternating`);
  console.log(`rules on : median ${median(times.on).toFixed(1)} ms`);
  console.log(`rules off: median ${median(times.off).toFixed(1)} ms`);
  console.log(`ratio on/off: ${ratio.toFixed(3)}× (target ≤ 1.25×)`);
} finally {
  await on.stop();
  await off.stop();
  await env.close();
}
