// The error codes and helpers live in auth/errors.ts, the one list of what may reach a client.
export { ErrorCode, DenialReason, badUserInput, forbidden, maskError } from '../../auth/errors.js';
