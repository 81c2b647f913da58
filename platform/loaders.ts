import DataLoader from 'dataloader';

/** A per-request loader of entities by id: every `load` in one tick becomes one store call. */
export function byIdLoader<T>(fetch: (ids: readonly string[]) => Promise<(T | null)[]>): DataLoader<string, T | null> {
  return new DataLoader<string, T | null>(fetch, { maxBatchSize: 1000 });
}
