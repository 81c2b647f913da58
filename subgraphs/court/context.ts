// The per-request context of the court subgraph: its store and fresh DataLoaders.
import DataLoader from 'dataloader';
import type { CallIdentity } from '../../auth/index.js';
import type { Served } from '../shared/index.js';
import { byIdLoader, pagesLoader, periodKey, type Period } from '../../platform/index.js';
import { createStatsLoader } from '../shared/index.js';
import type { CourtStore } from './store.js';

export function createCourtContext(store: CourtStore, identity: CallIdentity, served: Served) {
  return {
    identity,
    ...served,
    store,
    loaders: {
      // Per period, the suggestions issued in it (one query, whatever the number of agencies asking).
      suggestionsIssued: new DataLoader((periods: readonly Period[]) => Promise.all(periods.map((period) => store.suggestionsIssuedIn(period))), { cacheKeyFn: periodKey }),
      adminCase: byIdLoader(store.adminCasesByIds),
      enforcementCase: byIdLoader(store.enforcementCasesByIds),
      suggestion: byIdLoader(store.suggestionsByIds),
      hearingsOfCase: new DataLoader(store.hearingsByCaseIds),
      adminCasesOfDispute: new DataLoader(store.adminCasesByDisputeIds),
      enforcementCasesOfDispute: new DataLoader(store.enforcementCasesByDisputeIds),
      adminCasesOfAgency: pagesLoader(store.adminCasePagesByDefendant),
      litigationStats: createStatsLoader(store.litigationStats),
      enforcementStats: createStatsLoader(store.enforcementStats),
    },
  };
}

export type CourtContext = ReturnType<typeof createCourtContext>;
