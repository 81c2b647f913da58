// A subgraph's request path, top to bottom: the gateway's assertion first, then the owner's
// sharing rules around every field, its disclosure log around those, no timing traces to the
// gateway, and only deliberate errors out.
import type { KeyObject } from 'node:crypto';
import { ApolloServerPluginInlineTraceDisabled } from '@apollo/server/plugin/disabled';
import type { AgencyOf, GrantBook, Org, ReplayGuard, SubgraphPolicy } from '../../auth/index.js';
import type { AuditWriter, DisclosureEntry, WitnessBook } from '../../audit/index.js';
import { serviceLog, useErrorMasking, useRequestLog, type MetricsRegistry, type ServicePlugin } from '../../platform/index.js';
import { useDisclosureLog } from './plugins/disclosure-log.js';
import { useGatewayAssertion } from './plugins/gateway-assertion.js';
import { useRequestMetrics } from './plugins/request-metrics.js';
import { useSharingRules } from './plugins/sharing-rules.js';
import { useTracing } from './plugins/tracing.js';
import type { SubgraphContext } from './context.js';

/** What a subgraph's plugins are built from; serveSubgraph makes it. */
export interface SubgraphParts {
  name: Org;
  verifyingKey: KeyObject;
  /** The spent assertions, shared by the subgraph's replicas, and the clock tolerance they are verified with. */
  replays: ReplayGuard;
  policy: SubgraphPolicy;
  agencyOf: AgencyOf;
  /** The grants on application the institution approved (null where none can be made). */
  grants: GrantBook | null;
  /** The institution's disclosure log: its writer and the gateway's heads it recorded (the auditors' subgraph has none). */
  disclosureLog: { writer: AuditWriter<DisclosureEntry>; witnesses: WitnessBook } | null;
  /** The subgraph's metrics registry (METRICS_ENABLED); null: nothing counted. */
  metrics: MetricsRegistry | null;
}

export type SubgraphPipeline = (parts: SubgraphParts) => ServicePlugin<SubgraphContext>[];

/** Production. */
export const governedSubgraphPipeline: SubgraphPipeline = (parts) => [
  // The request id, the caller's org and purpose are the gateway's, from its verified assertion.
  useRequestLog({
    log: serviceLog(parts.name),
    fields: (locals) => ({ requestId: locals.identity?.requestId, org: locals.identity?.principal.org, purpose: locals.identity?.purpose, operationName: locals.operationName }),
  }),
  useGatewayAssertion({ subgraph: parts.name, verifyingKey: parts.verifyingKey, replays: parts.replays }),
  useTracing({ subgraph: parts.name }),
  useSharingRules({ policy: parts.policy, agencyOf: parts.agencyOf, grants: parts.grants }),
  ...(parts.disclosureLog ? [useDisclosureLog({ institution: parts.name, ...parts.disclosureLog })] : []),
  // Traces would tell the gateway (and so a client) about resolver timings; nobody reads them.
  { name: 'no-inline-traces', apollo: ApolloServerPluginInlineTraceDisabled() },
  ...(parts.metrics ? [useRequestMetrics({ registry: parts.metrics })] : []),
  useErrorMasking({ service: parts.name, requestIdOf: (context) => context.identity?.requestId, institution: parts.name }),
];
