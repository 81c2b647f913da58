// One service of a benchmark stack in its own process, as production runs it (forked by
// scripts/bench/processes.ts; not for use on its own). It starts the named service with the
// production plugin list less the plugins the variant leaves out, reports its URL, and answers the
// parent's questions over IPC: how many requests it served and database commands it sent (so a
// benchmark can report them per request), and to stop.
import type { CommandStartedEvent } from 'mongodb';
import { DATABASE_NAMES, AUDIT_DATABASE_NAME, loadConfig, type SubgraphName } from '../../config/index.js';
import { governedPipeline, startGateway } from '../../gateway/index.js';
import { isHousekeeping, leaveOut, type RunningService } from '../../platform/index.js';
import { governedSubgraphPipeline, startSubgraph } from '../../subgraphs/index.js';

export interface ServiceSpec {
  service: 'gateway' | SubgraphName;
  /** Plugin names the variant leaves out of the gateway's and the subgraphs' lists. */
  leave: string[];
  storeUri: string;
  /** Environment the configuration is read from (KEYS_DIR, limits). */
  env: Record<string, string>;
  /** The gateway's: where the subgraphs of its variant listen. */
  subgraphUrls?: Partial<Record<SubgraphName, string>>;
}

export type ServiceMessage = { type: 'ready'; url: string } | { type: 'counters'; requests: number; commands: number };
export type ParentMessage = { type: 'counters' } | { type: 'stop' };

const spec = JSON.parse(process.env.BENCH_SERVICE ?? 'null') as ServiceSpec | null;
if (!spec || !process.send) throw new Error('scripts/bench/service.ts is started by the benchmark (fork with BENCH_SERVICE), not by hand');
const send = (message: ServiceMessage) => process.send!(message);
const config = loadConfig(spec.env);
const listen = { host: '127.0.0.1', port: 0 };
let requests = 0;
let commands = 0;
// The same count in both variants: a plugin that only counts what arrives.
const counting = { name: 'bench-count', onArrival: (_req: unknown, _res: unknown, next: () => void) => void (requests += 1, next()) };

let running: RunningService & { database?: { client: { on(event: 'commandStarted', listener: (event: CommandStartedEvent) => void): unknown } } };
if (spec.service === 'gateway') {
  const pipeline = leaveOut(governedPipeline, spec.leave);
  running = await startGateway({
    config,
    auditStore: { uri: spec.storeUri, database: AUDIT_DATABASE_NAME },
    subgraphUrls: spec.subgraphUrls ?? {},
    listen,
    auditPort: 0,
    pipeline: (parts) => [counting, ...pipeline(parts)],
  });
} else {
  const pipeline = leaveOut(governedSubgraphPipeline, spec.leave);
  running = await startSubgraph(spec.service, {
    config,
    store: { uri: spec.storeUri, database: DATABASE_NAMES[spec.service] },
    listen,
    pipeline: (parts) => [counting, ...pipeline(parts)],
  });
}
running.database?.client.on('commandStarted', (event) => {
  if (!isHousekeeping(event)) commands += 1;
});

process.on('message', (message: ParentMessage) => {
  if (message.type === 'counters') send({ type: 'counters', requests, commands });
  if (message.type === 'stop') void running.stop().finally(() => process.exit(0));
});
process.on('disconnect', () => void running.stop().finally(() => process.exit(0)));
send({ type: 'ready', url: running.url });
