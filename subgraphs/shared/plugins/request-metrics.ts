// A subgraph's count of the calls it answered (README: metrics): by outcome, the caller's org and
// the purpose the gateway asserted. The gateway's own count is the one of record (its access log
// says what each request came to in the end); this one shows what reached each institution.
import type { GraphQLFormattedError } from 'graphql';
import { Counter } from 'prom-client';
import { ORGS, PURPOSES, type CallIdentity } from '../../../auth/index.js';
import { ErrorCode, boundedLabel, type MetricsRegistry, type ServicePlugin } from '../../../platform/index.js';
import type { SubgraphContext } from '../context.js';

export interface RequestMetricsOptions {
  /** The subgraph's registry (its own; never prom-client's global one). */
  registry: MetricsRegistry;
}

type Outcome = 'SERVED' | 'PARTIAL' | 'REJECTED' | 'FAILED';

export function useRequestMetrics(options: RequestMetricsOptions): ServicePlugin<SubgraphContext> {
  const requests = new Counter({
    name: 'linkage_requests_total',
    help: "Calls from the gateway, by outcome (SERVED, PARTIAL, REJECTED, FAILED), the caller's org and the asserted purpose (none: no verified assertion)",
    labelNames: ['outcome', 'org', 'purpose'] as const,
    registers: [options.registry],
  });
  const count = (outcome: Outcome, identity: CallIdentity | null | undefined) =>
    requests.inc({ outcome, org: boundedLabel(identity?.principal.org, ORGS), purpose: boundedLabel(identity?.purpose, PURPOSES) });
  return {
    name: 'request-metrics',
    // Refused before GraphQL: no (or a bad) assertion, a body that is not one operation.
    onRejection: (rejection, request) => void count(rejection.status >= 500 ? 'FAILED' : 'REJECTED', request.locals.identity),
    apollo: {
      async requestDidStart() {
        return {
          // What the answer is as it leaves Apollo's pipeline. (A disclosure log that cannot be
          // written replaces it with AUDIT_UNAVAILABLE in a hook that runs beside this one; that
          // shows in linkage_disclosure_log_failed_batches_total and in the gateway's FAILED count.)
          async willSendResponse({ response, contextValue }) {
            if (response.body.kind !== 'single') return void count('FAILED', contextValue.identity);
            const result = response.body.singleResult;
            const errors: readonly GraphQLFormattedError[] = result.errors ?? [];
            const status = response.http.status ?? 200;
            const failed = status >= 500 || errors.some((e) => e.extensions?.code === ErrorCode.AUDIT_UNAVAILABLE);
            const executed = 'data' in result && result.data !== undefined;
            count(failed ? 'FAILED' : !executed || status >= 400 ? 'REJECTED' : errors.length ? 'PARTIAL' : 'SERVED', contextValue.identity);
          },
        };
      },
    },
  };
}
