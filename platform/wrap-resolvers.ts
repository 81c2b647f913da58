// Wraps the resolvers of an executable schema's object fields in place: how a subgraph's sharing
// rules and disclosure log put themselves around its fields. In place, because a subgraph builds its
// schema once for itself, and because federation keeps its reference resolvers on the types (a copy
// of the schema, as graphql-middleware makes, has lost them before). A wrapper may leave a field as
// it is (returns undefined): a field nobody wraps keeps its own resolver, synchronous if it was.
import { defaultFieldResolver, isObjectType, type GraphQLField, type GraphQLFieldResolver, type GraphQLObjectType, type GraphQLSchema } from 'graphql';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- resolvers of any parent, context and arguments
export type FieldResolver = GraphQLFieldResolver<any, any, any>;

/** The resolver to use instead of `resolve` for `type.field`, or undefined to leave it. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- fields of any parent and context
export type FieldWrapper = (resolve: FieldResolver, type: GraphQLObjectType, field: GraphQLField<any, any>) => FieldResolver | undefined;

/** Object types a wrapper sees: every one but introspection's own (`__Schema`, `__Type`, …). */
export function wrapFieldResolvers(schema: GraphQLSchema, wrapperFor: FieldWrapper): GraphQLSchema {
  for (const type of Object.values(schema.getTypeMap())) {
    if (!isObjectType(type) || type.name.startsWith('__')) continue;
    for (const field of Object.values(type.getFields())) {
      const wrapped = wrapperFor(field.resolve ?? defaultFieldResolver, type, field);
      if (wrapped) field.resolve = wrapped;
    }
  }
  return schema;
}

/** Whether a resolver's result is still to come (a promise or any thenable). */
export function isPending(value: unknown): value is PromiseLike<unknown> {
  return typeof (value as { then?: unknown } | null)?.then === 'function';
}
