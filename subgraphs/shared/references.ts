// What the gateway read, as the caller, of the records a write references (schema/references.ts):
// it comes in the body of the call, under the extension the gateway's assertion signs with the
// rest, so the subgraph decides on another institution's record (the agency a suggestion was
// addressed to) without reading that institution's database. Parsed like any input.
import { z } from 'zod';
import { REFERENCES_EXTENSION } from '../../schema/index.js';
import { badUserInput } from '../../platform/index.js';

/** Record key (`Type:id`) → the fields read. */
export type References = ReadonlyMap<string, Record<string, unknown>>;

const referencesSchema = z.record(z.string().max(200), z.record(z.string(), z.unknown())).refine((r) => Object.keys(r).length <= 50);

/** The references of a call's body extensions (none when absent: a read, or a write without any). */
export function parseReferences(extensions: unknown): References {
  const value = (extensions as Record<string, unknown> | undefined)?.[REFERENCES_EXTENSION];
  if (value === undefined) return new Map();
  const parsed = referencesSchema.safeParse(value);
  if (!parsed.success) throw new Error('malformed references in a signed call');
  return new Map(Object.entries(parsed.data));
}

/**
 * The referenced record, as the gateway read it. Missing only when the write's SDL lacks the
 * declaration (the gateway refuses a write whose record does not exist before sending it).
 */
export function referenced(references: References, type: string, id: string, argument: string): Record<string, unknown> {
  const record = references.get(`${type}:${id}`);
  if (!record) throw badUserInput(`No ${type} ${id} was read for this write`, argument);
  return record;
}
