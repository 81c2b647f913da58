// The per-request context of the government subgraph: its store and fresh DataLoaders.
import DataLoader from 'dataloader';
import type { CallIdentity } from '../../auth/index.js';
import type { Served } from '../shared/index.js';
import { byIdLoader, pagesLoader, type Period } from '../../platform/index.js';
import { createStatsLoader, DISTRICT_ID } from '../shared/index.js';
import type { GovernmentStore, SuggestionReplyDoc } from './store.js';

export function createGovernmentContext(store: GovernmentStore, identity: CallIdentity, served: Served, pseudonymKey: string | null) {
  const now = served.now();
  return {
    identity,
    ...served,
    store,
    /** The district key for party pseudonyms (subgraphs/government/pseudonyms.ts); null when not configured. */
    pseudonymKey,
    loaders: {
      agency: byIdLoader(store.agenciesByIds),
      party: byIdLoader(store.partiesByIds),
      act: byIdLoader(store.actsByIds),
      reconsideration: byIdLoader(store.reconsiderationsByIds),
      dispute: byIdLoader(store.disputesByIds),
      supervisionItem: byIdLoader(store.supervisionItemsByIds),
      reply: byIdLoader(store.repliesByIds),
      // Per issuer, every reply to its suggestions (one query, whatever the number of agencies asking).
      replyFacts: new DataLoader((types: readonly SuggestionReplyDoc['suggestionType'][]) => Promise.all(types.map((type) => store.replyFacts(type)))),
      performance: byIdLoader(store.performancesByAdminCaseIds),
      actsOfAgency: pagesLoader(store.actPagesByAgency),
      district: new DataLoader<string, { id: string; name: string } | null>(async (ids) => {
        const district = await store.district();
        return ids.map((id) => (id === DISTRICT_ID ? district : null));
      }),
      reconsiderationStats: createStatsLoader(store.reconsiderationStats),
      disputeStats: createStatsLoader(store.disputeStats),
      actStats: createStatsLoader(store.actStats),
      // "Due" means due before now: the request's one reading of the subgraph's clock (a test fixes it).
      judgmentPerformanceStats: createStatsLoader((period: Period) => store.judgmentPerformanceStats(period, now)),
    },
  };
}

export type GovernmentContext = ReturnType<typeof createGovernmentContext>;
