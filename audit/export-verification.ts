// Offline verification of an export (the NDJSON the gateway streams at GET /audit/export): every
// chain in it, with the public key of the log it came from, and the export as a whole — its end
// line, signed by the gateway, must be there (else the file was cut short or the export failed),
// count what the file holds, and cover every byte before it. What `npm run audit:verify` prints,
// as data.
import { createHash, type KeyObject } from 'node:crypto';
import { verifyChain } from './chain.js';
import { exportEndSignatureValid, type ExportEnd, type LogCounts } from './export.js';
import { parseExport } from './queries.js';

export interface ExportVerification {
  /** True when every chain of the export verifies and the export is whole. */
  ok: boolean;
  /**
   * One line per chain: `ok   <log> <chain>: …` or `BAD  <log> <chain>: first bad sequence number N (PROBLEM)`;
   * then the export's own: `ok   export …: complete …` or one `BAD  export: …` per problem.
   */
  lines: string[];
}

type Parsed = Record<string, unknown>;

function parseLine(line: string): Parsed | null {
  try {
    const value: unknown = JSON.parse(line);
    return value && typeof value === 'object' && !Array.isArray(value) ? (value as Parsed) : null;
  } catch {
    return null;
  }
}

const isCounts = (value: unknown): value is LogCounts =>
  !!value && typeof value === 'object' && Number.isInteger((value as LogCounts).records) && Number.isInteger((value as LogCounts).checkpoints);

/** The end line's signed fields and its signature, or null when it is not a well-formed end line. */
function readEnd(parsed: Parsed): { end: ExportEnd; signature: string } | null {
  const { kind, from, to, logs, requestId, signedBy, at, digest, signature, ...rest } = parsed;
  const strings = [from, to, requestId, signedBy, at, digest, signature];
  if (kind !== 'end' || Object.keys(rest).length || !strings.every((s) => typeof s === 'string')) return null;
  if (!logs || typeof logs !== 'object' || Array.isArray(logs) || !Object.values(logs).every(isCounts)) return null;
  return { end: { kind, from, to, logs, requestId, signedBy, at, digest } as ExportEnd, signature: signature as string };
}

/** Verifies an export; `keyFor` gives a log's public key (and may throw for a log it does not know). */
export async function verifyExport(ndjson: string, keyFor: (log: string) => KeyObject): Promise<ExportVerification> {
  // The last line that is not empty: the end line of a whole export.
  let stop = ndjson.length;
  while (stop > 0 && ndjson[stop - 1] === '\n') stop--;
  if (stop === 0) throw new Error('the file is empty');
  const lastStart = ndjson.lastIndexOf('\n', stop - 1) + 1;
  const last = parseLine(ndjson.slice(lastStart, stop));
  const hasEnd = last?.kind === 'end';
  // A file cut in the middle of a line: that line is gone, whatever it was.
  const cutMidLine = last === null && !ndjson.endsWith('\n');
  const content = hasEnd || cutMidLine ? ndjson.slice(0, lastStart) : ndjson;

  // Records and checkpoints go to the chains; an error line says why an export stopped.
  const problems: string[] = [];
  const data: string[] = [];
  content.split('\n').forEach((line) => {
    if (!line.includes('"kind":"end"') && !line.includes('"kind":"error"')) return void data.push(line);
    const parsed = parseLine(line);
    if (parsed?.kind === 'error') problems.push(`the export failed at its source: ${String(parsed.code)} (${String(parsed.message)})`);
    else if (parsed?.kind === 'end') problems.push('an end line before the last line: two exports joined, or lines added after one');
    else data.push(line);
  });
  const chains = parseExport(data.join('\n'));
  if (chains.size === 0 && !hasEnd) throw new Error('the file holds no export lines');

  const lines: string[] = [];
  let ok = true;
  const held = new Map<string, LogCounts>();
  for (const { log, chain, records, checkpoints } of chains.values()) {
    const counts = held.get(log) ?? { records: 0, checkpoints: 0 };
    held.set(log, { records: counts.records + records.length, checkpoints: counts.checkpoints + checkpoints.length });
    const startSeq = Math.min(...checkpoints.map((c) => c.fromSeq), records[0]?.seq ?? 1);
    const result = await verifyChain(chain, records, checkpoints, keyFor(log), { startSeq });
    if (result.ok) {
      const tail = result.unsignedTail ? `, ${result.unsignedTail} after the last checkpoint (not yet signed)` : '';
      lines.push(`ok   ${log} ${chain}: ${result.records} records, seq ${startSeq}-${result.headSeq}${tail}`);
    } else {
      ok = false;
      lines.push(`BAD  ${log} ${chain}: first bad sequence number ${result.firstBadSeq} (${result.problem})`);
    }
  }

  const read = hasEnd ? readEnd(last) : null;
  if (cutMidLine) problems.push('no end line: the file was cut short, in the middle of a line');
  else if (!hasEnd) problems.push('no end line: the file was cut short, or the export failed before it was complete');
  else if (!read) problems.push('a malformed end line');
  else {
    const { end, signature } = read;
    if (!exportEndSignatureValid(keyFor(end.signedBy), end, signature)) problems.push(`the end line's signature is not ${end.signedBy}'s`);
    if (createHash('sha256').update(content, 'utf8').digest('hex') !== end.digest) problems.push('the file was changed after the export: its digest is not the one the end line signed');
    for (const log of new Set([...Object.keys(end.logs), ...held.keys()])) {
      const said = end.logs[log];
      const found = held.get(log) ?? { records: 0, checkpoints: 0 };
      if (!said) problems.push(`the ${log} log is in the file but not in the end line`);
      else if (said.records !== found.records || said.checkpoints !== found.checkpoints) {
        problems.push(`the ${log} log has ${found.records} records and ${found.checkpoints} checkpoints in the file; the end line counts ${said.records} and ${said.checkpoints}`);
      }
    }
  }
  if (problems.length) {
    ok = false;
    for (const problem of problems) lines.push(`BAD  export: ${problem}`);
  } else {
    const { end } = read!;
    const total = Object.values(end.logs).reduce((sum, c) => ({ records: sum.records + c.records, checkpoints: sum.checkpoints + c.checkpoints }), { records: 0, checkpoints: 0 });
    lines.push(
      `ok   export ${end.from} to ${end.to}: complete, ${[...new Set([...held.keys(), ...Object.keys(end.logs)])].join(', ')}: ${total.records} records, ${total.checkpoints} checkpoints; signed by ${end.signedBy} for request ${end.requestId}`,
    );
  }
  return { ok, lines };
}
