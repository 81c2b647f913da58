// A subgraph's part of a request's trace (platform/tracing.ts): a server span, child of the
// gateway's fetch, continued from the trace context inside the gateway's verified assertion (never
// from a header anyone could set). The sharing rules' decisions, the store's commands and the
// disclosure log's writes nest under it.
import { routeOf, serveInSpan, traceContextOf, tracerOf, type ServicePlugin } from '../../../platform/index.js';
import type { SubgraphContext } from '../context.js';

export function useTracing(options: { subgraph: string }): ServicePlugin<SubgraphContext> {
  const tracer = tracerOf(options.subgraph);
  return {
    name: 'tracing',
    onRequest(req, res, next) {
      const identity = res.locals.identity;
      serveInSpan(tracer, `${options.subgraph} ${req.method} ${routeOf(req)}`, traceContextOf(identity?.traceparent), identity?.requestId, { 'http.request.method': req.method, 'linkage.subgraph': options.subgraph }, req, res, next);
    },
  };
}
