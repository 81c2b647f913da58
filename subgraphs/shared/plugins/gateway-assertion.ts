// A subgraph answers only the gateway: every call must carry its assertion (auth/assertion.ts)
// over the exact body, for this subgraph, unused, unexpired — `_service` and `_entities`
// included — or it is refused with 401 before anything runs.
import type { KeyObject } from 'node:crypto';
import { ASSERTION_HEADER, AssertionError, ReplayGuard, verifyAssertion } from '../../../auth/index.js';
import { ErrorCode, Rejection, type ServicePlugin } from '../../../platform/index.js';
import type { SubgraphContext } from '../context.js';

export interface GatewayAssertionOptions {
  /** This subgraph's name: the assertion's audience. */
  subgraph: string;
  /** The gateway's public assertion key (ASSERTION_PUBLIC_KEY_FILE; development: KEYS_DIR). */
  verifyingKey: KeyObject;
  /** How far the gateway's clock may be from this one's (CLOCK_TOLERANCE_SECONDS); default 5 s. */
  clockToleranceSeconds?: number;
}

export function useGatewayAssertion(options: GatewayAssertionOptions): ServicePlugin<SubgraphContext> {
  // Per process: each assertion is accepted once (README: what that means for replicas).
  const replays = new ReplayGuard(options.clockToleranceSeconds);
  return {
    name: 'gateway-assertion',
    async onRequest(req, res, next) {
      try {
        const body = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
        res.locals.identity = await verifyAssertion(options.verifyingKey, options.subgraph, req.get(ASSERTION_HEADER), body, replays);
        next();
      } catch (error) {
        next(error instanceof AssertionError ? new Rejection(401, ErrorCode.UNAUTHENTICATED, 'A valid gateway assertion is required') : error);
      }
    },
  };
}
