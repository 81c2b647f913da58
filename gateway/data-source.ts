// How the gateway calls a subgraph: the query plan's operation as one JSON body, passed through
// the plugins' `onSubgraphRequest` hooks (which see the exact bytes and the request's context),
// then POSTed. A subgraph's refusal at the HTTP level is the gateway's own failure, never the
// client's: it becomes an internal error, masked before it leaves, and logged for the operator —
// except a 503, the institution unavailable (SUBGRAPH_UNAVAILABLE naming it).
import type { GraphQLDataSource, GraphQLDataSourceProcessOptions } from '@apollo/gateway';
import { performance } from 'node:perf_hooks';
import { GraphQLError } from 'graphql';
import { ErrorCode, logError, secondsSince, serviceLog, type ServiceFetch } from '../platform/index.js';
import type { GatewayContext } from './context.js';
import type { GatewayPlugin, SubgraphCall } from './plugin.js';

type GatewayResponse = Awaited<ReturnType<GraphQLDataSource['process']>>;

export class SubgraphHttpError extends Error {
  constructor(
    subgraph: string,
    readonly status: number,
  ) {
    super(`subgraph ${subgraph} answered HTTP ${status}`);
    this.name = 'SubgraphHttpError';
  }
}

/**
 * An institution that did not answer within its timeout (or refused the connection): its part of
 * the answer is null, with this error naming it; the other institutions' parts are served.
 */
export function subgraphUnavailable(subgraph: string): GraphQLError {
  return new GraphQLError(`The ${subgraph} did not answer; its part of the answer is missing`, {
    extensions: { code: ErrorCode.SUBGRAPH_UNAVAILABLE, institution: subgraph },
  });
}

/**
 * The request stopped while waiting for an institution: its deadline passed (its part is null, the
 * rest served), or its client went away (nobody reads the answer; the access log does).
 */
export function requestStopped(subgraph: string, why: ErrorCode.DEADLINE_EXCEEDED | ErrorCode.CLIENT_CLOSED): GraphQLError {
  const message =
    why === ErrorCode.DEADLINE_EXCEEDED
      ? `The request ran past its deadline while waiting for the ${subgraph}; its part of the answer is missing`
      : `The client went away while waiting for the ${subgraph}`;
  return new GraphQLError(message, { extensions: { code: why, institution: subgraph } });
}

/**
 * `timeoutMs`: how long one call may take (SUBGRAPH_TIMEOUT_MS, per subgraph); the request's own
 * signal (its deadline, or the client gone) cuts it shorter.
 */
export interface SubgraphSource extends GraphQLDataSource<GatewayContext> {
  /** A call of the gateway's own making (not the query plan's), through the same hooks: signed, logged, bounded. */
  read(query: string, variables: Record<string, unknown>, context: GatewayContext): Promise<GatewayResponse>;
}

/** What a data source reports of each call it makes (gateway/metrics.ts). */
export interface SubgraphFetchMetrics {
  /** A call ended (answered or not), after `seconds`. */
  fetched(subgraph: string, seconds: number): void;
  /** A call failed: SUBGRAPH_UNAVAILABLE, DEADLINE_EXCEEDED, CLIENT_CLOSED, or HTTP_4XX / HTTP_5XX (the status class). */
  failed(subgraph: string, code: string): void;
}

/** `send`: how the gateway reaches subgraphs (platform/tls.ts: its TLS trust); default: fetch. */
export function subgraphDataSource(subgraph: string, url: string, plugins: GatewayPlugin[], timeoutMs: number, metrics?: SubgraphFetchMetrics, send: ServiceFetch = fetch): SubgraphSource {
  const hooks = plugins.flatMap((plugin) => (plugin.onSubgraphRequest ? [plugin.onSubgraphRequest] : []));
  const responseHooks = plugins.flatMap((plugin) => (plugin.onSubgraphResponse ? [plugin.onSubgraphResponse] : []));
  // Per request, the answers of this subgraph's calls so far by what they asked. The query planner
  // can ask the same thing twice in one plan (the dispute timeline asks the government for one
  // agency's name along two paths): the second time the first answer serves, parsed again from its
  // text (the gateway merges each answer into its result, so none is shared) and without its
  // extensions, which the plugins read from the first. The owner has recorded that disclosure once
  // already; the access log has recorded the call.
  const answered = new WeakMap<GatewayContext, Map<string, Promise<string>>>();
  return {
    async process(options: GraphQLDataSourceProcessOptions<GatewayContext>): Promise<GatewayResponse> {
      // The supergraph is read from a file: no health checks or schema loading reach subgraphs.
      if (!('incomingRequestContext' in options)) throw new Error(`unexpected ${options.kind} request to ${subgraph}`);
      const { request, context } = options;
      const { query, variables } = request;
      // A write is never answered from an earlier one: each is sent, and its owner decides; and
      // what this subgraph answered before it in the request may have changed, so it is forgotten.
      if (query?.startsWith('mutation')) {
        answered.delete(context);
        return (await callSubgraph(request, context)).result;
      }
      // The planner names each fetch (`Timeline__government__4`); the name is not what is asked.
      const asked = `${query?.replace(/^query [_A-Za-z][_0-9A-Za-z]*/, 'query')}\n${JSON.stringify(variables ?? {})}`;
      let calls = answered.get(context);
      if (!calls) answered.set(context, (calls = new Map()));
      const earlier = calls.get(asked);
      if (earlier) {
        const { extensions: _read, ...again } = JSON.parse(await earlier) as GatewayResponse;
        return again;
      }
      const answer = callSubgraph(request, context);
      const text = answer.then(({ text }) => text);
      // A failed call fails its own ask; a second ask, if any, fails with it when it awaits.
      text.catch(() => {});
      calls.set(asked, text);
      return (await answer).result;
    },
    read: async (query, variables, context) => (await callSubgraph({ query, variables }, context)).result,
  };

  async function callSubgraph(
    request: GraphQLDataSourceProcessOptions<GatewayContext>['request'],
    context: GatewayContext,
  ): Promise<{ text: string; result: GatewayResponse }> {
    const { query, variables, operationName, extensions } = request;
    let body: string | undefined;
    const call: SubgraphCall = {
      subgraph,
      url,
      extensions: { ...extensions },
      // Serialised once, when first read: hooks before then may still add extensions.
      get body() {
        body ??= JSON.stringify({ query, variables, operationName, extensions: Object.keys(this.extensions).length ? this.extensions : undefined });
        return body;
      },
      headers: { 'content-type': 'application/json' },
      context,
    };
    for (const hook of hooks) await hook(call);
    const signal = AbortSignal.any([AbortSignal.timeout(timeoutMs), context.signal]);
    let result: GatewayResponse & { extensions?: Record<string, unknown> };
    let text: string;
    const startedAt = performance.now();
    try {
      const response = await send(url, { method: 'POST', headers: call.headers, body: call.body, signal });
      if (!response.ok) {
        await response.body?.cancel();
        throw new SubgraphHttpError(subgraph, response.status);
      }
      text = await response.text();
      result = JSON.parse(text) as typeof result;
      metrics?.fetched(subgraph, secondsSince(startedAt));
    } catch (error) {
      metrics?.fetched(subgraph, secondsSince(startedAt));
      // But a 503 is the institution saying it cannot serve now (its store did not answer when
      // the assertion was to be spent, and it refuses rather than accept a replay unchecked):
      // unavailable, like a refused connection, below.
      if (error instanceof SubgraphHttpError && error.status !== 503) {
        metrics?.failed(subgraph, `HTTP_${Math.floor(error.status / 100)}XX`);
        throw error;
      }
      // The request's deadline (or its client going away) came first: that is what to report.
      if (context.signal.aborted) {
        const why = context.signal.reason === ErrorCode.CLIENT_CLOSED ? ErrorCode.CLIENT_CLOSED : ErrorCode.DEADLINE_EXCEEDED;
        metrics?.failed(subgraph, why);
        throw requestStopped(subgraph, why);
      }
      metrics?.failed(subgraph, ErrorCode.SUBGRAPH_UNAVAILABLE);
      // A timeout, a refused or broken connection: the institution is unavailable. The cause
      // goes to the operator's log, never to the client.
      logError(serviceLog('gateway'), `the ${subgraph} subgraph did not answer`, error, { requestId: context.requestId ?? null, subgraph });
      throw subgraphUnavailable(subgraph);
    }
    for (const hook of responseHooks) hook(call, result);
    return { text, result };
  }
}
