import type { CallIdentity } from '../auth/index.js';
import type { LogHead } from '../audit/index.js';

/** What the gateway knows about a request while it runs (built from what the plugins' guards found). */
export interface GatewayContext {
  /** The request's id (the request-id plugin), null in a list without it. */
  requestId: string | null;
  /** The caller and purpose (the authentication and purpose plugins), null in a list without them. */
  identity: CallIdentity | null;
  /** Subgraphs the query plan called (the access-log plugin fills it in). */
  subgraphsCalled: Set<string>;
  /** The institutions' signed heads their answers carried (the access-log plugin fills it in, for its witnesses). */
  logHeads: LogHead[];
  /**
   * Aborted at the request's deadline (REQUEST_DEADLINE_MS from arrival; reason DEADLINE_EXCEEDED)
   * or when its client goes (CLIENT_CLOSED): every subgraph call stops then.
   */
  signal: AbortSignal;
  /** `performance.now()` when the request arrived. */
  startedAt: number;
  /** What the operation was estimated to cost, and what its answer did (the cost-limit plugin fills it in, for the access record). */
  cost?: RequestCost;
}

/** An operation's cost in fields (gateway/plugins/cost-limit.ts): estimated before planning, actual once answered. */
export interface RequestCost {
  estimated: number;
  /** The answer's field values; null when nothing was executed (refused, or failed before execution). */
  actual: number | null;
}
