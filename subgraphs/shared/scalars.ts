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
