// Reading the logs for the auditors: search, record histories, activity, verification and
// export. With store.ts, the only code that builds filters on the log collections; every value in
// a filter comes from arguments the resolvers have already parsed.
import type { KeyObject } from 'node:crypto';
import type { Document, Filter } from 'mongodb';
import { badUserInput, findPage, type Connection, type PageArgs, type SortKey } from '../platform/index.js';
import { RECORD_FORMAT, checkpointDigest, encodingOf, reviveTyped, verifyChain, type ChainVerification, type Checkpoint, type VerifiedPrefix } from './chain.js';
import { recordKey, type AuditLogStore, type StoredRecord } from './store.js';
import type { AuditWriter } from './writer.js';

export interface AccessLogFilter {
  principal?: string;
  org?: string;
  purpose?: string;
  operationName?: string;
  outcome?: string;
  from?: Date;
  to?: Date;
}

const NEWEST_FIRST: SortKey = { field: 'at', type: 'date', direction: -1 };

export function searchAccessLog<TEntry extends Document>(
  store: AuditLogStore<TEntry>,
  filter: AccessLogFilter,
  page: PageArgs,
): Promise<Connection<StoredRecord<TEntry>>> {
  const query: Record<string, unknown> = {};
  if (filter.principal !== undefined) query['principal.sub'] = filter.principal;
  if (filter.org !== undefined) query['principal.org'] = filter.org;
  if (filter.purpose !== undefined) query.purpose = filter.purpose;
  if (filter.operationName !== undefined) query.operationName = filter.operationName;
  if (filter.outcome !== undefined) query.outcome = filter.outcome;
  if (filter.from || filter.to) query.at = { ...(filter.from ? { $gte: filter.from } : {}), ...(filter.to ? { $lt: filter.to } : {}) };
  return findPage(store.records, query as Filter<Document>, NEWEST_FIRST, page, (doc) => doc as StoredRecord<TEntry>);
}

export async function recordsByRequestIds<TEntry extends Document>(store: AuditLogStore<TEntry>, requestIds: readonly string[]): Promise<StoredRecord<TEntry>[][]> {
  const docs = (await store.records.find({ requestId: { $in: [...requestIds] } }, { sort: { at: 1, seq: 1 }, batchSize: 10_000 }).toArray()) as unknown as StoredRecord<TEntry>[];
  return requestIds.map((id) => docs.filter((doc) => (doc as unknown as { requestId: string }).requestId === id));
}

/** Disclosure records that name one record key (`Type:id`), oldest first. */
export async function recordsNaming<TEntry extends Document>(store: AuditLogStore<TEntry>, key: string): Promise<StoredRecord<TEntry>[]> {
  return (await store.records.find({ 'records.key': key }, { sort: { at: 1, seq: 1 }, batchSize: 10_000 }).toArray()) as unknown as StoredRecord<TEntry>[];
}

/** Requests and denials per calling institution per day, from `$group` counts. */
export async function activityByDay(
  store: AuditLogStore<Document>,
  from: string,
  to: string,
): Promise<{ day: string; org: string; requests: number; denials: number }[]> {
  const rows = await store.records
    .aggregate([
      { $match: { day: { $gte: from, $lt: to } } },
      { $group: { _id: { day: '$day', org: '$principal.org', denied: '$anyDenied' }, n: { $sum: 1 } } },
    ])
    .toArray();
  const byKey = new Map<string, { day: string; org: string; requests: number; denials: number }>();
  for (const row of rows) {
    const key = row._id as { day: string; org?: string | null; denied?: boolean };
    const org = key.org ?? 'unknown';
    const entry = byKey.get(`${key.day}|${org}`) ?? { day: key.day, org, requests: 0, denials: 0 };
    entry.requests += Number(row.n);
    if (key.denied === true) entry.denials += Number(row.n);
    byKey.set(`${key.day}|${org}`, entry);
  }
  return [...byKey.values()].sort((a, b) => a.day.localeCompare(b.day) || a.org.localeCompare(b.org));
}

/** What a chain's first record names: the service's previous chain and its head then. */
interface ChainOpening {
  chain: string;
  seq: number;
  hash: string;
}

/** A verified prefix, and what the chain's first record named (read with the prefix). */
type CachedPrefix = VerifiedPrefix & { opens: ChainOpening | null };

/**
 * What a verifying process has verified of each chain, up to a valid checkpoint: an overview then
 * reads only what was added since. Kept in the process's memory, never in the database whose
 * records it vouches for; a full verification (on demand) starts again from the first record.
 */
export class VerificationCache {
  private readonly prefixes = new Map<string, CachedPrefix>();
  /** The chains found by the last full look at the records (the registry names every newer one). */
  chains: string[] | null = null;
  get(chain: string): CachedPrefix | undefined {
    return this.prefixes.get(chain);
  }
  set(chain: string, prefix: CachedPrefix): void {
    this.prefixes.set(chain, prefix);
  }
  /** A chain that failed verification is read whole again next time: a failure never fades. */
  delete(chain: string): void {
    this.prefixes.delete(chain);
  }
}

export interface VerifyAllOptions {
  /** Where verified prefixes are kept; without one every chain is read whole. */
  cache?: VerificationCache;
  /** Reads every chain whole, whatever the cache holds (and refreshes it). */
  full?: boolean;
}

/**
 * Verifies every chain of a log, found in its records or its registry. Each is held to the last
 * sequence number the registry (or the live writer) knows it reached: a chain whose records are
 * all gone is CHAIN_MISSING, one whose tail is gone with its checkpoints TAIL_CUT. A chain's first
 * record names the service's previous chain and its head then: that chain must be there, that far.
 */
export async function verifyAll<TEntry extends Document>(
  store: AuditLogStore<TEntry>,
  key: KeyObject,
  liveWriter: AuditWriter<TEntry> | null,
  options: VerifyAllOptions = {},
): Promise<ChainVerification[]> {
  const registry = new Map((await store.registeredChains()).map((entry) => [entry._id, entry]));
  const results = new Map<string, ChainVerification>();
  const openers: { chain: string; opens: ChainOpening; check: boolean }[] = [];
  // Finding the chains in the records is a scan of them all: done on a full verification (or the
  // first), otherwise the chains seen then and those the registry names since.
  const cached = options.full ? null : (options.cache?.chains ?? null);
  const chains = cached ? [...new Set([...cached, ...registry.keys()])].sort() : await store.chains();
  if (options.cache && !cached) options.cache.chains = chains;
  for (const chain of chains) {
    const known = Math.max(liveWriter?.chain === chain ? liveWriter.headSeq : 0, registry.get(chain)?.lastSeq ?? 0);
    const resume = options.full ? undefined : options.cache?.get(chain);
    const checkpoints = await store.checkpointsOf(chain, resume?.seq ?? 0);
    // The chain's first record is read anyway when it is read whole; otherwise what it named was kept.
    let opens = resume?.opens;
    const records = (async function* () {
      for await (const record of store.recordsOf(chain, resume?.seq ?? 0)) {
        if (record.seq === 1) opens = (record as { opens?: ChainOpening | null }).opens ?? null;
        yield record;
      }
    })();
    const result = await verifyChain(chain, records, checkpoints, key, {
      ...(known ? { expectedHeadSeq: known } : {}),
      ...(resume ? { resume } : {}),
    });
    const signedUpTo = registry.get(chain)?.lastSeq ?? 0;
    if (result.records === 0 && known > 0) Object.assign(result, { ok: false, firstBadSeq: 1, problem: 'CHAIN_MISSING' });
    // The registry knows the chain was signed further than its checkpoints now say: one was deleted.
    else if (result.ok && result.checkpointedSeq < signedUpTo) Object.assign(result, { ok: false, firstBadSeq: result.checkpointedSeq + 1, problem: 'CHECKPOINT_MISSING' });
    const lastSigned = checkpoints.find((c) => c.seq === result.checkpointedSeq);
    if (result.ok && lastSigned) {
      options.cache?.set(chain, { seq: lastSigned.seq, headHash: lastSigned.headHash, checkpointDigest: checkpointDigest(lastSigned), opens: opens ?? null });
    } else if (!result.ok) {
      options.cache?.delete(chain);
    }
    results.set(chain, result);
    // What a cached prefix named was checked when the prefix was verified; only a chain read from
    // its first record now has its link checked again (a lookup the embedded store pays as a scan).
    if (opens) openers.push({ chain, opens, check: resume === undefined });
  }
  for (const { opens, check } of openers) {
    const named = results.get(opens.chain);
    if (!named) {
      results.set(opens.chain, { chain: opens.chain, ok: false, records: 0, headSeq: 0, checkpointedSeq: 0, firstBadSeq: 1, problem: 'CHAIN_MISSING', unsignedTail: 0 });
      continue;
    }
    if (!named.ok) continue;
    if (named.headSeq < opens.seq) {
      Object.assign(named, { ok: false, firstBadSeq: named.headSeq + 1, problem: 'TAIL_CUT' });
      continue;
    }
    // The record the next chain named must still be the one it named: a tail rewritten after its
    // checkpoint was deleted hashes correctly, but not as the next chain recorded it.
    if (!check) continue;
    const record = (await store.records.findOne({ _id: recordKey(opens.chain, opens.seq) } as never, { projection: { hash: 1 } })) as { hash?: string } | null;
    if (record?.hash !== opens.hash) Object.assign(named, { ok: false, firstBadSeq: opens.seq, problem: 'NOT_AS_CHECKPOINTED' });
  }
  for (const result of results.values()) if (!result.ok) options.cache?.delete(result.chain);
  return [...results.values()].sort((a, b) => a.chain.localeCompare(b.chain));
}

/** The most records one export may hold; a larger range is refused (export it in parts). */
export const MAX_EXPORT_RECORDS = 200_000;

/**
 * An export of a time range as NDJSON: one line per record (`"kind":"record"`) and per checkpoint
 * (`"kind":"checkpoint"`). The range is widened to whole checkpoint segments, so every exported
 * record can be checked against the signed hashes.
 */
export async function exportRange(store: AuditLogStore<Document>, log: string, from: Date, to: Date): Promise<string> {
  const count = await store.records.countDocuments({ at: { $gte: from, $lt: to } });
  if (count > MAX_EXPORT_RECORDS) throw badUserInput(`${count} records in range; an export holds at most ${MAX_EXPORT_RECORDS}: narrow the range`, 'auditExport');
  const lines: string[] = [];
  for (const chain of await store.chains()) {
    const inRange = await store.records
      .find({ chain, at: { $gte: from, $lt: to } }, { sort: { seq: 1 }, projection: { seq: 1 } })
      .toArray();
    if (inRange.length === 0) continue;
    const checkpoints = await store.checkpointsOf(chain);
    let firstSeq = Number(inRange[0]!.seq);
    let lastSeq = Number(inRange.at(-1)!.seq);
    const covering = checkpoints.filter((c) => c.seq >= firstSeq && c.fromSeq <= lastSeq);
    if (covering.length) {
      firstSeq = Math.min(firstSeq, covering[0]!.fromSeq);
      lastSeq = Math.max(lastSeq, covering.at(-1)!.seq);
    }
    const records = store.records.find({ chain, seq: { $gte: firstSeq, $lte: lastSeq } }, { sort: { seq: 1 }, projection: { _id: 0 }, batchSize: 1000 });
    // Each line in its own format's encoding, so that offline verification rebuilds the same values.
    for await (const record of records) lines.push(encodingOf(record)({ kind: 'record', log, ...record }));
    for (const checkpoint of covering) lines.push(encodingOf(checkpoint)({ kind: 'checkpoint', log, ...checkpoint }));
  }
  return lines.length ? `${lines.join('\n')}\n` : '';
}

/** The lines of an export, grouped by log and chain, ready to verify. */
export function parseExport(ndjson: string): Map<string, { log: string; chain: string; records: (StoredRecord<Document> & Record<string, unknown>)[]; checkpoints: Checkpoint[] }> {
  const chains = new Map<string, { log: string; chain: string; records: (StoredRecord<Document> & Record<string, unknown>)[]; checkpoints: Checkpoint[] }>();
  ndjson.split('\n').forEach((line, index) => {
    if (!line.trim()) return;
    let parsed: Record<string, unknown>;
    try {
      parsed = JSON.parse(line) as Record<string, unknown>;
    } catch {
      throw new Error(`line ${index + 1}: not JSON`);
    }
    const { kind, log, ...rest } = parsed;
    if (typeof log !== 'string' || typeof rest.chain !== 'string' || (kind !== 'record' && kind !== 'checkpoint')) {
      throw new Error(`line ${index + 1}: not an export line (kind, log and chain are required)`);
    }
    const id = `${log}|${rest.chain}`;
    const group = chains.get(id) ?? { log, chain: rest.chain, records: [], checkpoints: [] };
    // Format 2 lines carry their dates typed; format 1 lines wrote `at` as a string.
    const values = rest.v === RECORD_FORMAT ? (reviveTyped(rest) as Record<string, unknown>) : { ...rest, at: new Date(String(rest.at)) };
    if (kind === 'record') group.records.push(values as never);
    else group.checkpoints.push(values as unknown as Checkpoint);
    chains.set(id, group);
  });
  for (const group of chains.values()) group.records.sort((a, b) => Number(a.seq) - Number(b.seq));
  return chains;
}
