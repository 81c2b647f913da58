import type { BaseContext } from '@apollo/server';
import { MongoNetworkError, MongoOperationTimeoutError, MongoServerSelectionError } from 'mongodb';
import { ErrorCode, maskError } from './errors.js';
import type { ServicePlugin } from './plugin.js';

export interface ErrorMaskingOptions<TContext> {
  /** The service's name, for the log. */
  service: string;
  /** The request id in a request's context, so that each logged error names its request. */
  requestIdOf: (context: TContext) => string | null | undefined;
  /** Where the original of a masked error goes, for the operator. Default: stderr. */
  log?: (line: string) => void;
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

/** An error as one bounded log entry: its message can hold client input of any length. */
function describeForLog(error: unknown): string {
  const text = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  const stack = error instanceof Error && error.stack ? `\n${error.stack.split('\n').slice(1, 8).join('\n')}` : '';
  return `${text.length > 1000 ? `${text.slice(0, 1000)}… (${text.length} characters)` : text}${stack}`;
}

/**
 * Only deliberate errors (a known code) reach a client, with whitelisted extensions; everything
 * else becomes INTERNAL_SERVER_ERROR, and its original goes to the operator's log (see maskError)
 * with the request id the caller got in `x-request-id`, so the two can be matched.
 */
export function useErrorMasking<TContext extends BaseContext>(options: ErrorMaskingOptions<TContext>): ServicePlugin<TContext> {
  const write = options.log ?? ((line: string) => console.error(line));
  // Errors seen during a request, with its id: formatError, which masks them, has no context.
  const requestOf = new WeakMap<object, string>();
  const mask = maskError((error) => {
    const requestId = error && typeof error === 'object' ? requestOf.get(error) : undefined;
    write(`[${options.service}] request ${requestId ?? '(none)'}: ${describeForLog(error)}`);
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
