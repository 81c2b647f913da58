// Mapping between stored documents and the objects resolvers see.

/** A stored document as resolvers see it: `id` instead of `_id`, references still as ids. */
export type WithId<T extends { _id: string }> = Omit<T, '_id'> & { id: string };

export function withId<T extends { _id: string }>(doc: T): WithId<T> {
  const { _id, ...rest } = doc;
  return { id: _id, ...rest };
}

export function maybeWithId<T extends { _id: string }>(doc: T | null): WithId<T> | null {
  return doc ? withId(doc) : null;
}

/** Keeps the entries that are set, so an absent filter field never becomes `{field: undefined}`. */
export function defined(entries: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(entries).filter(([, value]) => value !== undefined));
}
