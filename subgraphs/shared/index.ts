// The subgraph runtime: serving one subgraph behind the gateway's assertions with its sharing
// rules and disclosure log, an institution's side of the auditors' API, and batched statistics.
export { DISTRICT_ID, countBy, tally, createStatsLoader, inPeriod, type StatsKey } from './stats.js';
export { serveSubgraph, type SubgraphDefinition, type SubgraphSecurity } from './subgraph.js';
export { ownerAuditResolvers, type OwnerAuditLog } from './owner-audit.js';
export type { ResolverMap } from './resolver-map.js';
