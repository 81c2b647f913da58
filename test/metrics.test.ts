// GET /metrics on the gateway and on each subgraph: Prometheus's text format, parsed strictly here,
// with the counts a request leaves — exactly one, under bounded labels only.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';
import { describe, expect, inject, it } from 'vitest';
import { ConfigError, DATABASE_NAMES, loadConfig } from '../config/index.js';
import { startSubgraph } from '../subgraphs/index.js';
import { gatewayMetrics, subgraphDataSource, type GatewayContext } from '../gateway/index.js';
import { createMetricsRegistry, freePort } from '../platform/index.js';
import { demoData } from './support/seed-options.js';
import { callerHeaders, principal, sharedTestStack, testConfig } from './support/stack.js';

interface Family {
  type: string;
  help: string;
}
interface Scrape {
  families: Map<string, Family>;
  /** Each series (`name{a="x",b="y"}`, labels sorted) and its value. */
  samples: Map<string, number>;
}

const NAME = '[a-zA-Z_:][a-zA-Z0-9_:]*';
const LABEL = `[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\\\\\n]|\\\\[\\\\"n])*"`;
const SAMPLE = new RegExp(`^(${NAME})(?:\\{((?:${LABEL})(?:,${LABEL})*)?,?\\})? (\\S+)(?: (-?\\d+))?$`);
/** A float as Go's strconv.ParseFloat reads it, which Prometheus uses: NaN and Inf in any case (prom-client writes `Nan`). */
const VALUE = /^(?:[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?|[+-]?inf(?:inity)?|nan)$/i;
const SUFFIXES: Record<string, string[]> = { counter: [''], gauge: [''], untyped: [''], histogram: ['_bucket', '_sum', '_count'], summary: ['', '_sum', '_count'] };

/**
 * The text exposition format 0.0.4, strictly: every line a comment (# HELP, # TYPE) or a sample
 * `name{label="value",…} value`; every sample of a family declared with both HELP and TYPE before
 * it; no series twice; a histogram's buckets ending at +Inf with its count.
 */
function parsePrometheus(text: string): Scrape {
  const families = new Map<string, Family>();
  const help = new Map<string, string>();
  const samples = new Map<string, number>();
  expect(text.endsWith('\n')).toBe(true);
  for (const line of text.slice(0, -1).split('\n')) {
    if (line === '') continue;
    const comment = /^# (HELP|TYPE) (\S+) (.*)$/.exec(line);
    if (comment) {
      const [, kind, name, rest] = comment as unknown as [string, string, string, string];
      expect(name, line).toMatch(new RegExp(`^${NAME}$`));
      if (kind === 'HELP') {
        expect(help.has(name), `HELP twice: ${name}`).toBe(false);
        help.set(name, rest);
      } else {
        expect(Object.keys(SUFFIXES), line).toContain(rest);
        expect(families.has(name), `TYPE twice: ${name}`).toBe(false);
        expect(help.has(name), `TYPE before HELP: ${name}`).toBe(true);
        families.set(name, { type: rest, help: help.get(name)! });
      }
      continue;
    }
    expect(line.startsWith('#'), `unknown comment: ${line}`).toBe(false);
    const match = SAMPLE.exec(line);
    expect(match, `not a sample line: ${line}`).not.toBeNull();
    const [, name, labelText, value] = match as unknown as [string, string, string | undefined, string];
    expect(value, line).toMatch(VALUE);
    const family = [...families.entries()].find(([base, { type }]) => SUFFIXES[type]!.some((suffix) => `${base}${suffix}` === name));
    expect(family, `a sample of no declared family: ${line}`).toBeDefined();
    const labels = [...(labelText ?? '').matchAll(new RegExp(LABEL, 'g'))].map(([pair]) => pair).sort();
    const key = labels.length ? `${name}{${labels.join(',')}}` : name;
    expect(samples.has(key), `series twice: ${key}`).toBe(false);
    samples.set(key, /^[+-]?inf/i.test(value) ? (value.startsWith('-') ? -Infinity : Infinity) : Number(value));
  }
  for (const [name, { type }] of families) {
    if (type !== 'histogram') continue;
    // Each series of a histogram: its +Inf bucket is its count.
    for (const [key, count] of samples) {
      if (!key.startsWith(`${name}_count`)) continue;
      const labels = key.slice(`${name}_count`.length).replace(/^\{|\}$/g, '');
      const inf = [...labels ? labels.split(/,(?=[a-zA-Z_]+=")/) : [], 'le="+Inf"'].sort().join(',');
      expect(samples.get(`${name}_bucket{${inf}}`), key).toBe(count);
    }
  }
  return { families, samples };
}

const metricsUrl = (graphqlUrl: string) => graphqlUrl.replace(/\/graphql$/, '/metrics');

async function scrape(graphqlUrl: string): Promise<Scrape> {
  const response = await fetch(metricsUrl(graphqlUrl));
  expect(response.status).toBe(200);
  expect(response.headers.get('content-type')).toBe('text/plain; version=0.0.4; charset=utf-8');
  return parsePrometheus(await response.text());
}

/** Each series whose value changed between two scrapes of a family (by the family's sample name), and by how much. */
function deltas(before: Scrape, after: Scrape, sample: string): Record<string, number> {
  const changed: Record<string, number> = {};
  for (const [key, value] of after.samples) {
    if (key !== sample && !key.startsWith(`${sample}{`)) continue;
    const delta = value - (before.samples.get(key) ?? 0);
    if (delta !== 0) changed[key] = delta;
  }
  return changed;
}

async function post(url: string, query: string, headers: Record<string, string>) {
  const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify({ query }) });
  return { status: response.status, requestId: response.headers.get('x-request-id'), body: (await response.json()) as { data?: unknown; errors?: unknown[] } };
}

const GATEWAY_FAMILIES = {
  linkage_requests_total: 'counter',
  linkage_request_duration_seconds: 'histogram',
  linkage_denials_total: 'counter',
  linkage_subgraph_fetch_duration_seconds: 'histogram',
  linkage_subgraph_fetch_errors_total: 'counter',
  linkage_access_log_queue_depth: 'gauge',
  linkage_access_log_batch_size: 'histogram',
  linkage_access_log_write_duration_seconds: 'histogram',
  linkage_access_log_failed_batches_total: 'counter',
  linkage_access_log_checkpoint_lag: 'gauge',
  linkage_db_command_duration_seconds: 'histogram',
};
const SUBGRAPH_FAMILIES = {
  linkage_requests_total: 'counter',
  linkage_disclosure_log_queue_depth: 'gauge',
  linkage_disclosure_log_batch_size: 'histogram',
  linkage_disclosure_log_write_duration_seconds: 'histogram',
  linkage_disclosure_log_failed_batches_total: 'counter',
  linkage_disclosure_log_checkpoint_lag: 'gauge',
  linkage_db_command_duration_seconds: 'histogram',
};
const ownFamilies = (scraped: Scrape) =>
  Object.fromEntries([...scraped.families].filter(([name]) => name.startsWith('linkage_')).map(([name, { type }]) => [name, type]));

describe('GET /metrics', () => {
  const judge = principal('court', ['judge']);
  const caseQuery = () => `{ adminCase(id: "${demoData().showcase.adminCaseId}") { caseNumber } }`;

  it("parses as Prometheus text, each service with its own registry's metrics", async () => {
    const stack = await sharedTestStack();
    expect(ownFamilies(await scrape(stack.gateway!.url))).toEqual(GATEWAY_FAMILIES);
    for (const subgraph of Object.values(stack.subgraphs)) expect(ownFamilies(await scrape(subgraph.url))).toEqual(SUBGRAPH_FAMILIES);
    // Node's process metrics come with each registry.
    expect((await scrape(stack.gateway!.url)).families.get('process_cpu_user_seconds_total')?.type).toBe('counter');
  });

  it('counts a served request exactly once: at the gateway by outcome, org and purpose, its subgraph call, its log write, and at the subgraph', async () => {
    const stack = await sharedTestStack();
    const [gatewayBefore, courtBefore] = [await scrape(stack.gateway!.url), await scrape(stack.subgraphs.court!.url)];
    const { status, requestId, body } = await post(stack.gateway!.url, caseQuery(), await callerHeaders(judge, 'CASE_HANDLING'));
    expect({ status, body }).toEqual({ status: 200, body: { data: { adminCase: { caseNumber: expect.any(String) } } } });
    const [gatewayAfter, courtAfter] = [await scrape(stack.gateway!.url), await scrape(stack.subgraphs.court!.url)];

    expect(deltas(gatewayBefore, gatewayAfter, 'linkage_requests_total')).toEqual({ 'linkage_requests_total{org="court",outcome="SERVED",purpose="CASE_HANDLING"}': 1 });
    expect(deltas(gatewayBefore, gatewayAfter, 'linkage_request_duration_seconds_count')).toEqual({ 'linkage_request_duration_seconds_count{outcome="SERVED"}': 1 });
    expect(deltas(gatewayBefore, gatewayAfter, 'linkage_subgraph_fetch_duration_seconds_count')).toEqual({ 'linkage_subgraph_fetch_duration_seconds_count{subgraph="court"}': 1 });
    expect(deltas(gatewayBefore, gatewayAfter, 'linkage_subgraph_fetch_errors_total')).toEqual({});
    expect(deltas(gatewayBefore, gatewayAfter, 'linkage_denials_total')).toEqual({});
    // The request's one access record went in one batch of one.
    expect(deltas(gatewayBefore, gatewayAfter, 'linkage_access_log_batch_size_count')).toEqual({ linkage_access_log_batch_size_count: 1 });
    expect(deltas(gatewayBefore, gatewayAfter, 'linkage_access_log_batch_size_sum')).toEqual({ linkage_access_log_batch_size_sum: 1 });
    expect(deltas(gatewayBefore, gatewayAfter, 'linkage_access_log_write_duration_seconds_count')).toEqual({ 'linkage_access_log_write_duration_seconds_count{result="written"}': 1 });
    expect(gatewayAfter.samples.get('linkage_access_log_queue_depth')).toBe(0);
    // Records written, less those a checkpoint signed: below the checkpoint interval (5 in tests).
    expect(gatewayAfter.samples.get('linkage_access_log_checkpoint_lag')).toBeGreaterThanOrEqual(0);
    expect(gatewayAfter.samples.get('linkage_access_log_checkpoint_lag')).toBeLessThan(testConfig().audit.checkpointRecords);
    // The gateway wrote its record: an insert into its store, timed.
    expect(deltas(gatewayBefore, gatewayAfter, 'linkage_db_command_duration_seconds_count')['linkage_db_command_duration_seconds_count{command="insert",result="succeeded"}']).toBeGreaterThanOrEqual(1);

    // The court answered one call, read the case and logged its disclosure.
    expect(deltas(courtBefore, courtAfter, 'linkage_requests_total')).toEqual({ 'linkage_requests_total{org="court",outcome="SERVED",purpose="CASE_HANDLING"}': 1 });
    expect(deltas(courtBefore, courtAfter, 'linkage_disclosure_log_batch_size_count')).toEqual({ linkage_disclosure_log_batch_size_count: 1 });
    const courtCommands = deltas(courtBefore, courtAfter, 'linkage_db_command_duration_seconds_count');
    expect(courtCommands['linkage_db_command_duration_seconds_count{command="find",result="succeeded"}']).toBeGreaterThanOrEqual(1);
    expect(courtCommands['linkage_db_command_duration_seconds_count{command="insert",result="succeeded"}']).toBeGreaterThanOrEqual(1);

    // No caller id, request id or operation text in any label.
    const text = await (await fetch(metricsUrl(stack.gateway!.url))).text();
    for (const secret of [judge.sub, judge.name, requestId!, 'adminCase', demoData().showcase.adminCaseId]) expect(text).not.toContain(secret);
  });

  it('counts a withheld field by its denial reason, and the request as PARTIAL', async () => {
    const stack = await sharedTestStack();
    const before = await scrape(stack.gateway!.url);
    const { body } = await post(
      stack.gateway!.url,
      `{ adminCase(id: "${demoData().showcase.adminCaseId}") { caseNumber secret: deliberationNotes } }`,
      await callerHeaders(principal('procuratorate', ['prosecutor']), 'SUPERVISION'),
    );
    expect(body.errors).toEqual([expect.objectContaining({ path: ['adminCase', 'secret'], extensions: expect.objectContaining({ code: 'FORBIDDEN', reason: 'OWNER_ONLY' }) })]);
    const after = await scrape(stack.gateway!.url);
    expect(deltas(before, after, 'linkage_denials_total')).toEqual({ 'linkage_denials_total{reason="OWNER_ONLY"}': 1 });
    expect(deltas(before, after, 'linkage_requests_total')).toEqual({ 'linkage_requests_total{org="procuratorate",outcome="PARTIAL",purpose="SUPERVISION"}': 1 });
  });

  it("counts a request refused before GraphQL, with what a client sent kept out of the labels", async () => {
    const stack = await sharedTestStack();
    const before = await scrape(stack.gateway!.url);
    const invented = 'PURPOSE-OF-MY-OWN-4711';
    const { status } = await post(stack.gateway!.url, caseQuery(), { 'x-purpose': invented });
    expect(status).toBe(401);
    const after = await scrape(stack.gateway!.url);
    expect(deltas(before, after, 'linkage_requests_total')).toEqual({ 'linkage_requests_total{org="none",outcome="REJECTED",purpose="other"}': 1 });
    expect(deltas(before, after, 'linkage_subgraph_fetch_duration_seconds_count')).toEqual({});
    expect(await (await fetch(metricsUrl(stack.gateway!.url))).text()).not.toContain(invented);

    // A subgraph refuses a call without the gateway's assertion, and counts it.
    const courtBefore = await scrape(stack.subgraphs.court!.url);
    expect((await post(stack.subgraphs.court!.url, caseQuery(), {})).status).toBe(401);
    expect(deltas(courtBefore, await scrape(stack.subgraphs.court!.url), 'linkage_requests_total')).toEqual({ 'linkage_requests_total{org="none",outcome="REJECTED",purpose="none"}': 1 });
  });

  it('is not a request: a scrape is neither logged nor counted, and only GET is answered', async () => {
    const stack = await sharedTestStack();
    const first = await scrape(stack.gateway!.url);
    const second = await scrape(stack.gateway!.url);
    expect(deltas(first, second, 'linkage_requests_total')).toEqual({});
    expect(deltas(first, second, 'linkage_access_log_batch_size_count')).toEqual({});
    for (const method of ['POST', 'PUT', 'DELETE', 'HEAD']) {
      const response = await fetch(metricsUrl(stack.gateway!.url), { method });
      expect({ method, status: response.status, allow: response.headers.get('allow') }).toEqual({ method, status: 405, allow: 'GET' });
    }
    const court = await fetch(metricsUrl(stack.subgraphs.court!.url), { method: 'POST' });
    expect(court.status).toBe(405);
  });
});

describe("the gateway's subgraph calls", () => {
  const context = (signal = new AbortController().signal): GatewayContext => ({
    requestId: 'metrics-test',
    identity: null,
    subgraphsCalled: new Set(),
    logHeads: [],
    signal,
    startedAt: performance.now(),
  });

  it('counts each failed call by subgraph and code, and times it', async () => {
    const registry = createMetricsRegistry();
    const metrics = gatewayMetrics(registry);
    // A subgraph that answers 500, one whose port nobody listens on, and one that never answers before the request's deadline.
    const failing = http.createServer((_req, res) => res.writeHead(500).end());
    const silent = http.createServer(() => {});
    await Promise.all([failing, silent].map((server) => new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))));
    const url = (server: http.Server) => `http://127.0.0.1:${(server.address() as AddressInfo).port}/graphql`;
    try {
      const call = (subgraph: string, target: string, signal?: AbortSignal) =>
        subgraphDataSource(subgraph, target, [], 5000, metrics.subgraphFetch).read('{ __typename }', {}, context(signal)).then(
          () => 'answered',
          (error: Error & { extensions?: { code?: string } }) => error.extensions?.code ?? error.name,
        );
      expect(await call('court', url(failing))).toBe('SubgraphHttpError');
      expect(await call('government', `http://127.0.0.1:${await freePort()}/graphql`)).toBe('SUBGRAPH_UNAVAILABLE');
      expect(await call('procuratorate', url(silent), AbortSignal.timeout(50))).toBe('DEADLINE_EXCEEDED');
    } finally {
      silent.closeAllConnections();
      await Promise.all([failing, silent].map((server) => new Promise((resolve) => server.close(resolve))));
    }
    const { samples } = parsePrometheus(await registry.metrics());
    const series = (name: string) => Object.fromEntries([...samples].filter(([key]) => key.startsWith(`${name}{`)));
    expect(series('linkage_subgraph_fetch_errors_total')).toEqual({
      'linkage_subgraph_fetch_errors_total{code="HTTP_5XX",subgraph="court"}': 1,
      'linkage_subgraph_fetch_errors_total{code="SUBGRAPH_UNAVAILABLE",subgraph="government"}': 1,
      'linkage_subgraph_fetch_errors_total{code="DEADLINE_EXCEEDED",subgraph="procuratorate"}': 1,
    });
    expect(series('linkage_subgraph_fetch_duration_seconds_count')).toEqual({
      'linkage_subgraph_fetch_duration_seconds_count{subgraph="court"}': 1,
      'linkage_subgraph_fetch_duration_seconds_count{subgraph="government"}': 1,
      'linkage_subgraph_fetch_duration_seconds_count{subgraph="procuratorate"}': 1,
    });
  });
});

describe('the test\'s Prometheus parser', () => {
  it('refuses what Prometheus would not read', () => {
    const declared = '# HELP x_total An x\n# TYPE x_total counter\n';
    expect(parsePrometheus(`${declared}x_total{a="b\\"c"} 1\n`).samples).toEqual(new Map([['x_total{a="b\\"c"}', 1]]));
    for (const text of [
      'x_total 1\n', // no HELP, no TYPE
      '# TYPE x_total counter\nx_total 1\n', // no HELP
      `${declared}x_total{a=b} 1\n`, // an unquoted label value
      `${declared}x_total one\n`, // not a number
      `${declared}x_total 1\nx_total 2\n`, // a series twice
      `${declared}y_total 1\n`, // a sample of no declared family
      `${declared}x_total 1`, // no final newline
    ]) {
      expect(() => parsePrometheus(text), JSON.stringify(text)).toThrow();
    }
  });
});

describe('METRICS_ENABLED', () => {
  it('defaults to on in development and off in production; anything but true or false stops start-up', () => {
    expect(loadConfig({}).metrics).toEqual({ enabled: true, port: null });
    expect(loadConfig({ LINKAGE_ENV: 'production' }).metrics).toEqual({ enabled: false, port: null });
    expect(loadConfig({ LINKAGE_ENV: 'production', METRICS_ENABLED: 'true' }).metrics).toEqual({ enabled: true, port: null });
    expect(loadConfig({ METRICS_ENABLED: 'false' }).metrics).toEqual({ enabled: false, port: null });
    expect(() => loadConfig({ METRICS_ENABLED: 'yes' })).toThrow(new ConfigError('METRICS_ENABLED', 'must be "true" or "false", got "yes"'));
  });
});

describe('METRICS_PORT', () => {
  it('serves /metrics on a listener of its own and nowhere else: not on the service port, and nothing but /metrics there', async () => {
    expect(loadConfig({ METRICS_PORT: '9464' }).metrics).toEqual({ enabled: true, port: 9464 });
    expect(() => loadConfig({ METRICS_PORT: '99999' })).toThrow(new ConfigError('METRICS_PORT', 'must be a port number 0-65535, got "99999"'));
    const metricsPort = await freePort();
    const config = loadConfig({ KEYS_DIR: inject('keysDir'), AUDIT_CHECKPOINT_RECORDS: '5', METRICS_PORT: String(metricsPort) });
    const court = await startSubgraph('court', { config, store: { uri: inject('mongoUri'), database: DATABASE_NAMES.court }, listen: { host: '127.0.0.1', port: 0 } });
    try {
      const onService = await fetch(new URL('/metrics', court.url));
      expect(onService.status).toBe(404);
      await onService.body?.cancel();
      const scrape = await fetch(`http://127.0.0.1:${metricsPort}/metrics`);
      expect([scrape.status, scrape.headers.get('content-type')]).toEqual([200, 'text/plain; version=0.0.4; charset=utf-8']);
      expect(parsePrometheus(await scrape.text()).families.has('linkage_requests_total')).toBe(true);
      for (const other of ['/graphql', '/health', '/ready']) {
        const response = await fetch(`http://127.0.0.1:${metricsPort}${other}`);
        expect([other, response.status]).toEqual([other, 404]);
        await response.body?.cancel();
      }
    } finally {
      await court.stop();
    }
    // Once stopped, its metrics listener is closed too.
    await expect(fetch(`http://127.0.0.1:${metricsPort}/metrics`)).rejects.toThrow();
  });
});
