// `npm run bench:safety [rounds]`: what the operation-safety checks cost (issue 9: depth and
// aliases, argument checks, the cost estimate, the rate limiter with its counters in the store) on
// the real dispute timeline and on a 500-row list: the same stack with and without them, the
// variants alternating in one process, CPU of this process (gateway, subgraphs and client: the
// store is its own process) per request. Target: at most 3% added CPU per request. A benchmark, not
// a test: it prints figures and never fails on timing.
import { headersFor, median, openBenchEnvironment, query, startBenchStack, type BenchStack } from './harness.js';
import { generateDemoData } from '../../subgraphs/index.js';

const ROUNDS = Number(process.argv[2] ?? 40);
const WARMUP = 5;

const env = await openBenchEnvironment(1);
const variants = { on: await startBenchStack(env, {}), off: await startBenchStack(env, { operationSafety: false }) };
const showcase = generateDemoData({ scale: 1, pseudonymKey: env.config.pseudonymKey as string }).showcase;
const workloads = [
  {
    name: 'dispute timeline',
    who: { sub: 'bench-linkage', name: 'Bench linkage officer', org: 'government', roles: ['linkage_officer'], unit: null },
    purpose: 'DISPUTE_RESOLUTION',
    body: JSON.stringify({
      query: `query Timeline($id: ID!) { dispute(id: $id) { id title status major openedAt closedAt agency { id name }
        consultations { heldAt institutions }
        adminCases { caseNumber filedAt closedAt outcome agencyLost hearings { heldAt headAppeared } performance { dueAt performed } supervisions { caseNumber kind } }
        enforcementCases { caseNumber filedAt preSettlement { attempted succeeded } adminCase { caseNumber } }
        supervisions { caseNumber kind openedAt agency { name } adminCase { caseNumber defendant { name } } } } }`,
      variables: { id: showcase.disputeId },
    }),
  },
  {
    name: '500-row list',
    who: { sub: 'bench-reviewer', name: 'Bench reviewer', org: 'government', roles: ['reviewer'], unit: null },
    purpose: 'CASE_HANDLING',
    body: JSON.stringify({ query: `{ acts(first: 500) { edges { node { id number category decidedAt legalReviewed summary agency { name } party { kind } } } } }` }),
  },
] as const;

/** CPU microseconds this process spends on one request (user + system). */
async function cpuOf(stack: BenchStack, headers: Record<string, string>, body: string): Promise<number> {
  const before = process.cpuUsage();
  await query(stack.url, headers, body);
  const used = process.cpuUsage(before);
  return used.user + used.system;
}

try {
  console.log(`operation safety on and off, ${ROUNDS} rounds each, alternating; CPU of the in-process stack per request`);
  for (const workload of workloads) {
    const headers = await headersFor(env, workload.who as never, workload.purpose);
    const cpu = { on: [] as number[], off: [] as number[] };
    for (let round = 0; round < WARMUP + ROUNDS; round++) {
      const order = round % 2 === 0 ? (['on', 'off'] as const) : (['off', 'on'] as const);
      for (const variant of order) {
        const used = await cpuOf(variants[variant], headers, workload.body);
        if (round >= WARMUP) cpu[variant].push(used);
      }
    }
    const ratio = median(cpu.on) / median(cpu.off);
    console.log(`${workload.name}: on ${(median(cpu.on) / 1000).toFixed(2)} ms, off ${(median(cpu.off) / 1000).toFixed(2)} ms CPU per request: ${ratio.toFixed(3)}× (target ≤ 1.03×)`);
  }
} finally {
  await variants.on.stop();
  await variants.off.stop();
  await env.close();
}
