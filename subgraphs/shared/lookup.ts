// The auditors' lookup (recordLookup) over one collection, for a store to call with its own
// collections: records whose identifying label (a case or document number, a dispute's title, an
// agency's name) matches the text, or whose id is the text.
//
// The label is disclosed to org `audit` only by this lookup (RecordMatch in the SDL): the sharing
// rules otherwise refuse it to auditors, but an auditor must be able to find "dispute X" by what
// they know of it. So the match is kept narrow: a number only by its beginning (an anchored,
// case-sensitive prefix, which the number's unique index serves), a title only by two characters
// or more, and every query bounded in time (LOOKUP_MAX_TIME_MS). Each match shown is recorded in
// the owner's disclosure log (subgraphs/shared/owner-audit.ts).
import type { Collection, Document, Filter } from 'mongodb';
import { badUserInput, literalPattern, literalPrefixPattern } from '../../platform/index.js';
import type { RecordMatch } from './owner-audit.js';

/** At most this many records of one type per lookup: the auditor types more to narrow it. */
export const LOOKUP_LIMIT = 10;

/** How long one collection's lookup may run in the store before it is cut off and refused. */
export const LOOKUP_MAX_TIME_MS = 10_000;

/** The shortest text a title is searched for (by substring): one character would list most disputes. */
export const MIN_TITLE_TEXT = 2;

/**
 * How a collection's label is matched: `number` (a case or document number) by its beginning;
 * `title` by a substring of at least MIN_TITLE_TEXT characters; `name` (an agency's, public) by any
 * substring. A substring pattern reads the collection (no index serves it): the registers and
 * dispute lists are thousands of records, and the auditors' lookups are few.
 */
export type LabelKind = 'number' | 'title' | 'name';

function labelFilter(kind: LabelKind, field: string, text: string): Document | null {
  if (kind === 'number') return { [field]: { $regex: literalPrefixPattern(text) } };
  if (kind === 'title' && [...text].length < MIN_TITLE_TEXT) return null;
  return { [field]: { $regex: literalPattern(text) } };
}

/** MongoDB's MaxTimeMSExpired: the store cut the query off at LOOKUP_MAX_TIME_MS. */
function timedOut(error: unknown): boolean {
  return typeof error === 'object' && error !== null && ((error as { code?: unknown }).code === 50 || (error as { codeName?: unknown }).codeName === 'MaxTimeMSExpired');
}

export async function lookupByLabel<TDoc extends Document>(collection: Collection<TDoc>, recordType: string, labelField: string, kind: LabelKind, text: string): Promise<RecordMatch[]> {
  const byLabel = labelFilter(kind, labelField, text);
  const filter = (byLabel ? { $or: [{ _id: text }, byLabel] } : { _id: text }) as unknown as Filter<TDoc>;
  let docs: TDoc[];
  try {
    docs = (await collection
      .find(filter, { projection: { [labelField]: 1 }, sort: { _id: -1 }, limit: LOOKUP_LIMIT, batchSize: LOOKUP_LIMIT, maxTimeMS: LOOKUP_MAX_TIME_MS })
      .toArray()) as TDoc[];
  } catch (error) {
    if (timedOut(error)) throw badUserInput('The lookup took too long: type more of the number, title or name', 'text');
    throw error;
  }
  return docs.map((doc) => {
    const id = String(doc._id);
    const label = (doc as Record<string, unknown>)[labelField];
    return typeof label === 'string' && label.length > 0
      ? { recordType, recordId: id, label, labelField }
      : { recordType, recordId: id, label: id, labelField: 'id' };
  });
}
