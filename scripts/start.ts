// `npm start`: the embedded store (seeded when empty), the three subgraphs and the gateway, on the
// configured ports. `npm start -- court` (or gateway, government, procuratorate) runs one service,
// as each container of docker-compose.yml does.
import { ConfigError, SUBGRAPH_NAMES, loadConfig, loadServiceConfig, type ServiceName, type SubgraphName } from '../config/index.js';
import { issueDevToken } from '../auth/index.js';
import { startGateway } from '../gateway/index.js';
import { configureLogs, logError, serviceLog, startTracing, type RunningService } from '../platform/index.js';
import { needsSeed, seedDemoData, startSubgraph } from '../subgraphs/index.js';
import { connectAll, locateStores, requirePseudonymKey } from './stack.js';

const EXAMPLE_QUERY = `query Bulletin {
  bulletin(period: { from: "2025-01-01", to: "2025-07-01" }) {
    district {
      name
      litigationStats(period: { from: "2025-01-01", to: "2025-07-01" }) { filed filedChange lossRate headAppearanceRate }
      disputeStats(period: { from: "2025-01-01", to: "2025-07-01" }) { handled major substantiveResolutionRate }
    }
  }
}`;

const known: ServiceName[] = ['gateway', ...SUBGRAPH_NAMES];
const requested = process.argv.slice(2);
// The process's own lines (a signal, the shutdown, a refused configuration) name the service it
// runs, as a container runs one; all of them in one process (development): `linkage`.
const log = serviceLog(requested.length === 1 && known.includes(requested[0] as ServiceName) ? requested[0]! : 'linkage');

async function main(): Promise<void> {
  for (const name of requested) {
    if (!known.includes(name as ServiceName)) throw new ConfigError('argument', `"${name}" is not one of ${known.join(', ')}`);
  }
  const services = (requested.length ? requested : known) as ServiceName[];
  // Each service's own checks (in production: every variable it needs, no embedded store).
  const config = services.map((service) => loadServiceConfig(service))[0] ?? loadConfig();
  const subgraphs = services.filter((s): s is SubgraphName => s !== 'gateway');
  configureLogs({ level: config.logLevel, production: config.mode === 'production' });
  // A metrics port is one service's: two in one process would ask for the same one.
  if (config.metrics.port !== null && services.length > 1) throw new ConfigError('METRICS_PORT', 'is for a process that runs one service (npm start -- <service>); unset it to serve /metrics on each service’s own port');
  // Traces (OTEL_TRACES_EXPORTER=otlp): one exporter for the process, named for what it runs.
  const tracing = config.tracing.exporter === 'otlp' ? startTracing({ serviceName: services.length === 1 ? `linkage-${services[0]}` : 'linkage', exporter: 'otlp' }) : null;

  const running: RunningService[] = [];
  const { locations, audit, embedded } = await locateStores(config, subgraphs, services.includes('gateway'));
  // Everything stops within SHUTDOWN_GRACE_SECONDS of the signal, whatever the state of the store
  // (an orchestrator kills what outlives its own grace): each service gets what is left of it, and
  // cuts off what it still waits for near the end (platform/server.ts); should anything still hold
  // the process at the deadline, it exits anyway. Exit 0: all stopped in order; 1: something was cut off.
  const shutdown = async (signal: string) => {
    const graceMs = config.timeouts.shutdownGrace;
    const deadline = Date.now() + graceMs;
    log.info({ signal, graceSeconds: graceMs / 1000 }, 'stopping');
    setTimeout(() => {
      log.error({ graceSeconds: graceMs / 1000 }, 'shutdown: not finished within the grace (SHUTDOWN_GRACE_SECONDS); exiting');
      process.exit(1);
    }, graceMs).unref();
    let clean = true;
    for (const service of running.reverse()) {
      const started = Date.now();
      await service.stop({ deadline }).catch((e) => ((clean = false), logError(serviceLog(service.name), 'shutdown: the service did not stop in order', e)));
      // A service that used the last of the grace was cut off (its store did not answer).
      if (Date.now() >= deadline - Math.min(1000, (deadline - started) / 5)) clean = false;
    }
    await embedded?.stop();
    // The last spans, within what is left of the grace.
    // At most 2 s, and ending before the deadline: a collector that does not answer costs the
    // last spans, never the clean exit.
    const flushMs = Math.min(2000, deadline - Date.now() - 250);
    if (tracing && flushMs > 0) await Promise.race([tracing.shutdown().catch(() => {}), new Promise((resolve) => setTimeout(resolve, flushMs).unref())]);
    process.exit(clean ? 0 : 1);
  };
  // A second signal while stopping (npm forwards the one a terminal sends the whole group, so one
  // Ctrl-C can arrive twice) must not kill the process half-way: its store would outlive it.
  let stopping = false;
  const onSignal = (signal: string) => {
    if (stopping) return;
    stopping = true;
    void shutdown(signal);
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);

  try {
    if (subgraphs.length === SUBGRAPH_NAMES.length) {
      const { dbs, close } = await connectAll(locations);
      try {
        if (await needsSeed(dbs)) {
          log.info({ scale: config.seedScale }, 'seeding the demo district');
          await seedDemoData(dbs, { scale: config.seedScale, pseudonymKey: requirePseudonymKey(config) }, config);
        }
      } finally {
        await close();
      }
    }
    for (const name of subgraphs) {
      const service = await startSubgraph(name, { config, store: locations[name], listen: { host: config.host, port: config.ports[name] } });
      running.push(service);
      serviceLog(name).info({ url: service.url }, 'listening');
    }
    if (services.includes('gateway')) {
      const gateway = await startGateway({ config, auditStore: audit! });
      running.push(gateway);
      // Federation is partial by design: an institution that does not answer costs only its own
      // fields, so the gateway starts anyway — and says so, one line per institution.
      const { checks } = await gateway.ready();
      for (const [name, result] of Object.entries(checks.subgraphs ?? {})) {
        const url = config.subgraphUrls[name as SubgraphName];
        if ((result as { ok: boolean }).ok) serviceLog('gateway').info({ subgraph: name, url }, 'subgraph reachable');
        else serviceLog('gateway').warn({ subgraph: name, url, reason: (result as { reason: string }).reason }, 'subgraph unavailable; starting anyway, its fields are null until it answers');
      }
      serviceLog('gateway').info({ url: gateway.url }, 'listening');
      // What follows is for the developer at the terminal, not for a log shipper: plain text.
      if (config.mode === 'development') {
        console.log(`GraphQL IDE (development): open ${gateway.url} in a browser`);
        // A partner's token (public statistics only), so the example below works as printed.
        const token = await issueDevToken(config.auth, { sub: 'dev-partner', name: 'Development partner', org: 'partner', roles: ['viewer'], unit: null }, 3600);
        console.log(
          `\ntry (as a partner frontend; other callers: npm run token -- --org court --roles judge):\n` +
            `curl -s ${config.tls.caFile ? `--cacert ${config.tls.caFile} ` : ''}${gateway.url} -H 'content-type: application/json' \\\n  -H 'authorization: Bearer ${token}' \\\n  -H 'x-purpose: STATISTICS' \\\n` +
            `  --data '${JSON.stringify({ query: EXAMPLE_QUERY.replace(/\s+/g, ' ') })}'\n`,
        );
      }
    }
  } catch (error) {
    for (const service of running.reverse()) await service.stop().catch(() => {});
    await embedded?.stop();
    throw error;
  }
}

main().catch((error) => {
  if (error instanceof ConfigError) log.fatal(error.message);
  else logError(log, 'start-up failed', error, {}, 'fatal');
  process.exit(1);
});
