// OpenTelemetry traces (platform/tracing.ts): one request through the gateway is one trace,
// spanning the gateway and every institution it called, with the request id on every span; the
// trace context reaches a subgraph only inside the gateway's signed assertion; OTLP export by
// configuration. Spans are read back with the SDK's in-memory exporter (and, for OTLP, by a
// collector played by an HTTP server here).
import { readFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { SpanKind } from '@opentelemetry/api';
import { SignJWT, decodeJwt, decodeProtectedHeader } from 'jose';
import { InMemorySpanExporter, type ReadableSpan } from '@opentelemetry/sdk-trace-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ASSERTION_HEADER, assertionSigningKey, signAssertion } from '../auth/index.js';
import { ConfigError, PROJECT_ROOT, loadConfig } from '../config/index.js';
import { REQUEST_ID_ATTRIBUTE, configureLogs, startTracing, type Tracing } from '../platform/index.js';
import { callerHeaders, principal, sharedTestStack, testConfig, type TestStack } from './support/stack.js';

const DISPUTE_QUERY = readFileSync(path.join(PROJECT_ROOT, 'examples/operations/dispute-through-institutions.graphql'), 'utf8');
const officer = principal('government', ['linkage_officer']);

const scopeOf = (span: ReadableSpan) => span.instrumentationScope.name;
const parentOf = (span: ReadableSpan) => span.parentSpanContext?.spanId;
const idOf = (span: ReadableSpan) => span.spanContext().spanId;

let asked = 0;

/** Posts as the officer and returns the request id the gateway answered with. */
async function askDispute(url: string, extraHeaders: Record<string, string> = {}): Promise<{ requestId: string; body: unknown }> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(await callerHeaders(officer, 'DISPUTE_RESOLUTION')), ...extraHeaders },
    // An operation name of its own each time: the gateway caches query plans by the text, and a
    // plan cached by an earlier file (the same example) would leave no planning span to see.
    body: JSON.stringify({ query: DISPUTE_QUERY.replace('query DisputeThroughInstitutions', `query TracedDispute${(asked += 1)}`), variables: { id: 'DSP-2024-0037' } }),
  });
  const body = (await response.json()) as { errors?: unknown };
  expect(response.status).toBe(200);
  expect(body.errors).toBeUndefined();
  return { requestId: response.headers.get('x-request-id')!, body };
}

/** Spans end after the answer is sent (the server span on `finish`, the log's write after it): wait until the trace's root has ended. */
async function traceOf(exporter: InMemorySpanExporter, requestId: string): Promise<ReadableSpan[]> {
  const until = Date.now() + 5000;
  for (;;) {
    const spans = exporter.getFinishedSpans();
    const root = spans.find((span) => scopeOf(span) === 'linkage-gateway' && span.kind === SpanKind.SERVER && span.attributes[REQUEST_ID_ATTRIBUTE] === requestId);
    if (root) {
      // The subgraphs' server spans end when their answers are sent, before the gateway's: all here by now.
      await new Promise((resolve) => setTimeout(resolve, 100));
      return exporter.getFinishedSpans().filter((span) => span.spanContext().traceId === root.spanContext().traceId);
    }
    if (Date.now() > until) throw new Error(`no trace for request ${requestId}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe('a trace per request, across the services (in-memory exporter)', () => {
  let stack: TestStack;
  let tracing: Tracing;
  const exporter = new InMemorySpanExporter();

  beforeAll(async () => {
    stack = await sharedTestStack();
    tracing = startTracing({ serviceName: 'linkage-test', exporter });
  });
  afterAll(async () => {
    await tracing?.shutdown();
  });

  it('one request is one trace, rooted at the gateway, holding each institution it touched, the plan, each fetch, the rules, the store commands and the log writes', async () => {
    exporter.reset();
    const { requestId } = await askDispute(stack.gateway!.url);
    const spans = await traceOf(exporter, requestId);

    // One root: the gateway's server span for the request.
    const roots = spans.filter((span) => parentOf(span) === undefined);
    expect(roots.map((span) => [scopeOf(span), span.name, span.kind])).toEqual([['linkage-gateway', 'POST /graphql', SpanKind.SERVER]]);
    expect(roots[0]!.attributes).toMatchObject({ 'http.request.method': 'POST', 'http.route': '/graphql', 'http.response.status_code': 200, [REQUEST_ID_ATTRIBUTE]: requestId });
    // Every span has a parent in the trace (nothing dangling), and carries the request id.
    const ids = new Set(spans.map(idOf));
    for (const span of spans) {
      if (span !== roots[0]) expect(ids.has(parentOf(span)!), `${scopeOf(span)} ${span.name}: parent in the trace`).toBe(true);
      expect(span.attributes[REQUEST_ID_ATTRIBUTE], `${scopeOf(span)} ${span.name}: request id`).toBe(requestId);
    }

    // The services it touched: the gateway and all three institutions, each as a server span.
    const servers = spans.filter((span) => span.kind === SpanKind.SERVER);
    expect(new Set(servers.map(scopeOf))).toEqual(new Set(['linkage-gateway', 'linkage-government', 'linkage-court', 'linkage-procuratorate']));

    // Apollo Gateway's validation, planning and fetches, under the request.
    const apollo = spans.filter((span) => scopeOf(span) === 'apollo/gateway-js');
    const named = (name: string) => apollo.filter((span) => span.name === name);
    expect(named('gateway.request')).toHaveLength(1);
    expect(parentOf(named('gateway.request')[0]!)).toBe(idOf(roots[0]!));
    expect(named('gateway.validate')).toHaveLength(1);
    expect(named('gateway.plan')).toHaveLength(1);
    const fetches = named('gateway.fetch');
    expect(new Set(fetches.map((span) => span.attributes.service))).toEqual(new Set(['government', 'court', 'procuratorate']));

    // Each subgraph's server span is the child of a fetch from the gateway to that very subgraph.
    for (const server of servers.filter((span) => scopeOf(span) !== 'linkage-gateway')) {
      const fetch = fetches.find((span) => idOf(span) === parentOf(server));
      expect(fetch, `${scopeOf(server)}: parent is a gateway fetch`).toBeDefined();
      expect(`linkage-${String(fetch!.attributes.service)}`).toBe(scopeOf(server));
      expect(server.attributes).toMatchObject({ 'linkage.subgraph': fetch!.attributes.service, 'http.response.status_code': 200 });
    }

    // The owners' sharing rules: a decision per field asked, each under its institution's request.
    const rules = spans.filter((span) => span.name.startsWith('rule '));
    expect(rules.find((span) => span.name === 'rule Dispute.title')?.attributes).toMatchObject({ 'linkage.rule.coordinate': 'Dispute.title', 'linkage.rule.verdict': 'SHARED' });
    for (const rule of rules) {
      const server = servers.find((span) => idOf(span) === parentOf(rule));
      expect(server && scopeOf(server), rule.name).toBe(scopeOf(rule));
    }
    expect(new Set(rules.map(scopeOf))).toEqual(new Set(['linkage-government', 'linkage-court', 'linkage-procuratorate']));

    // The store's commands (names and collections only), inside the institutions' requests.
    const commands = spans.filter((span) => scopeOf(span) === 'linkage-store');
    expect(commands.some((span) => span.name === 'mongodb find' && span.attributes['db.collection.name'] === 'disputes')).toBe(true);
    expect(commands.some((span) => span.name === 'mongodb find' && span.attributes['db.collection.name'] === 'adminCases')).toBe(true);
    for (const command of commands) expect(Object.keys(command.attributes).sort()).toEqual(expect.arrayContaining(['db.namespace', 'db.operation.name', 'db.system.name']));
    expect(JSON.stringify(commands.map((span) => span.attributes))).not.toContain('DSP-2024-0037');

    // The logs' writes: the gateway's access log and each institution's disclosure log.
    const writes = spans.filter((span) => scopeOf(span) === 'linkage-audit');
    expect(new Set(writes.map((span) => `${span.name} ${String(span.attributes['linkage.log'])} ${String(span.attributes['linkage.chain']).split('/')[0]}`))).toEqual(
      new Set(['log append access gateway', 'log append disclosure government', 'log append disclosure court', 'log append disclosure procuratorate']),
    );
  });

  it('keeps concurrent requests apart: each its own trace, every span with its own request id, none from a shared log batch', async () => {
    exporter.reset();
    // Eight at once: their access records share the writer's batches, which belong to no request.
    const asked = await Promise.all(Array.from({ length: 8 }, () => askDispute(stack.gateway!.url)));
    const traces = await Promise.all(asked.map(({ requestId }) => traceOf(exporter, requestId)));
    expect(new Set(traces.map((spans) => spans[0]!.spanContext().traceId)).size).toBe(8);
    traces.forEach((spans, i) => {
      expect(new Set(spans.map((span) => span.attributes[REQUEST_ID_ATTRIBUTE]))).toEqual(new Set([asked[i]!.requestId]));
      expect(spans.filter((span) => parentOf(span) === undefined)).toHaveLength(1);
      // One access-log append under each request; its batch's insert is under none of them.
      expect(spans.filter((span) => span.name === 'log append' && span.attributes['linkage.log'] === 'access')).toHaveLength(1);
      expect(spans.filter((span) => scopeOf(span) === 'linkage-store' && span.attributes['db.collection.name'] === 'accessRecords')).toEqual([]);
    });
  });

  it("puts the trace's id on each service's request log line, to go from a slow request's line to its trace", async () => {
    exporter.reset();
    const lines: Record<string, unknown>[] = [];
    const previous = configureLogs({ level: 'info', destination: { write: (line) => void lines.push(JSON.parse(line) as Record<string, unknown>) } });
    let requestId: string;
    try {
      ({ requestId } = await askDispute(stack.gateway!.url));
    } finally {
      configureLogs(previous);
    }
    const spans = await traceOf(exporter, requestId);
    const traceId = spans[0]!.spanContext().traceId;
    const requestLines = lines.filter((line) => line.msg === 'request' && line.requestId === requestId);
    expect(new Set(requestLines.map((line) => line.service))).toEqual(new Set(['gateway', 'government', 'court', 'procuratorate']));
    expect(requestLines.map((line) => line.traceId)).toEqual(requestLines.map(() => traceId));
  });

  it("starts a new trace at the gateway whatever traceparent a client sends, and a subgraph trusts only the one inside the assertion", async () => {
    exporter.reset();
    const clientTrace = '0af7651916cd43dd8448eb211c80319c';
    const { requestId } = await askDispute(stack.gateway!.url, { traceparent: `00-${clientTrace}-b7ad6b7169203331-01` });
    const spans = await traceOf(exporter, requestId);
    expect(spans.every((span) => span.spanContext().traceId !== clientTrace)).toBe(true);
    expect(spans.filter((span) => parentOf(span) === undefined)).toHaveLength(1);

    // A call straight to a subgraph with a traceparent header (and a valid assertion without one)
    // does not join the header's trace: its span is a root of its own.
    exporter.reset();
    const court = stack.subgraphs.court!;
    const body = JSON.stringify({ query: '{ adminCases(first: 1) { totalCount } }' });
    const identity = { principal: principal('court', ['judge']), purpose: 'CASE_HANDLING' as const, requestId: 'trace-direct-1' };
    const response = await fetch(court.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', traceparent: `00-${clientTrace}-b7ad6b7169203331-01`, [ASSERTION_HEADER]: await signAssertion(assertionSigningKey(testConfig().auth), 'court', identity, body) },
      body,
    });
    expect(response.status).toBe(200);
    await new Promise((resolve) => setTimeout(resolve, 100));
    const direct = exporter.getFinishedSpans().filter((span) => span.attributes[REQUEST_ID_ATTRIBUTE] === 'trace-direct-1');
    const server = direct.find((span) => span.kind === SpanKind.SERVER)!;
    expect(server && [scopeOf(server), parentOf(server)]).toEqual(['linkage-court', undefined]);
    expect(direct.every((span) => span.spanContext().traceId !== clientTrace)).toBe(true);
  });

  it('refuses an assertion whose trace context is malformed, and never signs one', async () => {
    const key = assertionSigningKey(testConfig().auth);
    const identity = { principal: principal('court', ['judge']), purpose: 'CASE_HANDLING' as const, requestId: 'trace-bad-1' };
    await expect(signAssertion(key, 'court', { ...identity, traceparent: '00-zz-1' }, '{}')).rejects.toThrow('not a W3C traceparent');
    // Signed by the gateway's key but with a `tp` claim that is not a traceparent: refused like any malformed claim.
    const body = JSON.stringify({ query: '{ adminCases(first: 1) { totalCount } }' });
    const valid = await signAssertion(key, 'court', identity, body);
    const malformed = await new SignJWT({ ...decodeJwt(valid), tp: '00-not-a-trace' }).setProtectedHeader(decodeProtectedHeader(valid) as { alg: string }).sign(key);
    const court = (await sharedTestStack()).subgraphs.court!;
    const response = await fetch(court.url, { method: 'POST', headers: { 'content-type': 'application/json', [ASSERTION_HEADER]: malformed }, body });
    expect({ status: response.status, body: await response.json() }).toEqual({ status: 401, body: { errors: [{ message: 'A valid gateway assertion is required', extensions: { code: 'UNAUTHENTICATED' } }] } });
  });
});

describe('OTLP export by configuration', () => {
  it('is off by default; OTEL_TRACES_EXPORTER takes none or otlp and nothing else', () => {
    expect(loadConfig({}).tracing).toEqual({ exporter: 'none' });
    expect(loadConfig({ OTEL_TRACES_EXPORTER: 'otlp' }).tracing).toEqual({ exporter: 'otlp' });
    expect(() => loadConfig({ OTEL_TRACES_EXPORTER: 'jaeger' })).toThrow(ConfigError);
    expect(() => loadConfig({ OTEL_TRACES_EXPORTER: 'jaeger' })).toThrow('OTEL_TRACES_EXPORTER');
  });

  it("sends a request's spans to the collector named by OTEL_EXPORTER_OTLP_TRACES_ENDPOINT, under the process's service name", async () => {
    const stack = await sharedTestStack();
    const received: { path: string; type: string; body: Buffer }[] = [];
    const collector = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        received.push({ path: req.url ?? '', type: req.headers['content-type'] ?? '', body: Buffer.concat(chunks) });
        res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
      });
    });
    await new Promise<void>((resolve) => collector.listen(0, '127.0.0.1', resolve));
    const saved = { endpoint: process.env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT, protocol: process.env.OTEL_EXPORTER_OTLP_TRACES_PROTOCOL };
    process.env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT = `http://127.0.0.1:${(collector.address() as AddressInfo).port}/v1/traces`;
    // JSON, so that this test reads what the collector got without a protobuf decoder.
    process.env.OTEL_EXPORTER_OTLP_TRACES_PROTOCOL = 'http/json';
    const tracing = startTracing({ serviceName: 'linkage-gateway', exporter: 'otlp' });
    try {
      const { requestId } = await askDispute(stack.gateway!.url);
      await new Promise((resolve) => setTimeout(resolve, 200));
      await tracing.shutdown();
      expect(received.length).toBeGreaterThan(0);
      expect(received.every((post) => post.path === '/v1/traces' && post.type.startsWith('application/json'))).toBe(true);
      type OtlpValue = { stringValue?: string };
      type Otlp = { resourceSpans: { resource: { attributes: { key: string; value: OtlpValue }[] }; scopeSpans: { scope: { name: string }; spans: { name: string; traceId: string; attributes: { key: string; value: OtlpValue }[] }[] }[] }[] };
      const batches = received.map((post) => JSON.parse(post.body.toString('utf8')) as Otlp);
      const resources = batches.flatMap((batch) => batch.resourceSpans);
      expect(new Set(resources.map((r) => r.resource.attributes.find((a) => a.key === 'service.name')?.value.stringValue))).toEqual(new Set(['linkage-gateway']));
      const spans = resources.flatMap((r) => r.scopeSpans.flatMap((scope) => scope.spans.map((span) => ({ scope: scope.scope.name, ...span }))));
      const ofRequest = spans.filter((span) => span.attributes.some((a) => a.key === REQUEST_ID_ATTRIBUTE && a.value.stringValue === requestId));
      expect(new Set(ofRequest.map((span) => span.traceId)).size).toBe(1);
      expect(new Set(ofRequest.map((span) => span.scope))).toEqual(new Set(['linkage-gateway', 'apollo/gateway-js', 'linkage-government', 'linkage-court', 'linkage-procuratorate', 'linkage-store', 'linkage-audit']));
    } finally {
      await tracing.shutdown();
      process.env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT = saved.endpoint;
      process.env.OTEL_EXPORTER_OTLP_TRACES_PROTOCOL = saved.protocol;
      if (saved.endpoint === undefined) delete process.env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT;
      if (saved.protocol === undefined) delete process.env.OTEL_EXPORTER_OTLP_TRACES_PROTOCOL;
      await new Promise((resolve) => collector.close(resolve));
    }
  });
});
