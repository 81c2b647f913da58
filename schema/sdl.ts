// A subgraph's SDL, assembled from one source per part: the shared base (federation link, sharing
// directives, dates, page info), for the access log's parts the shared value types and, for an
// institution, its generated side of the auditors' API and the linkage work's shared value types,
// then what the subgraph itself owns
// (schema/<name>.graphql). Serving a subgraph, `npm run compose` and `npm run catalogue` all read it
// here.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Kind, parse, type DocumentNode } from 'graphql';
import { PROJECT_ROOT, SUBGRAPH_NAMES, type GraphName, type SubgraphName } from '../config/index.js';
import { ownerAuditSdl } from './owner-audit.js';

const SCHEMA_DIR = path.join(PROJECT_ROOT, 'schema');
const read = (file: string) => readFileSync(path.join(SCHEMA_DIR, file), 'utf8');

/** The file that holds what one subgraph owns. */
export function ownSdlPath(name: GraphName): string {
  return path.join(SCHEMA_DIR, `${name}.graphql`);
}

const isInstitution = (name: GraphName): name is SubgraphName => (SUBGRAPH_NAMES as readonly string[]).includes(name);

/** The whole SDL of one subgraph. */
export function subgraphSdl(name: GraphName): string {
  const parts = [read('shared/base.graphql'), read('shared/access-log-values.graphql')];
  if (isInstitution(name)) parts.push(ownerAuditSdl(name), read('shared/linkage-values.graphql'));
  parts.push(readFileSync(ownSdlPath(name), 'utf8'));
  return parts.join('\n');
}

export function subgraphTypeDefs(name: GraphName): DocumentNode {
  return parse(subgraphSdl(name));
}

/** The values of an enum of a subgraph's SDL (an import's schema checks a field against the graph's own enum). */
export function sdlEnum(name: GraphName, enumName: string): [string, ...string[]] {
  for (const definition of subgraphTypeDefs(name).definitions) {
    if (definition.kind === Kind.ENUM_TYPE_DEFINITION && definition.name.value === enumName) {
      const values = (definition.values ?? []).map((value) => value.name.value);
      if (values.length) return values as [string, ...string[]];
    }
  }
  throw new Error(`the ${name} subgraph's SDL has no enum ${enumName}`);
}
