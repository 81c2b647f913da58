// Demand control, checked before planning. The depth limit bounds how deep an operation goes, not
// how wide: `adminCases(first: 500) { … defendant { adminCases(first: 500) { … defendant {
// adminCases(first: 500) … } } } }` is well within it, yet answered 274,625 nodes, held the
// gateway for 200 s and took another caller's one-line query to 67 s (issue #9). So every
// operation gets a cost from the schema and its own arguments before any subgraph is called, and an
// operation that costs more than its caller's organisation may spend is refused with
// COST_LIMIT_EXCEEDED, naming the limit and the estimate.
//
// The cost (in the manner of the IBM GraphQL cost specification, simplified): every field costs 1;
// a list multiplies the cost of its selection by its size. The size of a page is its `first`
// (a literal, a variable, or the argument's declared default). Every page of this API parses it
// with platform's parseFirst (1-500): any other value is refused by the owner with BAD_USER_INPUT
// before a row is read, so such a page counts no rows and the caller hears of the real mistake
// rather than of its cost. A field with `first`
// that returns a connection passes that size to the connection's lists (`edges`). A list of one
// record's relations (a dispute's cases, a case's hearings) counts its size in `listSizes`, any other
// list `defaultListSize` items. Introspection's `__schema` and `__type` cost 1 each: their answer
// is bounded by the schema, not by the data.
import { GraphQLError, Kind, getNamedType, getNullableType, isListType, isCompositeType, type FragmentDefinitionNode, type GraphQLCompositeType, type GraphQLSchema, type OperationDefinitionNode, type SelectionSetNode, type ValueNode } from 'graphql';
import type { GraphQLRequestContextDidResolveOperation } from '@apollo/server';
import { ORGS } from '../../auth/index.js';
import { ErrorCode, MAX_PAGE_SIZE } from '../../platform/index.js';
import type { GatewayContext, RequestCost } from '../context.js';
import type { GatewayPlugin } from '../plugin.js';

export interface CostLimitOptions {
  /** The most one operation may cost. Default 20,000 (MAX_QUERY_COST). */
  maxCost?: number;
  /** Another maximum for an organisation's callers, by org (MAX_QUERY_COST_BY_ORG); an org must exist. */
  maxCostByOrg?: Readonly<Record<string, number>>;
  /** Items counted for a list without `first` and without an entry in `listSizes` (the district's agencies). Default 20. */
  defaultListSize?: number;
  /** Items counted for particular lists without `first`, by `Type.field`. Default DEFAULT_LIST_SIZES. */
  listSizes?: Readonly<Record<string, number>>;
}

/**
 * One record's relations: a handful each (in the demo district at most 5 — a dispute's parties —
 * at any scale, since the seed multiplies records, not relations per record). Counted at 20, the
 * cycle dispute → cases → supervisions → case → dispute … would cost 20⁴ times its fields though it
 * answers a few dozen; counted at 5, a legitimate 12-deep walk of it stays under the default limit.
 */
export const DEFAULT_LIST_SIZES: Readonly<Record<string, number>> = {
  'Dispute.adminCases': 5,
  'Dispute.enforcementCases': 5,
  'Dispute.supervisions': 5,
  'Dispute.parties': 5,
  'Dispute.consultations': 5,
  'AdminCase.hearings': 5,
  'AdminCase.supervisions': 5,
};

export const DEFAULT_COST_LIMITS: Required<CostLimitOptions> = { maxCost: 20_000, maxCostByOrg: {}, defaultListSize: 20, listSizes: DEFAULT_LIST_SIZES };

/** How many items a list without `first` is counted as. */
export interface ListSizes {
  defaultListSize: number;
  listSizes: Readonly<Record<string, number>>;
}

/**
 * A selection set's cost as `fixed + size × sized`, where `size` is the length its enclosing
 * field gives the lists directly in it (a connection's `first` for its `edges`). Kept as a pair so
 * a fragment is measured once whatever it is spread under.
 */
interface Cost {
  fixed: number;
  sized: number;
}

const at = (cost: Cost, size: number) => cost.fixed + size * cost.sized;

/** The request's variables as sent (a variable not sent takes the operation's default for it). */
type Variables = Readonly<Record<string, unknown>>;

/**
 * The estimated cost of one operation, each fragment measured once (memoised by name), so the
 * estimate is linear in the document however often a fragment is spread. Capped at
 * Number.MAX_SAFE_INTEGER (nested fragments can multiply past any number).
 */
export function estimateCost(
  schema: GraphQLSchema,
  operation: OperationDefinitionNode,
  fragments: ReadonlyMap<string, FragmentDefinitionNode>,
  variables: Variables,
  { defaultListSize, listSizes }: ListSizes = DEFAULT_COST_LIMITS,
): number {
  const defaults = new Map(operation.variableDefinitions?.map((d) => [d.variable.name.value, d.defaultValue]) ?? []);
  const literal = (value: ValueNode | undefined): unknown => {
    if (!value) return undefined;
    if (value.kind === Kind.INT || value.kind === Kind.FLOAT) return Number(value.value);
    if (value.kind === Kind.NULL) return null;
    if (value.kind === Kind.VARIABLE) {
      const name = value.name.value;
      return Object.prototype.hasOwnProperty.call(variables, name) ? variables[name] : literal(defaults.get(name));
    }
    return value; // a string or the like: not a size
  };
  /** A page's size from its `first`: absent or null → the declared default; 1-500 as given; anything else refused by the owner, so 0. */
  const pageSize = (given: unknown, declared: unknown): number => {
    const value = given === undefined || given === null ? declared : given;
    if (value === undefined || value === null) return defaultListSize;
    return typeof value === 'number' && Number.isInteger(value) && value >= 1 && value <= MAX_PAGE_SIZE ? value : 0;
  };

  const fragmentCost = new Map<string, Cost>();
  const measure = (selectionSet: SelectionSetNode, parent: GraphQLCompositeType | undefined): Cost => {
    const cost: Cost = { fixed: 0, sized: 0 };
    const add = (part: Cost) => {
      cost.fixed += part.fixed;
      cost.sized += part.sized;
    };
    for (const selection of selectionSet.selections) {
      if (selection.kind === Kind.INLINE_FRAGMENT) {
        const type = selection.typeCondition ? schema.getType(selection.typeCondition.name.value) : parent;
        add(measure(selection.selectionSet, isCompositeType(type) ? type : undefined));
      } else if (selection.kind === Kind.FRAGMENT_SPREAD) {
        const name = selection.name.value;
        const fragment = fragments.get(name);
        if (!fragment) continue;
        if (!fragmentCost.has(name)) {
          // A fragment that spreads itself is refused by GraphQL's NoFragmentCycles rule; while it
          // is being measured it counts as 0, so the walk ends.
          fragmentCost.set(name, { fixed: 0, sized: 0 });
          const type = schema.getType(fragment.typeCondition.name.value);
          fragmentCost.set(name, measure(fragment.selectionSet, isCompositeType(type) ? type : undefined));
        }
        add(fragmentCost.get(name)!);
      } else {
        const definition = parent && 'getFields' in parent ? parent.getFields()[selection.name.value] : undefined;
        if (!selection.selectionSet || !definition) {
          cost.fixed += 1; // a leaf (a list of scalars too), __typename, __schema, __type
          continue;
        }
        const named = getNamedType(definition.type);
        const child = measure(selection.selectionSet, isCompositeType(named) ? named : undefined);
        const isList = isListType(getNullableType(definition.type));
        const first = definition.args.find((arg) => arg.name === 'first');
        if (first) {
          const size = pageSize(literal(selection.arguments?.find((arg) => arg.name.value === 'first')?.value), first.defaultValue);
          // A page that is itself a list; or a connection, whose lists (`edges`) are the page.
          cost.fixed += 1 + (isList ? size * at(child, defaultListSize) : at(child, size));
        } else if (isList) {
          const declared = Object.prototype.hasOwnProperty.call(listSizes, `${parent!.name}.${definition.name}`) ? listSizes[`${parent!.name}.${definition.name}`]! : undefined;
          if (declared !== undefined) {
            cost.fixed += 1 + declared * at(child, defaultListSize);
          } else {
            // Its length is the page's, if the field it sits in is a connection.
            cost.fixed += 1;
            cost.sized += at(child, defaultListSize);
          }
        } else {
          cost.fixed += 1 + at(child, defaultListSize);
        }
      }
    }
    return cost;
  };
  const root = operation.operation === 'query' ? schema.getQueryType() : operation.operation === 'mutation' ? schema.getMutationType() : schema.getSubscriptionType();
  return Math.min(at(measure(operation.selectionSet, root ?? undefined), defaultListSize), Number.MAX_SAFE_INTEGER);
}

/**
 * What an answer actually cost, in the estimate's units: its field values (each list item's
 * counted). One walk of the data about to be serialised anyway.
 */
export function actualCost(data: unknown): number {
  let count = 0;
  const walk = (value: unknown): void => {
    if (Array.isArray(value)) {
      for (const item of value) walk(item);
    } else if (value !== null && typeof value === 'object') {
      // for…in over a result's own plain objects: no array of values allocated per object.
      for (const key in value) {
        count += 1;
        walk((value as Record<string, unknown>)[key]);
      }
    }
  };
  walk(data);
  return count;
}

export function costLimitExceeded(limit: number, estimate: number): GraphQLError {
  return new GraphQLError(`The operation's estimated cost is ${estimate}; the limit is ${limit}`, {
    extensions: { code: ErrorCode.COST_LIMIT_EXCEEDED, limit, estimatedCost: estimate, http: { status: 400 } },
  });
}

export function useCostLimit(options: CostLimitOptions = {}): GatewayPlugin {
  const { maxCost, maxCostByOrg, defaultListSize, listSizes }: Required<CostLimitOptions> = { ...DEFAULT_COST_LIMITS, ...options };
  // A limit for an org that does not exist is a typo that would silently leave that org on the default.
  for (const org of Object.keys(maxCostByOrg)) {
    if (!(ORGS as readonly string[]).includes(org)) throw new Error(`cost limit: there is no org "${org}" (orgs: ${ORGS.join(', ')})`);
  }
  return {
    name: 'cost-limit',
    apollo: {
      async requestDidStart() {
        return {
          // After validation (so the document is well formed), before the gateway plans or calls anything.
          async didResolveOperation({ schema, document, operation, request, contextValue }: GraphQLRequestContextDidResolveOperation<GatewayContext>) {
            if (!operation) return; // Apollo answers an unknown operationName itself
            const fragments = new Map(document.definitions.filter((d): d is FragmentDefinitionNode => d.kind === Kind.FRAGMENT_DEFINITION).map((f) => [f.name.value, f]));
            const estimated = estimateCost(schema, operation, fragments, request.variables ?? {}, { defaultListSize, listSizes });
            const cost: RequestCost = { estimated, actual: null };
            contextValue.cost = cost;
            const org = contextValue.identity?.principal.org;
            const limit = (org !== undefined ? maxCostByOrg[org] : undefined) ?? maxCost;
            if (estimated > limit) throw costLimitExceeded(limit, estimated);
          },
          // Synchronous on purpose: Apollo starts each plugin's hook in list order, so the cost is
          // in the context before the access log (later in the list) writes the record.
          async willSendResponse({ response, contextValue }) {
            if (contextValue.cost && response.body.kind === 'single' && response.body.singleResult.data) {
              contextValue.cost.actual = actualCost(response.body.singleResult.data);
            }
          },
        };
      },
    },
  };
}
