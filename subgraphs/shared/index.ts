// What the subgraphs share: the HTTP service, the Date scalar, argument parsing, pagination,
// batched statistics, error codes and the embedded store.
export { ErrorCode, DenialReason, badUserInput, forbidden, maskError } from './errors.js';
export { DateScalar, DateTimeScalar, parseDate, parseDateTime, formatDate } from './scalars.js';
export {
  MAX_PAGE_SIZE,
  parseId,
  parseOptionalId,
  parseIdList,
  parsePeriod,
  parseOptionalPeriod,
  parseOptionalBoolean,
  parseOptionalEnum,
  yearEarlier,
  type Period,
} from './input.js';
export {
  findPage,
  findByIds,
  findGroupedBy,
  parsePageRequest,
  ratio,
  type Connection,
  type PageArgs,
  type PageRequest,
  type SortKey,
} from './pagination.js';
export { DISTRICT_ID, countBy, tally, createStatsLoader, inPeriod, type StatsKey } from './stats.js';
export { connectDatabase, type Database } from './mongo.js';
export { startEmbeddedStore, freePort, type EmbeddedStore } from './embedded-store.js';
export { serveGraphQL, sendError, Rejection, type RejectionHandler, type RunningService } from './server.js';
export { serveSubgraph, type SubgraphDefinition, type SubgraphSecurity } from './subgraph.js';
export { byIdLoader } from './loaders.js';
export { withId, maybeWithId, defined, type WithId } from './documents.js';
