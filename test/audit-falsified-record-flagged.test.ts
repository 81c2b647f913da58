// A record edited in the database is flagged wherever the auditors' API shows it — in a search, an
// entry and a record's history — and so is every later record of its chain (verification stops at
// the first bad one), while records before it and of every other chain are not.
import { MongoClient, type Collection, type Document } from 'mongodb';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { AUDIT_DATABASE_NAME, DATABASE_NAMES } from '../config/index.js';
import { demoData } from './support/seed-options.js';
import { callerHeaders, postGraphQL, principal, startTestStack, type TestStack } from './support/stack.js';

const auditor = principal('audit', ['auditor']);
// A judge of this file's own, so that the search finds this file's requests only.
const judge = { ...principal('court', ['judge']), sub: 'integrity-test-judge', name: '周法官' };
const READS = 8;
const OK = { ok: true, firstBadSeq: null, problem: null };
const INTEGRITY = 'integrity { ok firstBadSeq problem }';

interface Read {
  requestId: string;
  /** The gateway's record of it. */
  gateway: { chain: string; seq: number };
  /** The court's and the government's records of it. */
  court: { chain: string; seq: number };
  government: { chain: string; seq: number };
}

describe('a falsified record is flagged where it is shown', () => {
  let stack: TestStack;
  let client: MongoClient;
  let gatewayLog: Collection<Document>;
  let courtLog: Collection<Document>;
  const showcase = demoData().court.adminCases.find((c) => c._id === demoData().showcase.adminCaseId)!;
  /** This file's reads of the showcase case and its plaintiff, oldest first. */
  const reads: Read[] = [];
  let startedAt: string;
  const asAuditor = async (query: string, variables?: Record<string, unknown>) =>
    postGraphQL(stack.gateway!.url, query, variables, await callerHeaders(auditor, 'AUDIT'));

  /** Whether a record at `seq` of a chain that fails at `bad` is flagged (null: the chain verifies). */
  const verdict = (seq: number, bad: { seq: number; problem: string } | null) =>
    bad && seq >= bad.seq ? { ok: false, firstBadSeq: bad.seq, problem: bad.problem } : OK;

  const search = () =>
    asAuditor(
      `query($sub: String!) { accessLog(filter: { principal: $sub }, first: 20) { totalCount edges { node {
        requestId operationName seq ${INTEGRITY}
        courtDisclosures { recordType recordId seq ${INTEGRITY} }
        governmentDisclosures { recordType recordId seq ${INTEGRITY} }
        procuratorateDisclosures { seq }
      } } } }`,
      { sub: judge.sub },
    );
  const expectedSearch = (court: { seq: number; problem: string } | null, gateway: { seq: number; problem: string } | null) => ({
    status: 200,
    body: {
      data: {
        accessLog: {
          totalCount: READS,
          edges: [...reads].reverse().map((read) => ({
            node: {
              requestId: read.requestId,
              operationName: 'ReadCase',
              seq: read.gateway.seq,
              integrity: verdict(read.gateway.seq, gateway),
              courtDisclosures: [
                { recordType: 'AdminCase', recordId: showcase._id, seq: read.court.seq, integrity: verdict(read.court.seq, court) },
                { recordType: 'Party', recordId: showcase.plaintiffId, seq: read.court.seq, integrity: verdict(read.court.seq, court) },
              ],
              governmentDisclosures: [{ recordType: 'Party', recordId: showcase.plaintiffId, seq: read.government.seq, integrity: verdict(read.government.seq, null) }],
              procuratorateDisclosures: [],
            },
          })),
        },
      },
    },
  });

  const entry = (read: Read) =>
    asAuditor(
      `query($id: ID!) { accessLogEntry(requestId: $id) { requestId chain seq ${INTEGRITY}
        courtDisclosures { recordType chain seq ${INTEGRITY} } governmentDisclosures { recordType chain seq ${INTEGRITY} } } }`,
      { id: read.requestId },
    );
  const expectedEntry = (read: Read, court: { seq: number; problem: string } | null, gateway: { seq: number; problem: string } | null) => ({
    status: 200,
    body: {
      data: {
        accessLogEntry: {
          requestId: read.requestId,
          ...read.gateway,
          integrity: verdict(read.gateway.seq, gateway),
          courtDisclosures: ['AdminCase', 'Party'].map((recordType) => ({ recordType, ...read.court, integrity: verdict(read.court.seq, court) })),
          governmentDisclosures: [{ recordType: 'Party', ...read.government, integrity: OK }],
        },
      },
    },
  });

  // The plaintiff's history: both the court (its id, for the join) and the government disclosed it.
  const history = () =>
    asAuditor(
      `query($id: ID!, $from: DateTime) { recordAccessHistory(recordType: "Party", recordId: $id) {
        court(from: $from) { totalCount edges { node { requestId seq ${INTEGRITY} request { seq ${INTEGRITY} } } } }
        government(from: $from) { totalCount edges { node { requestId seq ${INTEGRITY} } } }
      } }`,
      { id: showcase.plaintiffId, from: startedAt },
    );
  const expectedHistory = (court: { seq: number; problem: string } | null, gateway: { seq: number; problem: string } | null) => ({
    status: 200,
    body: {
      data: {
        recordAccessHistory: {
          court: {
            totalCount: READS,
            edges: [...reads].reverse().map((read) => ({
              node: {
                requestId: read.requestId,
                seq: read.court.seq,
                integrity: verdict(read.court.seq, court),
                request: { seq: read.gateway.seq, integrity: verdict(read.gateway.seq, gateway) },
              },
            })),
          },
          government: {
            totalCount: READS,
            edges: [...reads].reverse().map((read) => ({ node: { requestId: read.requestId, seq: read.government.seq, integrity: OK } })),
          },
        },
      },
    },
  });

  /** A full verification of every log (the page's "Verify again"): each process's verdicts follow it. */
  const verifyFully = () =>
    asAuditor('{ auditOverview { gatewayChains(full: true) { chain ok firstBadSeq problem } courtChains(full: true) { chain ok firstBadSeq problem } governmentChains(full: true) { ok } } }');

  beforeAll(async () => {
    stack = await startTestStack({ gateway: true });
    client = await MongoClient.connect(inject('mongoUri'));
    gatewayLog = client.db(AUDIT_DATABASE_NAME).collection('accessRecords');
    courtLog = client.db(DATABASE_NAMES.court).collection('disclosureRecords');
    startedAt = new Date().toISOString();
    for (let i = 0; i < READS; i++) {
      const response = await fetch(stack.gateway!.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(await callerHeaders(judge, 'CASE_HANDLING')) },
        body: JSON.stringify({ query: `query ReadCase { adminCase(id: "${showcase._id}") { caseNumber plaintiff { kind } } }` }),
      });
      expect(((await response.json()) as { errors?: unknown }).errors).toBeUndefined();
      const requestId = response.headers.get('x-request-id')!;
      const place = async (db: string, collection: string) => {
        const doc = (await client.db(db).collection(collection).findOne({ requestId }))!;
        return { chain: doc.chain as string, seq: doc.seq as number };
      };
      reads.push({
        requestId,
        gateway: await place(AUDIT_DATABASE_NAME, 'accessRecords'),
        court: await place(DATABASE_NAMES.court, 'disclosureRecords'),
        government: await place(DATABASE_NAMES.government, 'disclosureRecords'),
      });
    }
    // This stack's own chains, each request one record further.
    expect(reads.map((r) => r.court.chain)).toEqual(Array(READS).fill(stack.subgraphs.court!.auditChain));
    expect(reads.map((r) => r.court.seq)).toEqual(reads.map((_, i) => reads[0]!.court.seq + i));
  });
  afterAll(async () => {
    await client?.close();
    await stack?.stop();
  });

  it('flags the edited court record and every later one of its chain, in the search, the entry and the history; nothing else', async () => {
    // Nothing has been verified in this process yet: the first answer verifies the chains first.
    const victim = reads[4]!;
    const original = await courtLog.findOne({ chain: victim.court.chain, seq: victim.court.seq });
    await courtLog.updateOne({ _id: original!._id }, { $set: { purpose: 'STATISTICS' } });
    const bad = { seq: victim.court.seq, problem: 'HASH_MISMATCH' };
    try {
      expect(await search()).toEqual(expectedSearch(bad, null));
      expect(await entry(reads[5]!)).toEqual(expectedEntry(reads[5]!, bad, null));
      expect(await entry(victim)).toEqual(expectedEntry(victim, bad, null));
      expect(await entry(reads[3]!)).toEqual(expectedEntry(reads[3]!, null, null));
      expect(await history()).toEqual(expectedHistory(bad, null));
    } finally {
      await courtLog.updateOne({ _id: original!._id }, { $set: { purpose: original!.purpose } });
    }
    // Restored and verified again: the warnings follow the verification.
    const verified = await verifyFully();
    expect((verified.body.data as any).auditOverview.courtChains).toContainEqual({ chain: victim.court.chain, ok: true, firstBadSeq: null, problem: null });
    expect(await history()).toEqual(expectedHistory(null, null));
  });

  it('flags the gateway’s records from an edited one on, once a full verification has found it inside what was verified before', async () => {
    const victim = reads[2]!;
    const original = await gatewayLog.findOne({ chain: victim.gateway.chain, seq: victim.gateway.seq });
    await gatewayLog.updateOne({ _id: original!._id }, { $set: { 'principal.name': 'someone else' } });
    const bad = { seq: victim.gateway.seq, problem: 'HASH_MISMATCH' };
    try {
      // The edit is inside the prefix the last answers verified: a quick verification does not read
      // it again (README, quick and full verification) ...
      expect(await entry(victim)).toEqual(expectedEntry(victim, null, null));
      // ... the next full one does, and every answer from then on carries it.
      const verified = await verifyFully();
      expect((verified.body.data as any).auditOverview.gatewayChains).toContainEqual({ chain: victim.gateway.chain, ok: false, ...{ firstBadSeq: bad.seq, problem: bad.problem } });
      expect(await search()).toEqual(expectedSearch(null, bad));
      expect(await entry(reads[1]!)).toEqual(expectedEntry(reads[1]!, null, null));
      expect(await entry(victim)).toEqual(expectedEntry(victim, null, bad));
      expect(await entry(reads[7]!)).toEqual(expectedEntry(reads[7]!, null, bad));
      expect(await history()).toEqual(expectedHistory(null, bad));
    } finally {
      await gatewayLog.updateOne({ _id: original!._id }, { $set: { principal: original!.principal } });
    }
    const verified = await verifyFully();
    expect((verified.body.data as any).auditOverview.gatewayChains).toContainEqual({ chain: victim.gateway.chain, ok: true, firstBadSeq: null, problem: null });
    expect(await search()).toEqual(expectedSearch(null, null));
  });
});
