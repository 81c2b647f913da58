// The `Date` scalar: calendar dates as `YYYY-MM-DD`, held as JS Dates at UTC midnight.
import { GraphQLScalarType, Kind } from 'graphql';
import { badUserInput } from './errors.js';

const DATE_PATTERN = /^(\d{4})-(\d{2})-(\d{2})$/;

/** Parses `YYYY-MM-DD` strictly (no rollover: 2025-02-30 is refused). */
export function parseDate(value: unknown): Date {
  if (typeof value !== 'string') throw badUserInput('Date must be a string YYYY-MM-DD');
  const match = DATE_PATTERN.exec(value);
  if (!match) throw badUserInput(`Invalid Date "${value.slice(0, 40)}": expected YYYY-MM-DD`);
  const [, y, m, d] = match.map(Number) as [number, number, number, number];
  const date = new Date(Date.UTC(y, m - 1, d));
  if (date.getUTCFullYear() !== y || date.getUTCMonth() !== m - 1 || date.getUTCDate() !== d) {
    throw badUserInput(`Invalid Date "${value}": no such day`);
  }
  return date;
}

export function formatDate(date: Date): string {
  return date.toISOString().slice(0, 10);
}

export const DateScalar = new GraphQLScalarType({
  name: 'Date',
  description: 'A calendar date, `YYYY-MM-DD` (UTC).',
  serialize(value) {
    if (value instanceof Date && !Number.isNaN(value.getTime())) return formatDate(value);
    throw new TypeError('Date cannot represent a non-date value');
  },
  parseValue: parseDate,
  parseLiteral(ast) {
    if (ast.kind !== Kind.STRING) throw badUserInput('Date must be a string YYYY-MM-DD');
    return parseDate(ast.value);
  },
});

const DATE_TIME_PATTERN = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?Z$/;

/** Parses an ISO 8601 instant in UTC (`…Z`), strictly. */
export function parseDateTime(value: unknown): Date {
  if (typeof value !== 'string' || !DATE_TIME_PATTERN.test(value)) throw badUserInput('DateTime must be ISO 8601 in UTC, e.g. 2025-06-30T08:00:00Z');
  const date = new Date(value);
  if (Number.isNaN(date.getTime()) || date.toISOString().slice(0, 10) !== value.slice(0, 10)) throw badUserInput(`Invalid DateTime "${value.slice(0, 40)}"`);
  return date;
}

export const DateTimeScalar = new GraphQLScalarType({
  name: 'DateTime',
  description: 'An instant, ISO 8601 in UTC (`2025-06-30T08:00:00.000Z`).',
  serialize(value) {
    if (value instanceof Date && !Number.isNaN(value.getTime())) return value.toISOString();
    throw new TypeError('DateTime cannot represent a non-date value');
  },
  parseValue: parseDateTime,
  parseLiteral(ast) {
    if (ast.kind !== Kind.STRING) throw badUserInput('DateTime must be a string');
    return parseDateTime(ast.value);
  },
});
