// Runs a GraphQL service over HTTP: Apollo Server on express, `/graphql` plus `/health`, with the
// HTTP server drained on stop. Used by each subgraph and by the gateway.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import type { DocumentNode } from 'graphql';
import { ApolloServer, type ApolloServerOptions, type BaseContext } from '@apollo/server';
import { ApolloServerPluginDrainHttpServer } from '@apollo/server/plugin/drainHttpServer';
import { ApolloServerPluginInlineTraceDisabled } from '@apollo/server/plugin/disabled';
import { expressMiddleware } from '@as-integrations/express5';
import { buildSubgraphSchema } from '@apollo/subgraph';
import type { GraphQLResolverMap } from '@apollo/subgraph/dist/schema-helper/index.js';
import { maskError } from './errors.js';

export interface RunningService {
  name: string;
  url: string;
  port: number;
  stop(): Promise<void>;
}

export interface ServeOptions<TContext extends BaseContext> {
  name: string;
  /** Apollo Server options; the drain plugin and error masking are added here. */
  apollo: ApolloServerOptions<TContext>;
  context: () => Promise<TContext>;
  listen: { host: string; port: number };
  /** Runs after the server has stopped (closing database clients and the like). */
  onStop?: () => Promise<void>;
}

export async function serveGraphQL<TContext extends BaseContext>(options: ServeOptions<TContext>): Promise<RunningService> {
  const app = express();
  const httpServer = http.createServer(app);
  const server = new ApolloServer<TContext>({
    ...options.apollo,
    plugins: [...(options.apollo.plugins ?? []), ApolloServerPluginDrainHttpServer({ httpServer })],
    formatError: maskError((error) => console.error(`[${options.name}]`, error)),
    includeStacktraceInErrorResponses: false,
    // Apollo would stop itself and re-raise the signal, killing the process before the caller's
    // own shutdown (database clients, the embedded store) has run; scripts/start.ts handles signals.
    stopOnTerminationSignals: false,
  } as ApolloServerOptions<TContext>);
  await server.start();

  app.disable('x-powered-by');
  app.get('/health', (_req, res) => {
    res.json({ status: 'ok', service: options.name });
  });
  app.use('/graphql', express.json({ limit: '1mb' }), expressMiddleware(server, { context: options.context }));

  await new Promise<void>((resolve, reject) => {
    httpServer.once('error', reject);
    httpServer.listen(options.listen.port, options.listen.host, () => resolve());
  });
  const { port } = httpServer.address() as AddressInfo;
  const host = ['0.0.0.0', '::'].includes(options.listen.host) ? '127.0.0.1' : options.listen.host;
  return {
    name: options.name,
    url: `http://${host.includes(':') ? `[${host}]` : host}:${port}/graphql`,
    port,
    stop: async () => {
      await server.stop();
      await options.onStop?.();
    },
  };
}

export interface SubgraphDefinition<TContext extends BaseContext> {
  name: string;
  typeDefs: DocumentNode;
  resolvers: GraphQLResolverMap<TContext>;
  /** Builds the per-request context (fresh DataLoaders for every request). */
  context: () => Promise<TContext>;
}

export function serveSubgraph<TContext extends BaseContext>(
  definition: SubgraphDefinition<TContext>,
  listen: { host: string; port: number },
  onStop?: () => Promise<void>,
): Promise<RunningService> {
  return serveGraphQL<TContext>({
    name: definition.name,
    apollo: {
      schema: buildSubgraphSchema([{ typeDefs: definition.typeDefs, resolvers: definition.resolvers }]),
      // Traces would tell the gateway (and so a client) about resolver timings; nobody reads them.
      plugins: [ApolloServerPluginInlineTraceDisabled()],
    },
    context: definition.context,
    listen,
    onStop,
  });
}
