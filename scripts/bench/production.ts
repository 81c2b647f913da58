// The production-shape benchmark's workloads and rounds (issue #10): each variant a stack of four
// processes over one embedded store; a round sends one workload's requests to one variant at a
// given number of connections and reads, per request, what each process used.
import { performance } from 'node:perf_hooks';
import type { Principal, Purpose } from '../../auth/index.js';
import { generateDemoData } from '../../subgraphs/index.js';
import { headersFor, type BenchEnvironment } from './harness.js';
import { PROCESS_NAMES, cpuMsOf, descendantsOf, loadAverage, type ProcessCounters, type ProcessName, type ProcessStack } from './processes.js';

/**
 * What "plain" leaves out: the owners' sharing rules and disclosure log, the gateway's access log
 * and operation-safety checks. Kept in both: the request id, the caller's authentication and
 * purpose and the signed assertion that carry them (every resolver's context is built from that
 * identity), and error masking.
 */
export const GOVERNANCE = ['sharing-rules', 'disclosure-log', 'access-log', 'operation-limits', 'operation-input', 'cost-limit', 'rate-limit', 'persisted-operations'];

export interface Workload {
  id: string;
  name: string;
  who: Principal;
  purpose: Purpose;
  /** The request body, as sent. */
  body: string;
}

const PERIOD = '{ from: "2025-01-01", to: "2025-07-01" }';

/** W1–W4 of issue #10, the exact operations. */
export function workloads(env: BenchEnvironment, scale: number): Workload[] {
  const { disputeId } = generateDemoData({ scale, pseudonymKey: env.config.pseudonymKey as string }).showcase;
  return [
    {
      id: 'W1',
      name: 'dispute timeline (three institutions)',
      who: { sub: 'bench-linkage', name: 'Bench linkage officer', org: 'government', roles: ['linkage_officer'], unit: null },
      purpose: 'DISPUTE_RESOLUTION',
      // test/dispute-timeline.test.ts's query.
      body: JSON.stringify({
        query: `query Timeline($id: ID!) { dispute(id: $id) { id title status major openedAt closedAt agency { id name }
          consultations { heldAt institutions }
          adminCases { caseNumber filedAt closedAt outcome agencyLost hearings { heldAt headAppeared } performance { dueAt performed } supervisions { caseNumber kind } }
          enforcementCases { caseNumber filedAt preSettlement { attempted succeeded } adminCase { caseNumber } }
          supervisions { caseNumber kind openedAt agency { name } adminCase { caseNumber defendant { name } } } } }`,
        variables: { id: disputeId },
      }),
    },
    {
      id: 'W2',
      name: 'information bulletin (README example)',
      who: { sub: 'bench-partner', name: 'Bench partner', org: 'partner', roles: ['viewer'], unit: null },
      purpose: 'STATISTICS',
      body: JSON.stringify({
        query: `query Bulletin { bulletin(period: ${PERIOD}) {
          district { name litigationStats(period: ${PERIOD}) { filed filedSamePeriodLastYear filedChange closed lost lossRate headAppearanceRate }
            enforcementStats(period: ${PERIOD}) { preSettlementRate } reconsiderationStats(period: ${PERIOD}) { mediationSettlementRate correctionRate }
            disputeStats(period: ${PERIOD}) { handled major substantiveResolutionRate } }
          agencies { name litigationStats(period: ${PERIOD}) { filed lossRate } supervisionStats(period: ${PERIOD}) { opened suggestionsIssued } } } }`,
      }),
    },
    {
      id: 'W3',
      name: 'agency list (one subgraph)',
      who: { sub: 'bench-judge', name: 'Bench judge', org: 'court', roles: ['judge'], unit: null },
      purpose: 'CASE_HANDLING',
      body: JSON.stringify({ query: `{ agencies(first: 20) { edges { node { id name nameEn kind head } } pageInfo { hasNextPage endCursor } } }` }),
    },
    {
      id: 'W4',
      name: '500-row case list (masked parties)',
      // Not the owner of the cases nor of the parties: conditional grants and masks apply.
      who: { sub: 'bench-prosecutor', name: 'Bench prosecutor', org: 'procuratorate', roles: ['prosecutor'], unit: null },
      purpose: 'SUPERVISION',
      body: JSON.stringify({
        query: `{ adminCases(first: 500) { edges { node { id caseNumber cause filedAt closedAt stage status outcome agencyLost judge defendant { id } plaintiff { name idNumber } } } } }`,
      }),
    },
  ];
}

/**
 * The configuration every service of a benchmark stack reads: the environment's keys; rate limits
 * its few callers cannot reach (the limiter still runs); and deadlines that 16 connections queueing
 * for two cores do not reach (a benchmark measures throughput under load, not the deadlines).
 */
export function serviceEnv(env: BenchEnvironment): Record<string, string> {
  return {
    KEYS_DIR: env.config.auth.keysDir,
    RATE_LIMIT_PER_PRINCIPAL: '999999',
    RATE_LIMIT_PER_ORG: '999999',
    SUBGRAPH_TIMEOUT_MS: '120000',
    REQUEST_DEADLINE_MS: '300000',
    DATABASE_TIMEOUT_MS: '120000',
  };
}

export interface RoundResult {
  variant: string;
  workload: string;
  connections: number;
  requests: number;
  wallMs: number;
  latenciesMs: number[];
  /** CPU milliseconds per request, per process and for the store's processes. */
  cpuMsPerRequest: Record<ProcessName | 'store', number>;
  subgraphCallsPerRequest: number;
  /** Database commands per request, per service (the gateway's are its access log and rate counters). */
  commandsPerRequest: Record<ProcessName, number>;
  rssMb: Record<ProcessName, number>;
  loadAverage: number;
}

/** Posts one request; fails loudly on an error so a benchmark never times a broken request. */
async function post(url: string, headers: Record<string, string>, body: string): Promise<void> {
  const response = await fetch(url, { method: 'POST', headers, body });
  const text = await response.text();
  if (response.status !== 200 || text.includes('"errors"')) throw new Error(`benchmark request failed: ${response.status} ${text.slice(0, 300)}`);
}

/** The store's CPU: every process under this one that is not a benchmark service (FerretDB, PostgreSQL). */
function storeCpuMs(servicePids: ReadonlySet<number>): number {
  return descendantsOf(process.pid)
    .filter((pid) => !servicePids.has(pid))
    .reduce((sum, pid) => sum + cpuMsOf(pid), 0);
}

export async function runRound(
  env: BenchEnvironment,
  stack: ProcessStack,
  variant: string,
  servicePids: ReadonlySet<number>,
  workload: Workload,
  connections: number,
  maxRequests: number,
  /** No request is sent after this long (each connection sends at least one), so a slow workload's round is bounded. */
  budgetMs = Infinity,
): Promise<RoundResult> {
  const headers = await headersFor(env, workload.who, workload.purpose);
  const before = await stack.counters();
  const storeBefore = storeCpuMs(servicePids);
  const latenciesMs: number[] = [];
  let sentCount = 0;
  const start = performance.now();
  await Promise.all(
    Array.from({ length: connections }, async () => {
      while (sentCount < maxRequests && (sentCount < connections || performance.now() - start < budgetMs)) {
        sentCount += 1;
        const sent = performance.now();
        await post(stack.url, headers, workload.body);
        latenciesMs.push(performance.now() - sent);
      }
    }),
  );
  const wallMs = performance.now() - start;
  const requests = latenciesMs.length;
  const after = await stack.counters();
  const storeAfter = storeCpuMs(servicePids);
  const per = (pick: (c: ProcessCounters) => number) =>
    Object.fromEntries(PROCESS_NAMES.map((name) => [name, (pick(after[name]) - pick(before[name])) / requests])) as Record<ProcessName, number>;
  const subgraphCalls = per((c) => c.requests);
  return {
    variant,
    workload: workload.id,
    connections,
    requests,
    wallMs,
    latenciesMs,
    cpuMsPerRequest: { ...per((c) => c.cpuMs), store: (storeAfter - storeBefore) / requests },
    subgraphCallsPerRequest: subgraphCalls.government + subgraphCalls.court + subgraphCalls.procuratorate,
    commandsPerRequest: per((c) => c.commands),
    rssMb: stack.rssMb(),
    loadAverage: loadAverage(),
  };
}

/** Requests per round: enough at one connection for CPU ticks (10 ms) to be a small part of each process's share; two per connection beyond. */
export const requestsPerRound = (connections: number) => (connections === 1 ? 20 : 2 * connections);

export const totalCpu = (round: RoundResult) => Object.values(round.cpuMsPerRequest).reduce((a, b) => a + b, 0);

export function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] ?? NaN;
}

/**
 * Runs every workload on every variant at each number of connections, `rounds` times, the variants
 * alternating (ABBA…) so that drift in the machine's load falls on both alike. A warm-up round per
 * variant and workload is not kept.
 */
export async function alternate(
  env: BenchEnvironment,
  stacks: Record<string, ProcessStack>,
  chosen: Workload[],
  options: { connections: number[]; rounds: number; requests: (connections: number) => number; roundSeconds?: number; onRound?: (round: RoundResult) => void },
): Promise<RoundResult[]> {
  const servicePids = new Set(Object.values(stacks).flatMap((stack) => Object.values(stack.pids)));
  const names = Object.keys(stacks);
  const results: RoundResult[] = [];
  for (const workload of chosen) {
    for (const connections of options.connections) {
      const budgetMs = (options.roundSeconds ?? Infinity) * 1000;
      for (const name of names) await runRound(env, stacks[name]!, name, servicePids, workload, connections, Math.min(8, options.requests(connections)), budgetMs / 2);
      for (let round = 0; round < options.rounds; round++) {
        const order = round % 2 === 0 ? names : [...names].reverse();
        for (const name of order) {
          const result = await runRound(env, stacks[name]!, name, servicePids, workload, connections, options.requests(connections), budgetMs);
          results.push(result);
          options.onRound?.(result);
        }
      }
    }
  }
  return results;
}
