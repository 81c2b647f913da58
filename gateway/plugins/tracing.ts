// Each request to the gateway is the root of its own trace (platform/tracing.ts): a server span
// around everything that follows — authentication, the access log, Apollo Gateway's validation,
// planning and subgraph fetches — carrying the request id. A client's `traceparent` is not
// continued: trace ids and sampling are the operator's, and the subgraphs see only the context
// the gateway signs (plugins/subgraph-assertion.ts).
import { ROOT_CONTEXT } from '@opentelemetry/api';
import { routeOf, serveInSpan, tracerOf } from '../../platform/index.js';
import type { GatewayPlugin } from '../plugin.js';

export function useTracing(): GatewayPlugin {
  const tracer = tracerOf('gateway');
  return {
    name: 'tracing',
    onArrival(req, res, next) {
      // The route, never the path a client typed (bounded, and nothing of theirs in the trace).
      const route = routeOf(req);
      serveInSpan(tracer, `${req.method} ${route}`, ROOT_CONTEXT, res.locals.requestId, { 'http.request.method': req.method, 'http.route': route }, req, res, next);
    },
  };
}
