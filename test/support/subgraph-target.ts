// The subgraph a suite runs against: by default one started here over the test store; with
// `npm run test:subgraph -- <name> --url … --key …`, a deployed one (seeded with the demo
// district), called as the gateway calls it, with the assertion key the script was given.
import type { KeyObject } from 'node:crypto';
import { inject } from 'vitest';
import { assertionSigningKey, readPrivateKey, type CallIdentity } from '../../auth/index.js';
import type { SubgraphName } from '../../config/index.js';
import { postSubgraph, startTestStack, testConfig, type GraphQLResponse } from './stack.js';

declare module 'vitest' {
  export interface ProvidedContext {
    /** Set by `npm run test:subgraph`: the deployed subgraph under test and the gateway's assertion key. */
    deployedSubgraph: { url: string; assertionKeyFile: string } | null;
  }
}

export interface SubgraphTarget {
  url: string;
  /** True for a deployed subgraph: its database commands cannot be watched. */
  deployed: boolean;
  post(query: string, variables: Record<string, unknown> | undefined, identity: CallIdentity): Promise<GraphQLResponse>;
  /** Data commands issued since the last reset (a subgraph started here only). */
  commands(): string[];
  resetCommands(): void;
  stop(): Promise<void>;
}

export async function subgraphTarget(name: SubgraphName): Promise<SubgraphTarget> {
  const deployed = inject('deployedSubgraph');
  if (deployed) {
    const key: KeyObject = readPrivateKey(deployed.assertionKeyFile);
    return {
      url: deployed.url,
      deployed: true,
      post: async (query, variables, identity) => {
        const { status, body } = await postSubgraph(name, deployed.url, query, variables, identity, key);
        return { status, body };
      },
      commands: () => {
        throw new Error('the database commands of a deployed subgraph cannot be watched');
      },
      resetCommands: () => {},
      stop: async () => {},
    };
  }
  const stack = await startTestStack({ subgraphs: [name] });
  const url = stack.subgraphs[name]!.url;
  const key = assertionSigningKey(testConfig().auth);
  return {
    url,
    deployed: false,
    post: async (query, variables, identity) => {
      const { status, body } = await postSubgraph(name, url, query, variables, identity, key);
      return { status, body };
    },
    commands: () => stack.commands[name],
    resetCommands: () => stack.resetCommands(),
    stop: () => stack.stop(),
  };
}
