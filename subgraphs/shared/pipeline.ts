// A subgraph's request path, top to bottom: the gateway's assertion first, then the owner's
// sharing rules around every field, its disclosure log around those, no timing traces to the
// gateway, and only deliberate errors out.
import type { KeyObject } from 'node:crypto';
import { ApolloServerPluginInlineTraceDisabled } from '@apollo/server/plugin/disabled';
import type { AgencyOf, GrantBook, Org, SubgraphPolicy } from '../../auth/index.js';
import type { AuditWriter, DisclosureEntry, WitnessBook } from '../../audit/index.js';
import { useErrorMasking, type ServicePlugin } from '../../platform/index.js';
import { useDisclosureLog } from './plugins/disclosure-log.js';
import { useGatewayAssertion } from './plugins/gateway-assertion.js';
import { useSharingRules } from './plugins/sharing-rules.js';
import type { SubgraphContext } from './context.js';

/** What a subgraph's plugins are built from; serveSubgraph makes it. */
export interface SubgraphParts {
  name: Org;
  verifyingKey: KeyObject;
  /** How far the gateway's clock may be from this subgraph's (default: CLOCK_TOLERANCE_SECONDS's). */
  clockToleranceSeconds?: number;
  policy: SubgraphPolicy;
  agencyOf: AgencyOf;
  /** The grants on application the institution approved (null where none can be made). */
  grants: GrantBook | null;
  /** The institution's disclosure log: its writer and the gateway's heads it recorded (the auditors' subgraph has none). */
  disclosureLog: { writer: AuditWriter<DisclosureEntry>; witnesses: WitnessBook } | null;
}

export type SubgraphPipeline = (parts: SubgraphParts) => ServicePlugin<SubgraphContext>[];

/** Production. */
export const governedSubgraphPipeline: SubgraphPipeline = (parts) => [
  useGatewayAssertion({ subgraph: parts.name, verifyingKey: parts.verifyingKey, clockToleranceSeconds: parts.clockToleranceSeconds }),
  useSharingRules({ policy: parts.policy, agencyOf: parts.agencyOf, grants: parts.grants }),
  ...(parts.disclosureLog ? [useDisclosureLog({ institution: parts.name, ...parts.disclosureLog })] : []),
  // Traces would tell the gateway (and so a client) about resolver timings; nobody reads them.
  { name: 'no-inline-traces', apollo: ApolloServerPluginInlineTraceDisabled() },
  useErrorMasking({ service: parts.name, requestIdOf: (context) => context.identity?.requestId, institution: parts.name }),
];
