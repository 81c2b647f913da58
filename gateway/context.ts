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
  /** `performance.now()` when the request arrived. */
  startedAt: number;
}
