// Before a write is sent, the records it references (`@references` in its subgraph's SDL,
// schema/references.ts) are read from their owners, as the caller and for the caller's purpose
// (and only for a caller the write's grants admit: the owner refuses the others itself),
// through the same signed and logged calls as any query: a record that does not exist refuses the
// write (BAD_USER_INPUT, naming the argument), one the caller may not read refuses it with the
// owner's reason (FORBIDDEN), and what was read goes to the write's subgraph with the call, where
// the gateway's assertion signs it. So the government can hold an agency officer's reply to the
// agency a court's suggestion was addressed to without reading the court's database, and the court
// can refuse a suggestion to an agency the government does not know.
import { GraphQLError, Kind, getArgumentValues, type FieldNode, type FragmentDefinitionNode, type SelectionSetNode } from 'graphql';
import { HeaderMap, type GraphQLRequestContextResponseForOperation, type GraphQLResponse } from '@apollo/server';
import { REFERENCES_EXTENSION, type ReferenceDeclaration } from '../../schema/index.js';
import { ErrorCode, badUserInput, logError, maskError, serviceLog } from '../../platform/index.js';
import { IGNORE_ROWS, decide, type FieldPolicy, type Org } from '../../auth/index.js';
import type { GatewayContext } from '../context.js';
import type { GatewayPlugin } from '../plugin.js';

export interface WriteReferencesOptions {
  declarations: ReferenceDeclaration[];
  /**
   * Each write's rule, as its owner declares it (`Mutation.<field>`): a caller its grants refuse
   * (org, role, purpose) is refused by the owner without anything being read for it first.
   */
  writeRules: Map<string, { owner: Org; policy: FieldPolicy }>;
  /** Sends a query of the gateway's own to one subgraph (gateway/data-source.ts's `read`). */
  read: (subgraph: string, query: string, variables: Record<string, unknown>, context: GatewayContext) => Promise<{ data?: unknown; errors?: readonly { message?: string; extensions?: Record<string, unknown> }[] | null }>;
}

/** The records read for one request's writes: write subgraph → record key → fields read. */
export type ReadReferences = Map<string, Record<string, Record<string, unknown>>>;

/** As many as a write's subgraph accepts with a call (subgraphs/shared/references.ts). */
const MAX_REFERENCES = 50;

/** The answer to an operation refused before any write: the error as a client may see it (masked otherwise), no data. */
function refusedResponse(error: unknown, requestId: string | null): GraphQLResponse {
  const graphqlError = error instanceof GraphQLError ? error : new GraphQLError('Internal server error');
  const status = (graphqlError.extensions.http as { status?: number } | undefined)?.status ?? 503;
  const { http: _http, ...extensions } = graphqlError.extensions;
  const formatted = maskError((cause) => logError(serviceLog('gateway'), 'a write reference could not be read', cause, { requestId }))({ message: graphqlError.message, extensions }, error);
  return { http: { status: formatted.extensions?.code === ErrorCode.INTERNAL_SERVER_ERROR ? 500 : status, headers: new HeaderMap() }, body: { kind: 'single', singleResult: { errors: [formatted] } } };
}

const refusal = (error: GraphQLError) => {
  (error.extensions as Record<string, unknown>).http = { status: 400 };
  return error;
};

/** The root fields of the operation, through inline fragments and fragment spreads. */
function rootFields(selectionSet: SelectionSetNode, fragments: Map<string, FragmentDefinitionNode>, seen = new Set<string>()): FieldNode[] {
  return selectionSet.selections.flatMap((selection) => {
    if (selection.kind === Kind.FIELD) return [selection];
    if (selection.kind === Kind.INLINE_FRAGMENT) return rootFields(selection.selectionSet, fragments, seen);
    const name = selection.name.value;
    const fragment = fragments.get(name);
    if (!fragment || seen.has(name)) return [];
    seen.add(name);
    return rootFields(fragment.selectionSet, fragments, seen);
  });
}

function valueAt(args: Record<string, unknown>, path: string[]): unknown {
  let value: unknown = args;
  for (const step of path) value = value && typeof value === 'object' ? (value as Record<string, unknown>)[step] : undefined;
  return value;
}

export function useWriteReferences(options: WriteReferencesOptions): GatewayPlugin {
  const byMutation = new Map<string, ReferenceDeclaration[]>();
  for (const declaration of options.declarations) byMutation.set(declaration.mutation, [...(byMutation.get(declaration.mutation) ?? []), declaration]);
  // What the gateway read for each request's writes, for the calls that send them.
  const readFor = new WeakMap<GatewayContext, ReadReferences>();

  async function readOne(declaration: ReferenceDeclaration, id: string, context: GatewayContext): Promise<Record<string, unknown>> {
    const query = `query WriteReference($representations: [_Any!]!) { _entities(representations: $representations) { ... on ${declaration.type} { ${declaration.fields} } } }`;
    const answer = await options.read(declaration.owner, query, { representations: [{ __typename: declaration.type, id }] }, context);
    const argument = declaration.argument.join('.');
    const denied = answer.errors?.find((e) => e.extensions?.code === ErrorCode.FORBIDDEN);
    if (denied) {
      throw refusal(
        new GraphQLError(`You may not read the ${declaration.type} this write refers to (${argument}): ${String(denied.extensions?.reason)}`, {
          extensions: { code: ErrorCode.FORBIDDEN, reason: denied.extensions?.reason, argument },
        }),
      );
    }
    // Another failure of the owner's (unavailable, a bad id) is its own error, as in any answer.
    const failed = answer.errors?.[0];
    if (failed) throw new GraphQLError(failed.message ?? `The ${declaration.owner} could not answer`, { extensions: { ...failed.extensions } });
    const entity = ((answer.data as { _entities?: unknown[] } | undefined)?._entities ?? [])[0];
    if (!entity || typeof entity !== 'object') throw refusal(badUserInput(`No ${declaration.type} ${id} (${argument})`, argument));
    return entity as Record<string, unknown>;
  }

  return {
    name: 'write-references',
    apollo: {
      async requestDidStart() {
        return {
          // After every plugin's didResolveOperation (Apollo runs those at once): an operation the
          // cost limit, the persisted operations or the input checks refuse reads nothing.
          async responseForOperation({ schema, document, operation, request, contextValue }: GraphQLRequestContextResponseForOperation<GatewayContext>) {
            if (operation?.operation !== 'mutation') return null;
            const mutationType = schema.getMutationType();
            if (!mutationType) return null;
            const fragments = new Map(document.definitions.filter((d): d is FragmentDefinitionNode => d.kind === Kind.FRAGMENT_DEFINITION).map((f) => [f.name.value, f]));
            const read: ReadReferences = new Map();
            let count = 0;
            try {
              for (const field of rootFields(operation.selectionSet, fragments)) {
                const declarations = byMutation.get(field.name.value);
                const definition = mutationType.getFields()[field.name.value];
                if (!declarations || !definition) continue;
                // Not for a caller the write refuses: no other institution's record is read on their behalf.
                const rule = options.writeRules.get(field.name.value);
                if (!rule || !contextValue.identity || decide(rule.policy, rule.owner, contextValue.identity, null, {}, IGNORE_ROWS) !== null) continue;
                // Coerced as execution will coerce them (validation has passed).
                const args = getArgumentValues(definition, field, request.variables ?? {});
                for (const declaration of declarations) {
                  const id = valueAt(args, declaration.argument);
                  // An optional reference left out refers to nothing.
                  if (id === undefined || id === null) continue;
                  if (typeof id !== 'string') throw refusal(badUserInput(`${declaration.argument.join('.')} must be an id`, declaration.argument.join('.')));
                  if (++count > MAX_REFERENCES) throw refusal(badUserInput(`At most ${MAX_REFERENCES} referenced records in one operation: send the writes in several`, 'operation'));
                  const records = read.get(declaration.subgraph) ?? {};
                  const key = `${declaration.type}:${id}`;
                  records[key] = { ...records[key], ...(await readOne(declaration, id, contextValue)) };
                  read.set(declaration.subgraph, records);
                }
              }
            } catch (error) {
              return refusedResponse(error, contextValue.requestId);
            }
            if (read.size) readFor.set(contextValue, read);
            return null;
          },
        };
      },
    },
    onSubgraphRequest(call) {
      const records = readFor.get(call.context)?.get(call.subgraph);
      if (records) call.extensions[REFERENCES_EXTENSION] = records;
    },
  };
}
