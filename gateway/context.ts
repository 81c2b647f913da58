import type { CallIdentity } from '../auth/index.js';

/** What the gateway knows about a request while it runs. */
export interface GatewayContext {
  identity: CallIdentity;
  /** Subgraphs the query plan called, filled in by the data sources. */
  subgraphsCalled: Set<string>;
  /** `performance.now()` when the request arrived. */
  startedAt: number;
}
