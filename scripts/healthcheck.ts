// The image's HEALTHCHECK: exits 0 when the service this container runs answers /ready (the
// gateway: /health) on its configured port. One image runs any of the four services (the start argument picks it), so the
// service is read from the container's first process's command line (`node dist/scripts/start.js
// court`, or under an init: `tini -- node …`), and its port from the environment it was started with.
// docker-compose.yml and Kubernetes name the port in their own checks; this is for `docker run`.
// `node dist/scripts/healthcheck.js court` names the service instead.
import { readFileSync } from 'node:fs';
import { Agent, fetch } from 'undici';
import { SUBGRAPH_NAMES, loadConfig, type ServiceName } from '../config/index.js';

const SERVICES: readonly string[] = ['gateway', ...SUBGRAPH_NAMES];

/** The service named on a start command line (`npm start` with none runs the gateway among all). */
function serviceOf(commandLine: readonly string[]): ServiceName {
  const start = commandLine.findIndex((arg) => /(^|\/)start\.(js|ts)$/.test(arg));
  const named = commandLine.slice(start + 1).find((arg) => SERVICES.includes(arg));
  return (named ?? 'gateway') as ServiceName;
}

async function main(): Promise<number> {
  const named = process.argv[2];
  if (named !== undefined && !SERVICES.includes(named)) throw new Error(`"${named}" is not one of ${SERVICES.join(', ')}`);
  const service = (named as ServiceName | undefined) ?? serviceOf(readFileSync('/proc/1/cmdline', 'utf8').split('\0'));
  const config = loadConfig();
  const port = config.ports[service];
  // The gateway is healthy while it can serve at all: its /ready is 503 whenever any institution is
  // down, and an orchestrator replacing every gateway replica then would lose the others' answers too.
  const probe = service === 'gateway' ? '/health' : '/ready';
  // Over HTTPS when the service listens so (TLS_CERT_FILE): its own certificate, on loopback, is
  // not what is checked here, so it is not verified (it names the service's host, not 127.0.0.1).
  const tls = config.tls.certFile !== null;
  const dispatcher = tls ? new Agent({ connect: { rejectUnauthorized: false } }) : undefined;
  const response = await fetch(`${tls ? 'https' : 'http'}://127.0.0.1:${port}${probe}`, { signal: AbortSignal.timeout(4000), ...(dispatcher ? { dispatcher } : {}) });
  return response.ok ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  () => process.exit(1),
);
