import { createRequire } from 'node:module';
import { defineConfig } from 'vitest/config';

const require = createRequire(import.meta.url);

// `npm run test:subgraph -- <name> --url … --key …` (scripts/test-subgraph.ts) runs one
// institution's suite against a deployed subgraph: no local store, nothing seeded here.
const deployedUrl = process.env.LINKAGE_DEPLOYED_SUBGRAPH_URL;
const deployedKey = process.env.LINKAGE_DEPLOYED_ASSERTION_KEY_FILE;
const deployed = deployedUrl && deployedKey ? { url: deployedUrl, assertionKeyFile: deployedKey } : null;

export default defineConfig({
  resolve: {
    // Vitest would resolve graphql to its .mjs build while Apollo loads the CommonJS one; two
    // copies of graphql make `instanceof GraphQLError` fail under test only. One copy for all.
    alias: { graphql: require.resolve('graphql/index.js') },
  },
  test: {
    include: deployed ? ['test/*-subgraph.test.ts'] : ['test/**/*.test.ts'],
    globalSetup: deployed ? [] : ['test/support/global-setup.ts'],
    // The services the files start in this process log a line per request: only warnings and errors here.
    setupFiles: ['test/support/quiet-logs.ts'],
    provide: { deployedSubgraph: deployed },
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // Two cores: files run one after another so that one FerretDB is not shared by parallel storms.
    fileParallelism: false,
    // Files share one module graph (Apollo, graphql, the driver load once) and so can share one
    // stack for the read-only files (test/support/stack.ts, sharedTestStack).
    isolate: false,
  },
});
