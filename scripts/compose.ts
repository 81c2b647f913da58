// Composes the subgraph SDLs into schema/supergraph.graphql (`npm run compose`).
// `--check` compares instead of writing, and exits non-zero when the committed file is stale.
// Either way, every subgraph's sharing policy is checked first, as each subgraph checks its own at
// start-up: a supergraph is never written from a policy a subgraph would refuse to run with.
import { readFileSync, writeFileSync } from 'node:fs';
import { PolicyError } from '../auth/index.js';
import { composeSupergraph } from '../schema/index.js';
import { loadConfig } from '../config/index.js';
import { readSubgraphPolicies } from '../subgraphs/index.js';

try {
  readSubgraphPolicies();
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
if (process.argv.includes('--check')) {
  const committed = readFileSync(config.supergraphPath, 'utf8');
  if (committed !== result.supergraphSdl) {
    console.error(`${config.supergraphPath} is stale: run npm run compose`);
    process.exit(1);
  }
  console.log('supergraph is up to date');
} else {
  writeFileSync(config.supergraphPath, result.supergraphSdl);
  console.log(`wrote ${config.supergraphPath}`);
}
