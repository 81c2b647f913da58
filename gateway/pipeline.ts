// The gateway's request path, top to bottom: each line one concern, with its options. Guards run
// in this order on the raw request; a request refused before GraphQL passes the access log on its
// way out; every subgraph call is signed; only deliberate errors leave.
import type { KeyObject } from 'node:crypto';
import type { TokenVerifier } from '../auth/index.js';
import type { AuditWriter, WitnessBook } from '../audit/index.js';
import type { Config } from '../config/index.js';
import { serviceLog, useErrorMasking, useRequestLog } from '../platform/index.js';
import type { GatewayPlugin } from './plugin.js';
import { useAccessLog, type AccessEntry } from './plugins/access-log.js';
import { useAuthentication } from './plugins/authentication.js';
import { useCostLimit } from './plugins/cost-limit.js';
import { useOperationInput } from './plugins/operation-input.js';
import { useOperationLimits } from './plugins/operation-limits.js';
import { usePersistedOperations, type PersistedOperationsOptions } from './plugins/persisted-operations.js';
import { usePurpose } from './plugins/purpose.js';
import { useRateLimit } from './plugins/rate-limit.js';
import type { RateBuckets } from './rate-counters.js';
import { useRequestId } from './plugins/request-id.js';
import { useSubgraphAssertion } from './plugins/subgraph-assertion.js';
import { useTracing } from './plugins/tracing.js';
import { useWriteReferences, type WriteReferencesOptions } from './plugins/write-references.js';

/** What the plugins are built from; startGateway makes it. */
export interface GatewayParts {
  config: Config;
  /** Verifies callers' tokens. */
  verify: TokenVerifier;
  /** Signs the assertion on every subgraph call. */
  assertionKey: KeyObject;
  /** Writes this gateway's chain of the access log. */
  accessLog: AuditWriter<AccessEntry>;
  /** The institutions' heads this log has recorded (its witnesses of their logs). */
  witnesses: WitnessBook;
  /** The rate limits' token buckets, shared by every replica through the store. */
  rateBuckets: RateBuckets;
  /** Registered operations and the orgs held to them (PERSISTED_OPERATIONS_FILE); null: none registered. */
  persistedOperations: PersistedOperationsOptions | null;
  /** The writes' references and how to read them from their owners. */
  writeReferences: WriteReferencesOptions;
}

export type GatewayPipeline = (parts: GatewayParts) => GatewayPlugin[];

/** Production: every request identified, authenticated, purposed, bounded, logged and signed. */
export const governedPipeline: GatewayPipeline = (parts) => [
  useRequestId(),
  // After the id: the line is written as the answer goes, with what the plugins below learned.
  useRequestLog({
    log: serviceLog('gateway'),
    fields: (locals) => ({ org: locals.principal?.org, purpose: locals.identity?.purpose, operationName: locals.operationName }),
  }),
  useTracing(),
  useAuthentication({ verify: parts.verify }),
  useRateLimit({ buckets: parts.rateBuckets, limits: parts.config.rateLimits }),
  usePurpose(),
  ...(parts.persistedOperations ? [usePersistedOperations(parts.persistedOperations)] : []),
  useOperationLimits(parts.config.limits),
  useOperationInput(),
  useCostLimit(parts.config.costLimits),
  useWriteReferences(parts.writeReferences),
  useAccessLog({ writer: parts.accessLog, witnesses: parts.witnesses }),
  useSubgraphAssertion({ key: parts.assertionKey }),
  useErrorMasking({ service: 'gateway', requestIdOf: (context) => context.requestId }),
];
