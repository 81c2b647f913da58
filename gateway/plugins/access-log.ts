// The gateway's access log: one record for every request — served, partly denied, rejected —
// written before the response leaves. If it cannot be written, or an owner could not log its
// disclosures, the request fails with AUDIT_UNAVAILABLE and nothing is disclosed.
import { createHash } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { z } from 'zod';
import { print, stripIgnoredCharacters, type GraphQLFormattedError } from 'graphql';
import type { ApolloServerPlugin } from '@apollo/server';
import { principalClaims, type Principal } from '../../auth/index.js';
import { LOG_HEAD_EXTENSION, canonical, logHeadSchema, parseLogHead, type AuditWriter, type LogHead, type WitnessBook } from '../../audit/index.js';
import { AUDIT_UNAVAILABLE_ERROR, ErrorCode, Rejection, logError, persistedOperationId, serviceLog, type RefusedRequest } from '../../platform/index.js';
import type { GatewayContext, RequestCost } from '../context.js';
import { coordinateAt, requestedCoordinates } from '../operation.js';
import type { GatewayPlugin } from '../plugin.js';
import { PURPOSE_HEADER } from './purpose.js';

export type Outcome = 'SERVED' | 'PARTIAL' | 'REJECTED' | 'FAILED';

export interface AccessEntry {
  requestId: string;
  principal: Pick<Principal, 'sub' | 'name' | 'org' | 'roles' | 'unit'> | null;
  purpose: string | null;
  operationName: string | null;
  /** SHA-256 of the operation, normalised (ignored characters stripped). */
  operationHash: string | null;
  /** SHA-256 of the canonical variables: shows whether two requests had the same, not what they were. */
  variablesDigest: string | null;
  /** The `Type.field` coordinates the operation asked for. */
  fields: string[];
  denied: { coordinate: string | null; path: string; reason: string }[];
  subgraphs: string[];
  outcome: Outcome;
  /** The error code of a rejected or failed request. */
  code: string | null;
  httpStatus: number;
  durationMs: number;
  /** The UTC day, and whether anything was withheld or refused: what the activity chart groups by. */
  day: string;
  anyDenied: boolean;
  /** The institutions' signed heads first seen with this request: the gateway's witness of their logs. */
  witnessed?: LogHead[];
  /** What the operation was estimated to cost, and what its answer did (the cost-limit plugin); absent when no cost was computed. */
  cost?: RequestCost;
  /** The registered operation's id, when the request named one instead of sending its text. */
  persistedOperationId?: string;
}


/**
 * The most characters of each client-supplied string a record keeps (README: the access log).
 * Longer values are cut; their digests (operation, variables) are over the whole.
 */
export const CLIENT_TEXT_LIMITS = { purpose: 64, operationName: 200, path: 500 } as const;
const bounded = (value: string | null | undefined, max: number): string | null => (typeof value === 'string' ? value.slice(0, max) : null);

const DIGEST = z.string().regex(/^[0-9a-f]{64}$/);
const text = (max: number) => z.string().max(max);

/** What a record must be before it may join a batch: no NaN, no undefined, no missing value. */
export const accessEntrySchema = z
  .object({
    requestId: z.string().min(1).max(64),
    principal: z
      .object({ sub: text(128), name: text(128), org: text(32), roles: z.array(text(64)).max(10), unit: text(64).nullable() })
      .strict()
      .nullable(),
    purpose: text(CLIENT_TEXT_LIMITS.purpose).nullable(),
    operationName: text(CLIENT_TEXT_LIMITS.operationName).nullable(),
    operationHash: DIGEST.nullable(),
    variablesDigest: DIGEST.nullable(),
    fields: z.array(text(200)),
    denied: z.array(z.object({ coordinate: text(200).nullable(), path: text(CLIENT_TEXT_LIMITS.path), reason: text(64) }).strict()),
    subgraphs: z.array(text(64)),
    outcome: z.enum(['SERVED', 'PARTIAL', 'REJECTED', 'FAILED']),
    code: text(64).nullable(),
    httpStatus: z.number().int().min(100).max(599),
    durationMs: z.number().int().min(0),
    day: z.string().regex(/^\d{4}-\d{2}-\d{2}$/),
    anyDenied: z.boolean(),
    witnessed: z.array(logHeadSchema).max(16).optional(),
    cost: z.object({ estimated: z.number().int().min(0), actual: z.number().int().min(0).nullable() }).strict().optional(),
    persistedOperationId: z.string().regex(/^[0-9a-f]{64}$/).optional(),
  })
  .strict();

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');
function principalOf(principal: Principal | undefined): AccessEntry['principal'] {
  return principal ? principalClaims(principal) : null;
}

const today = () => new Date().toISOString().slice(0, 10);

function elapsed(locals: Express.Locals): number {
  return locals.startedAt === undefined ? 0 : Math.round(performance.now() - locals.startedAt);
}

/** What a refused request said it was, read leniently from its body (raw bytes, or already parsed). */
function readBody(body: unknown): { operationName?: unknown; query?: unknown } | undefined {
  if (!Buffer.isBuffer(body)) return body && typeof body === 'object' ? (body as { operationName?: unknown; query?: unknown }) : undefined;
  try {
    const parsed: unknown = JSON.parse(body.toString('utf8'));
    return parsed && typeof parsed === 'object' && !Array.isArray(parsed) ? (parsed as { operationName?: unknown; query?: unknown }) : undefined;
  } catch {
    return undefined;
  }
}

/** Logs a request refused before GraphQL (bad token, no purpose, bad body); 503 if it cannot. */
function logRejection(writer: AuditWriter<AccessEntry>) {
  return async (rejection: Rejection, request: RefusedRequest): Promise<Rejection | void> => {
    const parsed = readBody(request.body);
    const purpose = request.header(PURPOSE_HEADER);
    try {
      await writer.append({
        requestId: request.locals.requestId as string,
        principal: principalOf(request.locals.principal),
        purpose: bounded(purpose, CLIENT_TEXT_LIMITS.purpose),
        // An endpoint besides /graphql names what it was asked for itself (the export: auditExport).
        operationName: bounded(request.locals.operationName ?? (typeof parsed?.operationName === 'string' ? parsed.operationName : null), CLIENT_TEXT_LIMITS.operationName),
        operationHash: typeof parsed?.query === 'string' ? sha256(parsed.query) : null,
        variablesDigest: null,
        fields: [],
        denied: [],
        subgraphs: [],
        outcome: rejection.status >= 500 ? 'FAILED' : 'REJECTED',
        code: rejection.code,
        httpStatus: rejection.status,
        durationMs: elapsed(request.locals),
        day: today(),
        anyDenied: true,
      });
    } catch (error) {
      logWriteFailure(request.locals.requestId, error);
      return new Rejection(503, ErrorCode.AUDIT_UNAVAILABLE, AUDIT_UNAVAILABLE_ERROR.message);
    }
  };
}

/** A request that could not be logged fails; the operator must hear of it, with its id. */
function logWriteFailure(requestId: string | null | undefined, error: unknown): void {
  logError(serviceLog('gateway'), 'the access log could not be written; the request failed with AUDIT_UNAVAILABLE', error, { requestId: requestId ?? null });
}

/** What a request to an endpoint besides /graphql (the auditors' export) came to, for its record. */
export interface EndpointOutcome {
  /** Digested like GraphQL variables: the record shows whether two requests asked for the same, not what. */
  variables: Record<string, unknown> | null;
  /** What it was asked for, as coordinates (the export: `AuditExport.<log>` for each log). */
  fields: string[];
  denied: AccessEntry['denied'];
  subgraphs: string[];
  outcome: Outcome;
  code: string | null;
  httpStatus: number;
}

/**
 * The one record of a request to an endpoint besides /graphql that passed the guards (a refusal
 * before them is logged by onRejection), written by the endpoint once its outcome is known.
 * Rejects, the failure logged with the request id, when the record cannot be written.
 */
export async function logEndpointRequest(writer: AuditWriter<AccessEntry>, locals: Express.Locals, done: EndpointOutcome): Promise<void> {
  try {
    await writer.append({
      requestId: locals.requestId as string,
      principal: principalOf(locals.principal),
      purpose: locals.identity?.purpose ?? null,
      operationName: bounded(locals.operationName, CLIENT_TEXT_LIMITS.operationName),
      operationHash: null,
      variablesDigest: done.variables ? sha256(canonical(done.variables)) : null,
      fields: done.fields,
      denied: done.denied,
      subgraphs: done.subgraphs,
      outcome: done.outcome,
      code: done.code,
      httpStatus: done.httpStatus,
      durationMs: elapsed(locals),
      day: today(),
      anyDenied: done.denied.length > 0 || done.outcome === 'REJECTED',
    });
  } catch (error) {
    logWriteFailure(locals.requestId, error);
    throw error;
  }
}

/** Logs every operation Apollo handles, and holds its response until the record is durable. */
function logOperations(writer: AuditWriter<AccessEntry>, witnesses: WitnessBook): ApolloServerPlugin<GatewayContext> {
  return {
    async requestDidStart() {
      let fields: string[] = [];
      return {
        async didResolveOperation({ document, schema }) {
          fields = requestedCoordinates(schema, document);
        },
        async willSendResponse({ response, contextValue, document, request, schema, operationName }) {
          // Incremental delivery (@defer) is not supported through the gateway; were it ever to
          // appear, it is refused here rather than streamed unlogged.
          if (response.body.kind !== 'single') {
            response.body = {
              kind: 'single',
              singleResult: { errors: [{ message: 'Incremental delivery is not supported', extensions: { code: ErrorCode.BAD_REQUEST } }] },
            };
            response.http.status = 400;
          }
          const result = response.body.singleResult;
          const errors: readonly GraphQLFormattedError[] = result.errors ?? [];
          const codeOf = (e: GraphQLFormattedError) => e.extensions?.code as string | undefined;
          const ownerFailed = errors.some((e) => codeOf(e) === ErrorCode.AUDIT_UNAVAILABLE);
          const status = response.http.status ?? 200;
          const executed = 'data' in result && result.data !== undefined;
          const outcome: Outcome = ownerFailed ? 'FAILED' : !executed || status >= 400 ? 'REJECTED' : errors.length ? 'PARTIAL' : 'SERVED';
          const denied = errors
            .filter((e) => codeOf(e) === ErrorCode.FORBIDDEN)
            .map((e) => ({
              coordinate: document && e.path ? coordinateAt(schema, document, operationName, e.path) : null,
              path: bounded((e.path ?? []).join('.'), CLIENT_TEXT_LIMITS.path)!,
              reason: String(e.extensions?.reason),
            }));
          const firstError = errors.find((e) => codeOf(e) !== ErrorCode.FORBIDDEN);
          const witnessed = witnesses.fresh(contextValue.logHeads);
          const persistedId = persistedOperationId(request.extensions);
          try {
            await writer.append({
              requestId: contextValue.requestId as string,
              principal: principalOf(contextValue.identity?.principal),
              purpose: contextValue.identity?.purpose ?? null,
              operationName: bounded(operationName ?? request.operationName, CLIENT_TEXT_LIMITS.operationName),
              operationHash: document ? sha256(stripIgnoredCharacters(print(document))) : request.query ? sha256(request.query) : null,
              variablesDigest: request.variables ? sha256(canonical(request.variables)) : null,
              fields,
              denied,
              subgraphs: [...contextValue.subgraphsCalled].sort(),
              outcome,
              // A partial answer names its first error that is not a denial (an institution unavailable, a deadline).
              code: ownerFailed ? ErrorCode.AUDIT_UNAVAILABLE : outcome === 'SERVED' ? null : firstError ? (codeOf(firstError) ?? null) : null,
              httpStatus: ownerFailed ? 503 : status,
              durationMs: Math.round(performance.now() - contextValue.startedAt),
              day: today(),
              anyDenied: denied.length > 0 || outcome === 'REJECTED',
              ...(witnessed.length ? { witnessed } : {}),
              ...(contextValue.cost ? { cost: { estimated: contextValue.cost.estimated, actual: contextValue.cost.actual } } : {}),
              ...(persistedId ? { persistedOperationId: persistedId } : {}),
            });
          } catch (error) {
            logWriteFailure(contextValue.requestId, error);
            return failClosed(response);
          }
          if (witnessed.length) await witnesses.recorded(witnessed);
          if (ownerFailed) failClosed(response);
        },
      };
    },
  };
}

/** Replaces a response with AUDIT_UNAVAILABLE: no data, no other error, nothing disclosed. */
function failClosed(response: { body: { kind: string; singleResult?: unknown }; http: { status?: number } }): void {
  response.body = { kind: 'single', singleResult: { errors: [AUDIT_UNAVAILABLE_ERROR] } };
  response.http.status = 503;
}

export interface AccessLogOptions {
  /** The writer of this gateway's chain (audit/writer.ts); a request waits until its record is durable. */
  writer: AuditWriter<AccessEntry>;
  /** The institutions' heads already recorded (audit/witness.ts). */
  witnesses: WitnessBook;
}

export function useAccessLog(options: AccessLogOptions): GatewayPlugin {
  const { writer } = options;
  return {
    name: 'access-log',
    onRejection: logRejection(writer),
    apollo: logOperations(writer, options.witnesses),
    onSubgraphRequest: (call) => {
      // The subgraphs a request reached, for its record.
      call.context.subgraphsCalled.add(call.subgraph);
      // This log's signed head, for the institution's log to witness (inside the signed body).
      const head = writer.signedHead;
      if (head) call.extensions[LOG_HEAD_EXTENSION] = { log: 'gateway', ...head };
    },
    onSubgraphResponse: (call, result) => {
      // The institution's signed head of its own log (never another's), for this log to witness.
      const head = parseLogHead(result.extensions?.[LOG_HEAD_EXTENSION]);
      if (result.extensions) delete result.extensions[LOG_HEAD_EXTENSION];
      if (head && head.log === call.subgraph) call.context.logHeads.push(head);
    },
  };
}
