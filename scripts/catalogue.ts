// `npm run catalogue`: writes docs/sharing-catalogue.md from the subgraph schemas' policies.
// `--check` compares instead, and exits non-zero when the committed file is stale.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { buildSubgraphSchema } from '@apollo/subgraph';
import { Kind, parse } from 'graphql';
import { readPolicy, type AgencyOf } from '../auth/index.js';
import { renderCatalogue } from '../auth/catalogue.js';
import { GRAPH_NAMES, PROJECT_ROOT, type GraphName } from '../config/index.js';
import { readSubgraphSdl } from '../schema/compose.js';
import { agencyOf as courtAgencyOf } from '../subgraphs/court/index.js';
import { agencyOf as governmentAgencyOf } from '../subgraphs/government/index.js';
import { agencyOf as procuratorateAgencyOf } from '../subgraphs/procuratorate/index.js';

export const CATALOGUE_PATH = path.join(PROJECT_ROOT, 'docs/sharing-catalogue.md');
const AGENCY_OF: Record<GraphName, AgencyOf> = { government: governmentAgencyOf, court: courtAgencyOf, procuratorate: procuratorateAgencyOf, audit: {} };

export function buildCatalogue(): string {
  const typeOrder = new Map<string, string[]>();
  const policies = GRAPH_NAMES.map((name) => {
    const typeDefs = parse(readSubgraphSdl(name));
    typeOrder.set(
      name,
      typeDefs.definitions.flatMap((d) => (d.kind === Kind.OBJECT_TYPE_DEFINITION || d.kind === Kind.OBJECT_TYPE_EXTENSION ? [d.name.value] : [])),
    );
    return readPolicy(name, typeDefs, buildSubgraphSchema([{ typeDefs }]), AGENCY_OF[name]);
  });
  return renderCatalogue(policies, typeOrder);
}

if (process.argv[1] && import.meta.url.endsWith(path.basename(process.argv[1]))) {
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
}
