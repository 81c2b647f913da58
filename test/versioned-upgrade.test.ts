// A store loaded before suggestions and replies became workflow records: its records are upgraded
// in place when the subgraph starts (their indexes built), and can then take the workflow's steps.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MongoClient } from 'mongodb';
import { inject } from 'vitest';
import { createCourtStore } from '../subgraphs/court/index.js';
import { createGovernmentStore } from '../subgraphs/government/index.js';

describe('records stored before workflows existed', () => {
  let client: MongoClient;
  beforeAll(async () => {
    client = await MongoClient.connect(inject('mongoUri'));
  });
  afterAll(async () => {
    await client.db('linkage_court_upgrade').dropDatabase();
    await client.db('linkage_government_upgrade').dropDatabase();
    await client.close();
  });

  it('gives each the bookkeeping of a loaded record, keeps what it held, and leaves upgraded ones alone', async () => {
    const court = client.db('linkage_court_upgrade');
    await court.dropDatabase();
    const issuedAt = new Date('2024-03-01');
    const old = (n: number) => ({ _id: `JS-2024-00${n}`, number: `(2024)X0102司建${n}号`, toAgencyId: 'AG-NRB', adminCaseId: null, issuedAt, dueAt: new Date('2024-05-01'), content: '建议规范程序。' });
    await court.collection('judicialSuggestions').insertMany([old(1), old(2)] as never[]);
    await createCourtStore(court).ensureIndexes();
    const loaded = { sub: '', name: 'loaded', org: 'court', unit: null };
    expect(await court.collection('judicialSuggestions').find({}, { sort: { _id: 1 } }).toArray()).toEqual(
      [1, 2].map((n) => ({
        ...old(n),
        supplementReason: null,
        supplementsRequested: 0,
        supplementRequestedAt: null,
        supplementDueAt: null,
        closedAt: null,
        version: 1,
        state: 'ISSUED',
        createdAt: issuedAt,
        createdBy: loaded,
        updatedAt: issuedAt,
        createKey: `loaded JS-2024-00${n}`,
        events: [],
      })),
    );
    // A second start changes nothing.
    const before = await court.collection('judicialSuggestions').find({}).toArray();
    await createCourtStore(court).ensureIndexes();
    expect(await court.collection('judicialSuggestions').find({}).toArray()).toEqual(before);

    const government = client.db('linkage_government_upgrade');
    await government.dropDatabase();
    const repliedAt = new Date('2024-04-01');
    const reply = { _id: 'JudicialSuggestion:JS-2024-001', suggestionType: 'JudicialSuggestion', suggestionId: 'JS-2024-001', agencyId: 'AG-NRB', repliedAt, adopted: true, content: '已整改。' };
    await government.collection('suggestionReplies').insertOne(reply as never);
    await createGovernmentStore(government).ensureIndexes();
    expect(await government.collection('suggestionReplies').findOne({})).toEqual({
      ...reply,
      supplementary: false,
      attachments: [],
      replies: [{ repliedAt, adopted: true, content: '已整改。', supplementary: false, attachments: [] }],
      version: 1,
      state: 'REPLIED',
      createdAt: repliedAt,
      createdBy: { ...loaded, org: 'government' },
      updatedAt: repliedAt,
      createKey: 'loaded JudicialSuggestion:JS-2024-001',
      events: [],
    });
  });
});
