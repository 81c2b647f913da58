// Exports of the logs for offline verification, as NDJSON streamed from database cursors: never
// the whole export in memory, however long the range. One line per record (`"kind":"record"`) and
// per checkpoint (`"kind":"checkpoint"`), each log's range widened to whole checkpoint segments so
// that every exported record can be checked against the hashes its writer signed.
//
// An export is served in sections, one per log: the gateway writes its own log's, then relays each
// institution's as that institution's subgraph streams it (its own end line last, which the relay
// checks and keeps back). The file ends with one end line, signed by the gateway: the range, each
// log's counts, the request it answered and a SHA-256 of every byte before it. A file without it —
// cut short, or an export that failed (its last line then says `"kind":"error"`) — never passes for
// complete (`npm run audit:verify` refuses it), and neither does a file edited after the export.
//
// With store.ts and queries.ts, the only code that builds filters on the log collections; every
// value in a filter comes from a range parsed here.
import { createHash, sign, verify, type KeyObject } from 'node:crypto';
import type { Document } from 'mongodb';
import { DenialReason, badUserInput, parseDateTime } from '../platform/index.js';
import { decide, type CallIdentity, type FieldPolicy } from '../auth/index.js';
import { canonical, encodingOf } from './chain.js';
import type { AuditLogStore } from './store.js';

/** Where the gateway serves an export to auditors, and each institution's subgraph its section to the gateway. */
export const AUDIT_EXPORT_PATH = '/audit/export';
/** What the gateway's access log names a request for an export (in place of a GraphQL operation name). */
export const AUDIT_EXPORT_OPERATION = 'auditExport';
export const NDJSON = 'application/x-ndjson; charset=utf-8';
/** The longest range one export covers. */
export const MAX_EXPORT_DAYS = 366;

/**
 * Who may export a log: the joint supervision group's auditors, for the purpose AUDIT — the grant
 * every field of the access log carries (schema/audit.graphql), decided as those fields are. The
 * gateway checks it for every export, and each institution again for its own log.
 */
export const EXPORT_POLICY: FieldPolicy = {
  type: 'AuditExport',
  field: 'export',
  sharing: 'CONDITIONAL',
  applicable: null,
  audience: null,
  grants: [{ orgs: ['audit'], roles: ['auditor'], purposes: ['AUDIT'], row: null }],
  ownerRoles: null,
  mask: null,
};

/** Null when the caller may export the logs, otherwise why not (a DenialReason, as GraphQL's FORBIDDEN gives it). */
export function exportDenial(identity: CallIdentity): DenialReason | null {
  return decide(EXPORT_POLICY, 'audit', identity, null, {});
}

/** A half-open time range [from, to) over the records' `at`. */
export interface ExportRange {
  from: Date;
  to: Date;
}

function instant(value: unknown, argument: 'from' | 'to'): Date {
  if (typeof value !== 'string' || value === '') throw badUserInput(`${argument} is required: an ISO 8601 instant in UTC, e.g. 2025-06-30T08:00:00Z`, argument);
  try {
    return parseDateTime(value);
  } catch (error) {
    throw badUserInput(`${argument}: ${(error as Error).message}`, argument);
  }
}

/** The range of an export request (the query string's or a body's `from` and `to`): BAD_USER_INPUT unless from < to, at most MAX_EXPORT_DAYS apart. */
export function parseExportRange(from: unknown, to: unknown): ExportRange {
  const range = { from: instant(from, 'from'), to: instant(to, 'to') };
  if (range.from.getTime() >= range.to.getTime()) throw badUserInput('from must be before to', 'to');
  if (range.to.getTime() - range.from.getTime() > MAX_EXPORT_DAYS * 86_400_000) throw badUserInput(`An export covers at most ${MAX_EXPORT_DAYS} days: export a longer range in parts`, 'to');
  return range;
}

/** What one log's section holds. */
export interface LogCounts {
  records: number;
  checkpoints: number;
}

/** Documents each cursor batch holds, and roughly how many bytes of lines are passed on at a time. */
const BATCH = 1000;
const BLOCK_BYTES = 64 * 1024;

/**
 * One log's lines over a range, in blocks of whole lines, read from database cursors as they are
 * consumed; returns its counts. Per chain: the records from the first checkpoint segment that
 * holds a record in range to the last, then the checkpoints of those segments.
 */
export async function* logLines<TEntry extends Document>(store: AuditLogStore<TEntry>, log: string, range: ExportRange): AsyncGenerator<string, LogCounts> {
  const counts: LogCounts = { records: 0, checkpoints: 0 };
  let block = '';
  for (const chain of await store.chains()) {
    const inRange = { chain, at: { $gte: range.from, $lt: range.to } };
    const first = await store.records.findOne(inRange, { sort: { seq: 1 }, projection: { seq: 1 } });
    const last = first && (await store.records.findOne(inRange, { sort: { seq: -1 }, projection: { seq: 1 } }));
    if (!first || !last) continue;
    // The checkpoints whose segments hold a record in range; the records are widened to them.
    const covering = { chain, seq: { $gte: Number(first.seq) }, fromSeq: { $lte: Number(last.seq) } };
    const firstSegment = await store.checkpoints.findOne(covering, { sort: { seq: 1 }, projection: { fromSeq: 1 } });
    const lastSegment = await store.checkpoints.findOne(covering, { sort: { seq: -1 }, projection: { seq: 1 } });
    const fromSeq = Math.min(Number(first.seq), firstSegment?.fromSeq ?? Infinity);
    const toSeq = Math.max(Number(last.seq), lastSegment?.seq ?? -Infinity);
    const records = store.records.find({ chain, seq: { $gte: fromSeq, $lte: toSeq } }, { sort: { seq: 1 }, projection: { _id: 0 }, batchSize: BATCH });
    for await (const record of records) {
      // Each line in its own format's encoding, so that offline verification rebuilds the same values.
      block += `${encodingOf(record)({ kind: 'record', log, ...record })}\n`;
      counts.records++;
      if (block.length >= BLOCK_BYTES) {
        yield block;
        block = '';
      }
    }
    for await (const checkpoint of store.checkpoints.find(covering, { sort: { seq: 1 }, projection: { _id: 0 }, batchSize: BATCH })) {
      block += `${encodingOf(checkpoint)({ kind: 'checkpoint', log, ...checkpoint })}\n`;
      counts.checkpoints++;
      if (block.length >= BLOCK_BYTES) {
        yield block;
        block = '';
      }
    }
  }
  if (block) yield block;
  return counts;
}

/** The end line of one log's section, as an institution's subgraph sends it to the gateway (which checks it and keeps it back). */
export function sectionEndLine(range: ExportRange, log: string, counts: LogCounts): string {
  return `${canonical({ kind: 'end', from: range.from, to: range.to, logs: { [log]: counts } })}\n`;
}

/** One log's section as a service sends it: its lines, then its end line. */
export async function* logSection<TEntry extends Document>(store: AuditLogStore<TEntry>, log: string, range: ExportRange): AsyncGenerator<string, LogCounts> {
  const counts = yield* logLines(store, log, range);
  yield sectionEndLine(range, log, counts);
  return counts;
}

/** A failure in the middle of an export: the last line the client gets, in place of the end line. */
export function errorLine(failure: { code: string; message: string; requestId: string | null; log?: string }): string {
  return `${canonical({ kind: 'error', ...failure })}\n`;
}

/** A section another service sent that is not whole (cut short, failed, or with counts that do not add up). */
export class ExportSectionError extends Error {
  constructor(
    readonly log: string,
    problem: string,
  ) {
    super(`the ${log} log's export section ${problem}`);
    this.name = 'ExportSectionError';
  }
}

type SectionEnd = { kind?: unknown; from?: unknown; to?: unknown; logs?: Record<string, Partial<LogCounts>> };

function parseEndLine(line: string): SectionEnd | null {
  try {
    const value: unknown = JSON.parse(line);
    return value && typeof value === 'object' ? (value as SectionEnd) : null;
  } catch {
    return null;
  }
}

/** The longest line a section may hold (a record is far smaller): a sender that never ends a line is cut off. */
const MAX_LINE_BYTES = 4 * 1024 * 1024;

function countLines(text: string): number {
  let n = 0;
  for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) n++;
  return n;
}

/**
 * Passes on one log's section as another service streams it, chunk by chunk, holding back only
 * its last complete line: at the end, that must be the section's end line, for this log and range,
 * counting exactly the lines passed on. Returns the counts; throws ExportSectionError otherwise.
 */
export async function* relayLog(chunks: AsyncIterable<Uint8Array | string>, log: string, range: ExportRange): AsyncGenerator<string, LogCounts> {
  const decoder = new TextDecoder('utf-8', { fatal: true });
  let partial = '';
  let held = '';
  let passed = 0;
  for await (const chunk of chunks) {
    partial += typeof chunk === 'string' ? chunk : decoder.decode(chunk, { stream: true });
    const cut = partial.lastIndexOf('\n');
    if (cut === -1) {
      if (partial.length > MAX_LINE_BYTES) throw new ExportSectionError(log, 'has a line longer than any record');
      continue;
    }
    const lines = held + partial.slice(0, cut + 1);
    partial = partial.slice(cut + 1);
    const lastStart = lines.lastIndexOf('\n', lines.length - 2) + 1;
    held = lines.slice(lastStart);
    if (lastStart > 0) {
      const block = lines.slice(0, lastStart);
      passed += countLines(block);
      yield block;
    }
  }
  if (partial + decoder.decode()) throw new ExportSectionError(log, 'ends in the middle of a line');
  const end = parseEndLine(held);
  if (end?.kind === 'error') throw new ExportSectionError(log, 'failed at its source');
  if (end?.kind !== 'end') throw new ExportSectionError(log, 'has no end line');
  const counts = end.logs?.[log];
  if (end.from !== range.from.toISOString() || end.to !== range.to.toISOString() || Object.keys(end.logs ?? {}).length !== 1 || !counts) {
    throw new ExportSectionError(log, 'ends with the end line of another export');
  }
  if (!Number.isInteger(counts.records) || !Number.isInteger(counts.checkpoints) || counts.records! + counts.checkpoints! !== passed) {
    throw new ExportSectionError(log, `counts ${counts.records} records and ${counts.checkpoints} checkpoints, but holds ${passed} lines`);
  }
  return { records: counts.records!, checkpoints: counts.checkpoints! };
}

/** Signs an export's end line: the gateway, with its log's checkpoint key. */
export interface ExportSigner {
  /** The log whose key signs (verification uses that log's public key). */
  log: string;
  key: KeyObject;
  /** The request the export answers (the gateway's request id). */
  requestId: string;
}

export interface ExportSection {
  log: string;
  /** Its lines in blocks, read (or relayed) only when its turn comes; returns its counts. */
  lines: AsyncGenerator<string, LogCounts>;
}

/** The fields of an end line the signature covers: everything but the signature. */
export interface ExportEnd {
  kind: 'end';
  from: string;
  to: string;
  logs: Record<string, LogCounts>;
  requestId: string;
  signedBy: string;
  at: string;
  /** SHA-256 (hex) of every byte of the export before the end line. */
  digest: string;
}

const endBody = (end: ExportEnd) => Buffer.from(canonical(end), 'utf8');

export function signExportEnd(key: KeyObject, end: ExportEnd): string {
  return sign(null, endBody(end), key).toString('base64url');
}

export function exportEndSignatureValid(key: KeyObject, end: ExportEnd, signature: string): boolean {
  try {
    return verify(null, endBody(end), key, Buffer.from(signature, 'base64url'));
  } catch {
    return false;
  }
}

/**
 * A whole export: each section in turn, then the signed end line. `beforeEnd` runs once every
 * section has been passed on and before the end line: the gateway makes its record of the request
 * durable there, so no file passes for complete without it. Stopping early (the client went)
 * closes the section being read, and its cursors.
 */
export async function* exportStream(
  range: ExportRange,
  sections: ExportSection[],
  signer: ExportSigner,
  beforeEnd?: (logs: Record<string, LogCounts>) => Promise<void>,
): AsyncGenerator<string, void> {
  const digest = createHash('sha256');
  const logs: Record<string, LogCounts> = {};
  for (const { log, lines } of sections) {
    try {
      for (let step = await lines.next(); ; step = await lines.next()) {
        if (step.done) {
          logs[log] = step.value;
          break;
        }
        digest.update(step.value, 'utf8');
        yield step.value;
      }
    } finally {
      await lines.return(undefined as never);
    }
  }
  await beforeEnd?.(logs);
  const end: ExportEnd = {
    kind: 'end',
    from: range.from.toISOString(),
    to: range.to.toISOString(),
    logs,
    requestId: signer.requestId,
    signedBy: signer.log,
    at: new Date().toISOString(),
    digest: digest.digest('hex'),
  };
  yield `${canonical({ ...end, signature: signExportEnd(signer.key, end) })}\n`;
}
