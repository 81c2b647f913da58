// The gateway's request path, top to bottom: each line one concern, with its options. Guards run
// in this order on the raw request; a request refused before GraphQL passes the access log on its
// way out; every subgraph call is signed; only deliberate errors leave.
import type { KeyObject } from 'node:crypto';
import type { TokenVerifier } from '../auth/index.js';
import type { AuditWriter, WitnessBook } from '../audit/index.js';
import type { Config } from '../config/index.js';
import { useErrorMasking } from '../platform/index.js';
import type { GatewayPlugin } from './plugin.js';
import { useAccessLog, type AccessEntry } from './plugins/access-log.js';
import { useAuthentication } from './plugins/authentication.js';
import { useOperationLimits } from './plugins/operation-limits.js';
import { usePurpose } from './plugins/purpose.js';
import { useRequestId } from './plugins/request-id.js';
import { useSubgraphAssertion } from './plugins/subgraph-assertion.js';

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
}

export type GatewayPipeline = (parts: GatewayParts) => GatewayPlugin[];

/** Production: every request identified, authenticated, purposed, bounded, logged and signed. */
export const governedPipeline: GatewayPipeline = (parts) => [
  useRequestId(),
  useAuthentication({ verify: parts.verify }),
  usePurpose(),
  useOperationLimits(parts.config.limits),
  useAccessLog({ writer: parts.accessLog, witnesses: parts.witnesses }),
  useSubgraphAssertion({ key: parts.assertionKey }),
  useErrorMasking({ service: 'gateway', requestIdOf: (context) => context.requestId }),
];
