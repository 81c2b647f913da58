// What an operation asks for, in `Type.field` coordinates (envelop's operation-field-permissions
// thinks in the same terms): all coordinates of the document, and the one at a response path.
import {
  Kind,
  TypeInfo,
  getNamedType,
  isObjectType,
  visit,
  visitWithTypeInfo,
  type DocumentNode,
  type FragmentDefinitionNode,
  type GraphQLObjectType,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type SelectionSetNode,
} from 'graphql';

export function requestedCoordinates(schema: GraphQLSchema, document: DocumentNode): string[] {
  const typeInfo = new TypeInfo(schema);
  const coordinates = new Set<string>();
  visit(
    document,
    visitWithTypeInfo(typeInfo, {
      Field(node) {
        const parent = typeInfo.getParentType();
        if (parent && !node.name.value.startsWith('__')) coordinates.add(`${parent.name}.${node.name.value}`);
      },
    }),
  );
  return [...coordinates].sort();
}

function pickOperation(document: DocumentNode, operationName: string | null | undefined): OperationDefinitionNode | undefined {
  const operations = document.definitions.filter((d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION);
  return operationName ? operations.find((o) => o.name?.value === operationName) : operations[0];
}

/** The `Type.field` a response path (e.g. `['adminCase', 'notes']`) points at, following aliases and fragments. */
export function coordinateAt(
  schema: GraphQLSchema,
  document: DocumentNode,
  operationName: string | null | undefined,
  path: readonly (string | number)[],
): string | null {
  const operation = pickOperation(document, operationName);
  if (!operation) return null;
  const fragments = new Map(
    document.definitions.filter((d): d is FragmentDefinitionNode => d.kind === Kind.FRAGMENT_DEFINITION).map((f) => [f.name.value, f]),
  );
  let parent: GraphQLObjectType | null | undefined = operation.operation === 'query' ? schema.getQueryType() : schema.getMutationType();
  let selections: SelectionSetNode | undefined = operation.selectionSet;
  let coordinate: string | null = null;

  // A fragment searched once for a key without finding it is not searched again for that key:
  // a fragment bomb (`fragment F0 { ...F1 ...F1 } fragment F1 { ...F2 ...F2 } …`) beside a
  // denied field would otherwise be walked once per spread, 2^n times (issue 9, defect 1).
  const findField = (set: SelectionSetNode, key: string, searched = new Set<string>()): { name: string; selectionSet?: SelectionSetNode } | null => {
    for (const selection of set.selections) {
      if (selection.kind === Kind.FIELD && (selection.alias?.value ?? selection.name.value) === key) {
        return { name: selection.name.value, selectionSet: selection.selectionSet };
      }
      let nested: SelectionSetNode | undefined;
      if (selection.kind === Kind.INLINE_FRAGMENT) nested = selection.selectionSet;
      else if (selection.kind === Kind.FRAGMENT_SPREAD && !searched.has(selection.name.value)) {
        searched.add(selection.name.value);
        nested = fragments.get(selection.name.value)?.selectionSet;
      }
      const found = nested && findField(nested, key, searched);
      if (found) return found;
    }
    return null;
  };

  for (const segment of path) {
    if (typeof segment === 'number') continue;
    if (!parent || !selections) return null;
    const field = findField(selections, segment);
    if (!field) return null;
    coordinate = `${parent.name}.${field.name}`;
    const definition = parent.getFields()[field.name];
    const named = definition ? getNamedType(definition.type) : undefined;
    parent = isObjectType(named) ? named : null;
    selections = field.selectionSet;
  }
  return coordinate;
}
