// Importing an institution's records from its own case system: reading files, the value types of
// their fields, and the pipeline that validates and upserts them.
export { importFile, type ImportType, type ImportContext, type ImportOptions, type ImportSummary, type ImportCounts, type Rejection, type Reference, type Pseudonymizer } from './pipeline.js';
export { ImportFileError, scanFile, readRecords, formatOf, DEFAULT_MAX_RECORD_BYTES, type FileScan, type FileFormat } from './records.js';
export { text, nullable, day, moment, flag, list, oneOf, idNumber, residentIdCheck, documentNumber, recordId, pad, optionalValue } from './fields.js';
export { suggestionImport } from './suggestions.js';
export { remotePseudonymizer } from './remote-pseudonyms.js';
