// Operation limits, checked before planning: the schema has cycles (a case's dispute's cases'
// supervisions' case …), so without a depth bound one request could fan out across all three
// institutions without end; aliases multiply one field into thousands of resolver calls.
// Refused operations are GRAPHQL_VALIDATION_FAILED (and logged as REJECTED like any other).
import { GraphQLError, Kind, type ASTVisitor, type FragmentDefinitionNode, type SelectionSetNode, type ValidationContext } from 'graphql';
import type { GatewayPlugin } from '../plugin.js';

export interface OperationLimitsOptions {
  /** Deepest nesting of fields, fragments followed. Default 12 (MAX_QUERY_DEPTH). */
  maxDepth?: number;
  /** Aliased fields in one document. Default 30 (MAX_ALIASES). */
  maxAliases?: number;
}

export const DEFAULT_OPERATION_LIMITS = { maxDepth: 12, maxAliases: 30 } as const;

/**
 * The depth of every selection set, each fragment measured once (memoised by name), so the
 * check is linear in the document however often a fragment is spread.
 */
function depthMeasurer(fragments: Map<string, FragmentDefinitionNode>) {
  const fragmentDepth = new Map<string, number>();
  const measure = (selectionSet: SelectionSetNode): number => {
    let deepest = 0;
    for (const selection of selectionSet.selections) {
      if (selection.kind === Kind.FIELD) {
        deepest = Math.max(deepest, selection.selectionSet ? 1 + measure(selection.selectionSet) : 1);
      } else if (selection.kind === Kind.INLINE_FRAGMENT) {
        deepest = Math.max(deepest, measure(selection.selectionSet));
      } else {
        const name = selection.name.value;
        const fragment = fragments.get(name);
        if (!fragment) continue;
        if (!fragmentDepth.has(name)) {
          // A fragment that spreads itself is refused by GraphQL's own NoFragmentCycles rule;
          // while it is being measured it counts as 0, so the walk ends.
          fragmentDepth.set(name, 0);
          fragmentDepth.set(name, measure(fragment.selectionSet));
        }
        deepest = Math.max(deepest, fragmentDepth.get(name)!);
      }
    }
    return deepest;
  };
  return measure;
}

export function useOperationLimits(options: OperationLimitsOptions = {}): GatewayPlugin {
  const { maxDepth, maxAliases } = { ...DEFAULT_OPERATION_LIMITS, ...options };
  const depthRule = (context: ValidationContext): ASTVisitor => {
    const fragments = new Map(context.getDocument().definitions.filter((d): d is FragmentDefinitionNode => d.kind === Kind.FRAGMENT_DEFINITION).map((f) => [f.name.value, f]));
    const measure = depthMeasurer(fragments);
    return {
      OperationDefinition(operation) {
        const depth = measure(operation.selectionSet);
        if (depth > maxDepth) {
          context.reportError(new GraphQLError(`The operation is ${depth} fields deep; the limit is ${maxDepth}`, { nodes: [operation] }));
        }
      },
    };
  };
  const aliasRule = (context: ValidationContext): ASTVisitor => {
    let aliases = 0;
    return {
      Field(field) {
        if (field.alias && ++aliases === maxAliases + 1) {
          context.reportError(new GraphQLError(`The operation uses more than ${maxAliases} aliases`, { nodes: [field] }));
        }
      },
    };
  };
  return { name: 'operation-limits', validationRules: [depthRule, aliasRule] };
}
