// The operation a request names, its kind, and the dates it passes, checked before planning —
// each refusal the client's, with its own 4xx and code, never a 500 (issue #9, defect 7).
//
// @apollo/gateway resolves `operationName` and the root type only when it plans, and answers an
// unknown or ambiguous name, a mutation (the graph has none) or a subscription (a gateway runs
// none) with an error Apollo Server cannot class: HTTP 500, INTERNAL_SERVER_ERROR. The supergraph's
// scalars are opaque to the gateway (it accepts any value for `Date`), so a malformed date reached
// the subgraph, whose variable coercion refused the call with HTTP 400 — which the gateway, rightly,
// reports as its own failure, never relaying what a subgraph says (gateway/data-source.ts). So the
// gateway checks `Date` and `DateTime` values — literals, variables, defaults, nested in input
// objects and lists — with the very scalars the subgraphs parse them with (platform/scalars.ts):
// what passes here passes there, and what fails is BAD_USER_INPUT naming the argument.
import {
  GraphQLError,
  Kind,
  TypeInfo,
  getNamedType,
  getNullableType,
  isInputObjectType,
  isListType,
  isScalarType,
  typeFromAST,
  visit,
  visitWithTypeInfo,
  type ASTNode,
  type ASTVisitor,
  type DocumentNode,
  type GraphQLInputType,
  type GraphQLNamedType,
  type GraphQLScalarType,
  type GraphQLSchema,
  type ValueNode,
} from 'graphql';
import { DateScalar, DateTimeScalar, ErrorCode } from '../../platform/index.js';
import type { GatewayPlugin } from '../plugin.js';

export interface OperationInputOptions {
  /**
   * Scalars whose values the gateway checks as the subgraphs will parse them, matched by name
   * against the supergraph's. Default: `Date` and `DateTime` (platform/scalars.ts).
   */
  scalars?: readonly GraphQLScalarType[];
}

export const DEFAULT_CHECKED_SCALARS: readonly GraphQLScalarType[] = [DateScalar, DateTimeScalar];

/** A GraphQL Name (spec §2.1.9): all an operation can be called. */
const NAME = /^[_A-Za-z][_0-9A-Za-z]*$/;

function refused(status: number, code: ErrorCode, message: string, argument?: string, node?: ASTNode): GraphQLError {
  return new GraphQLError(message, { ...(node ? { nodes: [node] } : {}), extensions: { code, ...(argument ? { argument } : {}), http: { status } } });
}

type Path = (string | number)[];
const shown = (path: Path) => path.map((segment, i) => (typeof segment === 'number' ? `[${segment}]` : i === 0 ? segment : `.${segment}`)).join('');
const reason = (error: unknown, scalar: GraphQLScalarType) => (error instanceof GraphQLError ? error.message : `Invalid ${scalar.name}`);

/** The first malformed literal of a document, and the argument each variable first feeds. */
interface DocumentFacts {
  literal: { argument: string | null; variable: string | null; path: Path; message: string; node: ValueNode } | null;
  argumentOf: Map<string, string>;
}

/**
 * Walks the whole document once (fragments once each, never per spread), as graphql-js's own
 * ValuesOfCorrectTypeRule would with these scalars: a malformed literal anywhere refuses it.
 */
function documentFacts(schema: GraphQLSchema, document: DocumentNode, scalars: ReadonlyMap<string, GraphQLScalarType>): DocumentFacts {
  const typeInfo = new TypeInfo(schema);
  const facts: DocumentFacts = { literal: null, argumentOf: new Map() };
  let argument: string | null = null;
  let variable: string | null = null;
  const path: Path = [];
  const value = {
    enter(node: ValueNode, key: string | number | undefined) {
      if (typeof key === 'number') path.push(key);
      // TypeInfo has already stepped into a list's items when this runs: a list's own type is its parent's.
      const type = getNullableType(node.kind === Kind.LIST ? typeInfo.getParentInputType() : typeInfo.getInputType());
      const scalar = isScalarType(type) ? scalars.get(type.name) : undefined;
      if (!scalar) return undefined;
      if (!facts.literal) {
        try {
          scalar.parseLiteral(node, undefined);
        } catch (error) {
          facts.literal = { argument, variable, path: [...path], message: reason(error, scalar), node };
        }
      }
      // A scalar's value has no parts to check; its leave is skipped with it.
      if (typeof key === 'number') path.pop();
      return false;
    },
    leave(_node: ValueNode, key: string | number | undefined) {
      if (typeof key === 'number') path.pop();
    },
  };
  const visitor: ASTVisitor = {
    VariableDefinition: {
      enter(node) {
        variable = node.variable.name.value;
        path.splice(0, path.length, `$${variable}`);
      },
      leave() {
        variable = null;
      },
    },
    Argument: {
      enter(node) {
        argument = node.name.value;
        path.splice(0, path.length, argument);
      },
      leave() {
        argument = null;
      },
    },
    ObjectField: { enter: (node) => void path.push(node.name.value), leave: () => void path.pop() },
    Variable(node) {
      if (argument !== null && !facts.argumentOf.has(node.name.value)) facts.argumentOf.set(node.name.value, argument);
    },
    StringValue: value,
    IntValue: value,
    FloatValue: value,
    BooleanValue: value,
    EnumValue: value,
    ListValue: value,
    ObjectValue: value,
  };
  visit(document, visitWithTypeInfo(typeInfo, visitor));
  return facts;
}

/** Whether a checked scalar is reachable from an input type (input objects followed, each once). */
function reaches(type: GraphQLNamedType, scalars: ReadonlyMap<string, GraphQLScalarType>, seen = new Set<GraphQLNamedType>()): boolean {
  if (seen.has(type)) return false;
  seen.add(type);
  if (isScalarType(type)) return scalars.has(type.name);
  return isInputObjectType(type) && Object.values(type.getFields()).some((field) => reaches(getNamedType(field.type), scalars, seen));
}

/** The first malformed checked scalar in a variable's value, with where it is; the rest is the gateway's own coercion. */
function malformedValue(value: unknown, type: GraphQLInputType, path: Path, scalars: ReadonlyMap<string, GraphQLScalarType>): { path: Path; message: string } | null {
  if (value === null || value === undefined) return null;
  const nullable = getNullableType(type);
  if (isListType(nullable)) {
    if (!Array.isArray(value)) return malformedValue(value, nullable.ofType, path, scalars);
    for (let i = 0; i < value.length; i++) {
      const found = malformedValue(value[i], nullable.ofType, [...path, i], scalars);
      if (found) return found;
    }
    return null;
  }
  if (isInputObjectType(nullable)) {
    if (typeof value !== 'object' || Array.isArray(value)) return null;
    for (const field of Object.values(nullable.getFields())) {
      if (!Object.hasOwn(value, field.name)) continue;
      const found = malformedValue((value as Record<string, unknown>)[field.name], field.type, [...path, field.name], scalars);
      if (found) return found;
    }
    return null;
  }
  const scalar = isScalarType(nullable) ? scalars.get(nullable.name) : undefined;
  if (!scalar) return null;
  try {
    scalar.parseValue(value);
    return null;
  } catch (error) {
    return { path, message: reason(error, scalar) };
  }
}

export function useOperationInput(options: OperationInputOptions = {}): GatewayPlugin {
  const scalars = new Map((options.scalars ?? DEFAULT_CHECKED_SCALARS).map((scalar) => [scalar.name, scalar]));
  // Apollo Server keeps one parsed document per query text, so each text is walked once.
  const factsOf = new WeakMap<GraphQLSchema, WeakMap<DocumentNode, DocumentFacts>>();
  const factsFor = (schema: GraphQLSchema, document: DocumentNode): DocumentFacts => {
    let bySchema = factsOf.get(schema);
    if (!bySchema) factsOf.set(schema, (bySchema = new WeakMap()));
    let facts = bySchema.get(document);
    if (!facts) bySchema.set(document, (facts = documentFacts(schema, document, scalars)));
    return facts;
  };
  const reachesChecked = new WeakMap<GraphQLNamedType, boolean>();
  const involvesChecked = (type: GraphQLNamedType): boolean => {
    let found = reachesChecked.get(type);
    if (found === undefined) reachesChecked.set(type, (found = reaches(type, scalars)));
    return found;
  };
  const named = (argument: string | undefined) => (argument ? ` (argument "${argument}")` : '');

  return {
    name: 'operation-input',
    apollo: {
      async requestDidStart() {
        return {
          async didResolveOperation({ request, document, operation, schema }) {
            const { operationName } = request;
            // Names are ASCII letters, digits and `_`: anything else (empty, undecodable bytes, a lone
            // surrogate) cannot name an operation, and is not echoed back.
            if (typeof operationName === 'string' && !NAME.test(operationName)) {
              throw refused(400, ErrorCode.BAD_REQUEST, 'operationName must be a GraphQL name: letters, digits and _, not starting with a digit');
            }
            if (!operation) {
              throw refused(
                400,
                ErrorCode.OPERATION_RESOLUTION_FAILURE,
                operationName ? `Unknown operation named "${operationName.slice(0, 200)}"` : 'The document has several operations: name the one to run in operationName',
              );
            }
            if (operation.operation === 'subscription') {
              throw refused(400, ErrorCode.OPERATION_NOT_SUPPORTED, 'Subscriptions are not supported: this graph answers queries');
            }
            if (!schema.getRootType(operation.operation)) {
              throw refused(400, ErrorCode.OPERATION_NOT_SUPPORTED, `This graph has no ${operation.operation}s: it answers queries`);
            }

            const facts = factsFor(schema, document);
            if (facts.literal) {
              const { argument, variable, path, message, node } = facts.literal;
              const at = path.length > 1 ? ` at ${shown(path)}` : '';
              if (variable !== null) {
                const fed = facts.argumentOf.get(variable);
                throw refused(400, ErrorCode.BAD_USER_INPUT, `Variable "$${variable}"${named(fed)} has an invalid default value${at}: ${message}`, fed, node);
              }
              throw refused(400, ErrorCode.BAD_USER_INPUT, `Argument "${argument}" has an invalid value${at}: ${message}`, argument ?? undefined, node);
            }
            const variables = request.variables ?? {};
            for (const definition of operation.variableDefinitions ?? []) {
              const name = definition.variable.name.value;
              if (!Object.hasOwn(variables, name)) continue;
              const type = typeFromAST(schema, definition.type);
              if (!type || !involvesChecked(getNamedType(type))) continue;
              const found = malformedValue(variables[name], type as GraphQLInputType, [`$${name}`], scalars);
              if (!found) continue;
              const fed = facts.argumentOf.get(name);
              const at = found.path.length > 1 ? ` at ${shown(found.path)}` : '';
              throw refused(400, ErrorCode.BAD_USER_INPUT, `Variable "$${name}"${named(fed)} has an invalid value${at}: ${found.message}`, fed, definition);
            }
          },
        };
      },
    },
  };
}
