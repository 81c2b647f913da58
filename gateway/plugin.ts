// A gateway plugin: a service plugin (platform/plugin.ts) that may also shape each subgraph call.
import type { ServicePlugin } from '../platform/index.js';
import type { GatewayContext } from './context.js';

/** One call from the gateway to a subgraph, before it is sent. */
export interface SubgraphCall {
  subgraph: string;
  url: string;
  /**
   * The request's extensions: a hook may add to them until the body is first read (the body is
   * serialised then, and an assertion signs those exact bytes).
   */
  extensions: Record<string, unknown>;
  /** The exact bytes that will be sent. */
  readonly body: string;
  /** Headers to send; a plugin may add to them. */
  headers: Record<string, string>;
  context: GatewayContext;
}

export interface GatewayPlugin extends ServicePlugin<GatewayContext> {
  /** Runs, in list order, before each subgraph call; may add headers, or refuse the call by throwing. */
  onSubgraphRequest?: (call: SubgraphCall) => void | Promise<void>;
  /** Runs, in list order, on each subgraph's parsed answer before the query plan sees it; may take from its extensions. */
  onSubgraphResponse?: (call: SubgraphCall, result: { extensions?: Record<string, unknown> }) => void;
}
