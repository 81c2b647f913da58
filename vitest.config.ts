import { createRequire } from 'node:module';
import { defineConfig } from 'vitest/config';

const require = createRequire(import.meta.url);

export default defineConfig({
  resolve: {
    // Vitest would resolve graphql to its .mjs build while Apollo loads the CommonJS one; two
    // copies of graphql make `instanceof GraphQLError` fail under test only. One copy for all.
    alias: { graphql: require.resolve('graphql/index.js') },
  },
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/support/global-setup.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // Two cores: files run one after another so that one FerretDB is not shared by parallel storms.
    fileParallelism: false,
    isolate: false,
  },
});
