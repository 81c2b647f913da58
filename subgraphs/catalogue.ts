// The sharing catalogue (docs/sharing-catalogue.md), built from every subgraph's assembled SDL
// and its policy, checked as at start-up.
import path from 'node:path';
import { buildSubgraphSchema } from '@apollo/subgraph';
import { Kind } from 'graphql';
import { readPolicy, renderCatalogue, type AgencyOf } from '../auth/index.js';
import { GRAPH_NAMES, PROJECT_ROOT, type GraphName } from '../config/index.js';
import { subgraphTypeDefs } from '../schema/index.js';
import { agencyOf as courtAgencyOf } from './court/index.js';
import { agencyOf as governmentAgencyOf } from './government/index.js';
import { agencyOf as procuratorateAgencyOf } from './procuratorate/index.js';

export const CATALOGUE_PATH = path.join(PROJECT_ROOT, 'docs/sharing-catalogue.md');
const AGENCY_OF: Record<GraphName, AgencyOf> = { government: governmentAgencyOf, court: courtAgencyOf, procuratorate: procuratorateAgencyOf, audit: {} };

export function buildCatalogue(): string {
  const typeOrder = new Map<string, string[]>();
  const policies = GRAPH_NAMES.map((name) => {
    const typeDefs = subgraphTypeDefs(name);
    typeOrder.set(
      name,
      typeDefs.definitions.flatMap((d) => (d.kind === Kind.OBJECT_TYPE_DEFINITION || d.kind === Kind.OBJECT_TYPE_EXTENSION ? [d.name.value] : [])),
    );
    return readPolicy(name, typeDefs, buildSubgraphSchema([{ typeDefs }]), AGENCY_OF[name]);
  });
  return renderCatalogue(policies, typeOrder);
}
