import { enforceSharing, type AgencyOf, type GrantBook, type SubgraphPolicy } from '../../../auth/index.js';
import type { ServicePlugin } from '../../../platform/index.js';
import type { SubgraphContext } from '../context.js';

export interface SharingRulesOptions {
  /** The subgraph's policy, read from its SDL and checked at start-up. */
  policy: SubgraphPolicy;
  /** How its records name their agency, for OWN_UNIT row conditions. */
  agencyOf: AgencyOf;
  /** The grants on application its owner approved (null: none are consulted). */
  grants?: GrantBook | null;
}

/**
 * The owner's sharing rules and masks (deny by default) around every field, wrapped into the
 * schema's resolvers in place (auth/rules.ts): synchronous wrappers, a caller-and-purpose decision
 * taken once per request and field, so a field's own resolver stays synchronous. A plugin after
 * this one in a list (the disclosure log) wraps outside it and sees its verdicts.
 */
export function useSharingRules(options: SharingRulesOptions): ServicePlugin<SubgraphContext> {
  return { name: 'sharing-rules', transformSchema: (schema) => enforceSharing(schema, options.policy, options.agencyOf, options.grants ?? null) };
}
