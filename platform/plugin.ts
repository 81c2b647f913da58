// A service's request path as a list of plugins, each one concern (in the manner of envelop's
// `useX(options)` and Hive Gateway's plugins): a plugin may guard the raw HTTP request, take part
// in answering a request refused before GraphQL, add validation rules, hook into Apollo Server's
// lifecycle, transform the executable schema, and format errors. serveGraphQL composes the list
// in order; a reader sees a service's whole path in the one list that builds it.
import type { NextFunction, Request, Response } from 'express';
import type { ApolloServerPlugin, BaseContext } from '@apollo/server';
import type { ASTVisitor, GraphQLFormattedError, GraphQLSchema, ValidationContext } from 'graphql';
import type { Rejection } from './rejection.js';

declare global {
  // eslint-disable-next-line @typescript-eslint/no-namespace -- Express declares Locals in this namespace
  namespace Express {
    interface Locals {
      /** The request's id, also sent back in `x-request-id`. */
      requestId?: string;
      /** `performance.now()` when the request arrived. */
      startedAt?: number;
      /** The request's trace, when traced (platform/tracing.ts): on its log line, to go from one to the other. */
      traceId?: string;
    }
  }
}

/**
 * A response whose `res.locals` holds only what Express.Locals declares (Express's default adds
 * `Record<string, any>`, which would make every read `any`).
 */
export type PluginResponse = Response<unknown, Record<never, never>>;
export type Guard = (req: Request, res: PluginResponse, next: NextFunction) => void | Promise<void>;

/**
 * What a plugin may read of a request refused before GraphQL. Some have no Express request at all
 * (a header block Node's parser refused), so it is this much and no more.
 */
export interface RefusedRequest {
  header(name: string): string | undefined;
  /** The raw body as far as it was read (bytes, or the parsed JSON), if at all. */
  body: unknown;
  locals: Express.Locals;
}

export type ValidationRule = (context: ValidationContext) => ASTVisitor;

export interface ServicePlugin<TContext extends BaseContext> {
  /** Names the concern in the list (and in start-up errors). */
  name: string;
  /** Runs first, for every request to /graphql whatever its method, before the body is read (request id, start time). */
  onArrival?: Guard;
  /** Runs before GraphQL, in list order, on a POST whose body was read (`req.body` still the raw bytes); may refuse with a Rejection. */
  onRequest?: Guard;
  /**
   * Sees a request refused before GraphQL (by a guard, the body parser or the method check), in
   * list order; may answer it with another rejection instead (the access log: 503 when it cannot
   * record the refusal).
   */
  onRejection?: (rejection: Rejection, request: RefusedRequest) => Promise<Rejection | void> | Rejection | void;
  /** Checked before planning and execution. */
  validationRules?: ValidationRule[];
  /** Apollo Server lifecycle hooks. */
  apollo?: ApolloServerPlugin<TContext>;
  /** Wraps the executable schema (a subgraph's sharing rules, its disclosure tracking), in list order. */
  transformSchema?: (schema: GraphQLSchema) => GraphQLSchema;
  /** Formats each error that leaves the service; exactly one plugin of a list must (error masking). */
  formatError?: (formatted: GraphQLFormattedError, error: unknown) => GraphQLFormattedError;
}

/**
 * A plugin list with the named plugins left out: how a benchmark or a test composes its variant of
 * the production list (never a switch inside a plugin).
 */
export function leaveOut<TParts, TPlugin extends { name: string }>(pipeline: (parts: TParts) => TPlugin[], names: readonly string[]): (parts: TParts) => TPlugin[] {
  return (parts) => pipeline(parts).filter((plugin) => !names.includes(plugin.name));
}
