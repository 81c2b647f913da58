// Witnesses: each log's latest signed head, recorded in another party's log, so that no single
// institution's database administrator can rewrite its own log undetected — a consistent rewrite,
// even one re-signed with a new key, no longer holds the record the other party saw. The gateway
// sends its head with every subgraph call (in the request's extensions, inside the body its
// assertion signs), and each institution's disclosure log records it; each institution answers
// with its own head, which the gateway's access log records. Verifying a log then holds it to the
// heads the other party witnessed (WITNESS_MISMATCH).
import { z } from 'zod';
import type { Document } from 'mongodb';
import { logError, serviceLog } from '../platform/index.js';
import { absentChain, type ChainVerification } from './chain.js';
import { recordKey, type AuditLogStore } from './store.js';

/** One chain's signed head: its last checkpoint's sequence number and that record's hash. */
export interface LogHead {
  /** Whose log: `gateway`, or an institution's name. */
  log: string;
  chain: string;
  seq: number;
  hash: string;
}

/** Where a head travels: a subgraph call's request extensions (the gateway's), its response's (the institution's). */
export const LOG_HEAD_EXTENSION = 'logHead';

/** The most heads one answer or representation may carry: one per chain ever written. */
export const MAX_WITNESSES = 10_000;

export const logHeadSchema = z
  .object({
    log: z.string().min(1).max(32),
    chain: z.string().min(1).max(200),
    seq: z.number().int().min(1),
    hash: z.string().regex(/^[0-9a-f]{64}$/),
  })
  .strict();

/** A head from another party (untyped until parsed); null when it is not one. */
export function parseLogHead(value: unknown): LogHead | null {
  const parsed = logHeadSchema.safeParse(value);
  return parsed.success ? parsed.data : null;
}

/** A list of heads from a representation (untyped until parsed); throws on anything else. */
export function parseLogHeads(value: unknown): LogHead[] {
  if (value === null || value === undefined) return [];
  return z.array(logHeadSchema).max(MAX_WITNESSES).parse(value);
}

/**
 * What this process already recorded of other logs' heads, so that a record carries a head only
 * when it is new (a head changes once per checkpoint of the other side).
 */
export class WitnessBook {
  private readonly seen = new Map<string, number>();

  /** `owner`: whose log records the heads (`gateway`, or an institution), the service its log lines name. */
  constructor(
    private readonly store: Pick<AuditLogStore<Document>, 'noteWitness'>,
    private readonly owner: string,
  ) {}

  /** The heads among these that are newer than what this process recorded. */
  fresh(heads: Iterable<LogHead>): LogHead[] {
    const newest = new Map<string, LogHead>();
    for (const head of heads) {
      const key = `${head.log}|${head.chain}`;
      if ((this.seen.get(key) ?? 0) < head.seq && (newest.get(key)?.seq ?? 0) < head.seq) newest.set(key, head);
    }
    return [...newest.values()];
  }

  /**
   * After the record that carries them is durable: indexes them for verification. A failure is
   * logged and the heads stay fresh, so the next record carries them again.
   */
  async recorded(heads: LogHead[]): Promise<void> {
    for (const head of heads) {
      try {
        await this.store.noteWitness(head);
        this.seen.set(`${head.log}|${head.chain}`, head.seq);
      } catch (error) {
        logError(serviceLog(this.owner), 'a witnessed log head could not be indexed; the next record carries it again', error, { log: head.log, chain: head.chain, seq: head.seq }, 'warn');
      }
    }
  }
}

/**
 * Holds a log's verification to the heads another party witnessed of it: a witnessed record that
 * is no longer there, or that hashes otherwise, is WITNESS_MISMATCH at that chain and sequence
 * number (unless the chain already failed earlier); a witnessed chain the log does not hold at all
 * is reported as its own row.
 */
export async function checkWitnesses(
  store: Pick<AuditLogStore<Document>, 'hashesAt'>,
  heads: LogHead[],
  results: ChainVerification[],
): Promise<ChainVerification[]> {
  const found = await store.hashesAt(heads);
  const byChain = new Map(results.map((result) => [result.chain, result]));
  for (const head of heads) {
    if (found.get(recordKey(head.chain, head.seq)) === head.hash) continue;
    const result = byChain.get(head.chain);
    if (!result) {
      byChain.set(head.chain, absentChain(head.chain, head.seq, 'WITNESS_MISMATCH'));
      continue;
    }
    if (result.firstBadSeq !== null && result.firstBadSeq <= head.seq) continue;
    Object.assign(result, { ok: false, firstBadSeq: head.seq, problem: 'WITNESS_MISMATCH' });
  }
  return [...byChain.values()].sort((a, b) => a.chain.localeCompare(b.chain));
}
