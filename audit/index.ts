// The tamper-evident access log: hash chains with signed checkpoints, a group-committing writer
// that fails closed, and verification that names the first bad record.
export { GENESIS_HASH, RECORD_FORMAT, canonical, typedCanonical, reviveTyped, recordHash, signCheckpoint, checkpointSignatureValid, checkpointDigest, verifyChain } from './chain.js';
export type { ChainLink, Checkpoint, ChainProblem, ChainVerification } from './chain.js';
export { createAuditLogStore, type AuditLogStore, type StoredRecord, type ChainEntry } from './store.js';
export { AuditWriter, AuditUnavailableError, AuditRecordInvalidError, normalise, type AuditWriterOptions } from './writer.js';
export { DisclosureCollector, disclosureEntrySchema, disclosureLogPlugin, disclosureTracking, type DisclosureEntry, type DisclosedRecord, type DisclosureContext } from './disclosures.js';
export { auditChainName } from './chain-name.js';
export { searchAccessLog, recordsByRequestIds, recordsNaming, activityByDay, verifyAll, exportRange, parseExport, VerificationCache, type AccessLogFilter, type VerifyAllOptions } from './queries.js';
export type { VerifyOptions, VerifiedPrefix } from './chain.js';
export { parseRecordRef, parseRange } from './arguments.js';
export { MAX_EXPORT_RECORDS } from './queries.js';
export { verifyExport, type ExportVerification } from './export-verification.js';
