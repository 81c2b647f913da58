// Every subgraph's sharing policy, read from its assembled SDL and checked as at start-up; and the
// sharing catalogue rendered from those policies (docs/sharing-catalogue.md for people,
// docs/sharing-catalogue.json for programs). `npm run compose` and `npm run catalogue` both refuse
// to write anything from a policy a subgraph would refuse to start with.
import path from 'node:path';
import { buildSubgraphSchema } from '@apollo/subgraph';
import { Kind, type DocumentNode } from 'graphql';
import { PolicyError, readPolicy, renderCatalogue, renderCatalogueJson, type AgencyOf, type SubgraphPolicy } from '../auth/index.js';
import { GRAPH_NAMES, PROJECT_ROOT, type GraphName } from '../config/index.js';
import { subgraphTypeDefs } from '../schema/index.js';
import { agencyOf as courtAgencyOf } from './court/index.js';
import { agencyOf as governmentAgencyOf } from './government/index.js';
import { agencyOf as procuratorateAgencyOf } from './procuratorate/index.js';

export const CATALOGUE_PATH = path.join(PROJECT_ROOT, 'docs/sharing-catalogue.md');
export const CATALOGUE_JSON_PATH = path.join(PROJECT_ROOT, 'docs/sharing-catalogue.json');
const AGENCY_OF: Record<GraphName, AgencyOf> = { government: governmentAgencyOf, court: courtAgencyOf, procuratorate: procuratorateAgencyOf, audit: {} };

interface ReadPolicies {
  policies: SubgraphPolicy[];
  /** Per subgraph, its object types in the order its SDL declares them. */
  typeOrder: Map<string, string[]>;
}

function readAll(typeDefsOf: (name: GraphName) => DocumentNode): ReadPolicies {
  const problems: string[] = [];
  const policies: SubgraphPolicy[] = [];
  const typeOrder = new Map<string, string[]>();
  for (const name of GRAPH_NAMES) {
    const typeDefs = typeDefsOf(name);
    typeOrder.set(
      name,
      typeDefs.definitions.flatMap((d) => (d.kind === Kind.OBJECT_TYPE_DEFINITION || d.kind === Kind.OBJECT_TYPE_EXTENSION ? [d.name.value] : [])),
    );
    try {
      policies.push(readPolicy(name, typeDefs, buildSubgraphSchema([{ typeDefs }]), AGENCY_OF[name]));
    } catch (error) {
      if (!(error instanceof PolicyError)) throw error;
      problems.push(...error.problems.map((problem) => `${name}: ${problem}`));
    }
  }
  if (problems.length) throw new PolicyError(problems);
  return { policies, typeOrder };
}

/**
 * Reads and checks the policy of every subgraph of the graph, exactly as each checks its own at
 * start-up; throws a PolicyError naming every problem of every subgraph. `typeDefsOf` defaults to
 * the committed schemas.
 */
export function readSubgraphPolicies(typeDefsOf: (name: GraphName) => DocumentNode = subgraphTypeDefs): SubgraphPolicy[] {
  return readAll(typeDefsOf).policies;
}

/** Both renderings of the catalogue, from the committed schemas' policies. */
export function buildCatalogue(): { markdown: string; json: string } {
  const { policies, typeOrder } = readAll(subgraphTypeDefs);
  return { markdown: renderCatalogue(policies, typeOrder), json: renderCatalogueJson(policies, typeOrder) };
}
