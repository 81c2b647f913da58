// GET /audit/export?from=…&to=… — the auditors' export of every log over a time range, streamed
// as NDJSON (audit/export.ts): the gateway's access log read from its cursor, then each
// institution's disclosure log relayed as its subgraph streams it, then the end line the gateway
// signs. Nothing holds the whole export; a slow client slows the cursors, a gone one closes them.
//
// The request passes the same guards as /graphql (request id, token, purpose: serveGraphQL mounts
// it behind the gateway's plugin list), and the same sharing rule as every access-log field
// decides who may have it (FORBIDDEN with its reason otherwise). Each institution's section is
// asked for with the gateway's signed assertion, through the plugins' subgraph hooks like any
// subgraph call, and the institution checks the rule again and records the export in its
// disclosure log before it sends a line.
//
// Its one record in the access log is written when its outcome is known: a refusal before any
// line is sent, or after the last section and before the end line — so no file passes for
// complete unless that record is durable (fail closed). A failure once lines are out ends the file
// with an error line instead of the end line, and is recorded as FAILED.
import type { KeyObject } from 'node:crypto';
import { GraphQLError } from 'graphql';
import { SUBGRAPH_NAMES, type SubgraphName } from '../config/index.js';
import {
  AUDIT_EXPORT_OPERATION,
  AUDIT_EXPORT_PATH,
  AuditUnavailableError,
  ExportSectionError,
  NDJSON,
  errorLine,
  exportDenial,
  exportStream,
  logLines,
  parseExportRange,
  relayLog,
  type AuditLogStore,
  type AuditWriter,
  type ExportRange,
  type ExportSection,
  type LogCounts,
} from '../audit/index.js';
import { AUDIT_UNAVAILABLE_ERROR, ClientGoneError, ErrorCode, logError, sendText, serviceLog, type Endpoint, type ServiceFetch, type PluginResponse } from '../platform/index.js';
import type { GatewayContext } from './context.js';
import type { GatewayPlugin, SubgraphCall } from './plugin.js';
import { logEndpointRequest, type AccessEntry, type EndpointOutcome } from './plugins/access-log.js';

export interface AuditExportOptions {
  /** The gateway's access log, exported first, and the writer of this gateway's chain of it. */
  accessLog: AuditLogStore<AccessEntry>;
  writer: AuditWriter<AccessEntry>;
  /** The gateway's checkpoint key: it signs each export's end line. */
  signingKey: KeyObject;
  /** Each institution's subgraph URL (`…/graphql`); its section is served beside it, at /audit/export. */
  subgraphUrls: Record<SubgraphName, string>;
  /** The gateway's plugin list: each section is asked for through their subgraph hooks (signed, recorded as called). */
  plugins: GatewayPlugin[];
  /** How the gateway reaches subgraphs (platform/tls.ts); default: fetch. */
  send?: ServiceFetch;
  /** How long an institution may take to begin its section (its SUBGRAPH_TIMEOUT_MS); past it, it is unavailable. Default 5 s. */
  answerTimeoutMs?: (log: SubgraphName) => number;
}

/** An institution could not record the export in its disclosure log, so it sent nothing. */
class OwnerAuditUnavailableError extends Error {
  constructor(readonly log: SubgraphName) {
    super(`the ${log} subgraph could not write its disclosure log`);
    this.name = 'OwnerAuditUnavailableError';
  }
}

/**
 * An institution did not answer (refused, timed out before its section began) or answered 503,
 * unable to serve: reported as that institution unavailable, as the GraphQL path reports it.
 */
class SubgraphUnavailableExportError extends Error {
  constructor(
    readonly log: SubgraphName,
    options?: { cause: unknown },
  ) {
    super(`the ${log} subgraph did not answer the export`, options);
    this.name = 'SubgraphUnavailableExportError';
  }
}

/** An institution refused its section at the HTTP level: the gateway's own failure (a key or URL misconfigured), never the client's. */
class SubgraphExportError extends Error {
  constructor(
    readonly log: SubgraphName,
    status: number,
  ) {
    super(`the ${log} subgraph answered its export section with HTTP ${status}`);
    this.name = 'SubgraphExportError';
  }
}

async function refusalCode(response: Response): Promise<unknown> {
  try {
    return ((await response.json()) as { errors?: { extensions?: { code?: unknown } }[] }).errors?.[0]?.extensions?.code;
  } catch {
    return undefined;
  }
}

const fileName = (range: ExportRange) => `audit-export-${range.from.toISOString().slice(0, 19).replace(/:/g, '')}-${range.to.toISOString().slice(0, 19).replace(/:/g, '')}.ndjson`;

/** The export, as an endpoint of the gateway (serveGraphQL's `endpoints`). */
export function auditExportEndpoint(options: AuditExportOptions): Endpoint<GatewayContext> {
  const hooks = options.plugins.flatMap((plugin) => (plugin.onSubgraphRequest ? [plugin.onSubgraphRequest] : []));
  const fields = ['gateway', ...SUBGRAPH_NAMES].map((log) => `AuditExport.${log}`);

  /** One institution's section, asked for when its turn comes and relayed as it arrives. */
  async function* institutionSection(log: SubgraphName, range: ExportRange, context: GatewayContext): AsyncGenerator<string, LogCounts> {
    // The same call every subgraph gets from the gateway: the hooks sign it (the assertion covers
    // these exact bytes, so the range too) and note the subgraph as called.
    const call = {
      subgraph: log,
      url: new URL(`.${AUDIT_EXPORT_PATH}`, options.subgraphUrls[log]).href,
      extensions: {},
      body: JSON.stringify({ from: range.from.toISOString(), to: range.to.toISOString() }),
      headers: { 'content-type': 'application/json' },
      context,
    } as SubgraphCall;
    for (const hook of hooks) await hook(call);
    // Bounded until its section begins (then it streams as long as the section is long).
    const begun = new AbortController();
    const timer = setTimeout(() => begun.abort(), options.answerTimeoutMs?.(log) ?? 5000);
    let response: Response;
    try {
      response = await (options.send ?? fetch)(call.url, { method: 'POST', headers: call.headers, body: call.body, signal: begun.signal });
    } catch (error) {
      throw new SubgraphUnavailableExportError(log, { cause: error });
    } finally {
      clearTimeout(timer);
    }
    if (!response.ok || !response.body) {
      const code = await refusalCode(response);
      if (code === ErrorCode.AUDIT_UNAVAILABLE) throw new OwnerAuditUnavailableError(log);
      throw response.status === 503 ? new SubgraphUnavailableExportError(log) : new SubgraphExportError(log, response.status);
    }
    try {
      return yield* relayLog(response.body as AsyncIterable<Uint8Array>, log, range);
    } catch (error) {
      // The connection broke (or the body stalled past the client's own bound) after the section
      // began: the institution went away mid-section — unavailable, as a query would say.
      if (error instanceof ExportSectionError) throw error;
      throw new SubgraphUnavailableExportError(log, { cause: error });
    }
  }

  return {
    method: 'GET',
    path: AUDIT_EXPORT_PATH,
    operationName: AUDIT_EXPORT_OPERATION,
    async handle(req, res, context) {
      const { identity, requestId } = context;
      // The authentication, purpose and request-id plugins come first in every list that serves this.
      if (!identity || !requestId) throw new Error('the export reached without a caller or a request id');
      const variables = { from: req.query.from ?? null, to: req.query.to ?? null };
      const record = (done: Omit<EndpointOutcome, 'fields' | 'subgraphs' | 'variables'>) =>
        logEndpointRequest(options.writer, res.locals, { ...done, variables, fields, subgraphs: [...context.subgraphsCalled].sort() });
      const refuse = async (status: number, error: { message: string; extensions: Record<string, unknown> }, denied: EndpointOutcome['denied']) => {
        try {
          await record({ denied, outcome: 'REJECTED', code: String(error.extensions.code), httpStatus: status });
        } catch {
          return void res.status(503).json({ errors: [AUDIT_UNAVAILABLE_ERROR] });
        }
        res.status(status).json({ errors: [error] });
      };

      const denial = exportDenial(identity);
      if (denial) {
        const error = { message: `Not shared with you: ${denial}`, extensions: { code: ErrorCode.FORBIDDEN, reason: denial } };
        return refuse(403, error, [{ coordinate: null, path: AUDIT_EXPORT_PATH, reason: denial }]);
      }
      let range: ExportRange;
      try {
        range = parseExportRange(req.query.from, req.query.to);
      } catch (error) {
        if (!(error instanceof GraphQLError)) throw error;
        return refuse(400, { message: error.message, extensions: { ...error.extensions } }, []);
      }

      const sections: ExportSection[] = [
        { log: 'gateway', lines: logLines(options.accessLog, 'gateway', range) },
        ...SUBGRAPH_NAMES.map((log) => ({ log, lines: institutionSection(log, range, context) })),
      ];
      res.status(200);
      res.setHeader('Content-Type', NDJSON);
      res.setHeader('Content-Disposition', `attachment; filename="${fileName(range)}"`);
      res.setHeader('Cache-Control', 'no-store');
      res.setHeader('X-Content-Type-Options', 'nosniff');
      let recorded = false;
      try {
        const signer = { log: 'gateway', key: options.signingKey, requestId };
        await sendText(
          res,
          exportStream(range, sections, signer, async () => {
            await record({ denied: [], outcome: 'SERVED', code: null, httpStatus: 200 });
            recorded = true;
          }),
        );
        res.end();
      } catch (error) {
        await failed(res, error, recorded ? null : (status, code) => record({ denied: [], outcome: 'FAILED', code, httpStatus: status }));
      }
    },
  };

  /**
   * Ends an export that failed: a JSON error if nothing was sent yet, otherwise an error line in
   * place of the end line (or nothing, the client being gone); recorded as FAILED unless its
   * record was already written (only the end line was then still to go).
   */
  async function failed(res: PluginResponse, error: unknown, record: ((status: number, code: string) => Promise<void>) | null): Promise<void> {
    const requestId = res.locals.requestId ?? null;
    const gone = error instanceof ClientGoneError;
    const ownerFailed = error instanceof OwnerAuditUnavailableError || error instanceof AuditUnavailableError;
    const unavailable = error instanceof SubgraphUnavailableExportError;
    // No error code tells a client its own connection closed; the record says so in its own words.
    const code = gone ? ErrorCode.CLIENT_CLOSED : ownerFailed ? ErrorCode.AUDIT_UNAVAILABLE : unavailable ? ErrorCode.SUBGRAPH_UNAVAILABLE : ErrorCode.INTERNAL_SERVER_ERROR;
    if (!gone) logError(serviceLog('gateway'), 'the audit export failed', error, { requestId });
    const status = res.headersSent ? 200 : ownerFailed || unavailable ? 503 : 500;
    // A record that cannot be written is logged by the access log with the request id.
    await record?.(status, code).catch(() => undefined);
    if (gone) return void res.destroy();
    if (!res.headersSent) {
      for (const header of ['Content-Type', 'Content-Disposition']) res.removeHeader(header);
      res.status(status).json({
        errors: [
          ownerFailed
            ? AUDIT_UNAVAILABLE_ERROR
            : unavailable
              ? { message: `The ${error.log} did not answer: the export is incomplete`, extensions: { code, institution: error.log } }
              : { message: 'Internal server error', extensions: { code } },
        ],
      });
      return;
    }
    const log =
      error instanceof OwnerAuditUnavailableError || error instanceof SubgraphExportError || error instanceof ExportSectionError || error instanceof SubgraphUnavailableExportError ? error.log : undefined;
    const message = ownerFailed ? AUDIT_UNAVAILABLE_ERROR.message : unavailable ? `The ${error.log} did not answer: this file is incomplete` : 'The export failed: this file is incomplete';
    res.end(errorLine({ code, message, requestId, ...(log ? { log } : {}) }));
  }
}
