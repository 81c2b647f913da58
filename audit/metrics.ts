// A log writer's metrics (audit/writer.ts reports, this turns it into Prometheus series): how many
// records wait for their batch, how big the batches are and how long their inserts take, and how
// many written records no checkpoint has signed yet. One set per log: the gateway's access log,
// each institution's disclosure log.
import { Counter, Gauge, Histogram } from 'prom-client';
import { LATENCY_BUCKETS, type MetricsRegistry } from '../platform/index.js';
import type { AuditWriterMetrics } from './writer.js';

export type LogName = 'access' | 'disclosure';

export interface AuditLogMetrics {
  /** The hooks the writer is built with (AuditWriterOptions.metrics). */
  hooks: Required<Pick<AuditWriterMetrics<unknown>, 'batchWritten'>>;
  /** Reads the writer's queue and unsigned tail at each scrape. */
  watch(writer: { readonly queueDepth: number; readonly unsignedRecords: number }): void;
}

export function auditLogMetrics(registry: MetricsRegistry, log: LogName): AuditLogMetrics {
  const prefix = `linkage_${log}_log`;
  const batchSize = new Histogram({
    name: `${prefix}_batch_size`,
    help: `Records per insert into the ${log} log (group commit)`,
    buckets: [1, 2, 4, 8, 16, 32, 64, 128, 256],
    registers: [registry],
  });
  const writeDuration = new Histogram({
    name: `${prefix}_write_duration_seconds`,
    help: `Inserts of a batch into the ${log} log, by result (written, failed)`,
    labelNames: ['result'] as const,
    buckets: LATENCY_BUCKETS,
    registers: [registry],
  });
  const failedBatches = new Counter({
    name: `${prefix}_failed_batches_total`,
    help: `Inserts into the ${log} log the store did not acknowledge (their requests failed, or were retried record by record)`,
    registers: [registry],
  });
  let watched: { readonly queueDepth: number; readonly unsignedRecords: number } | null = null;
  new Gauge({
    name: `${prefix}_queue_depth`,
    help: `Records waiting for their batch to be written to the ${log} log`,
    registers: [registry],
    collect() {
      this.set(watched?.queueDepth ?? 0);
    },
  });
  new Gauge({
    name: `${prefix}_checkpoint_lag`,
    help: `Records written to the ${log} log that no signed checkpoint covers yet`,
    registers: [registry],
    collect() {
      this.set(watched?.unsignedRecords ?? 0);
    },
  });
  return {
    hooks: {
      batchWritten(records, seconds, written) {
        writeDuration.observe({ result: written ? 'written' : 'failed' }, seconds);
        if (written) batchSize.observe(records);
        else failedBatches.inc();
      },
    },
    watch(writer) {
      watched = writer;
    },
  };
}
