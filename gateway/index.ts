// The gateway: @apollo/gateway over the committed supergraph, subgraph URLs from configuration.
import { readFileSync } from 'node:fs';
import { ApolloGateway, RemoteGraphQLDataSource } from '@apollo/gateway';
import type { Config, SubgraphName } from '../config/index.js';
import { serveGraphQL, type RunningService } from '../subgraphs/shared/index.js';

export interface GatewayOptions {
  config: Config;
  /** Overrides the configured subgraph URLs (tests start subgraphs on free ports). */
  subgraphUrls?: Partial<Record<SubgraphName, string>>;
  listen?: { host: string; port: number };
}

export async function startGateway(options: GatewayOptions): Promise<RunningService> {
  const { config } = options;
  const urls = { ...config.subgraphUrls, ...options.subgraphUrls };
  // @apollo/gateway reads this when constructed and otherwise reports usage to Apollo's
  // collector; a government network must not phone home.
  process.env.APOLLO_TELEMETRY_DISABLED = 'true';
  const gateway = new ApolloGateway({
    supergraphSdl: readFileSync(config.supergraphPath, 'utf8'),
    buildService: ({ name, url }) => {
      const configured = urls[name as SubgraphName];
      if (!configured && !url) throw new Error(`no URL configured for subgraph ${name}`);
      return new RemoteGraphQLDataSource({ url: configured ?? url });
    },
  });
  return serveGraphQL({
    name: 'gateway',
    apollo: { gateway, introspection: config.mode === 'development' },
    context: async () => ({}),
    listen: options.listen ?? { host: config.host, port: config.ports.gateway },
  });
}
