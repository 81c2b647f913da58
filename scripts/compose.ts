// Composes the subgraph SDLs into schema/supergraph.graphql (`npm run compose`), and writes the
// client schema, schema/api.graphql, from the same composition and the sharing catalogue.
// `--check` compares instead of writing, and exits non-zero when either committed file is stale.
// Either way, every subgraph's sharing policy is checked first, as each subgraph checks its own at
// start-up: a supergraph is never written from a policy a subgraph would refuse to run with.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { PolicyError } from '../auth/index.js';
import { composeSupergraph } from '../schema/index.js';
import { loadConfig } from '../config/index.js';
import { CLIENT_SCHEMA_PATH, readSubgraphPolicies, renderClientSchema } from '../subgraphs/index.js';

let policies: ReturnType<typeof readSubgraphPolicies>;
try {
  policies = readSubgraphPolicies();
} catch (error) {
  if (!(error instanceof PolicyError)) throw error;
  console.error(error.message);
  process.exit(1);
}
const config = loadConfig();
let result: ReturnType<typeof composeSupergraph>;
try {
  result = composeSupergraph();
} catch (error) {
  console.error((error as Error).message);
  process.exit(1);
}
for (const hint of result.hints) console.error(`hint ${hint.code}: ${hint.message}`);
const files = [
  { file: config.supergraphPath, content: result.supergraphSdl },
  { file: CLIENT_SCHEMA_PATH, content: renderClientSchema(result.apiSchema, policies) },
];
if (process.argv.includes('--check')) {
  const stale = files.filter(({ file, content }) => (existsSync(file) ? readFileSync(file, 'utf8') : '') !== content);
  for (const { file } of stale) console.error(`${file} is stale: run npm run compose`);
  if (stale.length) process.exit(1);
  console.log('supergraph and client schema are up to date');
} else {
  for (const { file, content } of files) {
    writeFileSync(file, content);
    console.log(`wrote ${file}`);
  }
}
