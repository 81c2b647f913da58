// Offline verification of an export (NDJSON from auditExport): every chain in it, with the public
// key of the log it came from. What `npm run audit:verify` prints, as data.
import type { KeyObject } from 'node:crypto';
import { verifyChain } from './chain.js';
import { parseExport } from './queries.js';

export interface ExportVerification {
  /** True when every chain of the export verifies. */
  ok: boolean;
  /** One line per chain: `ok   <log> <chain>: …` or `BAD  <log> <chain>: first bad sequence number N (PROBLEM)`. */
  lines: string[];
}

/** Verifies an export; `keyFor` gives a log's public key (and may throw for a log it does not know). */
export async function verifyExport(ndjson: string, keyFor: (log: string) => KeyObject): Promise<ExportVerification> {
  const chains = parseExport(ndjson);
  if (chains.size === 0) throw new Error('the export holds no records');
  const lines: string[] = [];
  let ok = true;
  for (const { log, chain, records, checkpoints } of chains.values()) {
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
  return { ok, lines };
}
