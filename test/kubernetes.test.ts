// No cluster runs here, so deploy/k8s is checked the way test/docker-compose.test.ts checks the
// compose file: against the configuration module. Each Deployment's environment (its ConfigMap, its
// env, its Secrets' references) is parsed by loadServiceConfig, which fails naming any variable the
// service needs in production; ports, Services and probes agree with the parsed configuration; keys
// are mounted read-only from Secrets; each subgraph reaches only its own replica set.
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { parse, parseAllDocuments } from 'yaml';
import { describe, expect, it } from 'vitest';
import { AUDIT_DATABASE_NAME, DATABASE_NAMES, ENV, PROJECT_ROOT, SUBGRAPH_NAMES, loadServiceConfig, type Config, type ServiceName, type SubgraphName } from '../config/index.js';

const DIR = path.join(PROJECT_ROOT, 'deploy/k8s');
const SERVICES: ServiceName[] = ['gateway', ...SUBGRAPH_NAMES];
/** The databases: one replica set per institution, and the gateway's access log; each with its one client. */
const DATABASES = [...SUBGRAPH_NAMES.map((name) => ({ set: `${name}-db`, client: name as ServiceName, database: DATABASE_NAMES[name] })), { set: 'audit-db', client: 'gateway' as ServiceName, database: AUDIT_DATABASE_NAME }];

type Labels = Record<string, string>;
type PodSelector = { matchLabels?: Labels; matchExpressions?: { key: string; operator: string; values: string[] }[] };
interface EnvVar {
  name: string;
  value?: string;
  valueFrom?: { secretKeyRef?: { name: string; key: string }; configMapKeyRef?: { name: string; key: string } };
}
interface Probe {
  httpGet?: { path: string; port: string | number };
  tcpSocket?: { port: string | number };
}
interface Container {
  name: string;
  image: string;
  command?: string[];
  args?: string[];
  ports?: { name?: string; containerPort: number }[];
  envFrom?: { configMapRef?: { name: string }; secretRef?: { name: string } }[];
  env?: EnvVar[];
  startupProbe?: Probe;
  readinessProbe?: Probe;
  livenessProbe?: Probe;
  resources?: { requests?: { cpu?: string; memory?: string }; limits?: { memory?: string } };
  securityContext?: { allowPrivilegeEscalation?: boolean; readOnlyRootFilesystem?: boolean; capabilities?: { drop?: string[] } };
  volumeMounts?: { name: string; mountPath: string; readOnly?: boolean }[];
  lifecycle?: { preStop?: { exec?: { command: string[] } } };
}
interface PodSpec {
  terminationGracePeriodSeconds?: number;
  securityContext?: { runAsNonRoot?: boolean; runAsUser?: number; fsGroup?: number; seccompProfile?: { type: string } };
  automountServiceAccountToken?: boolean;
  containers: Container[];
  initContainers?: Container[];
  volumes?: { name: string; secret?: { secretName: string; defaultMode?: number; items?: { key: string }[] }; configMap?: { name: string }; emptyDir?: object }[];
}
interface Resource {
  apiVersion: string;
  kind: string;
  metadata: { name: string; labels?: Labels };
  data?: Record<string, string>;
  spec?: {
    replicas?: number;
    serviceName?: string;
    selector?: { matchLabels?: Labels } & Labels;
    template?: { metadata: { labels: Labels; annotations?: Record<string, string> }; spec: PodSpec };
    ports?: { name?: string; port: number; targetPort?: string | number }[];
    clusterIP?: string;
    minAvailable?: number;
    maxUnavailable?: number;
    scaleTargetRef?: { apiVersion: string; kind: string; name: string };
    minReplicas?: number;
    maxReplicas?: number;
    podSelector?: PodSelector;
    policyTypes?: string[];
    ingress?: { from?: { podSelector?: PodSelector; namespaceSelector?: PodSelector }[]; ports?: { port: number }[] }[];
  };
}

const kustomization = parse(readFileSync(path.join(DIR, 'kustomization.yaml'), 'utf8')) as {
  namespace: string;
  resources: string[];
  secretGenerator: { name: string; files: string[] }[];
};
const resources: Resource[] = kustomization.resources.flatMap((file) =>
  parseAllDocuments(readFileSync(path.join(DIR, file), 'utf8')).map((doc) => doc.toJS() as Resource).filter(Boolean),
);
const find = (kind: string, name: string): Resource => {
  const found = resources.find((r) => r.kind === kind && r.metadata.name === name);
  if (!found) throw new Error(`deploy/k8s: no ${kind} ${name}`);
  return found;
};
const all = (kind: string) => resources.filter((r) => r.kind === kind);
/** The keys of each generated Secret (kustomize's secretGenerator, from files the operator creates). */
const secretKeys = new Map(kustomization.secretGenerator.map((s) => [s.name, s.files.map((f) => f.split('=')[0]!)]));
const podOf = (workload: Resource) => workload.spec!.template!.spec;
const containerOf = (workload: Resource) => podOf(workload).containers[0]!;
const selects = (selector: Labels | undefined, labels: Labels) => Object.entries(selector ?? {}).every(([key, value]) => labels[key] === value);
/** A NetworkPolicy's pod selector: its labels, and its `In` expressions (the only operator used here). */
const selectsPods = (selector: PodSelector, labels: Labels) =>
  selects(selector.matchLabels, labels) && (selector.matchExpressions ?? []).every((e) => e.operator === 'In' && e.values.includes(labels[e.key] ?? ''));

/** What a Secret reference stands for: the value is not in the repository, so a URL-safe stand-in. */
const SECRET_VALUE = 'from-a-secret';

/**
 * A container's environment as the kubelet builds it: its ConfigMaps (envFrom), then env in order,
 * `$(VAR)` expanded from what came before, a Secret's key (which must exist) standing in as a value.
 */
function environmentOf(container: Container): Record<string, string> {
  const env: Record<string, string> = {};
  for (const source of container.envFrom ?? []) {
    expect(source.secretRef, 'secrets are mounted as files, not spread into the environment').toBeUndefined();
    Object.assign(env, find('ConfigMap', source.configMapRef!.name).data);
  }
  for (const variable of container.env ?? []) {
    const ref = variable.valueFrom?.secretKeyRef;
    if (ref) {
      expect(secretKeys.get(ref.name), `${variable.name}: Secret ${ref.name}`).toContain(ref.key);
      env[variable.name] = SECRET_VALUE;
    } else {
      env[variable.name] = (variable.value ?? '').replace(/\$\(([A-Za-z_][A-Za-z0-9_]*)\)/g, (whole, name: string) => env[name] ?? whole);
    }
  }
  return env;
}

/** The hosts of a mongodb:// URI's seed list (WHATWG URLs take one host only). */
function mongoHosts(uri: string): { user: string; hosts: string[]; params: URLSearchParams } {
  const match = /^mongodb:\/\/(?:([^:@/]+)(?::[^@/]*)?@)?([^/?]+)\/?(?:\?(.*))?$/.exec(uri);
  if (!match) throw new Error(`not a mongodb:// URI: ${uri}`);
  return { user: match[1] ?? '', hosts: match[2]!.split(','), params: new URLSearchParams(match[3] ?? '') };
}

const deployment = (name: ServiceName) => find('Deployment', name);
const configOf = (name: ServiceName): Config => loadServiceConfig(name, environmentOf(containerOf(deployment(name))));
/** A probe's or Service's port, named or numbered, as the container's port number. */
const portNumber = (container: Container, port: string | number | undefined) =>
  typeof port === 'number' ? port : container.ports?.find((p) => p.name === port)?.containerPort;

describe('deploy/k8s', () => {
  it('applies every manifest in the folder, into its own namespace', () => {
    const files = readdirSync(DIR).filter((file) => file.endsWith('.yaml') && file !== 'kustomization.yaml');
    expect([...kustomization.resources].sort()).toEqual(files.sort());
    expect(find('Namespace', kustomization.namespace).metadata.name).toBe('linkage');
    expect(resources.every((r) => !('namespace' in r.metadata))).toBe(true);
  });

  it('has a Deployment for each service, and no other', () => {
    expect(all('Deployment').map((d) => d.metadata.name).sort()).toEqual([...SERVICES].sort());
  });

  it.each(SERVICES)('%s: the one image started as itself, configured for production by its environment alone', (name) => {
    const container = containerOf(deployment(name));
    expect(container.image).toBe('linkage-graph:0.1.0');
    expect(container.command).toBeUndefined();
    expect(container.args).toEqual([name]);
    // Throws, naming the variable, if anything the service needs is missing or malformed.
    const config = configOf(name);
    expect(config.mode).toBe('production');
    expect(config.host).toBe('0.0.0.0');
    expect(config.audit.majorityWrites).toBe(true);
  });

  it.each(SERVICES)('%s: sets what its docker-compose.yml service sets (and its database password)', (name) => {
    const compose = parse(readFileSync(path.join(PROJECT_ROOT, 'docker-compose.yml'), 'utf8'), { merge: true }) as { services: Record<string, { environment?: Record<string, string> }> };
    const env = environmentOf(containerOf(deployment(name)));
    const own = Object.keys(env).filter((key) => !key.endsWith('_DB_PASSWORD'));
    expect(own.sort()).toEqual(Object.keys(compose.services[name]!.environment ?? {}).sort());
  });

  it.each(SERVICES)('%s: listens, is served, and is probed on its configured port: ready on /ready, alive on /health', (name) => {
    const config = configOf(name);
    const port = config.ports[name];
    const container = containerOf(deployment(name));
    // Its own port, and the metrics port (METRICS_PORT) that only Prometheus may reach (below).
    expect(container.ports?.map((p) => [p.name, p.containerPort])).toEqual([['http', port], ['metrics', config.metrics.port]]);
    expect(container.readinessProbe?.httpGet).toBeDefined();
    // The gateway's /ready fails while any institution is down, which would withdraw every replica
    // (and the other institutions' answers) at once: it is routed to once it answers (deploy/k8s/gateway.yaml).
    const readiness = name === 'gateway' ? '/health' : '/ready';
    expect([container.readinessProbe!.httpGet!.path, portNumber(container, container.readinessProbe!.httpGet!.port)]).toEqual([readiness, port]);
    expect([container.livenessProbe!.httpGet!.path, portNumber(container, container.livenessProbe!.httpGet!.port)]).toEqual(['/health', port]);
    // A slow start is waited for by the startup probe, on liveness (not readiness: a store down at boot is not a hung process).
    expect([container.startupProbe!.httpGet!.path, portNumber(container, container.startupProbe!.httpGet!.port)]).toEqual(['/health', port]);
    const service = find('Service', name);
    expect(selects(service.spec!.selector, deployment(name).spec!.template!.metadata.labels)).toBe(true);
    expect(service.spec!.ports!.map((p) => [p.port, portNumber(container, p.targetPort)])).toEqual([[port, port]]);
  });

  it.each(SERVICES)('%s: given longer to stop than its pause before stopping and its own shutdown grace together', (name) => {
    const pod = podOf(deployment(name));
    const pause = Number(containerOf(deployment(name)).lifecycle?.preStop?.exec?.command.join(' ').match(/^sleep (\d+)$/)?.[1] ?? 0);
    expect(pause).toBeGreaterThan(0);
    expect(pod.terminationGracePeriodSeconds! * 1000).toBeGreaterThan(pause * 1000 + configOf(name).timeouts.shutdownGrace);
  });

  it.each(SERVICES)('%s: runs as uid 1000 without privileges, read-only, with bounded resources', (name) => {
    const pod = podOf(deployment(name));
    const container = containerOf(deployment(name));
    expect(pod.securityContext).toMatchObject({ runAsNonRoot: true, runAsUser: 1000, fsGroup: 1000 });
    expect(pod.automountServiceAccountToken).toBe(false);
    expect(container.securityContext).toEqual({ allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } });
    expect(container.resources?.requests?.cpu).toBeDefined();
    expect(container.resources?.requests?.memory).toBeDefined();
    expect(container.resources?.limits?.memory).toBeDefined();
  });

  it("meets the namespace's Pod Security level (restricted) in every pod: the databases' and their Jobs' too", () => {
    expect(find('Namespace', 'linkage').metadata.labels?.['pod-security.kubernetes.io/enforce']).toBe('restricted');
    for (const workload of [...all('Deployment'), ...all('StatefulSet'), ...all('Job')]) {
      const pod = podOf(workload);
      expect(pod.securityContext, workload.metadata.name).toMatchObject({ runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } });
      expect(pod.securityContext!.runAsUser).toBeGreaterThan(0);
      for (const container of [...(pod.initContainers ?? []), ...pod.containers]) {
        expect(container.securityContext, `${workload.metadata.name}/${container.name}`).toMatchObject({ allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } });
      }
      expect(pod.volumes?.every((v) => v.secret ?? v.configMap ?? v.emptyDir) ?? true).toBe(true);
    }
  });

  it.each(SERVICES)('%s: every key file it is configured with is in a Secret mounted read-only, readable by its group only', (name) => {
    const config = configOf(name);
    const files = [config.auth.assertionPrivateKeyFile, config.auth.assertionPublicKeyFile, config.audit.signingKeyFile, config.pseudonymKeyFile].filter((f): f is string => f !== null);
    expect(files.length).toBeGreaterThan(0);
    const pod = podOf(deployment(name));
    const mounts = containerOf(deployment(name)).volumeMounts ?? [];
    const secretMounts = mounts.filter((m) => pod.volumes?.find((v) => v.name === m.name)?.secret);
    for (const mount of secretMounts) expect(mount.readOnly).toBe(true);
    const held = secretMounts.flatMap((mount) => {
      const secret = pod.volumes!.find((v) => v.name === mount.name)!.secret!;
      // 0440 and the pod's fsGroup: uid 1000 reads its keys; no other user of the node's files does.
      expect(secret.defaultMode).toBe(0o440);
      return (secretKeys.get(secret.secretName) ?? []).map((key) => path.posix.join(mount.mountPath, key));
    });
    for (const file of files) expect(held).toContain(file);
    // Exactly what docker-compose.yml gives it: the subgraphs the public half of the assertion key only, the pseudonym key the government alone.
    const expected =
      name === 'gateway'
        ? ['gateway_assertion_key', 'audit_gateway_key']
        : ['gateway_assertion_public_key', `audit_${name}_key`, ...(name === 'government' ? ['pseudonym_key'] : [])];
    expect(held.map((file) => path.posix.basename(file)).sort()).toEqual(expected.sort());
  });

  it.each(SUBGRAPH_NAMES)('%s: connected only to its own replica set, as its own user', (name: SubgraphName) => {
    const config = configOf(name);
    const store = config.stores[name];
    expect(store.kind).toBe('uri');
    const { user, hosts, params } = mongoHosts(store.kind === 'uri' ? store.uri : '');
    const members = find('StatefulSet', `${name}-db`).spec!.replicas!;
    expect(hosts).toEqual(Array.from({ length: members }, (_, i) => `${name}-db-${i}.${name}-db:27017`));
    expect([user, params.get('replicaSet'), params.get('authSource')]).toEqual([name, 'rs0', 'admin']);
    const env = containerOf(deployment(name)).env ?? [];
    expect(env.filter((v) => v.name.endsWith('MONGODB_URI')).map((v) => v.name)).toEqual([ENV.subgraphMongodbUri(name)]);
    expect(env.flatMap((v) => (v.valueFrom?.secretKeyRef ? [v.valueFrom.secretKeyRef.name] : []))).toEqual([`${name}-db-user`]);
  });

  it('gateway: its access log in its own replica set, as its own user; no institution database', () => {
    const config = configOf('gateway');
    const store = config.audit.store;
    expect(store.kind).toBe('uri');
    const { user, hosts, params } = mongoHosts(store.kind === 'uri' ? store.uri : '');
    const members = find('StatefulSet', 'audit-db').spec!.replicas!;
    expect(hosts).toEqual(Array.from({ length: members }, (_, i) => `audit-db-${i}.audit-db:27017`));
    expect([user, params.get('replicaSet'), params.get('authSource')]).toEqual(['gateway', 'rs0', 'admin']);
    const env = environmentOf(containerOf(deployment('gateway')));
    expect(Object.keys(env).filter((key) => key.endsWith('MONGODB_URI'))).toEqual([ENV.auditMongodbUri]);
    expect(config.auth.jwksUrl).toMatch(/^https:\/\//);
  });

  it('gateway: calls each subgraph by its Service name on the port that subgraph listens on', () => {
    const config = configOf('gateway');
    for (const name of SUBGRAPH_NAMES) {
      const port = configOf(name).ports[name];
      const service = find('Service', name);
      expect(service.spec!.ports!.map((p) => p.port)).toEqual([port]);
      expect(config.subgraphUrls[name]).toBe(`http://${service.metadata.name}:${port}/graphql`);
    }
  });

  it('a PodDisruptionBudget for every Deployment and replica set that always leaves one running (a majority of a set)', () => {
    const workloads = [...all('Deployment'), ...all('StatefulSet')];
    expect(all('PodDisruptionBudget').map((p) => p.metadata.name).sort()).toEqual(workloads.map((w) => w.metadata.name).sort());
    for (const workload of workloads) {
      const budget = find('PodDisruptionBudget', workload.metadata.name);
      expect(selects(budget.spec!.selector!.matchLabels, workload.spec!.template!.metadata.labels)).toBe(true);
      const replicas = workload.spec!.replicas!;
      const available = budget.spec!.minAvailable ?? replicas - budget.spec!.maxUnavailable!;
      expect(available).toBeGreaterThanOrEqual(workload.kind === 'StatefulSet' ? Math.floor(replicas / 2) + 1 : 1);
      expect(available).toBeLessThan(replicas);
    }
  });

  it('the gateway, and only the gateway, scales horizontally, never below two replicas', () => {
    const autoscalers = all('HorizontalPodAutoscaler');
    expect(autoscalers.map((a) => a.spec!.scaleTargetRef)).toEqual([{ apiVersion: 'apps/v1', kind: 'Deployment', name: 'gateway' }]);
    expect(autoscalers[0]!.spec!.minReplicas).toBeGreaterThanOrEqual(2);
    expect(autoscalers[0]!.spec!.maxReplicas).toBeGreaterThan(autoscalers[0]!.spec!.minReplicas!);
  });

  it.each(DATABASES)('$set: a three-member MongoDB 7 replica set, members authenticated by a key file, initiated with $client as its one user', ({ set, client, database }) => {
    const statefulSet = find('StatefulSet', set);
    expect(statefulSet.spec!.replicas).toBe(3);
    expect(statefulSet.spec!.serviceName).toBe(set);
    const headless = find('Service', set);
    expect(headless.spec!.clusterIP).toBe('None');
    expect(selects(headless.spec!.selector, statefulSet.spec!.template!.metadata.labels)).toBe(true);
    const mongod = containerOf(statefulSet);
    expect(mongod.image).toBe('mongo:7');
    expect(mongod.args!.join(' ')).toMatch(/mongod --replSet rs0 --bind_ip_all --keyFile \/keyfile\/keyfile/);
    expect(podOf(statefulSet).securityContext).toMatchObject({ runAsNonRoot: true });
    const init = environmentOf(containerOf(find('Job', `${set}-init`)));
    expect([init.SET_SERVICE, init.SET_MEMBERS, init.CLIENT_USER, init.CLIENT_DATABASE]).toEqual([set, '3', client, database]);
    // The password the init Job gives the user is the one its client connects with.
    const job = containerOf(find('Job', `${set}-init`)).env!.find((v) => v.name === 'CLIENT_PASSWORD')!.valueFrom!.secretKeyRef;
    const service = (containerOf(deployment(client)).env ?? []).find((v) => v.name.endsWith('_DB_PASSWORD'))!.valueFrom!.secretKeyRef;
    expect(job).toEqual(service);
    expect(job!.name).toBe(`${set}-user`);
  });

  it.each(SERVICES)('%s: serves /metrics on its metrics port alone, announced to Prometheus, and reachable by Prometheus alone', (name) => {
    const config = configOf(name);
    expect(config.metrics).toEqual({ enabled: true, port: 9464 });
    expect(config.metrics.port).not.toBe(config.ports[name]);
    expect(deployment(name).spec!.template!.metadata.annotations).toEqual({ 'prometheus.io/scrape': 'true', 'prometheus.io/port': '9464', 'prometheus.io/path': '/metrics' });
    const opening = all('NetworkPolicy').filter(
      (p) =>
        selectsPods(p.spec!.podSelector!, deployment(name).spec!.template!.metadata.labels) &&
        (p.spec!.ingress ?? []).some((rule) => (rule.ports ?? []).some((port) => port.port === config.metrics.port)),
    );
    expect(opening.map((p) => p.metadata.name)).toEqual(['metrics']);
    expect(opening[0]!.spec!.ingress).toEqual([
      {
        from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'monitoring' } }, podSelector: { matchLabels: { 'app.kubernetes.io/name': 'prometheus' } } }],
        ports: [{ port: 9464 }],
      },
    ]);
  });

  it("lets callers reach the gateway only, the gateway each subgraph, and each database only its own service's pods", () => {
    const policies = all('NetworkPolicy');
    const deny = find('NetworkPolicy', 'default-deny-ingress');
    expect(deny.spec).toEqual({ podSelector: {}, policyTypes: ['Ingress'] });
    const allowedInto = (name: string) => {
      const policy = policies.find((p) => p.spec!.podSelector!.matchLabels?.['app.kubernetes.io/name'] === name);
      if (!policy) return [];
      return policy.spec!.ingress!.flatMap((rule) =>
        (rule.from ?? [{ podSelector: undefined }]).flatMap((from) => {
          const selector = from.podSelector;
          if (!selector) return ['*'];
          return [...Object.values(selector.matchLabels ?? {}), ...(selector.matchExpressions ?? []).flatMap((e) => (e.operator === 'In' ? e.values : ['?']))];
        }),
      );
    };
    expect(allowedInto('gateway')).toEqual(['*']);
    for (const name of SUBGRAPH_NAMES) expect(allowedInto(name)).toEqual(['gateway']);
    // Each service's policy opens its own port and nothing else (not the metrics port).
    for (const name of SERVICES) {
      const own = policies.filter((p) => p.spec!.podSelector!.matchLabels?.['app.kubernetes.io/name'] === name);
      expect(own.flatMap((p) => p.spec!.ingress!.flatMap((rule) => (rule.ports ?? []).map((port) => port.port)))).toEqual([configOf(name).ports[name]]);
    }
    for (const { set, client } of DATABASES) expect(allowedInto(set).sort()).toEqual([client, set, `${set}-init`].sort());
  });
});
