// `npm run catalogue`: writes docs/sharing-catalogue.md and docs/sharing-catalogue.json from the
// subgraph schemas' policies, and gateway/audit-ui/labels.json from schema/labels.ts (refusing, as start-up does, a policy with any problem).
// `--check` compares instead, and exits non-zero when either committed file is stale.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { PolicyError } from '../auth/index.js';
import { buildCatalogue, buildFieldLabels, CATALOGUE_JSON_PATH, CATALOGUE_PATH, FIELD_LABELS_PATH } from '../subgraphs/index.js';

let catalogue: ReturnType<typeof buildCatalogue>;
try {
  catalogue = buildCatalogue();
} catch (error) {
  if (!(error instanceof PolicyError)) throw error;
  console.error(error.message);
  process.exit(1);
}
const files = [
  { file: CATALOGUE_PATH, content: catalogue.markdown },
  { file: CATALOGUE_JSON_PATH, content: catalogue.json },
  // The field labels the auditors' workbench names fields by.
  { file: FIELD_LABELS_PATH, content: buildFieldLabels().json },
];
if (process.argv.includes('--check')) {
  const stale = files.filter(({ file, content }) => (existsSync(file) ? readFileSync(file, 'utf8') : '') !== content);
  for (const { file } of stale) console.error(`${file} is stale: run npm run catalogue`);
  if (stale.length) process.exit(1);
  console.log('sharing catalogue is up to date');
} else {
  for (const { file, content } of files) {
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, content);
    console.log(`wrote ${file}`);
  }
}
