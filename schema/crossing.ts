// Fields that cross from one institution to another must be nullable, so that an institution's
// outage nulls its own part of an answer and nothing else. An entity's home is the subgraph that
// serves it from a root field (`agency`, `adminCases`, …); every other subgraph that declares it
// only adds fields to objects that come from the home, and a non-null field there would turn the
// adding institution's outage into a null for the whole object — and, up a chain of non-null
// parents, for the others' figures too (the bulletin lost the government's and procuratorate's
// numbers when the court was down).
import { Kind, type DocumentNode, type FieldDefinitionNode, type ObjectTypeDefinitionNode, type ObjectTypeExtensionNode, type TypeNode } from 'graphql';

type ObjectNode = ObjectTypeDefinitionNode | ObjectTypeExtensionNode;

const namedType = (type: TypeNode): string => (type.kind === Kind.NAMED_TYPE ? type.name.value : namedType(type.type));

function objects(typeDefs: DocumentNode): ObjectNode[] {
  return typeDefs.definitions.filter((d): d is ObjectNode => d.kind === Kind.OBJECT_TYPE_DEFINITION || d.kind === Kind.OBJECT_TYPE_EXTENSION);
}

const hasDirective = (node: { directives?: readonly { name: { value: string } }[] }, name: string) => node.directives?.some((d) => d.name.value === name) ?? false;

/** The key fields of an entity (`@key(fields: "a b")`, flat keys only, which is all this graph uses). */
function keyFields(node: ObjectNode): Set<string> {
  const fields = new Set<string>();
  for (const directive of node.directives ?? []) {
    if (directive.name.value !== 'key') continue;
    const argument = directive.arguments?.find((a) => a.name.value === 'fields')?.value;
    if (argument?.kind === Kind.STRING) for (const field of argument.value.split(/\s+/)) if (field) fields.add(field);
  }
  return fields;
}

/** The entity types a subgraph serves from its root fields: the type itself, or the nodes of a `…Connection`. */
function servedAtRoot(typeDefs: DocumentNode): Set<string> {
  const served = new Set<string>();
  for (const node of objects(typeDefs)) {
    if (node.name.value !== 'Query') continue;
    for (const field of node.fields ?? []) served.add(namedType(field.type).replace(/Connection$/, ''));
  }
  return served;
}

/**
 * The problems: each non-null field a subgraph adds to an entity whose home is another subgraph.
 * `subgraphs` maps each subgraph's name to its SDL.
 */
export function crossingFieldProblems(subgraphs: Record<string, DocumentNode>): string[] {
  const homes = new Map<string, string[]>();
  for (const [name, typeDefs] of Object.entries(subgraphs)) for (const type of servedAtRoot(typeDefs)) homes.set(type, [...(homes.get(type) ?? []), name]);
  const problems: string[] = [];
  for (const [name, typeDefs] of Object.entries(subgraphs)) {
    for (const node of objects(typeDefs)) {
      const home = homes.get(node.name.value);
      if (!hasDirective(node, 'key') || !home || home.includes(name)) continue;
      const keys = keyFields(node);
      const offending = (node.fields ?? []).filter((f: FieldDefinitionNode) => f.type.kind === Kind.NON_NULL_TYPE && !keys.has(f.name.value) && !hasDirective(f, 'external'));
      for (const field of offending) {
        problems.push(`${name}: ${node.name.value}.${field.name.value} is non-null, but ${node.name.value} comes from ${home.join(', ')}: make it nullable, or an outage of ${name} nulls the whole ${node.name.value}`);
      }
    }
  }
  return problems;
}
