// Parsing of client arguments that GraphQL's type system does not already constrain: ids,
// page sizes, periods. Every resolver argument passes through here before a store sees it.
import { badUserInput } from './errors.js';

export const MAX_PAGE_SIZE = 500;
const ID_PATTERN = /^[A-Za-z0-9:_-]{1,64}$/;

/** An entity id as the stores hold them; anything else is a malformed id, not an unknown one. */
export function parseId(value: unknown, argument = 'id'): string {
  if (typeof value !== 'string' || !ID_PATTERN.test(value)) {
    throw badUserInput(`Malformed ${argument}: expected 1-64 letters, digits, ':', '_' or '-'`, argument);
  }
  return value;
}

export function parseOptionalId(value: unknown, argument: string): string | undefined {
  return value === undefined || value === null ? undefined : parseId(value, argument);
}

export function parseIdList(value: unknown, argument: string): string[] | undefined {
  if (value === undefined || value === null) return undefined;
  if (!Array.isArray(value) || value.length > 200) throw badUserInput(`${argument} must be a list of at most 200 ids`, argument);
  return [...new Set(value.map((id) => parseId(id, argument)))];
}

export function parseFirst(value: unknown): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1 || value > MAX_PAGE_SIZE) {
    throw badUserInput(`first must be an integer from 1 to ${MAX_PAGE_SIZE}`, 'first');
  }
  return value;
}

export interface Period {
  from: Date;
  to: Date;
}

/** A half-open period [from, to); the Date scalar has already parsed both ends. */
export function parsePeriod(value: unknown, argument = 'period'): Period {
  const period = value as { from?: unknown; to?: unknown } | null | undefined;
  if (!period || !(period.from instanceof Date) || !(period.to instanceof Date)) {
    throw badUserInput(`${argument} needs from and to dates`, argument);
  }
  if (period.from.getTime() >= period.to.getTime()) {
    throw badUserInput(`${argument}.from must be before ${argument}.to`, argument);
  }
  return { from: period.from, to: period.to };
}

export function parseOptionalPeriod(value: unknown, argument: string): Period | undefined {
  return value === undefined || value === null ? undefined : parsePeriod(value, argument);
}

export function parseOptionalBoolean(value: unknown, argument: string): boolean | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'boolean') throw badUserInput(`${argument} must be a boolean`, argument);
  return value;
}

/**
 * An enum value. GraphQL has already checked it against the schema's enum; this only makes sure
 * a string of the enum-value shape, and nothing else, can reach a filter.
 */
export function parseOptionalEnum(value: unknown, argument: string): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string' || !/^[A-Z][A-Z_]{0,39}$/.test(value)) throw badUserInput(`Invalid ${argument}`, argument);
  return value;
}

/** Half-width brackets in a document number, as a spreadsheet or a keyboard may type them, read as the full-width ones the numbers use. */
export function normaliseNumber(value: string): string {
  return value.trim().replace(/^\((\d{4})\)/, '（$1）').replace(/\[(\d{4})\]/, '〔$1〕');
}

/**
 * A case or document number as a user types it (`(2025)苏0102行初123号` or with full-width
 * brackets): matched exactly, after the brackets are normalised, against the stored number.
 */
export function parseOptionalNumber(value: unknown, argument: string): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') throw badUserInput(`${argument} must be a string`, argument);
  const number = normaliseNumber(value);
  // Printable text only: no control characters, at most the length of any real number.
  if (number.length < 1 || number.length > 60 || /[\p{Cc}\p{Cf}]/u.test(number)) {
    throw badUserInput(`${argument} must be a case or document number of 1 to 60 characters, as （2025）苏0102行初123号`, argument);
  }
  return number;
}

/**
 * Words to search a title for (a substring, letters' case ignored): 1 to 50 characters of
 * printable text. The store escapes it, so no character has a regular expression's meaning.
 */
export function parseOptionalSearchText(value: unknown, argument: string): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') throw badUserInput(`${argument} must be a string`, argument);
  const text = value.trim();
  if (text.length < 1 || text.length > 50 || /[\p{Cc}\p{Cf}]/u.test(text)) {
    throw badUserInput(`${argument} must be 1 to 50 characters of text`, argument);
  }
  return text;
}

/** `text` with every character that has a regular expression's meaning escaped. */
function escapePattern(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** A regular expression matching `text` literally (for a substring search). */
export function literalPattern(text: string): RegExp {
  return new RegExp(escapePattern(text), 'i');
}

/**
 * A regular expression matching values that begin with `text`, literally and case-sensitively: an
 * anchored, case-sensitive prefix is the one pattern an index on the field serves (as a range
 * scan), where a substring or a case-insensitive one reads the whole collection.
 */
export function literalPrefixPattern(text: string): RegExp {
  return new RegExp(`^${escapePattern(text)}`);
}

/** The same period one year earlier (for year-on-year figures). */
export function yearEarlier(period: Period): Period {
  const shift = (d: Date) => new Date(Date.UTC(d.getUTCFullYear() - 1, d.getUTCMonth(), d.getUTCDate()));
  return { from: shift(period.from), to: shift(period.to) };
}

export function periodKey(period: Period): string {
  return `${period.from.toISOString()}/${period.to.toISOString()}`;
}
