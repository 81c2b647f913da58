// Composes the three subgraph SDLs into schema/supergraph.graphql (`npm run compose`).
// `--check` compares instead of writing, and exits non-zero when the committed file is stale.
import { readFileSync, writeFileSync } from 'node:fs';
import { composeSupergraph } from '../schema/index.js';
import { loadConfig } from '../config/index.js';

const config = loadConfig();
const result = composeSupergraph();
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
