// A subgraph's sharing policy as graphql-shield rules (deny by default) plus PII masking, applied
// to its schema with graphql-middleware. Closes graphql-shield's known traps:
// - rules keyed by an interface (or any name that is not an object type) are silently ignored:
//   the rule tree is checked against the schema and refused;
// - a `deny` fallback blocks `_service` and `_entities`: both are allowed explicitly, and the
//   entity types' own fields keep their rules, so `_entities` is no bypass;
// - an error thrown inside a resolver would read as a plain denial: `allowExternalErrors` keeps
//   database failures as errors (masked to INTERNAL_SERVER_ERROR), not FORBIDDEN;
// - `applyMiddleware` has dropped `__resolveReference` before: the subgraph suite
//   (test/support/subgraph-suite.ts) resolves `_entities` through the rules for every subgraph.
import { isObjectType, type GraphQLSchema } from 'graphql';
import { applyMiddleware, type IMiddlewareFunction } from 'graphql-middleware';
import { allow, rule, shield } from 'graphql-shield';
import type { IRules } from 'graphql-shield';
import type { CallIdentity } from './assertion.js';
import { applyMask, decide } from './decide.js';
import { DenialReason, forbidden } from '../platform/index.js';
import { PolicyError, type AgencyOf, type SubgraphPolicy } from './policy.js';

export interface SharingContext {
  identity: CallIdentity;
  /**
   * Where a mask was applied in this response (the field's `info.path` object → the mask), when a
   * later layer wants to know (the disclosure log records masked values as masked, not disclosed).
   */
  masksApplied?: WeakMap<object, string>;
}

// graphql-shield's typings do not admit `allow` as a rule of a field map; the tree is checked by checkRuleTree.
type RuleTree = Record<string, Record<string, unknown>>;

const denyByDefault = rule('deny-by-default', { cache: 'no_cache' })(() => forbidden(DenialReason.NO_RULE));

/** Refuses a rule tree that names a type or field the schema does not have as an object field. */
export function checkRuleTree(schema: GraphQLSchema, tree: Record<string, Record<string, unknown>>): void {
  const problems: string[] = [];
  for (const [typeName, fields] of Object.entries(tree)) {
    const type = schema.getType(typeName);
    if (!isObjectType(type)) {
      problems.push(`rule for "${typeName}", which is not an object type of the schema (graphql-shield would ignore it)`);
      continue;
    }
    for (const field of Object.keys(fields)) {
      if (!type.getFields()[field]) problems.push(`rule for ${typeName}.${field}, which does not exist`);
    }
  }
  if (problems.length) throw new PolicyError(problems);
}

export function buildRuleTree(policy: SubgraphPolicy, agencyOf: AgencyOf): RuleTree {
  const tree: RuleTree = {};
  for (const fieldPolicy of policy.fields.values()) {
    const coordinate = `${fieldPolicy.type}.${fieldPolicy.field}`;
    // A decision that reads the record (row conditions) is taken per record; any other is the
    // same for the whole request, so graphql-shield computes it once per request.
    const perRecord = fieldPolicy.grants.some((grant) => grant.row !== null);
    tree[fieldPolicy.type] ??= {};
    tree[fieldPolicy.type]![fieldPolicy.field] = rule(coordinate, { cache: perRecord ? 'no_cache' : 'contextual' })(
      (parent: unknown, _args: unknown, context: SharingContext) => {
        const reason = decide(fieldPolicy, policy.owner, context.identity, parent, agencyOf);
        return reason === null ? true : forbidden(reason);
      },
    );
  }
  tree.Query = { ...tree.Query, _service: allow, _entities: allow };
  tree._Service = { sdl: allow };
  return tree;
}

/** The schema with the sharing rules and masking applied. */
export function enforceSharing(schema: GraphQLSchema, policy: SubgraphPolicy, agencyOf: AgencyOf): GraphQLSchema {
  const tree = buildRuleTree(policy, agencyOf);
  checkRuleTree(schema, tree);
  const permissions = shield(tree as IRules, {
    fallbackRule: denyByDefault,
    fallbackError: () => forbidden(DenialReason.NO_RULE),
    allowExternalErrors: true,
    debug: false,
  });

  const masks: Record<string, Record<string, IMiddlewareFunction>> = {};
  for (const fieldPolicy of policy.fields.values()) {
    const mask = fieldPolicy.mask;
    if (!mask) continue;
    masks[fieldPolicy.type] ??= {};
    masks[fieldPolicy.type]![fieldPolicy.field] = async (resolve, parent, args, context: SharingContext, info) => {
      const value = await resolve(parent, args, context, info);
      if (context.identity.principal.org === policy.owner) return value;
      const shown = applyMask(mask, value, parent);
      // Noted only where it changed something (an organisation's name is not a person's).
      if (shown !== value) context.masksApplied?.set(info.path, mask);
      return shown;
    };
  }
  checkRuleTree(schema, masks);
  return applyMiddleware(schema, permissions, masks);
}
