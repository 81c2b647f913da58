// The gateway's metrics (README: metrics). Requests, their latency and their denials are counted
// from the access log's records as each becomes durable (or fails): the log has exactly one record
// for every request, so the counts and the log cannot disagree, and an endpoint besides /graphql
// (the auditors' export, the bulletin's PDF) is counted like any other request.
import { Counter, Histogram } from 'prom-client';
import { ORGS, PURPOSES } from '../auth/index.js';
import { auditLogMetrics, type AuditWriter, type AuditWriterMetrics } from '../audit/index.js';
import { DenialReason, LATENCY_BUCKETS, boundedLabel, type MetricsRegistry } from '../platform/index.js';
import type { SubgraphFetchMetrics } from './data-source.js';
import type { AccessEntry } from './plugins/access-log.js';

export interface GatewayMetrics {
  /** The access log writer's hooks (AuditWriterOptions.metrics). */
  accessLog: AuditWriterMetrics<AccessEntry>;
  /** Reads the access log writer's queue and unsigned tail at each scrape. */
  watchAccessLog(writer: AuditWriter<AccessEntry>): void;
  /** Each subgraph call's latency and failures (subgraphDataSource). */
  subgraphFetch: SubgraphFetchMetrics;
}

const REASONS: readonly string[] = Object.values(DenialReason);

export function gatewayMetrics(registry: MetricsRegistry): GatewayMetrics {
  const requests = new Counter({
    name: 'linkage_requests_total',
    help: "Requests, by outcome (SERVED, PARTIAL, REJECTED, FAILED), the caller's org and the declared purpose (none: not authenticated or not declared; other: not a purpose)",
    labelNames: ['outcome', 'org', 'purpose'] as const,
    registers: [registry],
  });
  const duration = new Histogram({
    name: 'linkage_request_duration_seconds',
    help: 'Requests from arrival until their access-log record was asked for, by outcome',
    labelNames: ['outcome'] as const,
    buckets: LATENCY_BUCKETS,
    registers: [registry],
  });
  const denials = new Counter({
    name: 'linkage_denials_total',
    help: 'Fields withheld from callers, by denial reason (as the access log records them)',
    labelNames: ['reason'] as const,
    registers: [registry],
  });
  const fetchDuration = new Histogram({
    name: 'linkage_subgraph_fetch_duration_seconds',
    help: "The gateway's calls to each subgraph, from sending to the parsed answer (or the failure)",
    labelNames: ['subgraph'] as const,
    buckets: LATENCY_BUCKETS,
    registers: [registry],
  });
  const fetchErrors = new Counter({
    name: 'linkage_subgraph_fetch_errors_total',
    help: 'Subgraph calls that failed, by subgraph and code (SUBGRAPH_UNAVAILABLE, DEADLINE_EXCEEDED, CLIENT_CLOSED, HTTP_4XX, HTTP_5XX)',
    labelNames: ['subgraph', 'code'] as const,
    registers: [registry],
  });
  const log = auditLogMetrics(registry, 'access');
  return {
    accessLog: {
      ...log.hooks,
      recorded(entry, durable) {
        // A request whose record could not be written failed closed (503 AUDIT_UNAVAILABLE).
        const outcome = durable ? entry.outcome : 'FAILED';
        requests.inc({ outcome, org: boundedLabel(entry.principal?.org, ORGS), purpose: boundedLabel(entry.purpose, PURPOSES) });
        duration.observe({ outcome }, entry.durationMs / 1000);
        // Only a durable record's denials: a request that failed closed withheld everything alike.
        if (durable) for (const denied of entry.denied) denials.inc({ reason: boundedLabel(denied.reason, REASONS) });
      },
    },
    watchAccessLog: (writer) => log.watch(writer),
    subgraphFetch: {
      fetched: (subgraph, seconds) => fetchDuration.observe({ subgraph }, seconds),
      failed: (subgraph, code) => fetchErrors.inc({ subgraph, code }),
    },
  };
}
