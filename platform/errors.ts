// Every error code and denial reason that may reach a client, in one place. Anything else is
// masked to INTERNAL_SERVER_ERROR before it leaves a service: no stack traces, driver messages or
// internal URLs (see maskError).
import { GraphQLError, type GraphQLFormattedError } from 'graphql';

export enum ErrorCode {
  BAD_USER_INPUT = 'BAD_USER_INPUT',
  GRAPHQL_PARSE_FAILED = 'GRAPHQL_PARSE_FAILED',
  GRAPHQL_VALIDATION_FAILED = 'GRAPHQL_VALIDATION_FAILED',
  BAD_REQUEST = 'BAD_REQUEST',
  /** Anything but POST to /graphql (HTTP 405, with `Allow: POST`). */
  METHOD_NOT_ALLOWED = 'METHOD_NOT_ALLOWED',
  /** A body (or what it inflates to) over the limit (HTTP 413). */
  PAYLOAD_TOO_LARGE = 'PAYLOAD_TOO_LARGE',
  /** A body that is not `application/json`, or in an encoding the service does not read (HTTP 415). */
  UNSUPPORTED_MEDIA_TYPE = 'UNSUPPORTED_MEDIA_TYPE',
  /** A header block over Node's limit (HTTP 431). */
  HEADERS_TOO_LARGE = 'HEADERS_TOO_LARGE',
  /** `operationName` names no operation of the document, or is missing where it has several (HTTP 400). */
  OPERATION_RESOLUTION_FAILURE = 'OPERATION_RESOLUTION_FAILURE',
  /** A subscription, or a mutation while the graph has none: it answers queries only (HTTP 400). */
  OPERATION_NOT_SUPPORTED = 'OPERATION_NOT_SUPPORTED',
  PERSISTED_QUERY_NOT_FOUND = 'PERSISTED_QUERY_NOT_FOUND',
  PERSISTED_QUERY_NOT_SUPPORTED = 'PERSISTED_QUERY_NOT_SUPPORTED',
  /** A caller of a safelisted org sent an operation's text instead of a registered operation's id (HTTP 400). */
  PERSISTED_QUERY_REQUIRED = 'PERSISTED_QUERY_REQUIRED',
  INTERNAL_SERVER_ERROR = 'INTERNAL_SERVER_ERROR',
  /** A field the caller may not see (with a DenialReason). */
  FORBIDDEN = 'FORBIDDEN',
  /** No valid caller token (HTTP 401 at the gateway) or gateway assertion (401 at a subgraph). */
  UNAUTHENTICATED = 'UNAUTHENTICATED',
  /** No valid `x-purpose` header (HTTP 400 at the gateway). */
  PURPOSE_REQUIRED = 'PURPOSE_REQUIRED',
  /** The access log could not be written: the request fails and discloses nothing. */
  AUDIT_UNAVAILABLE = 'AUDIT_UNAVAILABLE',
  /** The identity provider's keys (JWKS_URL) could not be fetched in time: HTTP 503, not the caller's fault. */
  IDENTITY_PROVIDER_UNAVAILABLE = 'IDENTITY_PROVIDER_UNAVAILABLE',
  /**
   * An institution did not answer in time (or at all): its part of the answer is null, with its name
   * in `institution`; the rest is served. A subgraph whose store cannot spend the gateway's
   * assertion answers the gateway with it (HTTP 503), which the gateway takes for that.
   */
  SUBGRAPH_UNAVAILABLE = 'SUBGRAPH_UNAVAILABLE',
  /** The request ran past its deadline: answered with what was ready, the rest null (HTTP 200), or refused (HTTP 503) if nothing was. */
  DEADLINE_EXCEEDED = 'DEADLINE_EXCEEDED',
  /** The client went away before its answer was complete: the work it caused stopped (seen in the access log only). */
  CLIENT_CLOSED = 'CLIENT_CLOSED',
  /** Over a rate limit (per principal or per org): HTTP 429 with Retry-After. */
  RATE_LIMITED = 'RATE_LIMITED',
  /** The operation's estimated cost is above the caller's org's limit (HTTP 400, before any subgraph is called), with `limit` and `estimatedCost`. */
  COST_LIMIT_EXCEEDED = 'COST_LIMIT_EXCEEDED',
  /** A write that carried a version the record has moved past (optimistic concurrency), with `currentVersion`. */
  CONFLICT = 'CONFLICT',
  /** A capability this deployment was not configured for (pseudonyms without PSEUDONYM_KEY at the government). */
  NOT_CONFIGURED = 'NOT_CONFIGURED',
  /** The report's PDF renderer (Chromium) is missing or would not start (HTTP 503): the page itself still prints. */
  RENDERER_UNAVAILABLE = 'RENDERER_UNAVAILABLE',
  /** As many PDFs as the gateway renders at once are being rendered (HTTP 503, with Retry-After). */
  RENDERER_BUSY = 'RENDERER_BUSY',
}

/** Why a field was withheld: `extensions.reason` of a FORBIDDEN error. Stable; clients may branch on it. */
export enum DenialReason {
  /** The caller's organisation is not among those the field is shared with. */
  ORG_NOT_ALLOWED = 'ORG_NOT_ALLOWED',
  /** The organisation may see it, but none of the caller's roles may. */
  ROLE_NOT_ALLOWED = 'ROLE_NOT_ALLOWED',
  /** Shared with the caller, but not for the declared purpose. */
  PURPOSE_NOT_ALLOWED = 'PURPOSE_NOT_ALLOWED',
  /** An agency officer asking about a record of another agency. */
  NOT_OWN_UNIT = 'NOT_OWN_UNIT',
  /** A step only the principal who made the record may take. */
  NOT_ISSUER = 'NOT_ISSUER',
  /** A step only the record's invitees (a consultation's) may take. */
  NOT_INVITED = 'NOT_INVITED',
  /** The caller's grant on application (共享申请) has passed its term. */
  GRANT_EXPIRED = 'GRANT_EXPIRED',
  /** The caller's grant on application was revoked by the owner. */
  GRANT_REVOKED = 'GRANT_REVOKED',
  /** The caller holds a grant for the field, but not for this record. */
  NOT_IN_GRANT_SCOPE = 'NOT_IN_GRANT_SCOPE',
  /** Not shared outside the owning institution (or not with the caller's role inside it). */
  OWNER_ONLY = 'OWNER_ONLY',
  /** No rule covers the field: denied by default. */
  NO_RULE = 'NO_RULE',
}

const DELIBERATE_CODES = new Set<string>(Object.values(ErrorCode));

export function badUserInput(message: string, argument?: string): GraphQLError {
  return new GraphQLError(message, {
    extensions: { code: ErrorCode.BAD_USER_INPUT, ...(argument ? { argument } : {}) },
  });
}

/** A write that read version `expected` of a record now at `current`: nothing was written. */
export function conflict(what: string, expected: number, current: number): GraphQLError {
  return new GraphQLError(`${what} is at version ${current}, not ${expected}: read it again and retry`, {
    extensions: { code: ErrorCode.CONFLICT, currentVersion: current },
  });
}

/** A step the record's state does not allow: nothing was written, and the state is named. */
export function illegalTransition(what: string, action: string, state: string, because?: string): GraphQLError {
  return new GraphQLError(`${what} is ${state}${because ? ` (${because})` : ''}: ${action} is not a step it can take now`, {
    extensions: { code: ErrorCode.BAD_USER_INPUT, state },
  });
}

/** The one error a request that could not be logged gets: nothing else, no data. */
export const AUDIT_UNAVAILABLE_ERROR = {
  message: 'The access log is unavailable: the request was not served',
  extensions: { code: ErrorCode.AUDIT_UNAVAILABLE },
} as const;

export function forbidden(reason: DenialReason): GraphQLError {
  return new GraphQLError(`Not shared with you: ${reason}`, { extensions: { code: ErrorCode.FORBIDDEN, reason } });
}

/**
 * Apollo Server `formatError`: keeps errors raised on purpose (a known code), replaces everything
 * else with a generic internal error, and hands the original to `log` for the operator.
 */
/**
 * The extension keys a deliberate error may carry to a client. Anything else (the gateway's
 * `response` of a failed subgraph fetch: its URL, status and body) never leaves.
 */
const CLIENT_EXTENSIONS = new Set(['code', 'reason', 'argument', 'serviceName', 'validationErrorCode', 'institution', 'limit', 'estimatedCost', 'currentVersion', 'state']);

export function maskError(
  log: (error: unknown) => void,
): (formatted: GraphQLFormattedError, error: unknown) => GraphQLFormattedError {
  return (formatted, error) => {
    const code = formatted.extensions?.code;
    // A subgraph's HTTP-level refusal reaching the gateway (it carries `response`) is the
    // gateway's own failure, whatever code it bears: a 401 there is a key misconfiguration, not the
    // client's credentials.
    const fromFailedFetch = formatted.extensions !== undefined && 'response' in formatted.extensions;
    if (typeof code === 'string' && DELIBERATE_CODES.has(code) && code !== ErrorCode.INTERNAL_SERVER_ERROR && !fromFailedFetch) {
      const extensions = Object.fromEntries(Object.entries(formatted.extensions ?? {}).filter(([key]) => CLIENT_EXTENSIONS.has(key)));
      return { ...formatted, extensions };
    }
    log(error);
    return {
      message: 'Internal server error',
      ...(formatted.path ? { path: formatted.path } : {}),
      extensions: { code: ErrorCode.INTERNAL_SERVER_ERROR },
    };
  };
}
