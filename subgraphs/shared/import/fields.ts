// The value types of import files, as zod schemas that read a value from NDJSON (typed) and from
// CSV (every cell a string, an empty cell absent) alike. Each institution's record schemas
// (subgraphs/<institution>/import.ts) are built from these.
import { z } from 'zod';
import { normaliseNumber } from '../../../platform/index.js';

/** An empty CSV cell or JSON `null`: null (the field cleared). An absent field stays absent (`.optional()`: left as stored). */
const absentAsNull = (value: unknown) => (value === '' ? null : value);

/** Text with no control characters, trimmed, 1..max characters. */
export const text = (max = 200) =>
  z
    .string()
    .trim()
    .min(1, 'must not be empty')
    .max(max, `must be at most ${max} characters`)
    .refine((value) => !/[\u0000-\u0008\u000b-\u001f\u007f]/.test(value), 'must not hold control characters');

/** A field that may be empty (an empty cell, or null): null then. Declared `.optional()` too, it may be absent: left as stored. */
export const nullable = <T extends z.ZodType>(schema: T) => z.preprocess(absentAsNull, schema.nullable());

const DAY = /^(\d{4})[-/](\d{1,2})[-/](\d{1,2})$/;

/**
 * A calendar day, `2025-03-14` (or `2025/3/14`, as a spreadsheet in a Chinese locale writes it),
 * stored as that day's UTC midnight, as every day of the graph is.
 */
export const day = z.string().trim().transform((value, ctx) => {
  const match = DAY.exec(value);
  const [year, month, date] = match ? [Number(match[1]), Number(match[2]), Number(match[3])] : [0, 0, 0];
  const at = new Date(Date.UTC(year, month - 1, date));
  if (!match || at.getUTCFullYear() !== year || at.getUTCMonth() !== month - 1 || at.getUTCDate() !== date || year < 1900 || year > 2100) {
    ctx.addIssue({ code: 'custom', message: `must be a day as 2025-03-14 (got "${value}")` });
    return z.NEVER;
  }
  return at;
});

/** A moment with its offset, `2025-03-14T09:30:00+08:00` (ISO 8601). */
export const moment = z.iso.datetime({ offset: true, message: 'must be a date and time with its offset, as 2025-03-14T09:30:00+08:00' }).transform((value) => new Date(value));

/**
 * true/false (JSON), or in a CSV cell: true, false, 是, 否. One transform rather than a union of
 * the two forms: a union that fails says only "Invalid input", and the reader of an import's
 * report needs to hear what a flag may be.
 */
export const flag = z.unknown().transform((value, ctx): boolean => {
  if (typeof value === 'boolean') return value;
  if (typeof value === 'string') {
    const trimmed = value.trim();
    const lower = trimmed.toLowerCase();
    if (lower === 'true' || trimmed === '是') return true;
    if (lower === 'false' || trimmed === '否') return false;
  }
  ctx.addIssue({
    code: 'custom',
    message: value === undefined || value === null ? 'is required (it is missing or empty)' : `must be true or false (是 or 否); got ${typeof value === 'string' ? `"${value.trim()}"` : JSON.stringify(value)}`,
  });
  return z.NEVER;
});

/** A list: a JSON array, or in a CSV cell values separated by `;`. */
export const list = <T extends z.ZodType>(item: T, max = 50) =>
  z.preprocess(
    (value) => (value === undefined || value === null || value === '' ? [] : typeof value === 'string' ? value.split(';').map((v) => v.trim()).filter(Boolean) : value),
    z.array(item).max(max, `must hold at most ${max} values`),
  );

export const oneOf = <const T extends readonly [string, ...string[]]>(values: T) =>
  z.string().trim().refine((value): value is T[number] => (values as readonly string[]).includes(value), { message: `must be one of ${values.join(', ')}` }) as unknown as z.ZodType<T[number]>;

/** The GB 11643 check character of an 18-character resident ID number's first 17 digits. */
export function residentIdCheck(first17: string): string {
  const weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
  const sum = first17.split('').reduce((acc, digit, i) => acc + Number(digit) * (weights[i] as number), 0);
  return '10X98765432'[sum % 11] as string;
}

/**
 * A national identification number: a resident ID (18 characters, GB 11643, its check character
 * right) or an organisation's unified social credit code (18 characters, GB 32100's alphabet).
 * Lower-case x is read as X.
 */
export const idNumber = z
  .string()
  .trim()
  .transform((value) => value.toUpperCase())
  .superRefine((value, ctx) => {
    if (/^\d{17}[\dX]$/.test(value)) {
      if (residentIdCheck(value.slice(0, 17)) !== value[17]) ctx.addIssue({ code: 'custom', message: 'is not a valid resident ID number (its check character is wrong)' });
    } else if (!/^[0-9A-HJ-NPQRTUWXY]{2}\d{6}[0-9A-HJ-NPQRTUWXY]{10}$/.test(value)) {
      ctx.addIssue({ code: 'custom', message: 'must be an 18-character resident ID number or unified social credit code' });
    }
  });


/**
 * A document or case number (案号, 文号) in its series' format: `pattern` has the year and the
 * number as its two groups. Its value: the number as written, and its year and sequence.
 */
export const documentNumber = (pattern: RegExp, example: string) =>
  z
    .string()
    .transform(normaliseNumber)
    .transform((value, ctx) => {
      const match = pattern.exec(value);
      if (!match) {
        ctx.addIssue({ code: 'custom', message: `must be a number as ${example} (got "${value}")` });
        return z.NEVER;
      }
      return { number: value, year: Number(match[1]), seq: Number(match[2]) };
    });

/** An id of another record (ours or another institution's): letters, digits and dashes, as `AG-NRB` or `AC-2025-0012`. */
export const recordId = (prefix: string) =>
  z
    .string()
    .trim()
    .regex(new RegExp(`^${prefix}-[A-Z0-9-]{1,40}$`), `must be an id as ${prefix}-…`);

/** An optional field's stored value: absent (undefined: left as stored) or empty (null) as read, else `map` of it. */
export function optionalValue<T, R>(value: T | null | undefined, map: (value: T) => R): R | null | undefined {
  return value === undefined ? undefined : value === null ? null : map(value);
}

/** A zero-padded sequence number. */
export const pad = (n: number, width: number) => String(n).padStart(width, '0');
