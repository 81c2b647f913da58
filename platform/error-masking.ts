import type { BaseContext } from '@apollo/server';
import { maskError } from './errors.js';
import type { ServicePlugin } from './plugin.js';

export interface ErrorMaskingOptions {
  /** Where the original of a masked error goes, for the operator. Default: stderr, tagged with the service. */
  log?: (error: unknown) => void;
  /** The service's name, for the default log. */
  service: string;
}

/** An error as one bounded log entry: its message can hold client input of any length. */
function describeForLog(error: unknown): string {
  const text = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  const stack = error instanceof Error && error.stack ? `\n${error.stack.split('\n').slice(1, 8).join('\n')}` : '';
  return `${text.length > 1000 ? `${text.slice(0, 1000)}… (${text.length} characters)` : text}${stack}`;
}

/**
 * Only deliberate errors (a known code) reach a client, with whitelisted extensions; everything
 * else becomes INTERNAL_SERVER_ERROR, and its original goes to the operator's log (see maskError).
 */
export function useErrorMasking<TContext extends BaseContext>(options: ErrorMaskingOptions): ServicePlugin<TContext> {
  const log = options.log ?? ((error: unknown) => console.error(`[${options.service}]`, describeForLog(error)));
  return { name: 'error-masking', formatError: maskError(log) };
}
