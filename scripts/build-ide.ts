// `npm run build:ide`: bundles the development GraphQL IDE (gateway/graphiql-ui: GraphiQL from npm,
// React, the page's own code) with esbuild into gateway/graphiql-ui/dist, which the gateway serves
// under /graphiql/ in development. Run by `npm run setup` and before `npm test`; the output is
// git-ignored. The purposes and the example operations (examples/operations/*.graphql, each with
// its variables from its `# Variables:` line) are written into the bundle from their one source.
import { readFileSync, readdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { build } from 'esbuild';
import { PURPOSES } from '../auth/index.js';
import { PROJECT_ROOT } from '../config/index.js';
import { IDE_BUNDLE_DIR, IDE_SOURCE_DIR } from '../gateway/index.js';

const EXAMPLES_DIR = path.join(PROJECT_ROOT, 'examples/operations');

function exampleTabs(): { query: string; variables: string }[] {
  return readdirSync(EXAMPLES_DIR)
    .filter((file) => file.endsWith('.graphql'))
    .sort()
    .map((file) => {
      const query = readFileSync(path.join(EXAMPLES_DIR, file), 'utf8');
      const variables = /^# Variables: (.*)$/m.exec(query)?.[1];
      return { query, variables: variables ? JSON.stringify(JSON.parse(variables), null, 2) : '' };
    });
}

rmSync(IDE_BUNDLE_DIR, { recursive: true, force: true });
await build({
  entryPoints: { ide: path.join(IDE_SOURCE_DIR, 'ide.jsx') },
  outdir: IDE_BUNDLE_DIR,
  bundle: true,
  format: 'esm',
  target: 'es2022',
  platform: 'browser',
  jsx: 'automatic',
  minify: true,
  legalComments: 'linked',
  logLevel: 'warning',
  define: {
    'process.env.NODE_ENV': '"production"',
    __PURPOSES__: JSON.stringify(PURPOSES),
    __EXAMPLES__: JSON.stringify(exampleTabs()),
  },
});
console.log(`built the GraphQL IDE into ${path.relative(PROJECT_ROOT, IDE_BUNDLE_DIR)}/`);
