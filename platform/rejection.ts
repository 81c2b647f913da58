// A request refused before GraphQL runs, and how it is answered: a GraphQL-shaped body with a
// deliberate code.
import type { Response } from 'express';
import type { ErrorCode } from './errors.js';

/** Writes a GraphQL-shaped error response with a deliberate code. */
export function sendError(res: Response, status: number, code: ErrorCode, message: string): void {
  res.status(status).json({ errors: [{ message, extensions: { code } }] });
}

/** A request refused before GraphQL execution; guards pass it to `next` and the service answers it. */
export class Rejection extends Error {
  constructor(
    readonly status: number,
    readonly code: ErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'Rejection';
  }
}
