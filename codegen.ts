// `npm run codegen`: TypeScript types for the example operations (examples/operations/*.graphql),
// generated from the client schema (schema/api.graphql) — what a partner's project would run
// against its own operations. The output is not committed (git-ignored); test/client-schema.test.ts
// runs this configuration in memory and compiles what it generates.
import type { CodegenConfig } from '@graphql-codegen/cli';

const config: CodegenConfig = {
  schema: 'schema/api.graphql',
  documents: 'examples/operations/*.graphql',
  generates: {
    'examples/operations/generated/operations.ts': {
      plugins: ['typescript', 'typescript-operations'],
      config: {
        // Only what the operations use: their results, variables and the inputs and enums they reach.
        onlyOperationTypes: true,
        enumsAsTypes: true,
        useTypeImports: true,
        // Every custom scalar mapped, so a new one fails generation instead of becoming `any`.
        strictScalars: true,
        // Dates travel as ISO 8601 strings (`2025-06-30`, `2025-06-30T08:00:00.000Z`).
        scalars: { Date: 'string', DateTime: 'string' },
      },
    },
  },
};

export default config;
