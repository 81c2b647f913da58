// Every subgraph call carries the gateway's assertion (auth/assertion.ts) over the exact bytes of
// its body, for the caller and purpose of the request: subgraphs refuse anything else. It carries
// the request's trace context too, so a subgraph continues the trace from nothing a client set.
import type { KeyObject } from 'node:crypto';
import { ASSERTION_HEADER, signAssertion } from '../../auth/index.js';
import { currentTraceparent } from '../../platform/index.js';
import type { GatewayPlugin } from '../plugin.js';

export interface SubgraphAssertionOptions {
  /** The gateway's private assertion key (ASSERTION_PRIVATE_KEY_FILE; development: KEYS_DIR). */
  key: KeyObject;
}

export function useSubgraphAssertion(options: SubgraphAssertionOptions): GatewayPlugin {
  return {
    name: 'subgraph-assertion',
    async onSubgraphRequest(call) {
      // Deny by default: a call without a caller (there is none today) is never sent unsigned.
      if (!call.context.identity) throw new Error('refusing to call a subgraph without a caller identity');
      // The trace context of this fetch (when traced) travels inside the signature (platform/tracing.ts).
      const traceparent = currentTraceparent();
      const identity = traceparent ? { ...call.context.identity, traceparent } : call.context.identity;
      call.headers[ASSERTION_HEADER] = await signAssertion(options.key, call.subgraph, identity, call.body);
    },
  };
}
