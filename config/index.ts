// The one place that reads the environment. Every service parses its configuration here at boot;
// a bad value stops start-up with a message naming the variable. Nothing else reads process.env.
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The institutions' subgraphs, each over its own database. */
export const SUBGRAPH_NAMES = ['government', 'court', 'procuratorate'] as const;
export type SubgraphName = (typeof SUBGRAPH_NAMES)[number];
export type ServiceName = SubgraphName | 'gateway';
/** Every subgraph of the graph: the institutions' and the auditors' (served by the gateway process). */
export const GRAPH_NAMES = [...SUBGRAPH_NAMES, 'audit'] as const;
export type GraphName = (typeof GRAPH_NAMES)[number];

// This module runs as config/index.ts (tsx, in development and the tests) or, built by `npm run
// build`, as dist/config/index.js (the image): either way the root is where schema/, gateway/audit-ui
// and the other files read at run time are, above dist/ for the built JavaScript.
const CONFIG_FILE = fileURLToPath(import.meta.url);
export const PROJECT_ROOT = path.resolve(path.dirname(CONFIG_FILE), CONFIG_FILE.endsWith('.js') ? '../..' : '..');

/** Each institution's database: a subgraph never reads another's. */
export const DATABASE_NAMES: Record<SubgraphName, string> = {
  government: 'linkage_government',
  court: 'linkage_court',
  procuratorate: 'linkage_procuratorate',
};

/** The gateway's own database: its access log. */
export const AUDIT_DATABASE_NAME = 'linkage_audit';

const DEFAULT_PORTS: Record<ServiceName | 'audit', number> = {
  gateway: 4000,
  government: 4001,
  court: 4002,
  procuratorate: 4003,
  audit: 4004,
};

/** Environment variable names, written once so the docker-compose test can check them. */
export const ENV = {
  mode: 'LINKAGE_ENV',
  host: 'HOST',
  port: (service: ServiceName | 'audit') => `${service.toUpperCase()}_PORT`,
  subgraphUrl: (name: SubgraphName) => `${name.toUpperCase()}_URL`,
  gatewayUrl: 'GATEWAY_URL',
  mongodbUri: 'MONGODB_URI',
  subgraphMongodbUri: (name: SubgraphName) => `${name.toUpperCase()}_MONGODB_URI`,
  embeddedStorePort: 'EMBEDDED_STORE_PORT',
  embeddedStoreDir: 'EMBEDDED_STORE_DIR',
  embeddedStoreBackend: 'EMBEDDED_STORE_BACKEND',
  postgresBinDir: 'POSTGRES_BIN_DIR',
  seedScale: 'SEED_SCALE',
  pseudonymKey: 'PSEUDONYM_KEY',
  pseudonymKeyFile: 'PSEUDONYM_KEY_FILE',
  supergraphPath: 'SUPERGRAPH_PATH',
  jwtIssuer: 'JWT_ISSUER',
  jwtAudience: 'JWT_AUDIENCE',
  jwksUrl: 'JWKS_URL',
  jwtAlgorithms: 'JWT_ALGORITHMS',
  jwksTimeoutMs: 'JWKS_TIMEOUT_MS',
  clockTolerance: 'CLOCK_TOLERANCE_SECONDS',
  maxTokenLifetime: 'MAX_TOKEN_LIFETIME_SECONDS',
  keysDir: 'KEYS_DIR',
  assertionPrivateKeyFile: 'ASSERTION_PRIVATE_KEY_FILE',
  assertionPublicKeyFile: 'ASSERTION_PUBLIC_KEY_FILE',
  auditMongodbUri: 'AUDIT_MONGODB_URI',
  auditInstanceId: 'AUDIT_INSTANCE_ID',
  auditSigningKeyFile: 'AUDIT_SIGNING_KEY_FILE',
  auditCheckpointRecords: 'AUDIT_CHECKPOINT_RECORDS',
  auditCheckpointSeconds: 'AUDIT_CHECKPOINT_SECONDS',
  corsOrigins: 'CORS_ORIGINS',
  subgraphTimeoutMs: 'SUBGRAPH_TIMEOUT_MS',
  subgraphTimeoutMsOf: (name: SubgraphName) => `${name.toUpperCase()}_TIMEOUT_MS`,
  requestDeadlineMs: 'REQUEST_DEADLINE_MS',
  databaseTimeoutMs: 'DATABASE_TIMEOUT_MS',
  shutdownGraceSeconds: 'SHUTDOWN_GRACE_SECONDS',
  persistedOperationsFile: 'PERSISTED_OPERATIONS_FILE',
  safelistedOrgs: 'SAFELISTED_ORGS',
  rateLimitPerPrincipal: 'RATE_LIMIT_PER_PRINCIPAL',
  rateLimitPerOrg: 'RATE_LIMIT_PER_ORG',
  rateLimitWindowSeconds: 'RATE_LIMIT_WINDOW_SECONDS',
  rateLimitSyncMs: 'RATE_LIMIT_SYNC_MS',
  maxQueryDepth: 'MAX_QUERY_DEPTH',
  maxAliases: 'MAX_ALIASES',
  maxQueryCost: 'MAX_QUERY_COST',
  maxQueryCostByOrg: 'MAX_QUERY_COST_BY_ORG',
  bulletinWeights: 'BULLETIN_WEIGHTS',
  reportChromium: 'REPORT_CHROMIUM_PATH',
  reportRenderTimeoutMs: 'REPORT_RENDER_TIMEOUT_MS',
  reportMaxRenders: 'REPORT_MAX_RENDERS',
  districtTimeZone: 'DISTRICT_TIME_ZONE',
  metricsEnabled: 'METRICS_ENABLED',
  metricsPort: 'METRICS_PORT',
  logLevel: 'LOG_LEVEL',
  tracesExporter: 'OTEL_TRACES_EXPORTER',
  tlsCertFile: 'TLS_CERT_FILE',
  tlsKeyFile: 'TLS_KEY_FILE',
  tlsCaFile: 'TLS_CA_FILE',
} as const;

/** Signature algorithms a caller's token may use: asymmetric only (never `none`, never HMAC). */
export const ALLOWED_JWT_ALGORITHMS = ['EdDSA', 'ES256', 'ES384', 'PS256', 'RS256'] as const;

/**
 * How far apart two hosts' clocks may be when one checks the other's timestamps (caller tokens at
 * the gateway, the gateway's assertions at a subgraph). NTP keeps them well within this; the bound
 * stops a tolerance from outliving the one-minute assertions it applies to.
 */
export const DEFAULT_CLOCK_TOLERANCE_SECONDS = 5;
export const MAX_CLOCK_TOLERANCE_SECONDS = 60;

export type Mode = 'development' | 'production';

/** Where traces go: nowhere, or to an OpenTelemetry collector over OTLP/HTTP. */
export const TRACES_EXPORTERS = ['none', 'otlp'] as const;
export type TracesExporter = (typeof TRACES_EXPORTERS)[number];

/** pino's levels, least to most severe: a line below LOG_LEVEL is not written. */
export const LOG_LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/** Where a subgraph's database lives: a given MongoDB URI, or the embedded FerretDB. */
export type StoreLocation =
  | { kind: 'uri'; uri: string; database: string }
  | { kind: 'embedded'; database: string };

/**
 * FerretDB's backends: PostgreSQL (the default: it pushes equality filters down to the database)
 * or SQLite (no other process, but every query but a lone `_id` decodes the whole collection).
 */
export const EMBEDDED_BACKENDS = ['postgresql', 'sqlite'] as const;
export type EmbeddedBackend = (typeof EMBEDDED_BACKENDS)[number];

export interface EmbeddedStoreConfig {
  port: number;
  dataDir: string;
  binary: string;
  backend: EmbeddedBackend;
  /** Where PostgreSQL's server programs are (initdb, postgres): Debian's PostgreSQL 15 by default. */
  postgresBinDir: string;
}

/**
 * The indicators the bulletin's composite score ranks agencies by (the speech names them for the
 * annual assessment): litigation incidence (cases filed per 100 acts decided), loss rate and
 * reconsideration correction rate (lower is better), substantive resolution rate (higher is better).
 */
export const BULLETIN_INDICATORS = ['incidence', 'loss', 'correction', 'resolution'] as const;
export type BulletinIndicator = (typeof BULLETIN_INDICATORS)[number];
/** Equal weights unless BULLETIN_WEIGHTS says otherwise. */
export const DEFAULT_BULLETIN_WEIGHTS: Readonly<Record<BulletinIndicator, number>> = { incidence: 1, loss: 1, correction: 1, resolution: 1 };

/** The bulletin report (/reports/bulletin) and its PDF, rendered by a headless Chromium. */
export interface ReportsConfig {
  /** Each indicator's weight in the composite score (0–100, at least one above 0). */
  weights: Record<BulletinIndicator, number>;
  /** The Chromium the PDF is rendered with (Debian's, as the tests use). */
  chromiumPath: string;
  /** One PDF's render, from launch to the last byte; past it (or the request's deadline) 503 DEADLINE_EXCEEDED. */
  renderTimeoutMs: number;
  /** Renders at once (each a browser; one per caller); more wait for none: 503 RENDERER_BUSY. */
  maxRenders: number;
}

export interface Config {
  mode: Mode;
  host: string;
  /** Listening ports; `audit` is the auditors' subgraph, which the gateway process serves. */
  ports: Record<ServiceName | 'audit', number>;
  /** Institution subgraph URLs the gateway calls (defaults: loopback on the subgraph ports). */
  subgraphUrls: Record<SubgraphName, string>;
  /** The gateway's URL, for the tools that call the graph (an import asks the government for pseudonyms). */
  gatewayUrl: string;
  stores: Record<SubgraphName, StoreLocation>;
  embeddedStore: EmbeddedStoreConfig;
  seedScale: number;
  /**
   * HMAC key under which Party ids are derived from national ID numbers (used by the seed).
   * Null when unset; development then uses a fixed demo key, production refuses to seed.
   */
  pseudonymKey: string | null;
  /** A file holding that key (a secret mounted into the government's service only); read by readPseudonymKey. */
  pseudonymKeyFile: string | null;
  supergraphPath: string;
  auth: AuthConfig;
  audit: AuditConfig;
  /** Operation limits the gateway enforces before planning. */
  limits: { maxDepth: number; maxAliases: number };
  /** The most one operation may cost (gateway/plugins/cost-limit.ts), and other maxima by org (checked against the orgs at start). */
  costLimits: { maxCost: number; maxCostByOrg: Record<string, number> };
  /** Browser origins of partner frontends allowed to call the gateway (CORS); none by default. */
  corsOrigins: string[];
  /** The bulletin report: the composite score's weights and the PDF renderer. */
  reports: ReportsConfig;
  /**
   * The district's time zone (IANA name): the auditors' workbench shows and takes times in it, and
   * counts the access log's activity by its days. Asia/Shanghai by default.
   */
  districtTimeZone: string;
  /**
   * Registered operations (an Apollo persisted-query manifest, null: none) and the orgs that may
   * run only those (their names are checked against the orgs at start).
   */
  persistedOperations: { file: string | null; safelistedOrgs: string[] };
  /**
   * Requests per window, per caller (`sub`) and per org: token buckets of that capacity, one token
   * back every window / limit, shared by every gateway replica through its store every `syncMs`.
   */
  rateLimits: { perPrincipal: number; perOrg: number; windowSeconds: number; syncMs: number };
  /**
   * `GET /metrics` (Prometheus) on each service's own port: on by default in development, off in
   * production unless METRICS_ENABLED=true, since the counts show which orgs ask for what, how
   * often — for a scraper on the cluster network, never for the gateway's clients (README: metrics).
   */
  metrics: {
    enabled: boolean;
    /**
     * Where /metrics is served instead of the service's own port (METRICS_PORT, on HOST): a port a
     * network policy opens to the scraper alone. Null: on the service's port. One service per process.
     */
    port: number | null;
  };
  /**
   * OpenTelemetry traces (platform/tracing.ts): 'none' (the default), or 'otlp' to the endpoint the
   * exporter reads from OTEL_EXPORTER_OTLP_TRACES_ENDPOINT / OTEL_EXPORTER_OTLP_ENDPOINT.
   */
  tracing: { exporter: TracesExporter };
  /**
   * TLS (platform/tls.ts): `certFile` and `keyFile` (PEM), both or neither: this service listens
   * over HTTPS. `caFile`: the certificates (PEM) this service trusts when it calls another (the
   * gateway its subgraphs, their readiness and export; a CLI the gateway) instead of the system's.
   */
  tls: { certFile: string | null; keyFile: string | null; caFile: string | null };
  /**
   * The least severe log line written (platform/log.ts): `info` by default; `debug` adds, among
   * others, the stack of each logged error (production keeps stacks off the error line itself).
   */
  logLevel: LogLevel;
  /** Deadlines, in milliseconds (README: limits). */
  timeouts: {
    /** A gateway's call to each institution's subgraph: past it, that institution's part is null (SUBGRAPH_UNAVAILABLE). */
    subgraph: Record<SubgraphName, number>;
    /** A whole request at the gateway: past it, the rest of the answer is null (DEADLINE_EXCEEDED). */
    request: number;
    /** Every database round trip and pooled-connection wait: a stalled store fails a command, never holds it. */
    database: number;
    /**
     * From a stop signal to the process's exit, whatever the state of the store: an orchestrator
     * kills a container that outlives its own grace (docker stop 10 s, Kubernetes 30 s).
     */
    shutdownGrace: number;
  };
}

export interface AuditConfig {
  /** The gateway's access-log database (the subgraphs log disclosures in their own). */
  store: StoreLocation;
  /** Names this process's chains, `<service>/<instance>`; unique per writer (default: host, pid, random). */
  instanceId: string | null;
  /** PEM Ed25519 key the service signs its checkpoints with (production); development: KEYS_DIR. */
  signingKeyFile: string | null;
  checkpointRecords: number;
  checkpointSeconds: number;
  /**
   * Log writes acknowledged by a majority of the replica set and journaled (production, where each
   * MongoDB is a replica set); the embedded store takes the default acknowledgement.
   */
  majorityWrites: boolean;
}

export interface AuthConfig {
  /** Expected `iss` and `aud` of callers' tokens. */
  issuer: string;
  audience: string;
  /** Where production keys of the token issuer are published; null in development (local key pair). */
  jwksUrl: string | null;
  algorithms: string[];
  /** How long the gateway waits for the identity provider's JWKS before answering 503. */
  jwksTimeoutMs: number;
  /** Allowed clock difference between hosts, for tokens' and assertions' iat, nbf and exp. */
  clockToleranceSeconds: number;
  /** The longest lifetime (exp − iat) a caller's token may have; a longer-lived one is refused. */
  maxTokenLifetimeSeconds: number;
  /** Development keys (token issuer, gateway assertions), created when missing. */
  keysDir: string;
  /** PEM files of the gateway's assertion key pair; null in development (generated in keysDir). */
  assertionPrivateKeyFile: string | null;
  assertionPublicKeyFile: string | null;
}

export class ConfigError extends Error {
  constructor(variable: string, problem: string) {
    super(`configuration: ${variable} ${problem}`);
    this.name = 'ConfigError';
  }
}

type Env = Readonly<Record<string, string | undefined>>;

function read(env: Env, name: string): string | undefined {
  const value = env[name];
  return value === undefined || value.trim() === '' ? undefined : value.trim();
}

function parsePort(env: Env, name: string, fallback: number): number {
  const raw = read(env, name);
  if (raw === undefined) return fallback;
  if (!/^\d{1,5}$/.test(raw) || Number(raw) > 65535) {
    throw new ConfigError(name, `must be a port number 0-65535, got "${raw}"`);
  }
  return Number(raw);
}

function oneOf<T extends string>(env: Env, name: string, allowed: readonly T[], fallback: T): T {
  const raw = read(env, name) ?? fallback;
  if (!(allowed as readonly string[]).includes(raw)) throw new ConfigError(name, `must be one of ${allowed.join(', ')}, got "${raw}"`);
  return raw as T;
}

function parseUrl(env: Env, name: string, fallback: string, protocols: string[]): string {
  const raw = read(env, name) ?? fallback;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new ConfigError(name, `must be a URL, got "${raw}"`);
  }
  if (!protocols.includes(url.protocol)) {
    throw new ConfigError(name, `must use ${protocols.join(' or ')}, got "${url.protocol}"`);
  }
  return raw;
}

function parseMongoUri(env: Env, name: string): string | undefined {
  const raw = read(env, name);
  if (raw === undefined) return undefined;
  if (!/^mongodb(\+srv)?:\/\/[^\s]+$/.test(raw)) {
    throw new ConfigError(name, 'must be a mongodb:// or mongodb+srv:// connection string');
  }
  return raw;
}

/** The most an operation may cost, at most a billion (one field is 1). */
const MAX_COST_LIMIT = 1_000_000_000;

function parseCost(name: string, raw: string): number {
  if (!/^\d{1,10}$/.test(raw) || Number(raw) < 1 || Number(raw) > MAX_COST_LIMIT) throw new ConfigError(name, `must be an integer from 1 to ${MAX_COST_LIMIT}, got "${raw}"`);
  return Number(raw);
}

/** `MAX_QUERY_COST_BY_ORG=audit=100000,partner=5000`: each org once, each limit as MAX_QUERY_COST. */
function parseCostByOrg(env: Env): Record<string, number> {
  const raw = read(env, ENV.maxQueryCostByOrg);
  const limits: Record<string, number> = {};
  if (raw === undefined) return limits;
  for (const entry of raw.split(',')) {
    const match = /^([a-z][a-z_]{0,31})=(.*)$/.exec(entry.trim());
    if (!match) throw new ConfigError(ENV.maxQueryCostByOrg, `must list org=limit pairs such as audit=100000,partner=5000, got "${entry.trim()}"`);
    const [, org, limit] = match as unknown as [string, string, string];
    if (Object.prototype.hasOwnProperty.call(limits, org)) throw new ConfigError(ENV.maxQueryCostByOrg, `names ${org} twice`);
    limits[org] = parseCost(`${ENV.maxQueryCostByOrg} (${org})`, limit);
  }
  return limits;
}

function parseOrigins(env: Env): string[] {
  const raw = read(env, ENV.corsOrigins);
  if (raw === undefined) return [];
  return raw.split(',').map((origin) => {
    const trimmed = origin.trim();
    let url: URL;
    try {
      url = new URL(trimmed);
    } catch {
      throw new ConfigError(ENV.corsOrigins, `must list origins such as https://portal.example, got "${trimmed}"`);
    }
    if (!['http:', 'https:'].includes(url.protocol) || url.origin !== trimmed) {
      throw new ConfigError(ENV.corsOrigins, `must list origins (scheme, host, port; no path), got "${trimmed}"`);
    }
    return trimmed;
  });
}

/**
 * `BULLETIN_WEIGHTS=incidence=2,loss=1,correction=1,resolution=1`: each indicator at most once,
 * each weight a number from 0 to 100; those not named keep their default (1); at least one above 0.
 */
function parseBulletinWeights(env: Env): Record<BulletinIndicator, number> {
  const weights = { ...DEFAULT_BULLETIN_WEIGHTS };
  const raw = read(env, ENV.bulletinWeights);
  if (raw === undefined) return weights;
  const seen = new Set<string>();
  for (const entry of raw.split(',')) {
    const match = /^([a-z]+)=(\d{1,3}(?:\.\d{1,4})?)$/.exec(entry.trim());
    if (!match) throw new ConfigError(ENV.bulletinWeights, `must list indicator=weight pairs such as incidence=2,loss=1 (indicators: ${BULLETIN_INDICATORS.join(', ')}), got "${entry.trim()}"`);
    const [, name, value] = match as unknown as [string, string, string];
    if (!(BULLETIN_INDICATORS as readonly string[]).includes(name)) throw new ConfigError(ENV.bulletinWeights, `names no indicator "${name}" (indicators: ${BULLETIN_INDICATORS.join(', ')})`);
    if (seen.has(name)) throw new ConfigError(ENV.bulletinWeights, `names ${name} twice`);
    seen.add(name);
    if (Number(value) > 100) throw new ConfigError(ENV.bulletinWeights, `weight of ${name} must be from 0 to 100, got "${value}"`);
    weights[name as BulletinIndicator] = Number(value);
  }
  if (Object.values(weights).every((w) => w === 0)) throw new ConfigError(ENV.bulletinWeights, 'must give at least one indicator a weight above 0');
  return weights;
}

const DEV_PSEUDONYM_KEY = 'development-only-district-pseudonym-key';

/** An IANA time-zone name the runtime knows (Intl carries the zone rules). */
function parseTimeZone(env: Env): string {
  const raw = read(env, ENV.districtTimeZone) ?? 'Asia/Shanghai';
  let known = /^[A-Za-z0-9_+\-/]{1,64}$/.test(raw);
  if (known) {
    try {
      new Intl.DateTimeFormat('en-US', { timeZone: raw });
    } catch {
      known = false;
    }
  }
  if (!known) throw new ConfigError(ENV.districtTimeZone, `must be an IANA time zone such as Asia/Shanghai, got "${raw}"`);
  return raw;
}

/** `true` or `false`, exactly; unset: the fallback. */
function parseBoolean(env: Env, name: string, fallback: boolean): boolean {
  const raw = read(env, name);
  if (raw === undefined) return fallback;
  if (raw !== 'true' && raw !== 'false') throw new ConfigError(name, `must be "true" or "false", got "${raw}"`);
  return raw === 'true';
}

/** Parses and validates the whole configuration; throws ConfigError naming the bad variable. */
export function loadConfig(env: Env = process.env): Config {
  const modeRaw = read(env, ENV.mode) ?? 'development';
  if (modeRaw !== 'development' && modeRaw !== 'production') {
    throw new ConfigError(ENV.mode, `must be "development" or "production", got "${modeRaw}"`);
  }
  const mode: Mode = modeRaw;

  const host = read(env, ENV.host) ?? '127.0.0.1';
  if (!/^[A-Za-z0-9.:-]+$/.test(host)) throw new ConfigError(ENV.host, `is not a host name or address: "${host}"`);

  const ports = {} as Record<ServiceName | 'audit', number>;
  for (const service of ['gateway', ...GRAPH_NAMES] as const) {
    ports[service] = parsePort(env, ENV.port(service), DEFAULT_PORTS[service]);
  }

  /** A file a variable names, relative to the project root; null when unset. */
  const file = (name: string) => {
    const value = read(env, name);
    return value === undefined ? null : path.resolve(PROJECT_ROOT, value);
  };
  const tls = { certFile: file(ENV.tlsCertFile), keyFile: file(ENV.tlsKeyFile), caFile: file(ENV.tlsCaFile) };
  if ((tls.certFile === null) !== (tls.keyFile === null)) {
    throw new ConfigError(tls.certFile === null ? ENV.tlsCertFile : ENV.tlsKeyFile, `must be set with ${tls.certFile === null ? ENV.tlsKeyFile : ENV.tlsCertFile}: a certificate and its private key, or neither`);
  }
  // Services that listen over TLS (or are called trusting a CA) are called over it: the default URLs follow.
  const scheme = tls.certFile || tls.caFile ? 'https' : 'http';
  const gatewayUrl = parseUrl(env, ENV.gatewayUrl, `${scheme}://127.0.0.1:${ports.gateway}/graphql`, ['http:', 'https:']);
  // An import sends a bearer token and national ID numbers there: in production, TLS unless on this host.
  // (The parsed URL's scheme and host, lower-cased: `HTTP://` is http too.)
  const gatewayTarget = new URL(gatewayUrl);
  if (mode === 'production' && gatewayTarget.protocol === 'http:' && !['127.0.0.1', 'localhost', '[::1]'].includes(gatewayTarget.hostname)) {
    throw new ConfigError(ENV.gatewayUrl, `must be https: in production (an import sends tokens and ID numbers there), unless on this host; got "${gatewayUrl}"`);
  }
  const subgraphUrls = {} as Record<SubgraphName, string>;
  const stores = {} as Record<SubgraphName, StoreLocation>;
  const sharedUri = parseMongoUri(env, ENV.mongodbUri);
  for (const name of SUBGRAPH_NAMES) {
    subgraphUrls[name] = parseUrl(env, ENV.subgraphUrl(name), `${scheme}://127.0.0.1:${ports[name]}/graphql`, [
      'http:',
      'https:',
    ]);
    // In production, TLS configured means every call to a subgraph over it: never one left in the clear.
    if (mode === 'production' && scheme === 'https' && new URL(subgraphUrls[name]).protocol !== 'https:') {
      throw new ConfigError(ENV.subgraphUrl(name), `must be an https: URL when ${tls.certFile ? ENV.tlsCertFile : ENV.tlsCaFile} is set (calls to the subgraphs go over TLS), got "${subgraphUrls[name]}"`);
    }
    const uri = parseMongoUri(env, ENV.subgraphMongodbUri(name)) ?? sharedUri;
    stores[name] = uri
      ? { kind: 'uri', uri, database: DATABASE_NAMES[name] }
      : { kind: 'embedded', database: DATABASE_NAMES[name] };
  }

  const auditUri = parseMongoUri(env, ENV.auditMongodbUri) ?? sharedUri;
  const instanceId = read(env, ENV.auditInstanceId) ?? null;
  if (instanceId !== null && !/^[A-Za-z0-9._-]{1,64}$/.test(instanceId)) {
    throw new ConfigError(ENV.auditInstanceId, 'must be 1-64 letters, digits, ".", "_" or "-"');
  }
  const integer = (name: string, fallback: number, min: number, max: number) => {
    const raw = read(env, name) ?? String(fallback);
    // Digits only (no sign, exponent or fraction), at most as many as the maximum has.
    if (!/^\d+$/.test(raw) || raw.length > String(max).length || Number(raw) < min || Number(raw) > max) throw new ConfigError(name, `must be an integer from ${min} to ${max}, got "${raw}"`);
    return Number(raw);
  };
  const positive = (name: string, fallback: number, max: number) => integer(name, fallback, 1, max);

  const scaleRaw = read(env, ENV.seedScale) ?? '1';
  if (!/^\d{1,3}$/.test(scaleRaw) || Number(scaleRaw) < 1 || Number(scaleRaw) > 100) {
    throw new ConfigError(ENV.seedScale, `must be an integer from 1 to 100, got "${scaleRaw}"`);
  }

  const pseudonymKey = read(env, ENV.pseudonymKey);
  if (pseudonymKey !== undefined && pseudonymKey.length < 16) {
    throw new ConfigError(ENV.pseudonymKey, 'must be at least 16 characters');
  }

  // The keys every caller's token is checked against: in production only over TLS, or whoever can
  // alter the answer on the network can sign in as anyone.
  const jwksUrl = read(env, ENV.jwksUrl) === undefined ? null : parseUrl(env, ENV.jwksUrl, '', mode === 'production' ? ['https:'] : ['https:', 'http:']);
  const algorithms = (read(env, ENV.jwtAlgorithms) ?? 'EdDSA,ES256').split(',').map((a) => a.trim());
  for (const algorithm of algorithms) {
    if (!(ALLOWED_JWT_ALGORITHMS as readonly string[]).includes(algorithm)) {
      throw new ConfigError(ENV.jwtAlgorithms, `may list only ${ALLOWED_JWT_ALGORITHMS.join(', ')}; got "${algorithm}"`);
    }
  }
  const pseudonymKeyFile = file(ENV.pseudonymKeyFile);
  if (pseudonymKey !== undefined && pseudonymKeyFile !== null) throw new ConfigError(ENV.pseudonymKeyFile, `and ${ENV.pseudonymKey} are both set: give the key one way`);

  return {
    mode,
    host,
    ports,
    subgraphUrls,
    gatewayUrl,
    stores,
    embeddedStore: {
      port: parsePort(env, ENV.embeddedStorePort, 27018),
      dataDir: path.resolve(PROJECT_ROOT, read(env, ENV.embeddedStoreDir) ?? '.data/ferretdb'),
      binary: path.join(PROJECT_ROOT, '.tools/bin/ferretdb'),
      backend: oneOf(env, ENV.embeddedStoreBackend, EMBEDDED_BACKENDS, 'postgresql'),
      postgresBinDir: read(env, ENV.postgresBinDir) ?? '/usr/lib/postgresql/15/bin',
    },
    seedScale: Number(scaleRaw),
    pseudonymKey: pseudonymKey ?? (mode === 'development' && pseudonymKeyFile === null ? DEV_PSEUDONYM_KEY : null),
    pseudonymKeyFile,
    supergraphPath: path.resolve(PROJECT_ROOT, read(env, ENV.supergraphPath) ?? 'schema/supergraph.graphql'),
    auth: {
      issuer: read(env, ENV.jwtIssuer) ?? 'linkage-dev-issuer',
      audience: read(env, ENV.jwtAudience) ?? 'linkage-graph',
      jwksUrl,
      algorithms,
      jwksTimeoutMs: integer(ENV.jwksTimeoutMs, 3000, 100, 30_000),
      clockToleranceSeconds: integer(ENV.clockTolerance, DEFAULT_CLOCK_TOLERANCE_SECONDS, 0, MAX_CLOCK_TOLERANCE_SECONDS),
      maxTokenLifetimeSeconds: integer(ENV.maxTokenLifetime, 12 * 3600, 60, 7 * 86_400),
      keysDir: path.resolve(PROJECT_ROOT, read(env, ENV.keysDir) ?? '.data/keys'),
      assertionPrivateKeyFile: file(ENV.assertionPrivateKeyFile),
      assertionPublicKeyFile: file(ENV.assertionPublicKeyFile),
    },
    corsOrigins: parseOrigins(env),
    reports: {
      weights: parseBulletinWeights(env),
      chromiumPath: read(env, ENV.reportChromium) ?? '/usr/bin/chromium',
      renderTimeoutMs: positive(ENV.reportRenderTimeoutMs, 30_000, 300_000),
      maxRenders: positive(ENV.reportMaxRenders, 2, 16),
    },
    districtTimeZone: parseTimeZone(env),
    limits: {
      maxDepth: positive(ENV.maxQueryDepth, 12, 100),
      maxAliases: positive(ENV.maxAliases, 30, 1000),
    },
    costLimits: {
      maxCost: parseCost(ENV.maxQueryCost, read(env, ENV.maxQueryCost) ?? '20000'),
      maxCostByOrg: parseCostByOrg(env),
    },
    persistedOperations: {
      file: file(ENV.persistedOperationsFile),
      safelistedOrgs: (read(env, ENV.safelistedOrgs) ?? 'partner').split(',').map((org) => org.trim()).filter(Boolean),
    },
    rateLimits: {
      perPrincipal: positive(ENV.rateLimitPerPrincipal, 1200, 1_000_000),
      perOrg: positive(ENV.rateLimitPerOrg, 12_000, 10_000_000),
      windowSeconds: positive(ENV.rateLimitWindowSeconds, 60, 3600),
      syncMs: positive(ENV.rateLimitSyncMs, 100, 60_000),
    },
    metrics: {
      enabled: parseBoolean(env, ENV.metricsEnabled, mode === 'development'),
      port: read(env, ENV.metricsPort) === undefined ? null : parsePort(env, ENV.metricsPort, 0),
    },
    logLevel: oneOf(env, ENV.logLevel, LOG_LEVELS, 'info'),
    tracing: { exporter: oneOf(env, ENV.tracesExporter, TRACES_EXPORTERS, 'none') },
    tls,
    timeouts: (() => {
      const subgraphDefault = positive(ENV.subgraphTimeoutMs, 5000, 120_000);
      return {
        subgraph: Object.fromEntries(SUBGRAPH_NAMES.map((name) => [name, positive(ENV.subgraphTimeoutMsOf(name), subgraphDefault, 120_000)])) as Record<SubgraphName, number>,
        request: positive(ENV.requestDeadlineMs, 15_000, 600_000),
        database: positive(ENV.databaseTimeoutMs, 5000, 120_000),
        shutdownGrace: positive(ENV.shutdownGraceSeconds, 10, 600) * 1000,
      };
    })(),
    audit: {
      store: auditUri ? { kind: 'uri', uri: auditUri, database: AUDIT_DATABASE_NAME } : { kind: 'embedded', database: AUDIT_DATABASE_NAME },
      instanceId,
      signingKeyFile: file(ENV.auditSigningKeyFile),
      checkpointRecords: positive(ENV.auditCheckpointRecords, 50, 10_000),
      checkpointSeconds: positive(ENV.auditCheckpointSeconds, 5, 3600),
      majorityWrites: mode === 'production',
    },
  };
}

/**
 * What a single service needs from the environment in production, where nothing may fall back
 * to a development default (no embedded store, no loopback subgraph URLs).
 */
export function requiredVariables(service: ServiceName): string[] {
  const common = [ENV.mode, ENV.host, ENV.port(service)];
  if (service === 'gateway') {
    return [
      ...common,
      ...SUBGRAPH_NAMES.map(ENV.subgraphUrl),
      ENV.jwtIssuer,
      ENV.jwtAudience,
      ENV.jwksUrl,
      ENV.assertionPrivateKeyFile,
      ENV.auditMongodbUri,
      ENV.auditSigningKeyFile,
    ];
  }
  return [...common, ENV.subgraphMongodbUri(service), ENV.assertionPublicKeyFile, ENV.auditSigningKeyFile];
}

/** Checks a production service's environment: every required variable present, then parses it. */
export function loadServiceConfig(service: ServiceName, env: Env = process.env): Config {
  const config = loadConfig(env);
  if (config.mode === 'production') {
    for (const name of requiredVariables(service)) {
      // A subgraph may take its store from the shared MONGODB_URI instead of its own variable.
      const fromShared =
        (service !== 'gateway' && name === ENV.subgraphMongodbUri(service) && config.stores[service].kind === 'uri') ||
        (service === 'gateway' && name === ENV.auditMongodbUri && config.audit.store.kind === 'uri');
      const satisfied = read(env, name) !== undefined || fromShared;
      if (!satisfied) throw new ConfigError(name, `is required for ${service} when LINKAGE_ENV=production`);
    }
  }
  return config;
}
