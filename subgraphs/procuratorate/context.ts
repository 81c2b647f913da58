// The per-request context of the procuratorate subgraph: its store and fresh DataLoaders.
import DataLoader from 'dataloader';
import type { CallIdentity } from '../../auth/index.js';
import type { Served } from '../shared/index.js';
import { byIdLoader, periodKey, type Period } from '../../platform/index.js';
import { createStatsLoader } from '../shared/index.js';
import type { ProcuratorateStore } from './store.js';

export function createProcuratorateContext(store: ProcuratorateStore, identity: CallIdentity, served: Served) {
  return {
    identity,
    ...served,
    store,
    loaders: {
      // Per period, the suggestions issued in it (one query, whatever the number of agencies asking).
      suggestionsIssued: new DataLoader((periods: readonly Period[]) => Promise.all(periods.map((period) => store.suggestionsIssuedIn(period))), { cacheKeyFn: periodKey }),
      supervision: byIdLoader(store.supervisionsByIds),
      suggestion: byIdLoader(store.suggestionsByIds),
      supervisionsOfAdminCase: new DataLoader(store.supervisionsByAdminCaseIds),
      supervisionsOfDispute: new DataLoader(store.supervisionsByDisputeIds),
      supervisionStats: createStatsLoader(store.supervisionStats),
    },
  };
}

export type ProcuratorateContext = ReturnType<typeof createProcuratorateContext>;
