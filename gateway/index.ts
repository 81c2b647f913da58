// The gateway: @apollo/gateway over the committed supergraph. Callers must present a valid token
// and a purpose; every subgraph call is signed for that caller; only deliberate errors get out.
import { readFileSync } from 'node:fs';
import { ApolloGateway } from '@apollo/gateway';
import type { Config, SubgraphName } from '../config/index.js';
import { assertionSigningKey, createTokenVerifier, type CallIdentity } from '../auth/index.js';
import { serveGraphQL, type RunningService } from '../subgraphs/shared/index.js';
import { usePurpose, useAuthentication } from './authenticate.js';
import { signingDataSource, type GatewayContext } from './signing.js';

export interface GatewayOptions {
  config: Config;
  /** Overrides the configured subgraph URLs (tests start subgraphs on free ports). */
  subgraphUrls?: Partial<Record<SubgraphName, string>>;
  listen?: { host: string; port: number };
}

export async function startGateway(options: GatewayOptions): Promise<RunningService> {
  const { config } = options;
  const urls = { ...config.subgraphUrls, ...options.subgraphUrls };
  const signingKey = assertionSigningKey(config.auth);
  // @apollo/gateway reads this when constructed and otherwise reports usage to Apollo's
  // collector; a government network must not phone home.
  process.env.APOLLO_TELEMETRY_DISABLED = 'true';
  const gateway = new ApolloGateway({
    supergraphSdl: readFileSync(config.supergraphPath, 'utf8'),
    buildService: ({ name }) => {
      const url = urls[name as SubgraphName];
      if (!url) throw new Error(`no URL configured for subgraph ${name}`);
      return signingDataSource(name, url, signingKey);
    },
  });
  const development = config.mode === 'development';
  return serveGraphQL<GatewayContext>({
    name: 'gateway',
    apollo: {
      gateway,
      introspection: development,
      // Field suggestions ("did you mean …") would let anyone map the schema without introspection.
      hideSchemaDetailsFromClientErrors: !development,
    },
    guards: [useAuthentication(createTokenVerifier(config.auth)), usePurpose()],
    context: async (_req, res) => ({ identity: res.locals.identity as CallIdentity }),
    listen: options.listen ?? { host: config.host, port: config.ports.gateway },
  });
}
