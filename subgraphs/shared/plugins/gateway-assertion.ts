// A subgraph answers only the gateway: every call must carry its assertion (auth/assertion.ts)
// over the exact body, for this subgraph, unused at any replica, unexpired — `_service` and
// `_entities` included — or it is refused with 401 before anything runs. When the store cannot say
// whether the assertion was spent, the call is refused too (503): never accepted unchecked.
import type { KeyObject } from 'node:crypto';
import { ASSERTION_HEADER, AssertionError, ReplayCheckUnavailableError, verifyAssertion, type ReplayGuard } from '../../../auth/index.js';
import { ErrorCode, Rejection, logError, serviceLog, type Logger, type ServicePlugin } from '../../../platform/index.js';
import type { SubgraphContext } from '../context.js';

export interface GatewayAssertionOptions {
  /** This subgraph's name: the assertion's audience. */
  subgraph: string;
  /** The gateway's public assertion key (ASSERTION_PUBLIC_KEY_FILE; development: KEYS_DIR). */
  verifyingKey: KeyObject;
  /**
   * The spent assertions, in the subgraph's own database and so shared by all its replicas, with
   * the clock tolerance (CLOCK_TOLERANCE_SECONDS) the assertions are verified with.
   */
  replays: ReplayGuard;
  /** Where the cause of a failed check goes, for the operator. Default: the subgraph's log (platform/log.ts). */
  log?: Logger;
}

export function useGatewayAssertion(options: GatewayAssertionOptions): ServicePlugin<SubgraphContext> {
  const log = options.log ?? serviceLog(options.subgraph);
  return {
    name: 'gateway-assertion',
    async onRequest(req, res, next) {
      try {
        const body = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
        res.locals.identity = await verifyAssertion(options.verifyingKey, options.subgraph, req.get(ASSERTION_HEADER), body, options.replays);
        next();
      } catch (error) {
        if (error instanceof AssertionError) return next(new Rejection(401, ErrorCode.UNAUTHENTICATED, 'A valid gateway assertion is required'));
        if (error instanceof ReplayCheckUnavailableError) {
          logError(log, "the gateway's assertion could not be checked for single use (refused with 503)", error.cause, { requestId: error.requestId });
          // The gateway takes a 503 for the institution being unavailable: its part of the answer
          // is null with SUBGRAPH_UNAVAILABLE, as when its store fails a resolver's read.
          return next(new Rejection(503, ErrorCode.SUBGRAPH_UNAVAILABLE, `The ${options.subgraph}'s store did not answer: the gateway's assertion could not be checked for single use`));
        }
        next(error);
      }
    },
  };
}
