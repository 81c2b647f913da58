// `npm run bench:log [rounds]`: the cross-institution dispute timeline at 32 concurrent clients,
// with the access log (gateway record and owners' disclosures) on and off, same process,
// alternating; prints each variant's throughput and the ratio. Target: the log costs at most 15%.
// A benchmark, not a test: it prints figures and never fails on timing.
import { performance } from 'node:perf_hooks';
import { generateDemoData } from '../../subgraphs/index.js';
import { headersFor, median, openBenchEnvironment, query, startBenchStack } from './harness.js';

const ROUNDS = Number(process.argv[2] ?? 6);
const CLIENTS = 32;
const REQUESTS_PER_ROUND = 640;

const env = await openBenchEnvironment(1);
const disputeId = generateDemoData({ scale: 1, pseudonymKey: env.config.pseudonymKey as string }).showcase.disputeId;
const TIMELINE = JSON.stringify({
  query: `query Timeline($id: ID!) { dispute(id: $id) { title status agency { name } consultations { heldAt institutions }
    adminCases { caseNumber outcome hearings { heldAt headAppeared } supervisions { caseNumber kind } }
    enforcementCases { caseNumber preSettlement { attempted succeeded } } supervisions { caseNumber kind openedAt } } }`,
  variables: { id: disputeId },
});

const on = await startBenchStack(env, { accessLog: true });
const off = await startBenchStack(env, { accessLog: false });
try {
  const headers = await headersFor(env, { sub: 'bench', name: 'Bench linkage officer', org: 'government', roles: ['linkage_officer'], unit: null }, 'DISPUTE_RESOLUTION');
  /** Requests per second for REQUESTS_PER_ROUND requests spread over CLIENTS concurrent clients. */
  const throughput = async (url: string) => {
    let next = 0;
    const start = performance.now();
    await Promise.all(
      Array.from({ length: CLIENTS }, async () => {
        while (next++ < REQUESTS_PER_ROUND) await query(url, headers, TIMELINE);
      }),
    );
    return REQUESTS_PER_ROUND / ((performance.now() - start) / 1000);
  };
  await throughput(on.url);
  await throughput(off.url);
  const results = { on: [] as number[], off: [] as number[] };
  for (let round = 0; round < ROUNDS; round++) {
    const order = round % 2 === 0 ? (['on', 'off'] as const) : (['off', 'on'] as const);
    for (const variant of order) results[variant].push(await throughput((variant === 'on' ? on : off).url));
  }
  const onRate = median(results.on);
  const offRate = median(results.off);
  console.log(`cross-institution timeline, ${CLIENTS} concurrent clients, ${REQUESTS_PER_ROUND} requests a round, ${ROUNDS} rounds each, alternating`);
  console.log(`log on : ${onRate.toFixed(1)} requests/s (median)`);
  console.log(`log off: ${offRate.toFixed(1)} requests/s (median)`);
  console.log(`throughput on/off: ${(onRate / offRate).toFixed(3)} — the log costs ${((1 - onRate / offRate) * 100).toFixed(1)}% (target ≤ 15%)`);
} finally {
  await on.stop();
  await off.stop();
  await env.close();
}
