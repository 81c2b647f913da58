// Arguments of the auditors' API, parsed before any query sees them; shared by the audit subgraph
// and each institution's side of it.
import { badUserInput, parseId } from '../platform/index.js';

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
