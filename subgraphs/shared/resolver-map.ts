import type { GraphQLFieldResolver, GraphQLScalarType } from 'graphql';

/**
 * A subgraph's resolvers, as `buildSubgraphSchema` takes them. @apollo/subgraph's public entry
 * point does not export this type (it lives in `dist/schema-helper`, which is no public API), so
 * it is written here once, in the same shape.
 */
export interface ResolverMap<TContext> {
  [typeName: string]:
    | {
        // A resolver's parent is whatever its type's resolvers return: any, as in graphql-js.
        // eslint-disable-next-line @typescript-eslint/no-explicit-any
        [fieldName: string]: GraphQLFieldResolver<any, TContext> | { requires?: string; resolve?: GraphQLFieldResolver<any, TContext> };
      }
    | GraphQLScalarType
    | { [enumValue: string]: string | number };
}
