import type { BaseContext } from '@apollo/server';
import { maskError } from './errors.js';
import type { ServicePlugin } from './plugin.js';

export interface ErrorMaskingOptions {
  /** Where the original of a masked error goes, for the operator. Default: stderr, tagged with the service. */
  log?: (error: unknown) => void;
  /** The service's name, for the default log. */
  service: string;
}

/**
 * Only deliberate errors (a known code) reach a client, with whitelisted extensions; everything
 * else becomes INTERNAL_SERVER_ERROR, and its original goes to the operator's log (see maskError).
 */
export function useErrorMasking<TContext extends BaseContext>(options: ErrorMaskingOptions): ServicePlugin<TContext> {
  const log = options.log ?? ((error: unknown) => console.error(`[${options.service}]`, error));
  return { name: 'error-masking', formatError: maskError(log) };
}
