// A subgraph's sharing policy (deny by default) plus PII masking, put around the resolvers of its
// schema in place (platform's wrapFieldResolvers). Every field of every object type gets a plain,
// synchronous wrapper: a request reads up to thousands of fields (a 500-row page of cases), and an
// async wrapper on each — a promise per field, as graphql-middleware made — cost the owner five
// times the CPU of the request itself (issue #10). So:
// - a decision that depends only on the caller and purpose (no row condition) is taken once per
//   request and field, then each value is the field's own resolver's, as is: synchronous stays
//   synchronous; only a row condition (OWN_UNIT) is decided per record, and only a mask waits for a
//   pending value;
// - a refusal is returned, not thrown, as the `forbidden(reason)` error: graphql-js makes it that
//   field's error, the disclosure log (wrapped outside these rules) records it as refused, and the
//   field's resolver never runs; an error a resolver throws passes through untouched, so a
//   database failure stays an error (masked to INTERNAL_SERVER_ERROR), not a denial;
// - a field with no rule is refused (NO_RULE), federation's own `_service` and `_entities` aside;
//   the entity types' own fields keep their rules, so `_entities` is no bypass;
// - rules sit on the object types' fields themselves, so one keyed by an interface, or by a field
//   the schema lacks, would never run: such a policy is refused at start-up;
// - wrapping in place leaves `__resolveReference` where federation keeps it: the subgraph suite
//   (test/support/subgraph-suite.ts) resolves `_entities` through the rules for every subgraph.
import { isObjectType, type GraphQLError, type GraphQLSchema } from 'graphql';
import type { CallIdentity } from './assertion.js';
import { IGNORE_ROWS, applyMask, decide } from './decide.js';
import { decideGranted, type GrantBook } from './grants.js';
import { DenialReason, forbidden, isPending, noteSpan, tracerOf, wrapFieldResolvers, type FieldResolver } from '../platform/index.js';
import { FEDERATION_FIELDS, PolicyError, type AgencyOf, type FieldPolicy, type Mask, type SubgraphPolicy } from './policy.js';

export interface SharingContext {
  identity: CallIdentity;
  /**
   * Where a mask was applied in this response (the field's `info.path` object → the mask), when a
   * later layer wants to know (the disclosure log records masked values as masked, not disclosed).
   */
  masksApplied?: WeakMap<object, string>;
  /** Where a grant on application disclosed a field (its `info.path` → the grant's id), for the disclosure log. */
  grantsApplied?: WeakMap<object, string>;
}

/**
 * What a write's resolver holds (as `context.write`) once the write's grants admit the caller and
 * purpose: the row conditions left to decide on the record it is about to write. `authorize`
 * throws FORBIDDEN (with the reason) when no grant admits the caller for that record.
 */
export interface WriteGuard {
  /** The mutation, `Mutation.<field>`. */
  readonly coordinate: string;
  authorize(type: string, record: unknown): void;
}

/** Refuses a rule tree that names a type or field the schema does not have as an object field. */
export function checkRuleTree(schema: GraphQLSchema, tree: Record<string, Record<string, unknown>>): void {
  const problems: string[] = [];
  for (const [typeName, fields] of Object.entries(tree)) {
    const type = schema.getType(typeName);
    if (!isObjectType(type)) {
      problems.push(`rule for "${typeName}", which is not an object type of the schema (a rule there would never run)`);
      continue;
    }
    for (const field of Object.keys(fields)) {
      if (!type.getFields()[field]) problems.push(`rule for ${typeName}.${field}, which does not exist`);
    }
  }
  if (problems.length) throw new PolicyError(problems);
}

/** The policy as type → field → its rule. */
function ruleTree(policy: SubgraphPolicy): Record<string, Record<string, FieldPolicy>> {
  const tree: Record<string, Record<string, FieldPolicy>> = {};
  for (const fieldPolicy of policy.fields.values()) (tree[fieldPolicy.type] ??= {})[fieldPolicy.field] = fieldPolicy;
  return tree;
}

/** The schema, its resolvers wrapped in place with the sharing rules and masking. */
export function enforceSharing(schema: GraphQLSchema, policy: SubgraphPolicy, agencyOf: AgencyOf, grants: GrantBook | null = null): GraphQLSchema {
  const tree = ruleTree(policy);
  checkRuleTree(schema, tree);

  // Each caller-and-purpose decision is a span of the request's trace (platform/tracing.ts): which
  // rule, and what it decided. (Row conditions, decided per record, are not spanned one by one.)
  const tracer = tracerOf(policy.owner);
  const noteRule = (fieldPolicy: FieldPolicy, reason: DenialReason | null) =>
    noteSpan(tracer, `rule ${fieldPolicy.type}.${fieldPolicy.field}`, { 'linkage.rule.coordinate': `${fieldPolicy.type}.${fieldPolicy.field}`, 'linkage.rule.verdict': reason ?? 'SHARED' });

  // Per request (its context object), each caller-and-purpose decision taken so far: null where the
  // field is shared, the refusal otherwise (one error object, returned for every row it refuses).
  const decided = new WeakMap<object, Map<FieldPolicy, GraphQLError | null>>();
  const decideOnce = (fieldPolicy: FieldPolicy, parent: unknown, context: SharingContext): GraphQLError | null => {
    let verdicts = decided.get(context);
    if (!verdicts) decided.set(context, (verdicts = new Map()));
    let verdict = verdicts.get(fieldPolicy);
    if (verdict === undefined) {
      const reason = decide(fieldPolicy, policy.owner, context.identity, parent, agencyOf);
      verdict = reason === null ? null : forbidden(reason);
      verdicts.set(fieldPolicy, verdict);
      noteRule(fieldPolicy, reason);
    }
    return verdict;
  };

  // The field's value as a caller of another institution may see it.
  const masking =
    (mask: Mask, resolve: FieldResolver): FieldResolver =>
    (parent, args, context: SharingContext, info) => {
      const value = resolve(parent, args, context, info);
      if (context.identity.principal.org === policy.owner) return value;
      const show = (raw: unknown) => {
        const shown = applyMask(mask, raw, parent);
        // Noted only where it changed something (an organisation's name is not a person's).
        if (shown !== raw) context.masksApplied?.set(info.path, mask);
        return shown;
      };
      return isPending(value) ? value.then(show) : show(value);
    };

  // A write: its grants are decided on the caller and purpose before its resolver runs (a refused
  // write never starts), and its row conditions by the resolver, on the record it writes, through
  // `context.write` (a context of its own, above the request's: nothing else sees the guard).
  const writing =
    (fieldPolicy: FieldPolicy, resolve: FieldResolver): FieldResolver =>
    (parent, args, context: SharingContext, info) => {
      const refusal = decide(fieldPolicy, policy.owner, context.identity, null, agencyOf, IGNORE_ROWS);
      noteRule(fieldPolicy, refusal);
      if (refusal) return forbidden(refusal);
      const guard: WriteGuard = {
        coordinate: `${fieldPolicy.type}.${fieldPolicy.field}`,
        authorize(type, record) {
          const reason = decide(fieldPolicy, policy.owner, context.identity, record, agencyOf, { type, record });
          if (reason) throw forbidden(reason);
        },
      };
      return resolve(parent, args, Object.create(context, { write: { value: guard } }) as SharingContext, info);
    };
  const mutationType = schema.getMutationType()?.name;

  return wrapFieldResolvers(schema, (resolve, type, field): FieldResolver | undefined => {
    if (FEDERATION_FIELDS.has(`${type.name}.${field.name}`)) return undefined;
    const fieldPolicy = tree[type.name]?.[field.name];
    if (!fieldPolicy) return () => forbidden(DenialReason.NO_RULE);
    if (type.name === mutationType) return writing(fieldPolicy, resolve);
    const shared = fieldPolicy.mask ? masking(fieldPolicy.mask, resolve) : resolve;
    // A field others may apply for: where the static rules refuse, an approved grant may disclose
    // it, decided per record (its scope may be one agency's records, or a list of them).
    if (fieldPolicy.applicable) {
      return (parent, args, context: SharingContext, info) => {
        const reason = decide(fieldPolicy, policy.owner, context.identity, parent, agencyOf);
        if (reason === null) return shared(parent, args, context, info);
        const granted = grants ? decideGranted(grants, type.name, field.name, context.identity, parent, agencyOf) : null;
        if (granted && 'grant' in granted) {
          context.grantsApplied?.set(info.path, granted.grant);
          return shared(parent, args, context, info);
        }
        return forbidden(granted ? granted.reason : reason);
      };
    }
    if (fieldPolicy.grants.some((grant) => grant.row !== null)) {
      return (parent, args, context: SharingContext, info) => {
        const reason = decide(fieldPolicy, policy.owner, context.identity, parent, agencyOf);
        return reason === null ? shared(parent, args, context, info) : forbidden(reason);
      };
    }
    return (parent, args, context: SharingContext, info) => {
      const refusal = decideOnce(fieldPolicy, parent, context);
      return refusal ?? shared(parent, args, context, info);
    };
  });
}
