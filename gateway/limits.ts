// Operation limits, checked before planning: the schema has cycles (a case's dispute's cases'
// supervisions' case …), so without a depth bound one request could fan out across all three
// institutions without end; aliases multiply one field into thousands of resolver calls.
// Refused operations are GRAPHQL_VALIDATION_FAILED (and logged as REJECTED like any other).
import {
  GraphQLError,
  Kind,
  type ASTVisitor,
  type FragmentDefinitionNode,
  type SelectionSetNode,
  type ValidationContext,
} from 'graphql';

export interface OperationLimits {
  /** Deepest nesting of fields, fragments followed. */
  maxDepth: number;
  /** Aliased fields in one document. */
  maxAliases: number;
}

function depthOf(selectionSet: SelectionSetNode, fragments: Map<string, FragmentDefinitionNode>, seen: Set<string>): number {
  let deepest = 0;
  for (const selection of selectionSet.selections) {
    if (selection.kind === Kind.FIELD) {
      deepest = Math.max(deepest, selection.selectionSet ? 1 + depthOf(selection.selectionSet, fragments, seen) : 1);
    } else if (selection.kind === Kind.INLINE_FRAGMENT) {
      deepest = Math.max(deepest, depthOf(selection.selectionSet, fragments, seen));
    } else {
      const fragment = fragments.get(selection.name.value);
      // A fragment that spreads itself is refused by GraphQL's own NoFragmentCycles rule.
      if (fragment && !seen.has(fragment.name.value)) {
        deepest = Math.max(deepest, depthOf(fragment.selectionSet, fragments, new Set([...seen, fragment.name.value])));
      }
    }
  }
  return deepest;
}

export function operationLimitRules(limits: OperationLimits): ((context: ValidationContext) => ASTVisitor)[] {
  const depthRule = (context: ValidationContext): ASTVisitor => ({
    OperationDefinition(operation) {
      const fragments = new Map(context.getDocument().definitions.filter((d): d is FragmentDefinitionNode => d.kind === Kind.FRAGMENT_DEFINITION).map((f) => [f.name.value, f]));
      const depth = depthOf(operation.selectionSet, fragments, new Set());
      if (depth > limits.maxDepth) {
        context.reportError(new GraphQLError(`The operation is ${depth} fields deep; the limit is ${limits.maxDepth}`, { nodes: [operation] }));
      }
    },
  });
  const aliasRule = (context: ValidationContext): ASTVisitor => {
    let aliases = 0;
    return {
      Field(field) {
        if (field.alias && ++aliases === limits.maxAliases + 1) {
          context.reportError(new GraphQLError(`The operation uses more than ${limits.maxAliases} aliases`, { nodes: [field] }));
        }
      },
    };
  };
  return [depthRule, aliasRule];
}
