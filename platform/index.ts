// The platform every service stands on: the HTTP service, the MongoDB connection and the embedded
// store, the scalars, argument parsing, pagination, and the error codes and masking that decide
// what may reach a client. It knows nothing of institutions, sharing or the access log.
export {
  AUDIT_UNAVAILABLE_ERROR,
  ErrorCode,
  DenialReason,
  badUserInput,
  conflict,
  forbidden,
  illegalTransition,
  maskError,
} from './errors.js';
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
  parseOptionalNumber,
  parseOptionalSearchText,
  literalPattern,
  literalPrefixPattern,
  normaliseNumber,
  periodKey,
  yearEarlier,
  type Period,
} from './input.js';
export {
  findPage,
  findByIds,
  findGroupedBy,
  findPagesGroupedBy,
  parsePageRequest,
  ratio,
  type Connection,
  type PageArgs,
  type PageRequest,
  type ParentPage,
  type SortKey,
} from './pagination.js';
export { byIdLoader, pagesLoader } from './loaders.js';
export { withId, maybeWithId, defined, type WithId } from './documents.js';
export { ensureVersionedIndexes, upgradeToVersioned, insertOnce, updateVersion, nextInSeries, type Actor, type VersionedDoc, type WorkflowEvent } from './versioned.js';
export { importCollection, importWatermarks, type ImportCollection } from './import-collection.js';
export { createMetricsRegistry, boundedLabel, secondsSince, LATENCY_BUCKETS, METRICS_CONTENT_TYPE, type MetricsRegistry } from './metrics.js';
export { connectDatabase, HOUSEKEEPING_COMMANDS, BACKGROUND_COMMENT, isHousekeeping, type Database } from './mongo.js';
export {
  startTracing,
  tracerOf,
  currentTraceparent,
  isTraceparent,
  traceContextOf,
  serveInSpan,
  inSpan,
  noteSpan,
  traceCommands,
  REQUEST_ID_ATTRIBUTE,
  type Tracing,
  type TracingOptions,
} from './tracing.js';
export { listenerTls, serviceFetch, type ListenerTls, type ServiceFetch } from './tls.js';
export { createSpentIds, type SpentIds, type SpentIdsOptions } from './spent-ids.js';
export { startEmbeddedStore, attachOrStartEmbeddedStore, freePort, type EmbeddedStore } from './embedded-store.js';
export { serveGraphQL, persistedOperationId, type RunningService, type ServeOptions } from './server.js';
export { createReadiness, pingCheck, storeCheck, serviceCheck, CheckFailure, DEFAULT_READINESS, type Check, type Checks, type CheckResult, type ReadinessReport } from './readiness.js';
export { sendText, ClientGoneError, type Endpoint } from './endpoint.js';
export { Rejection, sendError } from './rejection.js';
export type { ServicePlugin, ValidationRule, Guard, PluginResponse, RefusedRequest } from './plugin.js';
export { leaveOut } from './plugin.js';
export { useErrorMasking, type ErrorMaskingOptions } from './error-masking.js';
export { wrapFieldResolvers, isPending, type FieldResolver, type FieldWrapper } from './wrap-resolvers.js';
export { serviceLog, logError, apolloLogger, describeError, configureLogs, logsAreProduction, type Logger, type LogFields, type LogLevel, type LogDestination, type LogSettings } from './log.js';
export { useRequestLog, routeOf, type RequestLogOptions } from './request-log.js';
