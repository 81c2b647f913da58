// Reading an import file: NDJSON or CSV, streamed record by record, so a file of any length is read
// in flat memory. A first pass (scanFile) checks what makes the whole file unreadable — its
// encoding, an empty file — and hashes it; readRecords then yields each record with its line
// number, or the reason it cannot be read (a line over the size limit, bad JSON, a wrong column
// count), which rejects that record alone.
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import path from 'node:path';
import { parse as parseCsvRecord } from 'csv-parse/sync';

export type FileFormat = 'ndjson' | 'csv';

/** The longest record read (1 MiB): a longer one is rejected without being held in memory. */
export const DEFAULT_MAX_RECORD_BYTES = 1024 * 1024;

/** What makes a whole file unreadable: nothing of it is imported. */
export class ImportFileError extends Error {}

export function formatOf(file: string): FileFormat {
  const extension = path.extname(file).toLowerCase();
  if (extension === '.csv') return 'csv';
  if (extension === '.ndjson' || extension === '.jsonl') return 'ndjson';
  throw new ImportFileError(`${path.basename(file)}: the file name must end in .csv, .ndjson or .jsonl (it says which format the file is in)`);
}

/** One physical record: its first line's number and its bytes (null when over the size limit). */
interface RawRecord {
  line: number;
  /** Its last line's number (a quoted CSV cell may span lines). */
  lastLine: number;
  bytes: Buffer | null;
  size: number;
}

const UTF8_BOM = Buffer.from([0xef, 0xbb, 0xbf]);
/** Byte-order marks of other encodings: the encoding's name, and its name to iconv. */
const OTHER_BOMS: { bytes: number[]; name: string; iconv: string }[] = [
  { bytes: [0x00, 0x00, 0xfe, 0xff], name: 'UTF-32 (big-endian)', iconv: 'UTF-32BE' },
  { bytes: [0xff, 0xfe, 0x00, 0x00], name: 'UTF-32 (little-endian)', iconv: 'UTF-32LE' },
  { bytes: [0xfe, 0xff], name: 'UTF-16 (big-endian)', iconv: 'UTF-16BE' },
  { bytes: [0xff, 0xfe], name: 'UTF-16 (little-endian)', iconv: 'UTF-16LE' },
];
/** How to make the file UTF-8, converting from the encoding it seems to be in (`from`, as iconv names it). */
const saveAsUtf8 = (from: string) => `save it as UTF-8 (in Excel or WPS: "CSV UTF-8"; or convert it: iconv -f ${from} -t UTF-8 in.csv > out.csv)`;

/**
 * Splits a byte stream into records at line ends: at every LF for NDJSON, at LFs outside double
 * quotes for CSV (a quoted cell may hold a line break; `""` inside quotes keeps the count even).
 * A trailing CR is dropped; blank lines are skipped but counted. A record longer than `maxBytes`
 * is dropped as it streams past, keeping only its size.
 */
async function* splitRecords(file: string, format: FileFormat, maxBytes: number, onChunk?: (chunk: Buffer) => void): AsyncGenerator<RawRecord> {
  let parts: Buffer[] = [];
  let held = 0;
  let size = 0;
  let inQuotes = false;
  let cellStart = true;
  let justClosed = false;
  let line = 1;
  let startLine = 1;
  let first = true;
  const finish = (): RawRecord | null => {
    const lastLine = line - 1;
    const record = size > maxBytes ? { line: startLine, lastLine, bytes: null, size } : { line: startLine, lastLine, bytes: Buffer.concat(parts, held), size };
    parts = [];
    held = 0;
    size = 0;
    if (record.bytes && record.bytes.at(-1) === 0x0d) record.bytes = record.bytes.subarray(0, -1);
    if (record.bytes && record.bytes.every((byte) => byte === 0x20 || byte === 0x09)) return null;
    return record;
  };
  for await (const data of createReadStream(file, { highWaterMark: 256 * 1024 })) {
    let chunk = data as Buffer;
    onChunk?.(chunk);
    if (first) {
      first = false;
      if (chunk.subarray(0, 3).equals(UTF8_BOM)) chunk = chunk.subarray(3);
    }
    let from = 0;
    for (let i = 0; i < chunk.length; i++) {
      const byte = chunk[i];
      if (format === 'csv') {
        // RFC 4180: a quote opens a quoted cell only at the cell's start ("" inside it is a quote),
        // so one stray quote inside a plain cell cannot swallow the lines after it.
        if (byte === 0x22) {
          if (inQuotes) {
            inQuotes = false;
            justClosed = true;
          } else if (cellStart || justClosed) {
            inQuotes = true;
            justClosed = false;
          }
          cellStart = false;
          continue;
        }
        justClosed = false;
        cellStart = !inQuotes && (byte === 0x2c || byte === 0x0a);
      }
      if (byte === 0x0a) {
        line++;
        if (inQuotes) continue;
        const piece = chunk.subarray(from, i);
        size += piece.length;
        if (size <= maxBytes) {
          parts.push(piece);
          held += piece.length;
        }
        from = i + 1;
        const record = finish();
        if (record) yield record;
        startLine = line;
      }
    }
    const rest = chunk.subarray(from);
    size += rest.length;
    if (size <= maxBytes) {
      // A copy: the stream may reuse its buffer.
      parts.push(Buffer.from(rest));
      held += rest.length;
    } else if (held > 0) {
      parts = [];
      held = 0;
    }
  }
  if (size > 0) {
    line++;
    const record = finish();
    if (record) yield record;
  }
}

const utf8 = new TextDecoder('utf-8', { fatal: true });
const gb18030 = new TextDecoder('gb18030', { fatal: true });

/** The record's text, or why the file is not UTF-8 (naming the encoding it looks like). */
function decode(record: RawRecord & { bytes: Buffer }, name: string): string {
  try {
    return utf8.decode(record.bytes);
  } catch {
    let looksGbk = false;
    try {
      looksGbk = /[\u4e00-\u9fff]/.test(gb18030.decode(record.bytes));
    } catch {
      looksGbk = false;
    }
    throw new ImportFileError(
      looksGbk
        ? `${name} is not UTF-8: line ${record.line} reads as GBK (GB18030), the encoding Excel uses for CSV on Chinese Windows; ${saveAsUtf8('GB18030')}`
        : `${name} is not UTF-8: line ${record.line} holds bytes UTF-8 does not allow; ${saveAsUtf8('GB18030')}`,
    );
  }
}

export interface FileScan {
  format: FileFormat;
  bytes: number;
  sha256: string;
  /** Records to read (for CSV: not counting the header). */
  records: number;
  /** The file began with a UTF-8 byte-order mark (as Excel's "CSV UTF-8" does): read past it. */
  utf8Bom: boolean;
}

/**
 * The first pass over a file: its SHA-256, its number of records, and every reason it cannot be
 * imported at all — an empty file, a UTF-16 or UTF-32 byte-order mark, text that is not UTF-8
 * (GBK named), NUL bytes, a CSV file whose header is missing or unusable.
 */
export async function scanFile(file: string, maxBytes = DEFAULT_MAX_RECORD_BYTES): Promise<FileScan> {
  const name = path.basename(file);
  const format = formatOf(file);
  const hash = createHash('sha256');
  let bytes = 0;
  let head: Buffer | null = null;
  let records = 0;
  let header: string[] | null = null;
  try {
    for await (const record of splitRecords(file, format, maxBytes, (chunk) => {
      hash.update(chunk);
      bytes += chunk.length;
      if (head === null) {
        head = Buffer.from(chunk.subarray(0, 4));
        checkBom(head, name);
      }
    })) {
      if (record.bytes) {
        if (record.bytes.includes(0)) throw new ImportFileError(`${name}: line ${record.line} holds NUL bytes (a UTF-16 file without its byte-order mark?); ${saveAsUtf8('UTF-16LE')}`);
        const text = decode(record as RawRecord & { bytes: Buffer }, name);
        if (format === 'csv' && header === null) {
          header = parseHeader(text, name, record.line);
          continue;
        }
      } else if (format === 'csv' && header === null) {
        throw new ImportFileError(`${name}: the header line is over the ${maxBytes}-byte limit`);
      }
      records++;
    }
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') throw new ImportFileError(`${file}: no such file`);
    if ((error as NodeJS.ErrnoException).code === 'EISDIR') throw new ImportFileError(`${file} is a directory, not a file`);
    throw error;
  }
  if (bytes === 0) throw new ImportFileError(`${name} is empty (0 bytes): there is nothing to import${format === 'csv' ? ' (a CSV file starts with its header line)' : ''}`);
  if (format === 'csv' && header === null) throw new ImportFileError(`${name} has no header line: a CSV file's first line names its columns`);
  const start = head as Buffer | null;
  return { format, bytes, sha256: hash.digest('hex'), records, utf8Bom: start !== null && start.subarray(0, 3).equals(UTF8_BOM) };
}

function checkBom(head: Buffer, name: string): void {
  for (const bom of OTHER_BOMS) {
    if (head.subarray(0, bom.bytes.length).equals(Buffer.from(bom.bytes))) {
      throw new ImportFileError(`${name} is encoded in ${bom.name} (it starts with that byte-order mark); ${saveAsUtf8(bom.iconv)}`);
    }
  }
}

/**
 * What is wrong with a CSV line, in a clerk's words: never csv-parse's own message, which quotes
 * the cell (an ID number, perhaps) and counts lines and fields its own way.
 */
function csvProblem(error: unknown): string {
  switch ((error as { code?: string }).code) {
    case 'CSV_INVALID_CLOSING_QUOTE':
      return 'text after a closing quote in a cell (a quote inside a quoted cell is written twice: "")';
    case 'CSV_QUOTE_NOT_CLOSED':
      return 'a quoted cell is never closed';
    case 'CSV_INVALID_OPENING_QUOTE':
      return 'a quote inside a cell that does not start with one (quote the whole cell)';
    default:
      return 'it cannot be split into cells';
  }
}

/** A CSV header's column names: non-empty, distinct, trimmed. */
function parseHeader(text: string, name: string, line: number): string[] {
  if (text.includes('\r')) throw new ImportFileError(`${name}: its lines end in CR alone (as "CSV (Macintosh)" writes them): save it as "CSV UTF-8"`);
  let columns: string[];
  try {
    columns = (parseCsvRecord(text, { relax_quotes: false }) as string[][])[0] ?? [];
  } catch (error) {
    throw new ImportFileError(`${name}: the header (line ${line}) is not valid CSV: ${csvProblem(error)}`);
  }
  columns = columns.map((column) => column.trim());
  const empty = columns.findIndex((column) => column === '');
  if (empty >= 0) throw new ImportFileError(`${name}: column ${empty + 1} of the header has no name`);
  const repeated = columns.find((column, i) => columns.indexOf(column) !== i);
  if (repeated !== undefined) throw new ImportFileError(`${name}: the header names column "${repeated}" twice`);
  return columns;
}

/** A record as read: its fields (CSV cells as strings, an empty cell ''), or why it cannot be read. */
export type ReadRecord = { line: number; fields: Record<string, unknown> } | { line: number; error: string };

/**
 * The file's records, in order. The file was scanned first (scanFile): an encoding error here
 * means it changed since, and is thrown.
 */
export async function* readRecords(file: string, maxBytes = DEFAULT_MAX_RECORD_BYTES, onChunk?: (chunk: Buffer) => void): AsyncGenerator<ReadRecord> {
  const name = path.basename(file);
  const format = formatOf(file);
  let header: string[] | null = null;
  for await (const record of splitRecords(file, format, maxBytes, onChunk)) {
    if (!record.bytes) {
      yield { line: record.line, error: `the record is ${record.size.toLocaleString('en')} bytes long, over the limit of ${maxBytes.toLocaleString('en')} bytes` };
      continue;
    }
    const text = decode(record as RawRecord & { bytes: Buffer }, name);
    if (format === 'ndjson') {
      yield parseJsonRecord(text, record.line);
    } else if (header === null) {
      header = parseHeader(text, name, record.line);
    } else {
      const read = parseCsv(text, header, record.line);
      // An unclosed quote runs to the end of the file: say so, or the lines it swallowed go unexplained.
      if ('error' in read && record.lastLine > record.line) read.error += ` (an unclosed quote makes lines ${record.line}-${record.lastLine} one record)`;
      yield read;
    }
  }
}

function parseJsonRecord(text: string, line: number): ReadRecord {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    // Never the parser's own words: they quote the line, which may hold an ID number.
    const at = /position (\d+)/.exec((error as Error).message)?.[1];
    return { line, error: `not valid JSON${at === undefined ? '' : ` (at character ${Number(at) + 1})`}` };
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return { line, error: 'a record must be a JSON object' };
  return { line, fields: value as Record<string, unknown> };
}

function parseCsv(text: string, header: string[], line: number): ReadRecord {
  let cells: string[];
  try {
    cells = (parseCsvRecord(text, { relax_quotes: true }) as string[][])[0] ?? [];
  } catch (error) {
    return { line, error: `not valid CSV: ${csvProblem(error)}` };
  }
  if (cells.length !== header.length) return { line, error: `${cells.length} values for the header's ${header.length} columns` };
  const fields: Record<string, unknown> = {};
  // An empty cell is '' (cleared, for an optional field); a column the file does not have is absent (left as stored).
  header.forEach((column, i) => {
    fields[column] = (cells[i] as string).trim();
  });
  return { line, fields };
}
