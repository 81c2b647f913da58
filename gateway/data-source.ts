// How the gateway calls a subgraph: the query plan's operation as one JSON body, passed through
// the plugins' `onSubgraphRequest` hooks (which see the exact bytes and the request's context),
// then POSTed. A subgraph's refusal at the HTTP level is the gateway's own failure, never the
// client's: it becomes an internal error, masked before it leaves, and logged for the operator.
import type { GraphQLDataSource, GraphQLDataSourceProcessOptions } from '@apollo/gateway';
import type { GatewayContext } from './context.js';
import type { GatewayPlugin, SubgraphCall } from './plugin.js';

type GatewayResponse = Awaited<ReturnType<GraphQLDataSource['process']>>;

export class SubgraphHttpError extends Error {
  constructor(subgraph: string, status: number) {
    super(`subgraph ${subgraph} answered HTTP ${status}`);
    this.name = 'SubgraphHttpError';
  }
}

export function subgraphDataSource(subgraph: string, url: string, plugins: GatewayPlugin[]): GraphQLDataSource<GatewayContext> {
  const hooks = plugins.flatMap((plugin) => (plugin.onSubgraphRequest ? [plugin.onSubgraphRequest] : []));
  const responseHooks = plugins.flatMap((plugin) => (plugin.onSubgraphResponse ? [plugin.onSubgraphResponse] : []));
  return {
    async process(options: GraphQLDataSourceProcessOptions<GatewayContext>): Promise<GatewayResponse> {
      // The supergraph is read from a file: no health checks or schema loading reach subgraphs.
      if (!('incomingRequestContext' in options)) throw new Error(`unexpected ${options.kind} request to ${subgraph}`);
      const { request, context } = options;
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
      const response = await fetch(url, { method: 'POST', headers: call.headers, body: call.body });
      if (!response.ok) {
        await response.body?.cancel();
        throw new SubgraphHttpError(subgraph, response.status);
      }
      const result = (await response.json()) as GatewayResponse & { extensions?: Record<string, unknown> };
      for (const hook of responseHooks) hook(call, result);
      return result;
    },
  };
}
