// A record's access history at scale: each owner answers a page at a time, newest first, over a
// time range, with opaque cursors; every argument a client sends is checked before a query runs.
import { MongoClient } from 'mongodb';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { DATABASE_NAMES } from '../config/index.js';
import { demoData } from './support/seed-options.js';
import { callerHeaders, postGraphQL, principal, startTestStack, type TestStack } from './support/stack.js';

const auditor = principal('audit', ['auditor']);
// A judge of this file's own, so that no other file's reads are theirs.
const judge = { ...principal('court', ['judge']), sub: 'history-test-judge', name: '孙法官' };
const READS = 25;

/** A case no other file asks for by id (the oldest filed but the showcase): its history is this file's reads and what lists disclosed. */
function quietCase() {
  const data = demoData();
  return [...data.court.adminCases].sort((a, b) => a.filedAt.getTime() - b.filedAt.getTime()).find((c) => c._id !== data.showcase.adminCaseId)!;
}

const HISTORY = `query History($type: String!, $id: ID!, $first: Int, $after: String, $from: DateTime, $to: DateTime) {
  recordAccessHistory(recordType: $type, recordId: $id) {
    recordType recordId
    court(first: $first, after: $after, from: $from, to: $to) {
      totalCount pageInfo { hasNextPage endCursor }
      edges { cursor node { requestId institution chain seq at principal { sub org } purpose recordType recordId disclosed refused { field reason } integrity { ok firstBadSeq problem } } }
    }
  }
}`;

describe('a record’s access history, a page at a time', () => {
  let stack: TestStack;
  let client: MongoClient;
  const caseId = quietCase()._id;
  /** This file's reads of the case, oldest first: the request id and where the court logged it. */
  let reads: { requestId: string; chain: string; seq: number; at: Date }[] = [];
  const asAuditor = async (query: string, variables?: Record<string, unknown>) =>
    postGraphQL(stack.gateway!.url, query, variables, await callerHeaders(auditor, 'AUDIT'));
  const history = (variables: Record<string, unknown>) => asAuditor(HISTORY, { type: 'AdminCase', id: caseId, ...variables });
  /** The node the court's side gives for one of this file's reads. */
  const node = (read: (typeof reads)[number]) => ({
    requestId: read.requestId,
    institution: 'court',
    chain: read.chain,
    seq: read.seq,
    at: read.at.toISOString(),
    principal: { sub: judge.sub, org: 'court' },
    purpose: 'CASE_HANDLING',
    recordType: 'AdminCase',
    recordId: caseId,
    disclosed: ['caseNumber'],
    refused: [],
    integrity: { ok: true, firstBadSeq: null, problem: null },
  });
  /** A whole answer: these reads as one page, newest first. */
  const page = (rows: (typeof reads)[number][], totalCount: number, hasNextPage: boolean, cursors: string[]) => ({
    status: 200,
    body: {
      data: {
        recordAccessHistory: {
          recordType: 'AdminCase',
          recordId: caseId,
          court: {
            totalCount,
            pageInfo: { hasNextPage, endCursor: cursors.at(-1) ?? null },
            edges: rows.map((read, i) => ({ cursor: cursors[i], node: node(read) })),
          },
        },
      },
    },
  });
  const cursorsOf = (response: { body: { data?: unknown } }): string[] =>
    ((response.body.data as any)?.recordAccessHistory?.court?.edges ?? []).map((e: { cursor: string }) => e.cursor);

  beforeAll(async () => {
    stack = await startTestStack({ gateway: true });
    client = await MongoClient.connect(inject('mongoUri'));
    // More reads than a page; one after another, so that each has its own instant.
    const requestIds: string[] = [];
    for (let i = 0; i < READS; i++) {
      const response = await fetch(stack.gateway!.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(await callerHeaders(judge, 'CASE_HANDLING')) },
        body: JSON.stringify({ query: `query ReadCase { adminCase(id: "${caseId}") { caseNumber } }` }),
      });
      expect(((await response.json()) as { errors?: unknown }).errors).toBeUndefined();
      requestIds.push(response.headers.get('x-request-id')!);
      await new Promise((resolve) => setTimeout(resolve, 2));
    }
    // Where the court logged them, read straight from its database.
    const docs = await client
      .db(DATABASE_NAMES.court)
      .collection('disclosureRecords')
      .find({ requestId: { $in: requestIds } })
      .toArray();
    reads = requestIds.map((requestId) => {
      const doc = docs.find((d) => d.requestId === requestId)!;
      return { requestId, chain: doc.chain as string, seq: doc.seq as number, at: doc.at as Date };
    });
    expect(reads.map((r) => r.chain)).toEqual(Array(READS).fill(stack.subgraphs.court!.auditChain));
  });
  afterAll(async () => {
    await client?.close();
    await stack?.stop();
  });

  it('pages through one record’s disclosures newest first: every one exactly once, with a total', async () => {
    const from = reads[0]!.at.toISOString();
    const newestFirst = [...reads].reverse();
    const seen: string[] = [];
    let after: string | null = null;
    for (const [index, size] of [10, 10, 5].entries()) {
      const response = await history({ first: 10, after, from });
      const cursors = cursorsOf(response);
      const rows = newestFirst.slice(index * 10, index * 10 + size);
      expect(response).toEqual(page(rows, READS, index < 2, cursors));
      expect(cursors).toHaveLength(size);
      seen.push(...rows.map((r) => r.requestId));
      after = cursors.at(-1)!;
    }
    expect(new Set(seen).size).toBe(READS);
    expect(seen).toEqual(newestFirst.map((r) => r.requestId));
  });

  it('gives 20 newest by default, and counts every disclosure of the record, the other files’ too', async () => {
    const response = await history({});
    const expectedTotal = await client.db(DATABASE_NAMES.court).collection('disclosureRecords').countDocuments({ 'records.key': `AdminCase:${caseId}` });
    expect(expectedTotal).toBeGreaterThanOrEqual(READS);
    // This file's reads are the newest of all.
    expect(response).toEqual(page([...reads].reverse().slice(0, 20), expectedTotal, true, cursorsOf(response)));
  });

  it('takes a time range [from, to), either end open', async () => {
    const newestFirst = [...reads].reverse();
    // Reads 6 to 15 (from the 6th read's instant, to the 16th's, which is left out).
    const between = await history({ from: reads[5]!.at.toISOString(), to: reads[15]!.at.toISOString(), first: 50 });
    expect(between).toEqual(page(reads.slice(5, 15).reverse(), 10, false, cursorsOf(between)));
    const since = await history({ from: reads[20]!.at.toISOString() });
    expect(since).toEqual(page(newestFirst.slice(0, 5), 5, false, cursorsOf(since)));
    // Up to the 3rd read: the two before it, and whatever other files' requests disclosed earlier.
    const until = await history({ to: reads[2]!.at.toISOString(), first: 2 });
    const earlier = await client
      .db(DATABASE_NAMES.court)
      .collection('disclosureRecords')
      .countDocuments({ 'records.key': `AdminCase:${caseId}`, at: { $lt: reads[2]!.at } });
    expect(until).toEqual(page([reads[1]!, reads[0]!], earlier, earlier > 2, cursorsOf(until)));
    // An empty range is no error.
    const none = await history({ from: '2020-01-01T00:00:00.000Z', to: '2020-01-02T00:00:00.000Z' });
    expect(none).toEqual(page([], 0, false, []));
  });

  it.each([
    { name: 'a page of 0', variables: { first: 0 }, message: 'first must be an integer from 1 to 500', argument: 'first' },
    { name: 'a page of 501', variables: { first: 501 }, message: 'first must be an integer from 1 to 500', argument: 'first' },
    { name: 'a cursor no list returned', variables: { after: 'not-a-cursor' }, message: 'Malformed cursor: pass a cursor this list returned', argument: 'after' },
    { name: 'a cursor with a forged position', variables: { after: Buffer.from(JSON.stringify(['yesterday', 'x'])).toString('base64url') }, message: 'Malformed cursor: pass a cursor this list returned', argument: 'after' },
    { name: 'from equal to to', variables: { from: '2025-06-01T00:00:00.000Z', to: '2025-06-01T00:00:00.000Z' }, message: 'from must be before to: the range is [from, to)', argument: 'from' },
    { name: 'from after to', variables: { from: '2025-06-02T00:00:00.000Z', to: '2025-06-01T00:00:00.000Z' }, message: 'from must be before to: the range is [from, to)', argument: 'from' },
  ])('refuses $name with BAD_USER_INPUT, and nothing else of the answer', async ({ variables, message, argument }) => {
    expect(await history(variables)).toEqual({
      status: 200,
      body: {
        data: { recordAccessHistory: { recordType: 'AdminCase', recordId: caseId, court: null } },
        errors: [{ message, path: ['recordAccessHistory', 'court'], extensions: { code: 'BAD_USER_INPUT', argument, serviceName: 'court' } }],
      },
    });
  });
  // Last: its reads are newer than the file's others.
  it('narrows a history to one field (the requests given, masked or refused it, or a field under it), a page at a time', async () => {
    const judgeReads: { requestId: string; at: Date }[] = [];
    for (let i = 0; i < 3; i++) {
      const response = await fetch(stack.gateway!.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(await callerHeaders(judge, 'CASE_HANDLING')) },
        body: JSON.stringify({ query: `query ReadJudge { adminCase(id: "${caseId}") { judge } }` }),
      });
      expect(((await response.json()) as { errors?: unknown }).errors).toBeUndefined();
      const requestId = response.headers.get('x-request-id')!;
      const doc = await client.db(DATABASE_NAMES.court).collection('disclosureRecords').findOne({ requestId });
      judgeReads.push({ requestId, at: doc!.at as Date });
      await new Promise((resolve) => setTimeout(resolve, 2));
    }
    const FIELD_HISTORY = `query FieldHistory($id: ID!, $field: String, $first: Int, $after: String, $from: DateTime) {
      recordAccessHistory(recordType: "AdminCase", recordId: $id) {
        court(first: $first, after: $after, from: $from, field: $field) { totalCount pageInfo { hasNextPage } edges { cursor node { requestId disclosed } } }
      }
    }`;
    const ask = (variables: Record<string, unknown>) => asAuditor(FIELD_HISTORY, { id: caseId, from: reads[0]!.at.toISOString(), ...variables });
    const side = (response: { body: { data?: unknown } }) => (response.body.data as any).recordAccessHistory.court;
    // The judge's name: only the three reads that asked for it, newest first, two then one.
    const first = await ask({ field: 'judge', first: 2 });
    const newest = [...judgeReads].reverse();
    expect(side(first)).toEqual({
      totalCount: 3,
      pageInfo: { hasNextPage: true },
      edges: newest.slice(0, 2).map((r) => ({ cursor: expect.any(String), node: { requestId: r.requestId, disclosed: ['judge'] } })),
    });
    const second = await ask({ field: 'judge', first: 2, after: side(first).edges[1].cursor });
    expect(side(second)).toEqual({
      totalCount: 3,
      pageInfo: { hasNextPage: false },
      edges: [{ cursor: expect.any(String), node: { requestId: newest[2]!.requestId, disclosed: ['judge'] } }],
    });
    // The case number: the file's earlier reads, none of these.
    const byNumber = await ask({ field: 'caseNumber', first: 50 });
    expect(side(byNumber).totalCount).toBe(READS);
    expect(side(byNumber).edges.map((e: { node: { requestId: string } }) => e.node.requestId)).toEqual([...reads].reverse().map((r) => r.requestId));
    // A field no request was given: an empty page, not an error.
    expect(side(await ask({ field: 'plaintiff' }))).toEqual({ totalCount: 0, pageInfo: { hasNextPage: false }, edges: [] });
    // A field is a name or a path, parsed before any query runs.
    const bad = await ask({ field: 'judge..name' });
    expect(bad.body.errors).toEqual([expect.objectContaining({ message: 'field must be a field name or path such as parties.idNumber', extensions: expect.objectContaining({ code: 'BAD_USER_INPUT' }) })]);
  });
});
