// The `@references` declarations of the institutions' writes (schema/shared/base.graphql), read
// from their SDL for the gateway, which reads each referenced record from its owner before it sends
// the write (gateway/plugins/write-references.ts), and the extension that carries what it read to
// the write's subgraph (subgraphs/shared/references.ts). Checked when read: a declaration naming an
// argument, a subgraph or a type that does not exist stops the gateway.
import { Kind, parse, type ConstDirectiveNode, type FieldDefinitionNode, type TypeNode } from 'graphql';
import { SUBGRAPH_NAMES, type SubgraphName } from '../config/index.js';
import { subgraphTypeDefs } from './sdl.js';

/** The body extension that carries, per record key (`Type:id`), the fields the gateway read. */
export const REFERENCES_EXTENSION = 'references';

export interface ReferenceDeclaration {
  /** The subgraph whose write it is. */
  subgraph: SubgraphName;
  /** The write: `Mutation.<mutation>`. */
  mutation: string;
  /** The dotted path of the referenced id in the write's arguments. */
  argument: string[];
  type: string;
  owner: SubgraphName;
  /** A selection set, as written: `{ toAgency { id } dueAt }` without the braces. */
  fields: string;
}

const namedType = (type: TypeNode): string => (type.kind === Kind.NAMED_TYPE ? type.name.value : namedType(type.type));

function stringArgument(directive: ConstDirectiveNode, name: string): string | null {
  const value = directive.arguments?.find((a) => a.name.value === name)?.value;
  return value?.kind === Kind.STRING ? value.value : null;
}

/** Every institution's declarations; throws with the full list of problems. */
export function readReferenceDeclarations(): ReferenceDeclaration[] {
  const declarations: ReferenceDeclaration[] = [];
  const problems: string[] = [];
  const documents = new Map(SUBGRAPH_NAMES.map((name) => [name, subgraphTypeDefs(name)]));
  const entityTypes = (name: SubgraphName) =>
    new Set(
      documents
        .get(name)!
        .definitions.filter((d) => (d.kind === Kind.OBJECT_TYPE_DEFINITION || d.kind === Kind.OBJECT_TYPE_EXTENSION) && d.directives?.some((x) => x.name.value === 'key'))
        .map((d) => (d as { name: { value: string } }).name.value),
    );
  const requiringFields = (name: SubgraphName) =>
    new Set(
      (documents.get(name)?.definitions ?? []).flatMap((d) =>
        (d.kind === Kind.OBJECT_TYPE_DEFINITION || d.kind === Kind.OBJECT_TYPE_EXTENSION) && d.fields
          ? d.fields.filter((f) => f.directives?.some((x) => x.name.value === 'requires')).map((f) => `${d.name.value}.${f.name.value}`)
          : [],
      ),
    );
  for (const [subgraph, document] of documents) {
    const inputs = new Map(document.definitions.filter((d) => d.kind === Kind.INPUT_OBJECT_TYPE_DEFINITION).map((d) => [d.name.value, d]));
    for (const definition of document.definitions) {
      if (definition.kind !== Kind.OBJECT_TYPE_DEFINITION || definition.name.value !== 'Mutation') continue;
      for (const field of definition.fields ?? []) {
        for (const directive of field.directives ?? []) {
          if (directive.name.value !== 'references') continue;
          const where = `${subgraph}: Mutation.${field.name.value} @references`;
          const argument = stringArgument(directive, 'argument')?.split('.') ?? [];
          const type = stringArgument(directive, 'type') ?? '';
          const owner = stringArgument(directive, 'owner') as SubgraphName;
          const fields = stringArgument(directive, 'fields') ?? '';
          if (!argumentExists(field, argument, inputs)) problems.push(`${where}: no ID argument ${argument.join('.')}`);
          if (!SUBGRAPH_NAMES.includes(owner)) problems.push(`${where}: no institution "${owner}"`);
          else if (!entityTypes(owner).has(type)) problems.push(`${where}: ${owner} has no entity ${type}`);
          let selection: readonly string[] = [];
          try {
            const operation = parse(`{ ${fields} }`).definitions[0] as { selectionSet: { selections: readonly { kind: string; name?: { value: string } }[] } };
            selection = operation.selectionSet.selections.flatMap((s) => (s.kind === Kind.FIELD && s.name ? [s.name.value] : []));
          } catch {
            problems.push(`${where}: fields "${fields}" are not a selection set`);
          }
          // The gateway reads a reference with the record's key alone: a field its owner resolves
          // from another institution's fields (@requires) would be decided without them.
          for (const name of selection) {
            if (requiringFields(owner).has(`${type}.${name}`)) problems.push(`${where}: ${owner}'s ${type}.${name} takes @requires, which a reference cannot give it`);
          }
          declarations.push({ subgraph, mutation: field.name.value, argument, type, owner, fields });
        }
      }
    }
  }
  if (problems.length) throw new Error(`@references refused:\n${problems.map((p) => `- ${p}`).join('\n')}`);
  return declarations;
}

/** Whether `path` leads, through input objects, to an ID argument (or field) of the write. */
function argumentExists(field: FieldDefinitionNode, path: string[], inputs: Map<string, { fields?: readonly { name: { value: string }; type: TypeNode }[] }>): boolean {
  let candidates: readonly { name: { value: string }; type: TypeNode }[] = field.arguments ?? [];
  for (const [i, step] of path.entries()) {
    const found = candidates.find((c) => c.name.value === step);
    if (!found) return false;
    if (i === path.length - 1) return namedType(found.type) === 'ID';
    candidates = inputs.get(namedType(found.type))?.fields ?? [];
  }
  return false;
}
