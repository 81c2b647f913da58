// `npm run catalogue`: writes docs/sharing-catalogue.md from the subgraph schemas' policies.
// `--check` compares instead, and exits non-zero when the committed file is stale.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { buildCatalogue, CATALOGUE_PATH } from '../subgraphs/index.js';

const catalogue = buildCatalogue();
if (process.argv.includes('--check')) {
  const committed = existsSync(CATALOGUE_PATH) ? readFileSync(CATALOGUE_PATH, 'utf8') : '';
  if (committed !== catalogue) {
    console.error(`${CATALOGUE_PATH} is stale: run npm run catalogue`);
    process.exit(1);
  }
  console.log('sharing catalogue is up to date');
} else {
  mkdirSync(path.dirname(CATALOGUE_PATH), { recursive: true });
  writeFileSync(CATALOGUE_PATH, catalogue);
  console.log(`wrote ${CATALOGUE_PATH}`);
}
