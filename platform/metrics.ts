// Prometheus metrics (prom-client): one registry per service, made when the service starts and
// handed to what reports into it, never prom-client's global default registry — a test process
// runs a gateway and three subgraphs side by side, and their series must not mix. Served at
// `GET /metrics` on the service's port when METRICS_ENABLED (platform/server.ts; README: metrics).
//
// Labels carry only values from small fixed sets (outcome, org, purpose, subgraph, denial reason,
// command name): never a caller's id, a request id or operation text, which would make a series
// per request and put personal data into the monitoring system.
import { performance } from 'node:perf_hooks';
import type { MongoClient } from 'mongodb';
import { Histogram, Registry, collectDefaultMetrics } from 'prom-client';

export type MetricsRegistry = Registry;

/** The content type Prometheus scrapes (text exposition format 0.0.4). */
export const METRICS_CONTENT_TYPE = Registry.PROMETHEUS_CONTENT_TYPE;

/** Latency buckets, in seconds: from a cached read (5 ms) to a request deadline (15 s and beyond). */
export const LATENCY_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 15, 30];

/** A service's registry (its own series; the process's are added when it is scraped: metricsText). */
export function createMetricsRegistry(): MetricsRegistry {
  return new Registry();
}

let processRegistry: Registry | null = null;

/**
 * Node's process metrics (CPU, memory, event-loop delay, GC), in a registry of their own made at
 * the first scrape: they describe the process whatever services it runs, and prom-client's
 * collectors cannot be stopped, so there is one set per process, not one per service started.
 */
function processMetrics(): Registry {
  if (!processRegistry) {
    processRegistry = new Registry();
    collectDefaultMetrics({ register: processRegistry });
  }
  return processRegistry;
}

/** What `GET /metrics` answers: the service's series and the process's, in the text format. */
export function metricsText(registry: MetricsRegistry): Promise<string> {
  return Registry.merge([processMetrics(), registry]).metrics();
}

/** `value` if it is one of `allowed`; else `other` (or `none` when there is no value): a label stays bounded whatever a client sends. */
export function boundedLabel(value: string | null | undefined, allowed: readonly string[]): string {
  if (value === null || value === undefined || value === '') return 'none';
  return allowed.includes(value) ? value : 'other';
}

/**
 * The latency of every command a store connection sends, by command name (the driver's command
 * monitoring; connectDatabase turns it on). Names are the driver's commands (find, insert, getMore…): a fixed set.
 */
export function observeCommands(client: MongoClient, registry: MetricsRegistry): void {
  const name = 'linkage_db_command_duration_seconds';
  // A service with a second connection reports into the same histogram.
  const duration =
    (registry.getSingleMetric(name) as Histogram<'command' | 'result'> | undefined) ??
    new Histogram({
      name,
      help: 'Database command round trips, by command and result (succeeded, failed)',
      labelNames: ['command', 'result'] as const,
      buckets: LATENCY_BUCKETS,
      registers: [registry],
    });
  // The driver reports `duration` in milliseconds.
  client.on('commandSucceeded', (event) => duration.observe({ command: event.commandName, result: 'succeeded' }, event.duration / 1000));
  client.on('commandFailed', (event) => duration.observe({ command: event.commandName, result: 'failed' }, event.duration / 1000));
}

/** Seconds since `startedAt` (a `performance.now()`). */
export function secondsSince(startedAt: number): number {
  return (performance.now() - startedAt) / 1000;
}
