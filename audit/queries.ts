// Reading the logs for the auditors: search, record histories, activity, verification, and the
// parsing of an export (which export.ts streams). With store.ts and export.ts, the only code that
// builds filters on the log collections; every value in a filter comes from arguments the
// resolvers have already parsed.
import type { KeyObject } from 'node:crypto';
import type { Document, Filter } from 'mongodb';
import { findPage, literalPattern, parsePageRequest, type Connection, type PageArgs, type SortKey } from '../platform/index.js';
import { RECORD_FORMAT, absentChain, checkpointDigest, reviveTyped, verifyChain, type ChainVerification, type Checkpoint, type VerifiedPrefix } from './chain.js';
import { recordKey, type AuditLogStore, type StoredRecord } from './store.js';
import type { AuditWriter } from './writer.js';
import { checkWitnesses, type LogHead } from './witness.js';
import { disclosedRecordsOf, type StoredDisclosureEntry } from './disclosures.js';
import { localDay, startOfLocalDay } from './time-zone.js';

/**
 * What verification asks of a log's running writer: its chain and how far it has written (a tail
 * cut below that is TAIL_CUT). Not what it writes, so one reader serves entries of every format.
 */
export type LiveWriterHead = Pick<AuditWriter<Document>, 'chain' | 'headSeq'>;

export interface AccessLogFilter {
  principal?: string;
  /** Part of the principal's name (literal, case-insensitive), or their whole `sub`. */
  principalName?: string;
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
  // Whom an auditor knows by name: an unanchored pattern, so the log's records in the range are
  // read (no index serves it); the range of at most MAX_SCAN_DAYS the resolver requires bounds that.
  if (filter.principalName !== undefined) query.$or = [{ 'principal.sub': filter.principalName }, { 'principal.name': { $regex: literalPattern(filter.principalName) } }];
  if (filter.org !== undefined) query['principal.org'] = filter.org;
  if (filter.purpose !== undefined) query.purpose = filter.purpose;
  if (filter.operationName !== undefined) query.operationName = filter.operationName;
  if (filter.outcome !== undefined) query.outcome = filter.outcome;
  Object.assign(query, within(filter));
  return findPage(store.records, query as Filter<Document>, NEWEST_FIRST, page, (doc) => doc as StoredRecord<TEntry>);
}

/** A time range [from, to) over records' `at`; either end may be open. */
export interface TimeRange {
  from?: Date;
  to?: Date;
}

function within(range: TimeRange): { at?: { $gte?: Date; $lt?: Date } } {
  if (!range.from && !range.to) return {};
  return { at: { ...(range.from ? { $gte: range.from } : {}), ...(range.to ? { $lt: range.to } : {}) } };
}

export async function recordsByRequestIds<TEntry extends Document>(store: AuditLogStore<TEntry>, requestIds: readonly string[]): Promise<StoredRecord<TEntry>[][]> {
  const docs = (await store.records.find({ requestId: { $in: [...requestIds] } }, { sort: { at: 1, seq: 1 }, batchSize: 10_000 }).toArray()) as unknown as StoredRecord<TEntry>[];
  return requestIds.map((id) => docs.filter((doc) => (doc as unknown as { requestId: string }).requestId === id));
}

/**
 * One page of the disclosure records that name one record key (`Type:id`) in a time range, newest
 * first: a record read every day for years has a history no answer could hold whole.
 */
export function recordsNaming<TEntry extends Document>(
  store: AuditLogStore<TEntry>,
  key: string,
  range: TimeRange,
  page: PageArgs,
): Promise<Connection<StoredRecord<TEntry>>> {
  return findPage(store.records, { 'records.key': key, ...within(range) } as Filter<Document>, NEWEST_FIRST, page, (doc) => doc as StoredRecord<TEntry>);
}

/** Whether `field` (`parties`) is `name` or a path under it (`parties.idNumber`). */
function touches(field: string, name: string): boolean {
  return name === field || name.startsWith(`${field}.`);
}

/** The most records naming one key a field-filtered history reads in its range, before asking for a narrower one. */
export const MAX_FIELD_HISTORY_SCAN = 20_000;

/**
 * One page of the disclosure records that name one record key in a time range and gave, masked or
 * refused `field` (or a field under it) of that record, newest first, with cursors like
 * recordsNaming's. Which fields a record got is inside each entry (its verdict sets), so the
 * records naming the key are read in order and the page cut here, bounded by the range:
 * `totalCount` reads them all (counting, not keeping them), up to MAX_FIELD_HISTORY_SCAN.
 */
export async function recordsNamingField(
  store: AuditLogStore<StoredDisclosureEntry>,
  key: string,
  range: TimeRange,
  field: string,
  pageArgs: PageArgs,
): Promise<Connection<StoredRecord<StoredDisclosureEntry>>> {
  const page = parsePageRequest(pageArgs, NEWEST_FIRST);
  const matches = (doc: StoredRecord<StoredDisclosureEntry>) =>
    disclosedRecordsOf(doc, key).some(
      (r) => r.disclosed.some((f) => touches(field, f)) || r.masked.some((m) => touches(field, m.field)) || r.refused.some((x) => touches(field, x.field)),
    );
  const base = { 'records.key': key, ...within(range) };
  const after = page.after
    ? { $or: [{ at: { $lt: page.after.value } }, { at: page.after.value, _id: { $lt: page.after.id } }] }
    : null;
  // Reads the records naming the key in order and hands each one that matches to `take` until it
  // says it has enough; past MAX_FIELD_HISTORY_SCAN records read, a RangeError (the resolver asks
  // for a narrower range). Nothing is kept here: `take` keeps what it needs.
  const scan = async (filter: Document, projection: Document | undefined, take: (record: StoredRecord<StoredDisclosureEntry>) => boolean) => {
    let scanned = 0;
    const cursor = store.records.find(filter as Filter<Document>, { sort: { at: -1, _id: -1 }, batchSize: 500, ...(projection ? { projection } : {}) });
    try {
      for await (const doc of cursor) {
        if (++scanned > MAX_FIELD_HISTORY_SCAN) throw new RangeError('too many records');
        const record = doc as unknown as StoredRecord<StoredDisclosureEntry>;
        if (matches(record) && take(record)) break;
      }
    } finally {
      await cursor.close();
    }
  };
  const docs: StoredRecord<StoredDisclosureEntry>[] = [];
  await scan(after ? { $and: [base, after] } : base, undefined, (record) => docs.push(record) > page.first);
  const edges = docs.slice(0, page.first).map((doc) => ({
    node: doc,
    cursor: Buffer.from(JSON.stringify([doc.at.toISOString(), String((doc as unknown as { _id: unknown })._id)]), 'utf8').toString('base64url'),
  }));
  return {
    edges,
    pageInfo: { hasNextPage: docs.length > page.first, endCursor: edges.at(-1)?.cursor ?? null },
    // Counted as they stream past, each read only as far as `matches` looks (its records and their
    // verdicts): the range's records are never held together.
    totalCount: async () => {
      let count = 0;
      await scan(base, MATCH_PROJECTION, () => {
        count += 1;
        return false;
      });
      return count;
    },
  };
}

/** What recordsNamingField's `matches` reads of a disclosure record (either format): its records, and the compact format's verdict sets. */
const MATCH_PROJECTION = { records: 1, verdicts: 1 };

/** An owner's disclosure records made under one grant on application, newest first. */
export function recordsUnderGrant<TEntry extends Document>(store: AuditLogStore<TEntry>, grant: string, page: PageArgs): Promise<Connection<StoredRecord<TEntry>>> {
  return findPage(store.records, { grants: grant } as Filter<Document>, NEWEST_FIRST, page, (doc) => doc as StoredRecord<TEntry>);
}

/** An owner's imports (entries of type IMPORT), newest first (the `{entryType, at, _id}` index). */
export function importsOf<TEntry extends Document>(store: AuditLogStore<TEntry>, page: PageArgs): Promise<Connection<StoredRecord<TEntry>>> {
  return findPage(store.records, { entryType: 'IMPORT' } as Filter<Document>, NEWEST_FIRST, page, (doc) => doc as StoredRecord<TEntry>);
}

/**
 * Requests and denials per calling institution per day, the days being those of `timeZone` (a day
 * in Beijing runs from midnight in Beijing, not from 08:00, which UTC's midnight is there): the
 * records of the range are read (time, org, denied only) and counted here, because the embedded
 * store has no time-zone date operator to group by.
 */
export async function activityByDay(
  store: AuditLogStore<Document>,
  from: string,
  to: string,
  timeZone: string,
): Promise<{ day: string; org: string; requests: number; denials: number }[]> {
  const start = startOfLocalDay(from, timeZone);
  const end = startOfLocalDay(to, timeZone);
  const byKey = new Map<string, { day: string; org: string; requests: number; denials: number }>();
  const cursor = store.records.find({ at: { $gte: start, $lt: end } } as Filter<Document>, { projection: { at: 1, 'principal.org': 1, anyDenied: 1 }, batchSize: 5000 });
  const dayOf = localDay(timeZone);
  for await (const record of cursor) {
    const day = dayOf(record.at as Date);
    const org = (record.principal as { org?: string | null } | null | undefined)?.org ?? 'unknown';
    const entry = byKey.get(`${day}|${org}`) ?? { day, org, requests: 0, denials: 0 };
    entry.requests += 1;
    if (record.anyDenied === true) entry.denials += 1;
    byKey.set(`${day}|${org}`, entry);
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
 * Reads one chain from where `resume` left it (or whole) and verifies it. `by block` reads only
 * what was added since (quick on a store that pushes only equality filters down); `by range` reads
 * with one range query, streamed. The chain's first record, when read, tells what it opens.
 */
async function readAndVerify<TEntry extends Document>(
  store: AuditLogStore<TEntry>,
  chain: string,
  key: KeyObject,
  known: number,
  resume: CachedPrefix | undefined,
  how: 'by block' | 'by range',
): Promise<{ result: ChainVerification; checkpoints: Checkpoint[]; opens: ChainOpening | null | undefined }> {
  const afterSeq = resume?.seq ?? 0;
  let opens = resume?.opens;
  const noteOpening = (record: StoredRecord<TEntry>) => {
    if (record.seq === 1) opens = (record as { opens?: ChainOpening | null }).opens ?? null;
  };
  let records: AsyncIterable<StoredRecord<TEntry>> | StoredRecord<TEntry>[];
  let checkpoints: Checkpoint[];
  if (how === 'by block') {
    const recent: StoredRecord<TEntry>[] = [];
    for await (const record of store.recentRecordsOf(chain, afterSeq)) recent.push(record);
    recent.forEach(noteOpening);
    records = recent;
    checkpoints = await store.recentCheckpointsOf(chain, afterSeq, Math.max(known, recent.at(-1)?.seq ?? 0));
  } else {
    checkpoints = await store.checkpointsOf(chain, afterSeq);
    records = (async function* () {
      for await (const record of store.recordsOf(chain, afterSeq)) {
        noteOpening(record);
        yield record;
      }
    })();
  }
  const result = await verifyChain(chain, records, checkpoints, key, {
    ...(known ? { expectedHeadSeq: known } : {}),
    ...(resume ? { resume } : {}),
  });
  return { result, checkpoints, opens };
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
  liveWriter: LiveWriterHead | null,
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
    // From a verified prefix, the few records added since are read by block; should that find
    // anything wrong, the chain's rest is read again by range, so the report names what a full
    // read would.
    let read = await readAndVerify(store, chain, key, known, resume, resume ? 'by block' : 'by range');
    if (resume && !read.result.ok) read = await readAndVerify(store, chain, key, known, resume, 'by range');
    const { result, checkpoints, opens } = read;
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
      results.set(opens.chain, absentChain(opens.chain, 1, 'CHAIN_MISSING'));
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

/**
 * What an answer says of one record of a log: whether its chain's verification vouches for it
 * (`RecordIntegrity` in the schema). Verification stops at a chain's first bad record, so nothing
 * from there on is vouched for: a record at or after `firstBadSeq` is not ok, even if it alone
 * was not touched.
 */
export interface RecordIntegrity {
  ok: boolean;
  /** The first sequence number at which the record's chain failed (at or before the record). */
  firstBadSeq: number | null;
  /** How the chain failed (a ChainProblem), or UNVERIFIED: even a full verification did not reach the record. */
  problem: string | null;
}

const VOUCHED: RecordIntegrity = Object.freeze({ ok: true, firstBadSeq: null, problem: null });

/** A record's place in its chain. */
export interface ChainPosition {
  chain: string;
  seq: number;
}

/**
 * Each chain's latest verdict in this process, so that every record an answer shows carries its
 * chain's (an auditor must not read a falsified record as fact because it was shown on its own).
 * Every verification of the log in this process goes through `verify` — the overview's, quick or
 * full, and those run here — with one VerificationCache, and each result replaces what was known.
 * A record past what this process has verified of its chain (a chain not yet verified here, or
 * records written since) makes `of` verify first: quickly, from where the cache left off.
 *
 * What a quick verification does not see, it cannot flag: an edit inside a prefix already verified
 * shows at the next full verification (README, quick and full verification).
 */
export class ChainIntegrity<TEntry extends Document> {
  /** The cache of every verification of this log in this process. */
  readonly cache = new VerificationCache();
  private verdicts = new Map<string, ChainVerification>();
  /** Runs are numbered as they start; a result never replaces that of a run started after it. */
  private started = 0;
  private applied = 0;
  private running: Promise<unknown> | null = null;
  /** The heads of this log that another party's log witnessed, as last given. */
  private witnessed: LogHead[] = [];
  /** Records even a full verification did not reach: UNVERIFIED, without a full verification per answer. */
  private readonly unreached = new Set<string>();

  constructor(
    private readonly store: AuditLogStore<TEntry>,
    private readonly key: KeyObject,
    private readonly liveWriter: LiveWriterHead | null,
  ) {}

  /**
   * verifyAll over the log, with this process's cache, held to the heads another party's log
   * witnessed of it (the last ones given, when none are); its result becomes each chain's verdict.
   */
  async verify(options: { full?: boolean; witnessed?: LogHead[] } = {}): Promise<ChainVerification[]> {
    const run = ++this.started;
    if (options.witnessed) this.witnessed = options.witnessed;
    const witnessed = this.witnessed;
    const verifying = verifyAll(this.store, this.key, this.liveWriter, { cache: this.cache, full: options.full === true }).then((results) =>
      checkWitnesses(this.store, witnessed, results),
    );
    this.running = verifying;
    try {
      const results = await verifying;
      if (run > this.applied) {
        this.applied = run;
        this.verdicts = new Map(results.map((result) => [result.chain, { ...result }]));
      }
      return results;
    } finally {
      if (this.running === verifying) this.running = null;
    }
  }

  /** Each record's integrity, verifying the log first when a record is past what this process has verified. */
  async of(records: readonly ChainPosition[]): Promise<RecordIntegrity[]> {
    const known = () => records.every((record) => this.known(record));
    // Joins a verification already running rather than start another; one that started before these
    // records were read may not reach them, but the next one, which started after, does.
    for (let attempt = 0; attempt < 2 && !known(); attempt++) {
      const joined = this.running;
      // A joined run's failure is reported to the caller that started it; this one goes on.
      if (joined) await joined.catch(() => undefined);
      else await this.verify();
    }
    // A chain neither registered nor seen when the chains were last listed: look in every record.
    if (!known()) {
      await this.verify({ full: true });
      for (const record of records) if (!this.known(record)) this.unreached.add(`${record.chain}\n${record.seq}`);
    }
    return records.map((record) => this.integrityOf(record));
  }

  private known({ chain, seq }: ChainPosition): boolean {
    const verdict = this.verdicts.get(chain);
    return (verdict !== undefined && (!verdict.ok || seq <= verdict.headSeq)) || this.unreached.has(`${chain}\n${seq}`);
  }

  private integrityOf({ chain, seq }: ChainPosition): RecordIntegrity {
    const verdict = this.verdicts.get(chain);
    if (!verdict || (verdict.ok && seq > verdict.headSeq)) return { ok: false, firstBadSeq: null, problem: 'UNVERIFIED' };
    if (!verdict.ok && verdict.firstBadSeq !== null && seq >= verdict.firstBadSeq) return { ok: false, firstBadSeq: verdict.firstBadSeq, problem: verdict.problem };
    return VOUCHED;
  }
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

/** The request id the record at `seq` of `chain` carries, or null when it is not there (a record missing, a chain gone). */
export async function requestIdAt(store: AuditLogStore<Document>, chain: string, seq: number | null): Promise<string | null> {
  if (seq === null) return null;
  const record = (await store.records.findOne({ _id: recordKey(chain, seq) } as never, { projection: { requestId: 1 } })) as { requestId?: unknown } | null;
  return typeof record?.requestId === 'string' ? record.requestId : null;
}
