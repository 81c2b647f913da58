// The subgraph runtime: serving one subgraph behind its plugin list (the gateway's assertion, its
// sharing rules, its disclosure log), an institution's side of the auditors' API, and batched
// statistics.
export { DISTRICT_ID, DISTRICT_NAME, countBy, tally, createStatsLoader, inPeriod, type StatsKey } from './stats.js';
export { serveSubgraph, unknownResolvers, type Served, type SubgraphDefinition, type SubgraphServing } from './subgraph.js';
export type { SubgraphContext } from './context.js';
export { governedSubgraphPipeline, type SubgraphParts, type SubgraphPipeline } from './pipeline.js';
export { useGatewayAssertion } from './plugins/gateway-assertion.js';
export { useSharingRules } from './plugins/sharing-rules.js';
export { useDisclosureLog } from './plugins/disclosure-log.js';
export { useRequestMetrics } from './plugins/request-metrics.js';
export { lookupByLabel, LOOKUP_LIMIT, type LabelKind } from './lookup.js';
export { ownerAuditResolvers, type OwnerAuditLog, type RecordMatch, type RecordLookupFn } from './owner-audit.js';
export type { ResolverMap } from './resolver-map.js';
export {
  createRecord,
  transitionRecord,
  mutationResolvers,
  stepKey,
  participantOf,
  parseProposalDecision,
  parseIdempotencyKey,
  parseVersion,
  parseDueDate,
  parseText,
  districtDate,
  districtMidnight,
  addMonths,
  digestOf,
  type WorkflowContext,
  type Step,
} from './workflow.js';
export { referenced, parseReferences, type References } from './references.js';
export { suggestionIssuerWrites, issuerInboxTasks, linkedCase, parseReplyFacts, suggestionStats, suggestionStatsResolver, withReplies, type ReplyFact, type InboxTask, type IssuedSuggestionDoc, type SuggestionIssuer, type SuggestionStore } from './issued-suggestions.js';
export { PollingGrantBook, type GrantBookOptions } from './grant-book.js';
export { DISCLOSURE_LOG, DISCLOSURE_LOG_INDEXES } from './disclosure-log.js';
export {
  importFile,
  remotePseudonymizer,
  suggestionImport,
  ImportFileError,
  scanFile,
  readRecords,
  formatOf,
  DEFAULT_MAX_RECORD_BYTES,
  text,
  nullable,
  day,
  moment,
  flag,
  list,
  oneOf,
  idNumber,
  residentIdCheck,
  documentNumber,
  recordId,
  pad,
  optionalValue,
  type ImportType,
  type ImportContext,
  type ImportOptions,
  type ImportSummary,
  type ImportCounts,
  type Rejection,
  type Reference,
  type Pseudonymizer,
  type FileScan,
  type FileFormat,
} from './import/index.js';
