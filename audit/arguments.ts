// Arguments of the auditors' API, parsed before any query sees them; shared by the audit subgraph
// and each institution's side of it.
import { badUserInput, normaliseNumber, parseId } from '../platform/index.js';

const RECORD_TYPE = /^[A-Z][A-Za-z]{1,40}$/;

/** A record named by its type and id (`AdminCase`, `AC-2025-0001`). */
export function parseRecordRef(recordType: unknown, recordId: unknown): { recordType: string; recordId: string } {
  if (typeof recordType !== 'string' || !RECORD_TYPE.test(recordType)) throw badUserInput('recordType must be a type name such as AdminCase', 'recordType');
  return { recordType, recordId: parseId(recordId, 'recordId') };
}

/** A half-open time range [from, to) whose ends the DateTime scalar has already parsed. */
export function parseRange(from: unknown, to: unknown, argument: string): { from: Date; to: Date } {
  if (!(from instanceof Date) || !(to instanceof Date) || from.getTime() >= to.getTime()) throw badUserInput(`${argument}: from must be before to`, argument);
  return { from, to };
}

/**
 * The longest range a query that reads every record in it may cover (accessActivity, accessLog by a
 * person's name): a quarter, as the group's reviews run. No index narrows those reads further than
 * the time range, so without a cap one request could read the whole log.
 */
export const MAX_SCAN_DAYS = 92;

/** A range [from, to) of at most MAX_SCAN_DAYS: `message` (stable, naming the argument) when not. */
export function parseScanRange(from: unknown, to: unknown, argument: string, message: string): { from: Date; to: Date } {
  if (!(from instanceof Date) || !(to instanceof Date) || from.getTime() >= to.getTime() || to.getTime() - from.getTime() > MAX_SCAN_DAYS * 86_400_000) {
    throw badUserInput(message, argument);
  }
  return { from, to };
}

/**
 * What an auditor looks a record up by (recordLookup): 1-100 characters of a case number, title,
 * name or id, trimmed; no control or format characters (they would only hide what was asked). A
 * number's half-width brackets, as a keyboard types them (`(2025)苏0102行初123号`), are read as the
 * full-width ones the stored numbers use, as every number argument reads them (normaliseNumber):
 * a number is matched by its beginning, which must then be exactly the stored one's.
 */
export function parseLookupText(text: unknown): string {
  const value = typeof text === 'string' ? normaliseNumber(text) : '';
  if (value.length === 0 || value.length > 100 || /[\p{Cc}\p{Cf}\u2028\u2029]/u.test(value)) throw badUserInput('text must be 1-100 characters of a case number, title, name or id', 'text');
  return value;
}

/** A field name or path (`parties`, `parties.idNumber`) a record's history is narrowed to. */
export function parseFieldPath(field: unknown): string | undefined {
  if (field === undefined || field === null) return undefined;
  if (typeof field !== 'string' || field.length > 200 || !/^[_A-Za-z][_0-9A-Za-z]*(\.[_A-Za-z][_0-9A-Za-z]*)*$/.test(field)) {
    throw badUserInput('field must be a field name or path such as parties.idNumber', 'field');
  }
  return field;
}
