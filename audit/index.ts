// The tamper-evident access log: hash chains with signed checkpoints, a group-committing writer
// that fails closed, and verification that names the first bad record.
export { GENESIS_HASH, RECORD_FORMAT, canonical, typedCanonical, reviveTyped, recordHash, signCheckpoint, checkpointSignatureValid, checkpointDigest, verifyChain } from './chain.js';
export type { ChainLink, Checkpoint, ChainProblem, ChainVerification } from './chain.js';
export { createAuditLogStore, type AuditLogStore, type StoredRecord, type ChainEntry, type WitnessEntry } from './store.js';
export { AuditWriter, AuditUnavailableError, AuditRecordInvalidError, normalise, type AuditWriterMetrics, type AuditWriterOptions } from './writer.js';
export {
  DisclosureCollector,
  compactDisclosures,
  disclosedRecordsOf,
  disclosureEntrySchema,
  disclosureLogPlugin,
  disclosureTracking,
  type CompactDisclosures,
  type DisclosureEntry,
  type DataImport,
  type DisclosedRecord,
  type DisclosureContext,
  type LegacyDisclosureEntry,
  type StoredDisclosureEntry,
  type Verdicts,
  type RecordWrite,
  type WrittenField,
} from './disclosures.js';
export { auditChainName } from './chain-name.js';
export { auditLogMetrics, type AuditLogMetrics, type LogName } from './metrics.js';
export { WitnessBook, checkWitnesses, parseLogHead, parseLogHeads, logHeadSchema, LOG_HEAD_EXTENSION, type LogHead } from './witness.js';
export { searchAccessLog, requestIdAt, recordsByRequestIds, recordsNaming, recordsNamingField, MAX_FIELD_HISTORY_SCAN, recordsUnderGrant, importsOf, activityByDay, verifyAll, parseExport, VerificationCache, type AccessLogFilter, type VerifyAllOptions } from './queries.js';
export type { VerifyOptions, VerifiedPrefix } from './chain.js';
export { parseRecordRef, parseRange, parseScanRange, MAX_SCAN_DAYS, parseLookupText, parseFieldPath } from './arguments.js';
export { isTimeZone, localDay, startOfLocalDay } from './time-zone.js';
export { ChainIntegrity, type ChainPosition, type RecordIntegrity, type TimeRange } from './queries.js';
export {
  AUDIT_EXPORT_PATH,
  AUDIT_EXPORT_OPERATION,
  EXPORT_POLICY,
  MAX_EXPORT_DAYS,
  NDJSON,
  ExportSectionError,
  errorLine,
  exportDenial,
  exportStream,
  logLines,
  logSection,
  parseExportRange,
  relayLog,
  type ExportRange,
  type ExportSection,
  type ExportSigner,
  type LogCounts,
} from './export.js';
export { verifyExport, type ExportVerification } from './export-verification.js';
