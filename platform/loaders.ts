import DataLoader from 'dataloader';
import type { Connection, ParentPage } from './pagination.js';

/** A per-request loader of entities by id: every `load` in one tick becomes one store call. */
export function byIdLoader<T>(fetch: (ids: readonly string[]) => Promise<(T | null)[]>): DataLoader<string, T | null> {
  return new DataLoader<string, T | null>(fetch, { maxBatchSize: 1000 });
}

/**
 * A per-request loader of one-to-many pages (each agency's cases): every `load` in one tick becomes
 * one store call (see findPagesGroupedBy), so a list of agencies costs one command, not one each.
 */
export function pagesLoader<T>(fetch: (requests: readonly ParentPage[]) => Promise<(Connection<T> | Error)[]>): DataLoader<ParentPage, Connection<T>, string> {
  return new DataLoader<ParentPage, Connection<T>, string>(fetch, {
    cacheKeyFn: ({ parent, args }) => JSON.stringify([parent, args.first ?? null, args.after ?? null]),
  });
}
