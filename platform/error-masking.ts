import type { BaseContext } from '@apollo/server';
import { MongoNetworkError, MongoOperationTimeoutError, MongoServerSelectionError } from 'mongodb';
import { ErrorCode, maskError } from './errors.js';
import { logError, serviceLog, type Logger } from './log.js';
import type { ServicePlugin } from './plugin.js';

export interface ErrorMaskingOptions<TContext> {
  /** The service's name, for the log. */
  service: string;
  /** The request id in a request's context, so that each logged error names its request. */
  requestIdOf: (context: TContext) => string | null | undefined;
  /** Where the original of a masked error goes, for the operator. Default: the service's log (platform/log.ts). */
  log?: Logger;
  /**
   * A subgraph's institution: an error because its store did not answer (a timeout, a lost
   * connection) then reaches the client as SUBGRAPH_UNAVAILABLE naming it, not as an internal error.
   */
  institution?: string;
}

/** Whether an error (or what it wraps) is the store not answering: timed out, unreachable, connection lost. */
function storeUnavailable(error: unknown): boolean {
  for (let current = error, depth = 0; current instanceof Error && depth < 5; current = (current as { originalError?: unknown; cause?: unknown }).originalError ?? current.cause, depth++) {
    if (current instanceof MongoNetworkError || current instanceof MongoServerSelectionError || current instanceof MongoOperationTimeoutError) return true;
    // No connection free within the timeout (they are all stuck on the store): not exported by the driver, known by name.
    if (current.name === 'MongoWaitQueueTimeoutError' || current.name === 'MongoPoolClearedError') return true;
  }
  return false;
}

/**
 * Only deliberate errors (a known code) reach a client, with whitelisted extensions; everything
 * else becomes INTERNAL_SERVER_ERROR, and its original goes to the operator's log (see maskError)
 * with the request id the caller got in `x-request-id`, so the two can be matched.
 */
export function useErrorMasking<TContext extends BaseContext>(options: ErrorMaskingOptions<TContext>): ServicePlugin<TContext> {
  const log = options.log ?? serviceLog(options.service);
  // Errors seen during a request, with its id: formatError, which masks them, has no context.
  const requestOf = new WeakMap<object, string>();
  const mask = maskError((error) => {
    const requestId = error && typeof error === 'object' ? requestOf.get(error) : undefined;
    // GraphQL wraps a resolver's error: the original is what the operator needs (its name, its stack).
    const wrapped = (error as { originalError?: unknown } | null)?.originalError;
    const original = wrapped instanceof Error ? wrapped : error;
    const path = (error as { path?: unknown } | null)?.path;
    logError(log, 'masked as INTERNAL_SERVER_ERROR', original, { requestId: requestId ?? null, ...(Array.isArray(path) ? { path: path.join('.') } : {}) });
  });
  return {
    name: 'error-masking',
    apollo: {
      async requestDidStart({ contextValue }) {
        return {
          async didEncounterErrors({ errors }) {
            const requestId = options.requestIdOf(contextValue);
            if (requestId) for (const error of errors) requestOf.set(error, requestId);
          },
        };
      },
    },
    formatError: (formatted, error) => {
      const masked = mask(formatted, error);
      if (options.institution === undefined || masked.extensions?.code !== ErrorCode.INTERNAL_SERVER_ERROR || !storeUnavailable(error)) return masked;
      return {
        message: `The ${options.institution}'s store did not answer in time; its part of the answer is missing`,
        ...(formatted.path ? { path: formatted.path } : {}),
        extensions: { code: ErrorCode.SUBGRAPH_UNAVAILABLE, institution: options.institution },
      };
    },
  };
}
