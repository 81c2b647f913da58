// Composition of the subgraph SDLs with @apollo/composition: the one definition of how the
// supergraph is built, shared by `npm run compose` and the staleness test.
import { composeServices } from '@apollo/composition';
import { GRAPH_NAMES, type GraphName } from '../config/index.js';
import type { DocumentNode, GraphQLSchema } from 'graphql';
import { crossingFieldProblems } from './crossing.js';
import { subgraphTypeDefs } from './sdl.js';

/** Routing URLs written into the committed supergraph; the gateway overrides them from config. */
const DEFAULT_ROUTING_URLS: Record<GraphName, string> = {
  government: 'http://127.0.0.1:4001/graphql',
  court: 'http://127.0.0.1:4002/graphql',
  procuratorate: 'http://127.0.0.1:4003/graphql',
  audit: 'http://127.0.0.1:4004/graphql',
};

export interface Composition {
  supergraphSdl: string;
  /** Composition hints (warnings); the committed schemas are expected to produce none. */
  hints: { code: string; message: string }[];
  /**
   * What clients see of it: the API schema the gateway serves (no join__/link__ machinery, no
   * composed policy directives), from which the client schema schema/api.graphql is written.
   */
  apiSchema: GraphQLSchema;
}

/** Composes the subgraphs' SDLs (`typeDefsOf`: the committed ones; a test may pass others). */
export function composeSupergraph(typeDefsOf: (name: GraphName) => DocumentNode = subgraphTypeDefs): Composition {
  const typeDefs = Object.fromEntries(GRAPH_NAMES.map((name) => [name, typeDefsOf(name)])) as Record<GraphName, DocumentNode>;
  const result = composeServices(GRAPH_NAMES.map((name) => ({ name, url: DEFAULT_ROUTING_URLS[name], typeDefs: typeDefs[name] })));
  // Beyond what federation checks: a field crossing institutions may not be non-null (schema/crossing.ts).
  const errors = [...(result.errors ?? []).map((e) => e.message), ...crossingFieldProblems(typeDefs)];
  if (errors.length || !result.supergraphSdl) {
    throw new Error(`composition failed:\n${errors.map((message) => `- ${message}`).join('\n')}`);
  }
  return {
    supergraphSdl: result.supergraphSdl + '\n',
    hints: result.hints.map((hint) => ({ code: hint.definition.code, message: hint.message })),
    apiSchema: result.schema.toAPISchema().toGraphQLJSSchema(),
  };
}
