// An institution's section of an auditors' export (POST /audit/export, beside /graphql): its
// disclosure log over a range, streamed from its cursors as NDJSON, ending with the section's end
// line (audit/export.ts). Only the gateway reaches it, with its signed assertion over the exact
// body (the range), checked by the same guard as /graphql; the institution decides the sharing
// rule again on the asserted caller, as it does for its own fields, and records the export in its
// disclosure log — fail closed: no line leaves before that record is durable.
import { GraphQLError } from 'graphql';
import { principalClaims } from '../../auth/index.js';
import {
  AUDIT_EXPORT_OPERATION,
  AUDIT_EXPORT_PATH,
  NDJSON,
  errorLine,
  exportDenial,
  logSection,
  parseExportRange,
  compactDisclosures,
  type AuditWriter,
  type CompactDisclosures,
  type DisclosedRecord,
  type DisclosureEntry,
  type ExportRange,
} from '../../audit/index.js';
import { AUDIT_UNAVAILABLE_ERROR, ClientGoneError, ErrorCode, logError, sendText, serviceLog, type Endpoint, type PluginResponse } from '../../platform/index.js';
import type { OwnerAuditLog } from './owner-audit.js';

/**
 * How the disclosure log names an export: the record `AuditExport:<from>_<to>`, its fields the
 * log's records and checkpoints — so the gateway's record of the request (same request id) and
 * this one together say who exported which log, over which range, for what purpose.
 */
function exported(range: ExportRange, refusal: string | null): CompactDisclosures {
  const id = `${range.from.toISOString()}_${range.to.toISOString()}`;
  const fields = ['checkpoints', 'records'];
  const record: DisclosedRecord = {
    key: `AuditExport:${id}`,
    type: 'AuditExport',
    id,
    disclosed: refusal ? [] : fields,
    masked: [],
    refused: refusal ? fields.map((field) => ({ field, reason: refusal })) : [],
    granted: [],
  };
  return compactDisclosures([record]);
}

const sendJson = (res: PluginResponse, status: number, error: { message: string; extensions: Record<string, unknown> }) => void res.status(status).json({ errors: [error] });

/** The section endpoint of an institution's subgraph (serveGraphQL's `endpoints`); needs the log's running writer. */
export function ownerExportEndpoint(log: OwnerAuditLog & { writer: AuditWriter<DisclosureEntry> }): Endpoint {
  const { institution, writer } = log;
  const serviceLine = serviceLog(institution);
  return {
    method: 'POST',
    path: AUDIT_EXPORT_PATH,
    operationName: AUDIT_EXPORT_OPERATION,
    async handle(req, res) {
      const identity = res.locals.identity;
      // The gateway-assertion guard is first in every list; without an identity nothing runs.
      if (!identity) throw new Error('an export section was asked for without a verified caller');
      let range: ExportRange;
      try {
        const body = JSON.parse(Buffer.isBuffer(req.body) ? req.body.toString('utf8') : 'null') as { from?: unknown; to?: unknown } | null;
        range = parseExportRange(body?.from, body?.to);
      } catch (error) {
        if (!(error instanceof SyntaxError || error instanceof GraphQLError)) throw error;
        const message = error instanceof SyntaxError ? 'The body must be JSON: {"from": DateTime, "to": DateTime}' : (error as Error).message;
        return sendJson(res, 400, { message, extensions: { code: ErrorCode.BAD_USER_INPUT } });
      }
      const denial = exportDenial(identity);
      try {
        await writer.append({ requestId: identity.requestId, principal: principalClaims(identity.principal), purpose: identity.purpose, ...exported(range, denial) });
      } catch (error) {
        logError(serviceLine, 'the disclosure log could not be written; the export failed with AUDIT_UNAVAILABLE', error, { requestId: identity.requestId });
        return void res.status(503).json({ errors: [AUDIT_UNAVAILABLE_ERROR] });
      }
      if (denial) return sendJson(res, 403, { message: `Not shared with you: ${denial}`, extensions: { code: ErrorCode.FORBIDDEN, reason: denial } });

      res.status(200);
      res.setHeader('Content-Type', NDJSON);
      res.setHeader('Cache-Control', 'no-store');
      try {
        await sendText(res, logSection(log.store, institution, range));
        res.end();
      } catch (error) {
        if (error instanceof ClientGoneError) return void res.destroy();
        logError(serviceLine, 'the export section failed', error, { requestId: identity.requestId });
        if (res.headersSent) return void res.end(errorLine({ code: ErrorCode.INTERNAL_SERVER_ERROR, message: 'The export section failed', requestId: identity.requestId, log: institution }));
        res.removeHeader('Content-Type');
        sendJson(res, 500, { message: 'Internal server error', extensions: { code: ErrorCode.INTERNAL_SERVER_ERROR } });
      }
    },
  };
}
