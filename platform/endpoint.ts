// Endpoints a service serves besides /graphql (the auditors' export), behind the same request
// path: serveGraphQL runs a request to one through the same arrival hooks and guards (request id,
// token, purpose; a subgraph's gateway assertion), and a refusal there is answered, and seen by
// every plugin (the access log's record), as one to /graphql would be. What happens after the
// guards, the record of its outcome included, is the endpoint's.
import type { Request } from 'express';
import type { PluginResponse } from './plugin.js';

declare global {
  // eslint-disable-next-line @typescript-eslint/no-namespace -- Express declares Locals in this namespace
  namespace Express {
    interface Locals {
      /** What a request to an endpoint other than /graphql asks for, as its record names it (in place of a GraphQL operation name). */
      operationName?: string;
    }
  }
}

export interface Endpoint<TContext = unknown> {
  /** The one method it answers; any other is 405 METHOD_NOT_ALLOWED, with `Allow`. */
  method: 'GET' | 'POST';
  path: string;
  /** What the access log calls a request to it. */
  operationName: string;
  /**
   * Answers a request that passed the guards (`res.locals` holds what they learned), with the
   * context a GraphQL request would get. A Rejection thrown before anything was sent is answered
   * like a guard's.
   */
  handle(req: Request, res: PluginResponse, context: TContext): Promise<void>;
}

/** The client went away before a streamed response was complete. */
export class ClientGoneError extends Error {
  constructor() {
    super('the client closed the connection before the response was complete');
    this.name = 'ClientGoneError';
  }
}

function drained(res: PluginResponse): Promise<void> {
  return new Promise((resolve, reject) => {
    if (res.destroyed) return reject(new ClientGoneError());
    const settle = (gone: boolean) => () => {
      res.off('drain', onDrain);
      res.off('close', onClose);
      if (gone) reject(new ClientGoneError());
      else resolve();
    };
    const onDrain = settle(false);
    const onClose = settle(true);
    res.on('drain', onDrain);
    res.on('close', onClose);
  });
}

/**
 * Writes text to a response as it is produced, each chunk only once the client has taken the
 * ones before (backpressure): a response of any length holds one chunk in memory. Throws
 * ClientGoneError, leaving `chunks` closed, when the client goes.
 */
export async function sendText(res: PluginResponse, chunks: AsyncIterable<string>): Promise<void> {
  for await (const chunk of chunks) {
    if (res.destroyed || !res.writable) throw new ClientGoneError();
    if (!res.write(chunk)) await drained(res);
  }
}
