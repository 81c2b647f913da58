// OpenTelemetry traces: one trace per request across the gateway and the subgraphs it calls.
// The services only use the API (`@opentelemetry/api`), which does nothing until a process starts
// tracing (startTracing: OTEL_TRACES_EXPORTER=otlp, or a test's in-memory exporter). Spans:
// each service's request (a server span), the gateway's validation, planning and each subgraph
// fetch (Apollo Gateway's own spans), each sharing-rule decision, each store command, each log
// write; every span carries the request id. The trace context crosses to a subgraph inside the
// gateway's signed assertion (auth/assertion.ts), never from a client: the gateway starts a new
// trace for each request whatever `traceparent` a client sends.
import type { IncomingMessage, ServerResponse } from 'node:http';
import {
  ProxyTracerProvider,
  ROOT_CONTEXT,
  SpanKind,
  SpanStatusCode,
  context,
  createContextKey,
  propagation,
  trace,
  type Attributes,
  type Context,
  type Span,
  type Tracer,
  type TracerOptions,
  type TracerProvider,
} from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BatchSpanProcessor, NodeTracerProvider, SimpleSpanProcessor, type SpanExporter, type SpanProcessor } from '@opentelemetry/sdk-trace-node';
import type { MongoClient } from 'mongodb';

/** The attribute every span of a request carries: the request's id (as in `x-request-id` and the access log). */
export const REQUEST_ID_ATTRIBUTE = 'linkage.request_id';

const REQUEST_ID = createContextKey('linkage request id');

/** The tracer of one service's own spans (its instrumentation scope names the service). */
export function tracerOf(service: string): Tracer {
  return trace.getTracer(`linkage-${service}`);
}

/** Stamps each span with the request id its parent context holds. */
class RequestIdProcessor implements SpanProcessor {
  onStart(span: Span, parent: Context): void {
    const requestId = parent.getValue(REQUEST_ID);
    if (typeof requestId === 'string') span.setAttribute(REQUEST_ID_ATTRIBUTE, requestId);
  }
  onEnd(): void {}
  forceFlush(): Promise<void> {
    return Promise.resolve();
  }
  shutdown(): Promise<void> {
    return Promise.resolve();
  }
}

export interface TracingOptions {
  /** The process's `service.name` (linkage-gateway, linkage-court, or linkage when one process runs them all). */
  serviceName: string;
  /**
   * Where spans go: 'otlp' sends them in batches to OTEL_EXPORTER_OTLP_TRACES_ENDPOINT (or
   * OTEL_EXPORTER_OTLP_ENDPOINT + /v1/traces), read by the exporter itself; an exporter object
   * (a test's in-memory one) gets each span as it ends.
   */
  exporter: 'otlp' | SpanExporter;
}

export interface Tracing {
  /** Sends what is buffered and stops tracing in this process. */
  shutdown(): Promise<void>;
}

let tracingOn = false;

/** Whether the work running now belongs to a traced request (spans are made only there). */
const inTracedRequest = () => tracingOn && trace.getSpan(context.active()) !== undefined;

/**
 * The process's tracer provider, registered once: its tracers send each span to the SDK provider
 * of the tracing started now, or nowhere. (The API's own proxy keeps the first tracer it was given
 * for good — Apollo Gateway's, a service's — so a provider registered directly could be replaced
 * only by restarting the process; a test starts and stops tracing more than once.)
 */
class CurrentTracerProvider implements TracerProvider {
  current: NodeTracerProvider | null = null;
  private readonly none = new ProxyTracerProvider().getTracer('none');

  getTracer(name: string, version?: string, options?: TracerOptions): Tracer {
    const of = () => this.current?.getTracer(name, version, options) ?? this.none;
    return {
      startSpan: (spanName, spanOptions, parent) => of().startSpan(spanName, spanOptions, parent),
      startActiveSpan: ((...args: Parameters<Tracer['startActiveSpan']>) => (of().startActiveSpan as (...a: unknown[]) => unknown)(...args)) as Tracer['startActiveSpan'],
    };
  }
}

const currentProvider = new CurrentTracerProvider();
let registered = false;

/**
 * Starts tracing in this process (one at a time): the span processor and exporter, the context
 * kept across awaits (AsyncLocalStorage), W3C trace context for the assertion's `traceparent`.
 */
export function startTracing(options: TracingOptions): Tracing {
  if (tracingOn) throw new Error('tracing is already started in this process');
  const exporter = options.exporter === 'otlp' ? new OTLPTraceExporter() : options.exporter;
  const provider = new NodeTracerProvider({
    resource: resourceFromAttributes({ 'service.name': options.serviceName }),
    // An attribute a client could make long (Apollo's operation name) is cut: spans leave the host.
    spanLimits: { attributeValueLengthLimit: 256 },
    spanProcessors: [new RequestIdProcessor(), options.exporter === 'otlp' ? new BatchSpanProcessor(exporter) : new SimpleSpanProcessor(exporter)],
  });
  if (!registered) registered = trace.setGlobalTracerProvider(currentProvider);
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  propagation.setGlobalPropagator(new W3CTraceContextPropagator());
  currentProvider.current = provider;
  tracingOn = true;
  return {
    async shutdown() {
      if (currentProvider.current !== provider) return;
      currentProvider.current = null;
      tracingOn = false;
      await provider.shutdown();
      propagation.disable();
      context.disable();
    },
  };
}

/** The active trace context as a W3C `traceparent` (undefined when nothing is traced). */
export function currentTraceparent(): string | undefined {
  const carrier: Record<string, string> = {};
  propagation.inject(context.active(), carrier);
  return carrier.traceparent;
}

const TRACEPARENT = /^00-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}$/;

/** Whether `value` is a W3C traceparent of the one version there is (checked before it is signed or read). */
export function isTraceparent(value: unknown): value is string {
  return typeof value === 'string' && TRACEPARENT.test(value);
}

/** The context a trace continues from: the caller's `traceparent` (verified by the caller), or a new trace. */
export function traceContextOf(traceparent: string | undefined): Context {
  return traceparent ? propagation.extract(ROOT_CONTEXT, { traceparent }) : ROOT_CONTEXT;
}

/**
 * Runs the rest of an HTTP request (`next`) inside a server span, child of `parent`, that ends
 * when the answer is sent (or the connection closes). The request's streams are bound to the
 * span's context, so that what runs on their events (the body read) stays in the trace.
 */
export function serveInSpan(
  tracer: Tracer,
  name: string,
  parent: Context,
  requestId: string | undefined,
  attributes: Attributes,
  req: IncomingMessage,
  res: ServerResponse & { locals?: Express.Locals },
  next: () => void,
): void {
  if (!tracingOn) return next();
  const withId = requestId ? parent.setValue(REQUEST_ID, requestId) : parent;
  const span = tracer.startSpan(name, { kind: SpanKind.SERVER, attributes }, withId);
  const active = trace.setSpan(withId, span);
  if (res.locals) res.locals.traceId = span.spanContext().traceId;
  let ended = false;
  const end = () => {
    if (ended) return;
    ended = true;
    // A client gone before any answer was sent has no status (Node's default 200 is not one).
    if (res.headersSent) span.setAttribute('http.response.status_code', res.statusCode);
    if (!res.headersSent || res.statusCode >= 500) span.setStatus({ code: SpanStatusCode.ERROR, ...(res.headersSent ? {} : { message: 'no answer sent' }) });
    span.end();
  };
  res.once('finish', end);
  res.once('close', end);
  context.bind(active, req);
  context.bind(active, res);
  context.with(active, next);
}

/** Runs `work` in a span of its own under the active one; a failure marks the span (its message only). */
export async function inSpan<T>(tracer: Tracer, name: string, attributes: Attributes, work: () => Promise<T>): Promise<T> {
  // Only inside a traced request: work outside one (a background write) makes no trace of its own.
  if (!inTracedRequest()) return work();
  return tracer.startActiveSpan(name, { attributes }, async (span) => {
    try {
      return await work();
    } catch (error) {
      span.setStatus({ code: SpanStatusCode.ERROR, message: error instanceof Error ? error.name : 'error' });
      throw error;
    } finally {
      span.end();
    }
  });
}

/** Notes a decision taken synchronously (a sharing rule) as a span of no duration under the active one. */
export function noteSpan(tracer: Tracer, name: string, attributes: Attributes): void {
  if (!inTracedRequest()) return;
  tracer.startSpan(name, { attributes }).end();
}

/**
 * A span for each store command issued inside a traced request, from the driver's command events
 * (which it emits in the caller's async context). Names, database and collection only: never the
 * command's body, which can hold personal data.
 */
export function traceCommands(client: MongoClient): void {
  const tracer = trace.getTracer('linkage-store');
  const open = new Map<number, Span>();
  client.on('commandStarted', (event) => {
    if (!inTracedRequest()) return;
    // A command whose end never came (a client closed mid-command) is forgotten, not kept forever.
    if (open.size >= 10_000) open.clear();
    const collection = (event.command as Record<string, unknown>)[event.commandName];
    open.set(
      event.requestId,
      tracer.startSpan(`mongodb ${event.commandName}`, {
        kind: SpanKind.CLIENT,
        attributes: {
          'db.system.name': 'mongodb',
          'db.operation.name': event.commandName,
          'db.namespace': event.databaseName,
          ...(typeof collection === 'string' ? { 'db.collection.name': collection } : {}),
        },
      }),
    );
  });
  const end = (requestId: number, failed: boolean) => {
    const span = open.get(requestId);
    if (!span) return;
    open.delete(requestId);
    if (failed) span.setStatus({ code: SpanStatusCode.ERROR });
    span.end();
  };
  client.on('commandSucceeded', (event) => end(event.requestId, false));
  client.on('commandFailed', (event) => end(event.requestId, true));
}
