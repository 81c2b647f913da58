// Disclosure entries are stored compactly (each distinct set of verdicts once, each record with the
// index of its set: a 500-row list wrote ~200 KB per request before, issue #10). Logs written before
// hold entries of the earlier format (each record with its type, id and verdicts; the oldest without
// `masked`): they are never rewritten, so they must still verify and read exactly as before, beside
// compact ones, in the same log. Here a log of the court's holds a chain of each format, then the
// court's subgraph starts on it and answers the auditors' questions over both.
import { randomUUID } from 'node:crypto';
import { MongoClient, type Db } from 'mongodb';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import {
  AuditWriter,
  DisclosureCollector,
  compactDisclosures,
  createAuditLogStore,
  disclosedRecordsOf,
  disclosureEntrySchema,
  type DisclosedRecord,
  type DisclosureEntry,
  type LegacyDisclosureEntry,
  type StoredDisclosureEntry,
} from '../audit/index.js';
import { auditSigningKey, type CallIdentity } from '../auth/index.js';
import { DISCLOSURE_LOG, startSubgraph, type RunningSubgraph } from '../subgraphs/index.js';
import { postSubgraph, principal, testConfig } from './support/stack.js';

const judge = principal('court', ['judge']);
const judgeClaims = { sub: judge.sub, name: judge.name, org: 'court' as const, roles: ['judge'], unit: null };
const auditor: Omit<CallIdentity, 'requestId'> = { principal: principal('audit', ['auditor']), purpose: 'AUDIT' };

const CASE = 'AdminCase:AC-2025-0001';
const EXPORT = 'AuditExport:2025-01-01T00:00:00.000Z_2025-02-01T00:00:00.000Z';

/** The earlier format's oldest entries: no `masked`. */
const beforeMasks: LegacyDisclosureEntry = {
  requestId: 'before-masks',
  principal: judgeClaims,
  purpose: 'CASE_HANDLING',
  records: [{ key: CASE, type: 'AdminCase', id: 'AC-2025-0001', disclosed: ['caseNumber'], refused: [] }],
};
/** The earlier format, with masks. */
const beforeCompact: LegacyDisclosureEntry = {
  requestId: 'before-compact',
  principal: judgeClaims,
  purpose: 'CASE_HANDLING',
  records: [
    { key: CASE, type: 'AdminCase', id: 'AC-2025-0001', disclosed: ['caseNumber', 'plaintiff', 'plaintiff.id'], masked: [{ field: 'plaintiff.name', mask: 'PERSON_NAME' }], refused: [{ field: 'deliberationNotes', reason: 'OWNER_ONLY' }] },
    { key: 'AdminCase:AC-2025-0002', type: 'AdminCase', id: 'AC-2025-0002', disclosed: ['caseNumber'], masked: [], refused: [] },
  ],
};
/** What compact entries hold, per record (an id with `:` in it too: the key splits at its first). */
const compactRecords: DisclosedRecord[] = [
  { key: CASE, type: 'AdminCase', id: 'AC-2025-0001', disclosed: ['caseNumber', 'judge'], masked: [], refused: [], granted: [] },
  { key: 'AdminCase:AC-2025-0003', type: 'AdminCase', id: 'AC-2025-0003', disclosed: ['caseNumber', 'judge'], masked: [], refused: [], granted: [] },
  { key: EXPORT, type: 'AuditExport', id: '2025-01-01T00:00:00.000Z_2025-02-01T00:00:00.000Z', disclosed: [], masked: [], refused: [{ field: 'records', reason: 'ROLE_NOT_ALLOWED' }], granted: [] },
];
const compact: DisclosureEntry = { requestId: 'compact', principal: judgeClaims, purpose: 'SUPERVISION', ...compactDisclosures(compactRecords) };

const DISCLOSURE = 'requestId institution chain seq at principal { sub name org roles unit } purpose recordType recordId disclosed masked { field mask } refused { field reason } integrity { ok firstBadSeq problem }';

describe('disclosure entries of the earlier format beside compact ones', () => {
  let client: MongoClient;
  let db: Db;
  let court: RunningSubgraph;
  /** The stored documents, by request id. */
  const stored = new Map<string, { chain: string; seq: number; at: Date }>();

  beforeAll(async () => {
    client = await MongoClient.connect(inject('mongoUri'));
    const database = `formats-${randomUUID().slice(0, 8)}`;
    db = client.db(database);
    const config = testConfig();
    const store = createAuditLogStore<StoredDisclosureEntry>(db, DISCLOSURE_LOG);
    await store.ensureIndexes([{ 'records.key': 1 }]);
    const key = auditSigningKey(config.auth, config.audit, 'court');
    // A writer from before the change: its validation let the earlier format through.
    const before = new AuditWriter<StoredDisclosureEntry>(store, 'court/before-compact', key, { checkpointEvery: 5 });
    await before.start();
    for (const entry of [beforeMasks, beforeCompact]) {
      const record = await before.append(entry);
      stored.set(entry.requestId, { chain: record.chain, seq: record.seq, at: record.at });
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    await before.stop();
    // A writer since: the compact format, held to the schema as the subgraphs' writers are.
    const since = new AuditWriter<StoredDisclosureEntry>(store, 'court/compact', key, { checkpointEvery: 5, validate: (entry) => disclosureEntrySchema.parse(entry) });
    await since.start();
    const record = await since.append(compact);
    stored.set(compact.requestId, { chain: record.chain, seq: record.seq, at: record.at });
    await since.stop();
    // The court's subgraph on that log (its data collections are empty: only its audit side is asked).
    court = await startSubgraph('court', { config, store: { uri: inject('mongoUri'), database }, listen: { host: '127.0.0.1', port: 0 } });
  });
  afterAll(async () => {
    await court?.stop();
    await db?.dropDatabase();
    await client?.close();
  });

  const ask = async (query: string, representations: unknown[]) =>
    (await postSubgraph('court', court.url, `query($r: [_Any!]!) { _entities(representations: $r) { ${query} } }`, { r: representations }, { ...auditor, requestId: randomUUID() })).body;

  /** A disclosure as the API answers it, of the stored entry `requestId` and one of its records. */
  const disclosure = (requestId: string, purpose: string, record: DisclosedRecord) => {
    const { chain, seq, at } = stored.get(requestId)!;
    return {
      requestId,
      institution: 'court',
      chain,
      seq,
      at: at.toISOString(),
      principal: judgeClaims,
      purpose,
      recordType: record.type,
      recordId: record.id,
      disclosed: record.disclosed,
      masked: record.masked,
      refused: record.refused,
      integrity: { ok: true, firstBadSeq: null, problem: null },
    };
  };

  it('stores the compact entry as written: each distinct set of verdicts once', async () => {
    const doc = await db.collection(`${DISCLOSURE_LOG}Records`).findOne({ requestId: 'compact' }, { projection: { _id: 0, at: 0, hash: 0, prevHash: 0, block: 0 } });
    expect(doc).toEqual({
      v: 2,
      chain: 'court/compact',
      seq: 1,
      opens: { chain: 'court/before-compact', seq: 2, hash: expect.stringMatching(/^[0-9a-f]{64}$/) },
      requestId: 'compact',
      principal: judgeClaims,
      purpose: 'SUPERVISION',
      verdicts: [
        { disclosed: ['caseNumber', 'judge'], masked: [], refused: [] },
        { disclosed: [], masked: [], refused: [{ field: 'records', reason: 'ROLE_NOT_ALLOWED' }] },
      ],
      records: [
        { key: CASE, v: 0 },
        { key: 'AdminCase:AC-2025-0003', v: 0 },
        { key: EXPORT, v: 1 },
      ],
    });
  });

  it('verifies the chains of both formats', async () => {
    const body = await ask('... on AuditOverview { courtChains { chain institution ok records headSeq checkpointedSeq firstBadSeq problem unsignedTail } }', [
      { __typename: 'AuditOverview', id: 'overview', gatewayWitnesses: [] },
    ]);
    const chain = (name: string, records: number) => ({ chain: name, institution: 'court', ok: true, records, headSeq: records, checkpointedSeq: records, firstBadSeq: null, problem: null, unsignedTail: 0 });
    expect(body).toEqual({
      data: { _entities: [{ courtChains: [chain('court/before-compact', 2), chain('court/compact', 1), chain(court.auditChain, 0)].sort((a, b) => a.chain.localeCompare(b.chain)) }] },
    });
  });

  it('answers what was disclosed for a request, in either format, as before', async () => {
    const body = await ask(`... on AccessLogEntry { courtDisclosures { ${DISCLOSURE} } }`, [
      { __typename: 'AccessLogEntry', requestId: 'before-masks' },
      { __typename: 'AccessLogEntry', requestId: 'before-compact' },
      { __typename: 'AccessLogEntry', requestId: 'compact' },
    ]);
    expect(body).toEqual({
      data: {
        _entities: [
          // The oldest entries recorded no masks: none to show.
          { courtDisclosures: [disclosure('before-masks', 'CASE_HANDLING', { ...beforeMasks.records[0]!, masked: [], granted: [] })] },
          { courtDisclosures: beforeCompact.records.map((record) => disclosure('before-compact', 'CASE_HANDLING', record as DisclosedRecord)) },
          { courtDisclosures: compactRecords.map((record) => disclosure('compact', 'SUPERVISION', record)) },
        ],
      },
    });
  });

  it('answers a record’s history across both formats, newest first', async () => {
    const body = await ask(`... on RecordAccessHistory { court { totalCount edges { node { ${DISCLOSURE} } } } }`, [
      { __typename: 'RecordAccessHistory', recordType: 'AdminCase', recordId: 'AC-2025-0001' },
      { __typename: 'RecordAccessHistory', recordType: 'AdminCase', recordId: 'AC-2025-0002' },
    ]);
    expect(body).toEqual({
      data: {
        _entities: [
          {
            court: {
              totalCount: 3,
              edges: [
                { node: disclosure('compact', 'SUPERVISION', compactRecords[0]!) },
                { node: disclosure('before-compact', 'CASE_HANDLING', beforeCompact.records[0] as DisclosedRecord) },
                { node: disclosure('before-masks', 'CASE_HANDLING', { ...beforeMasks.records[0]!, masked: [], granted: [] }) },
              ],
            },
          },
          { court: { totalCount: 1, edges: [{ node: disclosure('before-compact', 'CASE_HANDLING', beforeCompact.records[1] as DisclosedRecord) }] } },
        ],
      },
    });
  });
});

describe('the compact format', () => {
  const entry = (parts: Partial<DisclosureEntry>) => ({ requestId: 'r', principal: judgeClaims, purpose: 'CASE_HANDLING', verdicts: [], records: [], ...parts });
  const verdicts = { disclosed: ['id'], masked: [], refused: [] };

  it('is what the writer accepts: not the earlier format, no verdicts a record cannot name, no index outside them', () => {
    expect(disclosureEntrySchema.safeParse(entry({ verdicts: [verdicts], records: [{ key: CASE, v: 0 }] })).success).toBe(true);
    expect(disclosureEntrySchema.safeParse(beforeCompact).success).toBe(false);
    expect(disclosureEntrySchema.safeParse(entry({ verdicts: [verdicts, verdicts], records: [{ key: CASE, v: 0 }] })).success).toBe(false);
    expect(disclosureEntrySchema.safeParse(entry({ verdicts: [verdicts], records: [{ key: CASE, v: 1 }] })).success).toBe(false);
    expect(disclosureEntrySchema.safeParse(entry({ verdicts: [verdicts], records: [{ key: CASE, v: 0.5 }] })).success).toBe(false);
    expect(disclosureEntrySchema.safeParse(entry({ verdicts: [verdicts], records: [{ key: 'no-type', v: 0 }] })).success).toBe(false);
    expect(disclosureEntrySchema.safeParse(entry({ verdicts: [verdicts], records: [{ key: `AdminCase:${'x'.repeat(65)}`, v: 0 }] })).success).toBe(false);
    expect(disclosureEntrySchema.safeParse(entry({ verdicts: [verdicts], records: [{ key: CASE, v: 0, type: 'AdminCase' } as never] })).success).toBe(false);
  });

  it('is deterministic: records in the collector’s order, verdict sets in the order first seen, the lists sorted', () => {
    const collector = new DisclosureCollector();
    const path = (key: string | number, prev?: object) => ({ key, prev }) as never;
    const rows = ['B-2', 'A-1', 'C-3'].map((id, i) => ({ id, path: path(i, path('cases')) }));
    const refuse = { refused: 'OWNER_ONLY' };
    for (const [i, row] of rows.entries()) {
      const enclosing = collector.enclosing(row.path, 'Case', row);
      // Fields resolve in another order on each row; the middle row also has a field refused.
      for (const name of i === 1 ? ['title', 'id'] : ['id', 'title']) collector.resolved(path(name, row.path), name, false, enclosing, null);
      if (i === 1) collector.resolved(path('notes', row.path), 'notes', false, enclosing, refuse);
    }
    expect(collector.entry()).toEqual({
      verdicts: [
        { disclosed: ['id', 'title'], masked: [], refused: [] },
        { disclosed: ['id', 'title'], masked: [], refused: [{ field: 'notes', reason: 'OWNER_ONLY' }] },
      ],
      records: [
        { key: 'Case:B-2', v: 0 },
        { key: 'Case:A-1', v: 1 },
        { key: 'Case:C-3', v: 0 },
      ],
    });
    // And reads back as the records it was made of.
    expect(disclosedRecordsOf({ requestId: 'r', principal: judgeClaims, purpose: 'CASE_HANDLING', ...collector.entry() })).toEqual(collector.records());
  });
});
