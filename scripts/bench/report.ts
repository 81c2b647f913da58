// What the production-shape benchmark reports: per workload, number of connections and scale, the
// governed/plain ratios over rounds and each variant's figures, and a chart of the CPU ratios.
import { PROCESS_NAMES, type ProcessName } from './processes.js';
import { percentile, totalCpu, type RoundResult } from './production.js';
import { median } from './harness.js';

/** A figure for each of the two variants compared, by variant name. */
type PerVariant<T> = Record<string, T>;

/** The two variants a summary compares: `test` over `base` (governed over plain). */
export interface Comparison {
  test: string;
  base: string;
}

export interface Summary {
  scale: number;
  workload: string;
  connections: number;
  rounds: number;
  variants: Comparison;
  /** Test/base CPU per request (all processes, store included), round by round. */
  cpuRatio: { median: number; min: number; max: number };
  cpuMs: PerVariant<Record<ProcessName | 'store', number>>;
  p50Ms: PerVariant<number>;
  p99Ms: PerVariant<number>;
  throughput: PerVariant<number>;
  subgraphCalls: PerVariant<number>;
  commands: PerVariant<number>;
  rssMb: PerVariant<Record<ProcessName, number>>;
  loadAverage: { min: number; max: number };
}

/** Pairs each test round with the base round next to it and sums up each workload × connections. */
export function summarise(rounds: RoundResult[], scale: number, variants: Comparison = { test: 'governed', base: 'plain' }): Summary[] {
  const groups = new Map<string, RoundResult[]>();
  for (const round of rounds) {
    const key = `${round.workload}|${round.connections}`;
    groups.set(key, [...(groups.get(key) ?? []), round]);
  }
  return [...groups.values()].map((group) => {
    const test = group.filter((r) => r.variant === variants.test);
    const base = group.filter((r) => r.variant === variants.base);
    const ratios = test.map((t, i) => totalCpu(t) / totalCpu(base[i]!));
    const both = <T>(pick: (rs: RoundResult[]) => T): PerVariant<T> => ({ [variants.test]: pick(test), [variants.base]: pick(base) });
    const cpuMs = (rs: RoundResult[]) =>
      Object.fromEntries([...PROCESS_NAMES, 'store' as const].map((p) => [p, median(rs.map((r) => r.cpuMsPerRequest[p]))])) as Record<ProcessName | 'store', number>;
    const sum = (record: Record<string, number>) => Object.values(record).reduce((a, b) => a + b, 0);
    return {
      scale,
      workload: group[0]!.workload,
      connections: group[0]!.connections,
      variants,
      rounds: test.length,
      cpuRatio: { median: median(ratios), min: Math.min(...ratios), max: Math.max(...ratios) },
      cpuMs: both(cpuMs),
      p50Ms: both((rs) => percentile(rs.flatMap((r) => r.latenciesMs), 50)),
      p99Ms: both((rs) => percentile(rs.flatMap((r) => r.latenciesMs), 99)),
      throughput: both((rs) => median(rs.map((r) => r.requests / (r.wallMs / 1000)))),
      subgraphCalls: both((rs) => median(rs.map((r) => r.subgraphCallsPerRequest))),
      commands: both((rs) => median(rs.map((r) => sum(r.commandsPerRequest)))),
      rssMb: both((rs) => rs[rs.length - 1]!.rssMb),
      loadAverage: { min: Math.min(...group.map((r) => r.loadAverage)), max: Math.max(...group.map((r) => r.loadAverage)) },
    };
  });
}

const escape = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;');

/** A bar per scale × workload × connections: the median CPU ratio, its range as a whisker, and the 1.15× target. */
export function ratioChart(summaries: Summary[], target = 1.15, title = 'Governed / plain CPU per request (all processes); whiskers: range over rounds'): string {
  const barWidth = 28;
  const gap = 14;
  const left = 60;
  const top = 40;
  const height = 260;
  const max = Math.max(2, ...summaries.map((s) => s.cpuRatio.max)) * 1.05;
  const y = (ratio: number) => top + height - (ratio / max) * height;
  const width = left + summaries.length * (barWidth + gap) + 40;
  const parts: string[] = [];
  parts.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${top + height + 90}" font-family="sans-serif" font-size="11">`);
  parts.push(`<rect width="100%" height="100%" fill="white"/>`);
  parts.push(`<text x="${left}" y="20" font-size="14">${escape(title)}</text>`);
  for (let tick = 0; tick <= max; tick += 0.5) {
    parts.push(`<line x1="${left}" x2="${width - 20}" y1="${y(tick)}" y2="${y(tick)}" stroke="#ddd"/><text x="${left - 8}" y="${y(tick) + 4}" text-anchor="end">${tick.toFixed(1)}×</text>`);
  }
  parts.push(`<line x1="${left}" x2="${width - 20}" y1="${y(target)}" y2="${y(target)}" stroke="#c00" stroke-dasharray="4 3"/><text x="${width - 20}" y="${top - 8}" text-anchor="end" fill="#c00">- - - target ${target}×</text>`);
  summaries.forEach((s, i) => {
    const x = left + gap + i * (barWidth + gap);
    const fill = s.cpuRatio.median <= target ? '#3a7' : '#d84';
    parts.push(`<rect x="${x}" y="${y(s.cpuRatio.median)}" width="${barWidth}" height="${y(0) - y(s.cpuRatio.median)}" fill="${fill}"/>`);
    parts.push(`<line x1="${x + barWidth / 2}" x2="${x + barWidth / 2}" y1="${y(s.cpuRatio.min)}" y2="${y(s.cpuRatio.max)}" stroke="#333"/>`);
    parts.push(`<text x="${x + barWidth / 2}" y="${y(s.cpuRatio.max) - 4}" text-anchor="middle">${s.cpuRatio.median.toFixed(2)}</text>`);
    const label = escape(`${s.workload} ×${s.connections} s${s.scale}`);
    parts.push(`<text transform="translate(${x + barWidth / 2},${y(0) + 10}) rotate(45)">${label}</text>`);
  });
  parts.push('</svg>');
  return parts.join('\n') + '\n';
}

/** The summaries as a table: the ratios first, then each process's CPU per request. */
export function printSummaries(summaries: Summary[]): void {
  const first = summaries[0];
  if (!first) return;
  const { test, base } = first.variants;
  const pair = (figures: PerVariant<number>, digits = 1) => `${figures[test]!.toFixed(digits)}/${figures[base]!.toFixed(digits)}`;
  console.log(`\n${test} / ${base}, per request (median of rounds [min–max]):`);
  console.log(`scale  workload  conn  CPU ratio             p50 ms (ratio)              req/s            subgraph calls  db commands`);
  for (const s of summaries) {
    console.log(
      `${String(s.scale).padStart(5)}  ${s.workload.padEnd(8)}  ${String(s.connections).padStart(4)}  ${s.cpuRatio.median.toFixed(3)} [${s.cpuRatio.min.toFixed(2)}–${s.cpuRatio.max.toFixed(2)}]  ` +
        `${pair(s.p50Ms).padEnd(15)} (${(s.p50Ms[test]! / s.p50Ms[base]!).toFixed(2)}×)  ${pair(s.throughput).padEnd(15)}  ${pair(s.subgraphCalls).padEnd(14)}  ${pair(s.commands)}`,
    );
  }
  console.log(`\nCPU ms per request by process, ${test}/${base} (median of rounds):`);
  for (const s of summaries) {
    const parts = [...PROCESS_NAMES, 'store' as const].map((p) => `${p} ${s.cpuMs[test]![p].toFixed(1)}/${s.cpuMs[base]![p].toFixed(1)}`);
    console.log(`  scale ${s.scale} ${s.workload} ×${s.connections}: ${parts.join(', ')}`);
  }
}
