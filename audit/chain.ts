// The tamper evidence of an access log, after CloudTrail's log-file validation and X-Road's
// signed logs: every record's hash is SHA-256 over the previous hash and a canonical encoding of
// the record; sequence numbers are contiguous per chain; the writer signs checkpoints (Ed25519)
// that list the hashes they cover. Verification recomputes the chain against the checkpoints and
// names the first bad sequence number.
import { createHash, sign, verify, type KeyObject } from 'node:crypto';

/** The hash before the first record of every chain. */
export const GENESIS_HASH = '0'.repeat(64);

/** What every chained record carries, whatever else it holds. */
export interface ChainLink {
  /** The record's format (2: typed encoding); absent on records of format 1. */
  v?: number;
  chain: string;
  seq: number;
  prevHash: string;
  hash: string;
}

export interface Checkpoint {
  /** The format (2: typed encoding); absent on checkpoints of format 1. */
  v?: number;
  chain: string;
  /** The first and last sequence numbers it covers, and their hashes in order. */
  fromSeq: number;
  seq: number;
  hashes: string[];
  headHash: string;
  at: Date;
  /** Format 2: the digest of the chain's previous checkpoint (GENESIS_HASH for its first), so a deleted checkpoint is missed. */
  prevCheckpoint?: string;
  /** Ed25519 over the canonical encoding (of its format) of all the fields above, base64url. */
  signature: string;
}

/**
 * The first format's canonical encoding: JSON with object keys sorted, dates as ISO strings,
 * `undefined` and `_id` (at any depth) dropped. Records of format 1 (no `v`) still verify with it;
 * it cannot tell a date from its ISO string, so new records use the typed encoding below.
 */
export function canonical(value: unknown): string {
  if (value === null || value === undefined) return 'null';
  if (value instanceof Date) return JSON.stringify(value.toISOString());
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([key, v]) => v !== undefined && key !== '_id')
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([key, v]) => `${JSON.stringify(key)}:${canonical(v)}`).join(',')}}`;
  }
  if (typeof value === 'number' && !Number.isFinite(value)) throw new TypeError('non-finite number in an audit record');
  return JSON.stringify(value);
}

/** The record format this code writes: 2, the typed encoding. */
export const RECORD_FORMAT = 2;

/**
 * The typed canonical encoding (format 2), an EJSON-like form: keys sorted, a date written as
 * `{"$date":"…ISO…"}` so that it never encodes like a string, and only the top level's `_id`
 * (the store's key, which is not hashed) dropped. A value of any other kind, or a key that
 * starts with `$` (which could pass for a type tag), is refused: records hold neither.
 */
export function typedCanonical(value: unknown, top = true): string {
  if (value === null) return 'null';
  if (value instanceof Date) {
    if (Number.isNaN(value.getTime())) throw new TypeError('invalid date in an audit record');
    return `{"$date":${JSON.stringify(value.toISOString())}}`;
  }
  if (Array.isArray(value)) return `[${value.map((item) => typedCanonical(item, false)).join(',')}]`;
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return JSON.stringify(value);
    case 'number':
      if (!Number.isFinite(value)) throw new TypeError('non-finite number in an audit record');
      return JSON.stringify(value);
    case 'object': {
      if (Object.getPrototypeOf(value) !== Object.prototype && Object.getPrototypeOf(value) !== null) throw new TypeError('an object that is not plain data in an audit record');
      const entries = Object.entries(value as Record<string, unknown>)
        .filter(([key, v]) => v !== undefined && !(top && key === '_id'))
        .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
      for (const [key] of entries) if (key.startsWith('$')) throw new TypeError(`key "${key}" in an audit record`);
      return `{${entries.map(([key, v]) => `${JSON.stringify(key)}:${typedCanonical(v, false)}`).join(',')}}`;
    }
    default:
      throw new TypeError(`a ${typeof value} in an audit record`);
  }
}

/** Undoes typedCanonical's date tags in parsed JSON (an export's lines). */
export function reviveTyped(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(reviveTyped);
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>);
    if (entries.length === 1 && entries[0]![0] === '$date' && typeof entries[0]![1] === 'string') return new Date(entries[0]![1]);
    return Object.fromEntries(entries.map(([key, v]) => [key, reviveTyped(v)]));
  }
  return value;
}

/** A record's or checkpoint's encoding, by the format it says it has (none: format 1). */
export function encodingOf(value: object): (content: unknown) => string {
  return (value as { v?: unknown }).v === RECORD_FORMAT ? (content) => typedCanonical(content) : canonical;
}

/** The hash of a record: over the previous hash and the record without its own hash. */
export function recordHash(record: Omit<ChainLink, 'hash'> & Record<string, unknown>): string {
  const { hash: _ignored, ...content } = record as Record<string, unknown>;
  return createHash('sha256').update(record.prevHash).update('\n').update(encodingOf(record)(content)).digest('hex');
}

function checkpointBody(checkpoint: Omit<Checkpoint, 'signature'>): Buffer {
  const { chain, fromSeq, seq, hashes, headHash, at, v, prevCheckpoint } = checkpoint;
  if (v === undefined) return Buffer.from(canonical({ chain, fromSeq, seq, hashes, headHash, at }), 'utf8');
  return Buffer.from(typedCanonical({ v, chain, fromSeq, seq, hashes, headHash, at, prevCheckpoint: prevCheckpoint ?? null }), 'utf8');
}

/** What the next checkpoint of a chain names as its predecessor: a digest of this one's signature. */
export function checkpointDigest(checkpoint: Pick<Checkpoint, 'signature'>): string {
  return createHash('sha256').update(checkpoint.signature).digest('hex');
}

export function signCheckpoint(key: KeyObject, checkpoint: Omit<Checkpoint, 'signature'>): Checkpoint {
  return { ...checkpoint, signature: sign(null, checkpointBody(checkpoint), key).toString('base64url') };
}

export function checkpointSignatureValid(key: KeyObject, checkpoint: Checkpoint): boolean {
  try {
    return verify(null, checkpointBody(checkpoint), key, Buffer.from(checkpoint.signature, 'base64url'));
  } catch {
    return false;
  }
}

export type ChainProblem =
  | 'CHECKPOINT_SIGNATURE_INVALID'
  | 'CHECKPOINT_MISSING'
  | 'CHAIN_MISSING'
  | 'CHECKPOINT_MALFORMED'
  | 'RECORD_MISSING'
  | 'HASH_MISMATCH'
  | 'NOT_AS_CHECKPOINTED'
  | 'TAIL_CUT'
  /** Another party's log witnessed a head of this chain that this log no longer holds (audit/witness.ts). */
  | 'WITNESS_MISMATCH';

export interface ChainVerification {
  chain: string;
  ok: boolean;
  /** Records read and the last sequence number seen. */
  records: number;
  headSeq: number;
  /** The last sequence number a valid checkpoint vouches for (0: none yet). */
  checkpointedSeq: number;
  /** Where verification first failed, and how. */
  firstBadSeq: number | null;
  problem: ChainProblem | null;
  /** Records after the last checkpoint: chained, but not yet signed for. */
  unsignedTail: number;
}

/** The verification of a chain none of whose records is there, though something names it. */
export function absentChain(chain: string, firstBadSeq: number, problem: ChainProblem): ChainVerification {
  return { chain, ok: false, records: 0, headSeq: 0, checkpointedSeq: 0, firstBadSeq, problem, unsignedTail: 0 };
}

/** A chain's prefix already verified up to a valid checkpoint: verification can go on from there. */
export interface VerifiedPrefix {
  /** The checkpoint's last sequence number, and the hash of that record. */
  seq: number;
  headHash: string;
  /** The checkpoint's digest, which the next checkpoint must name. */
  checkpointDigest: string;
}

export interface VerifyOptions {
  /** Goes on from a prefix verified before (its records are not read again); `records` still counts them. */
  resume?: VerifiedPrefix;
  /** The live writer's last sequence number: detects a tail cut after the last checkpoint too. */
  expectedHeadSeq?: number;
  /**
   * For an export of part of a chain: the first sequence number it holds (a checkpoint segment's
   * start). The first record's own `prevHash` is then taken as given; the checkpoints vouch for it.
   */
  startSeq?: number;
}

/**
 * Verifies one chain: `records` in ascending seq order (any iterable, so a database cursor can be
 * streamed), against its `checkpoints` and the writer's public key.
 */
export async function verifyChain(
  chain: string,
  records: AsyncIterable<ChainLink> | Iterable<ChainLink>,
  checkpoints: Checkpoint[],
  key: KeyObject,
  options: VerifyOptions = {},
): Promise<ChainVerification> {
  const { expectedHeadSeq, resume } = options;
  const startSeq = resume ? resume.seq + 1 : (options.startSeq ?? 1);
  const result: ChainVerification = {
    chain,
    ok: true,
    records: 0,
    headSeq: 0,
    checkpointedSeq: 0,
    firstBadSeq: null,
    problem: null,
    unsignedTail: 0,
  };
  const fail = (seq: number, problem: ChainProblem) => {
    if (result.firstBadSeq === null || seq < result.firstBadSeq) {
      result.firstBadSeq = seq;
      result.problem = problem;
    }
    result.ok = false;
  };

  // What the valid checkpoints vouch for: the hash of every sequence number they cover.
  const vouched = new Map<number, string>();
  let expectedFrom = startSeq;
  // The digest the next checkpoint must name (null: an export's first, taken as given).
  let expectedPrev: string | null = resume ? resume.checkpointDigest : startSeq === 1 ? GENESIS_HASH : null;
  if (resume) result.checkpointedSeq = resume.seq;
  // After a checkpoint reported as bad, the gap it leaves is not reported again as missing.
  let reported = false;
  for (const checkpoint of [...checkpoints].sort((a, b) => a.seq - b.seq)) {
    if (resume && checkpoint.seq <= resume.seq) continue;
    if (!checkpointSignatureValid(key, checkpoint)) {
      fail(checkpoint.seq, 'CHECKPOINT_SIGNATURE_INVALID');
      reported = true;
      continue;
    }
    const wellFormed =
      checkpoint.chain === chain &&
      checkpoint.fromSeq >= expectedFrom &&
      checkpoint.hashes.length === checkpoint.seq - checkpoint.fromSeq + 1 &&
      checkpoint.hashes.at(-1) === checkpoint.headHash;
    if (!wellFormed) {
      fail(checkpoint.fromSeq, 'CHECKPOINT_MALFORMED');
      reported = true;
      continue;
    }
    // A gap before it, or (format 2) a predecessor other than the one found: a checkpoint was
    // deleted. The records it signed are still checked against the chain, but no longer vouched for.
    const namesWrongPredecessor = checkpoint.v !== undefined && expectedPrev !== null && checkpoint.prevCheckpoint !== expectedPrev;
    if ((checkpoint.fromSeq > expectedFrom || namesWrongPredecessor) && !reported) fail(expectedFrom, 'CHECKPOINT_MISSING');
    reported = false;
    checkpoint.hashes.forEach((hash, i) => vouched.set(checkpoint.fromSeq + i, hash));
    expectedFrom = checkpoint.seq + 1;
    expectedPrev = checkpointDigest(checkpoint);
    result.checkpointedSeq = checkpoint.seq;
  }

  let expectedSeq = startSeq;
  let prevHash: string | null = resume ? resume.headHash : startSeq === 1 ? GENESIS_HASH : null;
  if (resume) {
    result.records = resume.seq;
    result.headSeq = resume.seq;
  }
  for await (const record of records) {
    result.records++;
    result.headSeq = record.seq;
    prevHash ??= record.prevHash;
    if (record.seq !== expectedSeq) {
      // A missing sequence number: deleted (or renumbered) records.
      fail(expectedSeq, 'RECORD_MISSING');
      break;
    }
    if (record.prevHash !== prevHash || recordHash(record as ChainLink & Record<string, unknown>) !== record.hash) {
      fail(record.seq, 'HASH_MISMATCH');
      break;
    }
    const vouchedHash = vouched.get(record.seq);
    if (vouchedHash !== undefined && vouchedHash !== record.hash) {
      // A chain that hashes correctly but is not the one the writer signed: records inserted or
      // reordered, and every later hash recomputed.
      fail(record.seq, 'NOT_AS_CHECKPOINTED');
      break;
    }
    prevHash = record.hash;
    expectedSeq++;
  }
  if (result.ok) {
    // Records the checkpoints vouch for, or the live writer wrote, that are no longer there.
    const lastSeen = expectedSeq - 1;
    if (result.checkpointedSeq > lastSeen) fail(lastSeen + 1, 'TAIL_CUT');
    else if (expectedHeadSeq !== undefined && expectedHeadSeq > lastSeen) fail(lastSeen + 1, 'TAIL_CUT');
  }
  result.unsignedTail = Math.max(0, result.headSeq - result.checkpointedSeq);
  return result;
}
