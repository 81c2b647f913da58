// No Docker engine runs here, so the production shape is checked against the configuration
// module: every variable a service needs is set, ports agree, each subgraph reaches only its own
// MongoDB 7, and every service has a healthcheck.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { readImportGraph, reachableFrom } from './support/import-graph.js';
import { ENV, PROJECT_ROOT, SUBGRAPH_NAMES, loadServiceConfig, type ServiceName } from '../config/index.js';

interface ComposeService {
  image?: string;
  build?: string;
  command?: string[];
  environment?: Record<string, string>;
  expose?: string[];
  ports?: string[];
  depends_on?: Record<string, { condition: string }>;
  healthcheck?: { test: string[] };
  secrets?: string[];
  stop_grace_period?: string;
}

const compose = parse(readFileSync(path.join(PROJECT_ROOT, 'docker-compose.yml'), 'utf8'), { merge: true }) as {
  services: Record<string, ComposeService>;
  secrets: Record<string, { file: string }>;
};
const services = compose.services;
const SERVICES: ServiceName[] = ['gateway', ...SUBGRAPH_NAMES];

describe('docker-compose.yml', () => {
  it('has exactly the four services and one MongoDB 7 per institution', () => {
    expect(Object.keys(services).sort()).toEqual(
      [...SERVICES, ...SUBGRAPH_NAMES.map((name) => `${name}-db`), 'audit-db'].sort(),
    );
    for (const name of [...SUBGRAPH_NAMES, 'audit']) expect(services[`${name}-db`]!.image).toBe('mongo:7');
  });

  it('runs each MongoDB as a single-node replica set, initiated under its service name, and connects to it as one (so log writes can be w: majority, journaled)', () => {
    for (const name of [...SUBGRAPH_NAMES, 'audit']) {
      const db = services[`${name}-db`]!;
      expect(db.command).toEqual(['--replSet', 'rs0', '--bind_ip_all']);
      expect(db.healthcheck!.test.at(-1)).toContain(`rs.initiate({ _id: 'rs0', members: [{ _id: 0, host: '${name}-db:27017' }] })`);
    }
    for (const name of SERVICES) {
      const uris = Object.entries(services[name]!.environment ?? {}).filter(([key]) => key.endsWith('MONGODB_URI'));
      for (const [, uri] of uris) expect(new URL(uri).searchParams.get('replicaSet')).toBe('rs0');
      expect(loadServiceConfig(name, services[name]!.environment ?? {}).audit.majorityWrites).toBe(true);
    }
  });

  it.each(SERVICES)('%s: built from the one Dockerfile, started as itself, healthy on its configured port', (name) => {
    const service = services[name]!;
    expect(service.build).toBe('.');
    expect(existsSync(path.join(PROJECT_ROOT, 'Dockerfile'))).toBe(true);
    expect(service.command).toEqual([name]);
    const env = service.environment ?? {};
    expect(env[ENV.mode]).toBe('production');
    // Throws, naming the variable, if anything the service needs is missing or malformed.
    const config = loadServiceConfig(name, env);
    const port = config.ports[name];
    expect(env[ENV.port(name)]).toBe(String(port));
    expect(config.host).toBe('0.0.0.0');
    // A subgraph is healthy when ready to serve (/ready), not merely alive (/health); the gateway
    // when it can serve at all (/health): its /ready is 503 whenever any institution is down.
    expect(service.healthcheck?.test.join(' ')).toContain(`http://127.0.0.1:${port}/${name === 'gateway' ? 'health' : 'ready'}`);
    const published = [...(service.expose ?? []), ...(service.ports ?? []).map((p) => p.split(':').at(-1)!)];
    expect(published).toContain(String(port));
    // docker stop waits this long before killing it: more than the service's own shutdown grace.
    expect(Number(/^(\d+)s$/.exec(service.stop_grace_period ?? '')?.[1]) * 1000).toBeGreaterThan(config.timeouts.shutdownGrace);
  });

  // What the runtime stage holds (the built JavaScript, the files read at run time): test/container-image.test.ts.
  it("the image's build stage compiles every folder the services import", () => {
    const dockerfile = readFileSync(path.join(PROJECT_ROOT, 'Dockerfile'), 'utf8');
    const buildStage = dockerfile.split(/^FROM /m)[1]!;
    const copied = [...buildStage.matchAll(/^COPY (\S+) \.\/\S+$/gm)].map((m) => m[1]);
    // The folders of every file the image's entry point reaches, derived from the imports.
    const imported = new Set([...reachableFrom(readImportGraph(), ['scripts/start.ts'])].map((file) => file.split('/')[0]!));
    expect(copied.sort()).toEqual([...imported].sort());
  });

  it.each(SUBGRAPH_NAMES)('%s: connected only to its own database', (name) => {
    const service = services[name]!;
    const config = loadServiceConfig(name, service.environment ?? {});
    const store = config.stores[name];
    expect(store.kind).toBe('uri');
    expect(store.kind === 'uri' && new URL(store.uri).hostname).toBe(`${name}-db`);
    const mongoVariables = Object.keys(service.environment ?? {}).filter((key) => key.endsWith('MONGODB_URI'));
    expect(mongoVariables).toEqual([ENV.subgraphMongodbUri(name)]);
    expect(Object.keys(service.depends_on ?? {})).toEqual([`${name}-db`]);
  });

  it.each(SUBGRAPH_NAMES)('%s: holds the public half of the gateway assertion key only, its own audit key, and (the government alone) the pseudonym key', (name) => {
    const service = services[name]!;
    expect(service.secrets).toEqual(['gateway_assertion_public_key', `audit_${name}_key`, ...(name === 'government' ? ['pseudonym_key'] : [])]);
    const environment = service.environment ?? {};
    if (name === 'government') expect(environment[ENV.pseudonymKeyFile]).toBe('/run/secrets/pseudonym_key');
    else expect([environment[ENV.pseudonymKeyFile], environment[ENV.pseudonymKey]]).toEqual([undefined, undefined]);
    expect(service.environment?.[ENV.auditSigningKeyFile]).toBe(`/run/secrets/audit_${name}_key`);
    expect(service.environment?.[ENV.assertionPublicKeyFile]).toBe('/run/secrets/gateway_assertion_public_key');
    expect(service.environment ?? {}).not.toHaveProperty(ENV.assertionPrivateKeyFile);
  });

  it('gateway: signs with the private key, verifies callers against the identity provider', () => {
    const gateway = services.gateway!;
    expect(gateway.secrets).toEqual(['gateway_assertion_key', 'audit_gateway_key']);
    expect(gateway.environment?.[ENV.assertionPrivateKeyFile]).toBe('/run/secrets/gateway_assertion_key');
    const config = loadServiceConfig('gateway', gateway.environment ?? {});
    expect(config.auth.jwksUrl).toMatch(/^https:\/\//);
    expect(Object.keys(compose.secrets).sort()).toEqual(
      ['audit_court_key', 'audit_gateway_key', 'audit_government_key', 'audit_procuratorate_key', 'gateway_assertion_key', 'gateway_assertion_public_key', 'pseudonym_key'],
    );
    // The access log lives in its own MongoDB, not in any institution's.
    const audit = config.audit.store;
    expect(audit.kind === 'uri' && new URL(audit.uri).hostname).toBe('audit-db');
  });

  it('gateway: calls each subgraph by service name on the port that subgraph listens on', () => {
    const gateway = services.gateway!;
    const config = loadServiceConfig('gateway', gateway.environment ?? {});
    for (const name of SUBGRAPH_NAMES) {
      const subgraphPort = loadServiceConfig(name, services[name]!.environment ?? {}).ports[name];
      expect(config.subgraphUrls[name]).toBe(`http://${name}:${subgraphPort}/graphql`);
      expect(gateway.depends_on?.[name]).toEqual({ condition: 'service_healthy' });
    }
    expect(gateway.environment ?? {}).not.toHaveProperty(ENV.mongodbUri);
    for (const name of SUBGRAPH_NAMES) expect(gateway.environment ?? {}).not.toHaveProperty(ENV.subgraphMongodbUri(name));
  });
});
