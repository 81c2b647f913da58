// The graph's schema: each subgraph's SDL assembled from its shared and own parts, and their
// composition into the supergraph.
export { subgraphSdl, subgraphTypeDefs, ownSdlPath, sdlEnum } from './sdl.js';
export { ownerAuditFields, ownerAuditSdl, type OwnerAuditFields } from './owner-audit.js';
export { labelOf, TYPE_LABELS, FIELD_LABELS, COORDINATE_LABELS, type Label } from './labels.js';
export { composeSupergraph, type Composition } from './compose.js';
export { readReferenceDeclarations, REFERENCES_EXTENSION, type ReferenceDeclaration } from './references.js';
