// Party pseudonyms: a party's id is an HMAC of its national ID number under the district key,
// which only the government holds (it owns the parties' PII). The court's and the procuratorate's
// imports obtain the pseudonyms of the numbers they read through Query.partyPseudonyms — batched,
// permissioned by the sharing rules and logged by the government like any disclosure (each
// pseudonym is disclosed as a Party record) — and store only the pseudonym, never the number.
import { createHmac } from 'node:crypto';
import { GraphQLError } from 'graphql';
import { ErrorCode, badUserInput } from '../../platform/index.js';
import { idNumber } from '../shared/index.js';

/** At most this many numbers per call (an import batch's). */
export const MAX_PSEUDONYMS_PER_CALL = 1000;

/** A party's pseudonymous id: HMAC-SHA256 of the national ID number under the district key. */
export function partyPseudonym(key: string, number: string): string {
  return `P-${createHmac('sha256', key).update(number).digest('hex').slice(0, 24)}`;
}

/** The pseudonyms of numbers computed here, with the key (the government's own imports, the demo data's). */
export function localPseudonymizer(key: string) {
  return async (numbers: readonly string[]) => new Map(numbers.map((n) => [n, partyPseudonym(key, n)]));
}

/** `idNumbers`, parsed: a list of 1..1000 valid national ID numbers (an invalid one is named by its index). */
export function parseIdNumbers(value: unknown): string[] {
  if (!Array.isArray(value) || value.length < 1 || value.length > MAX_PSEUDONYMS_PER_CALL) {
    throw badUserInput(`idNumbers must list 1 to ${MAX_PSEUDONYMS_PER_CALL} national ID numbers`, 'idNumbers');
  }
  return value.map((item, i) => {
    const parsed = idNumber.safeParse(item);
    // The number itself is never echoed: an error may be logged or shown.
    if (!parsed.success) throw badUserInput(`idNumbers[${i}] ${parsed.error.issues[0]?.message ?? 'is not a national ID number'}`, 'idNumbers');
    return parsed.data;
  });
}

/** The key, or the error a deployment without one answers (its government was given no PSEUDONYM_KEY). */
export function requireKey(key: string | null): string {
  if (key === null) throw new GraphQLError('Pseudonymisation is not configured here', { extensions: { code: ErrorCode.NOT_CONFIGURED } });
  return key;
}
