// The auditors' API through the gateway: only auditors, only for AUDIT; who saw a record, joined
// across institutions by request id; chain verification. (The export: test/audit-export.test.ts.)
import { MongoClient } from 'mongodb';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { AUDIT_DATABASE_NAME, DATABASE_NAMES } from '../config/index.js';
import { demoData } from './support/seed-options.js';
import { callerHeaders, postGraphQL, principal, startTestStack, type TestStack } from './support/stack.js';

const auditor = principal('audit', ['auditor']);
const judge = principal('court', ['judge']);

describe('the auditors’ API', () => {
  let stack: TestStack;
  let client: MongoClient;
  const asAuditor = async (query: string, variables?: Record<string, unknown>) =>
    postGraphQL(stack.gateway!.url, query, variables, await callerHeaders(auditor, 'AUDIT'));

  beforeAll(async () => {
    stack = await startTestStack({ gateway: true });
    client = await MongoClient.connect(inject('mongoUri'));
  });
  afterAll(async () => {
    await client.close();
    await stack.stop();
  });

  it('is for auditors, for the purpose AUDIT, only', async () => {
    const query = '{ accessLog(first: 1) { totalCount } }';
    const denied = (reason: string) => ({
      status: 200,
      body: {
        data: { accessLog: null },
        errors: [{ message: `Not shared with you: ${reason}`, path: ['accessLog'], extensions: { code: 'FORBIDDEN', reason, serviceName: 'audit' } }],
      },
    });
    expect(await postGraphQL(stack.gateway!.url, query, undefined, await callerHeaders(judge, 'CASE_HANDLING'))).toEqual(denied('ORG_NOT_ALLOWED'));
    expect(await postGraphQL(stack.gateway!.url, query, undefined, await callerHeaders(principal('partner', ['viewer']), 'STATISTICS'))).toEqual(denied('ORG_NOT_ALLOWED'));
    expect(await postGraphQL(stack.gateway!.url, query, undefined, await callerHeaders(auditor, 'STATISTICS'))).toEqual(denied('PURPOSE_NOT_ALLOWED'));
    const allowed = await asAuditor(query);
    expect(allowed.body.errors).toBeUndefined();
    // And auditors see no case data.
    const cases = await asAuditor(`{ adminCase(id: "${demoData().showcase.adminCaseId}") { caseNumber } }`);
    expect(cases.body).toEqual({
      data: { adminCase: null },
      errors: [{ message: 'Not shared with you: ORG_NOT_ALLOWED', path: ['adminCase'], extensions: { code: 'FORBIDDEN', reason: 'ORG_NOT_ALLOWED', serviceName: 'court' } }],
    });
  });

  it('answers who saw a court case, what, and why — from the court’s own log, joined to the gateway’s', async () => {
    const caseId = demoData().showcase.adminCaseId;
    const read = await fetch(stack.gateway!.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(await callerHeaders(judge, 'CASE_HANDLING')) },
      body: JSON.stringify({ query: `query ReadCase { adminCase(id: "${caseId}") { caseNumber judge deliberationNotes plaintiff { name } } }` }),
    });
    const requestId = read.headers.get('x-request-id');
    const prosecutorRead = await postGraphQL(
      stack.gateway!.url,
      `{ adminCase(id: "${caseId}") { caseNumber deliberationNotes } }`,
      undefined,
      await callerHeaders(principal('procuratorate', ['prosecutor']), 'SUPERVISION'),
    );
    expect(prosecutorRead.body.errors).toHaveLength(1);

    const { body } = await asAuditor(
      `query($type: String!, $id: ID!) { recordAccessHistory(recordType: $type, recordId: $id) {
        recordType recordId
        court(first: 50) { edges { node { requestId institution purpose principal { sub org } disclosed refused { field reason } request { operationName outcome subgraphs } } } }
        government(first: 50) { edges { node { requestId } } }
        procuratorate(first: 50) { edges { node { requestId } } }
      } }`,
      { type: 'AdminCase', id: caseId },
    );
    // Each owner's side is a page, newest first (test/audit-history.test.ts): these two reads are on the first.
    const sides = (body.data as any).recordAccessHistory;
    const history = Object.fromEntries(['court', 'government', 'procuratorate'].map((side) => [side, sides[side].edges.map((e: { node: unknown }) => e.node)]));
    expect(body.errors).toBeUndefined();
    // Other tests may have touched the case before; of these two requests, only the court disclosed it.
    const ours = (list: { requestId: string }[]) => list.filter((d) => d.requestId === requestId);
    expect(ours(history.government)).toEqual([]);
    expect(ours(history.procuratorate)).toEqual([]);
    const judgeRead = history.court.find((d: { requestId: string }) => d.requestId === requestId);
    expect(judgeRead).toEqual({
      requestId,
      institution: 'court',
      purpose: 'CASE_HANDLING',
      principal: { sub: judge.sub, org: 'court' },
      disclosed: ['caseNumber', 'deliberationNotes', 'judge', 'plaintiff', 'plaintiff.id'],
      refused: [],
      request: { operationName: 'ReadCase', outcome: 'SERVED', subgraphs: ['court', 'government'] },
    });
    expect(history.court).toContainEqual(
      expect.objectContaining({ principal: { sub: principal('procuratorate', ['prosecutor']).sub, org: 'procuratorate' }, disclosed: ['caseNumber'], refused: [{ field: 'deliberationNotes', reason: 'OWNER_ONLY' }] }),
    );

    // The same request, from the gateway's record, with each owner's side of it.
    const entry = await asAuditor(
      `query($id: ID!) { accessLogEntry(requestId: $id) { requestId outcome principal { sub } fields
        courtDisclosures { recordType recordId disclosed } governmentDisclosures { recordType disclosed masked { field mask } } procuratorateDisclosures { recordType } } }`,
      { id: requestId },
    );
    const plaintiff = demoData().court.adminCases.find((c) => c._id === caseId)!.plaintiffId;
    expect(entry.body).toEqual({
      data: {
        accessLogEntry: {
          requestId,
          outcome: 'SERVED',
          principal: { sub: judge.sub },
          fields: ['AdminCase.caseNumber', 'AdminCase.deliberationNotes', 'AdminCase.judge', 'AdminCase.plaintiff', 'Party.name', 'Query.adminCase'],
          courtDisclosures: [
            { recordType: 'AdminCase', recordId: caseId, disclosed: ['caseNumber', 'deliberationNotes', 'judge', 'plaintiff', 'plaintiff.id'] },
            { recordType: 'Party', recordId: plaintiff, disclosed: ['id'] },
          ],
          // The government showed the court the plaintiff's name masked, and says so.
          governmentDisclosures: [{ recordType: 'Party', disclosed: [], masked: [{ field: 'name', mask: 'PERSON_NAME' }] }],
          procuratorateDisclosures: [],
        },
      },
    });
  });

  it('searches the log by principal, outcome and time; an auditor’s own search is logged too', async () => {
    const first = await asAuditor('query AuditorSearch { accessLog(filter: { org: "court", outcome: "SERVED" }, first: 5) { totalCount edges { node { principal { org } outcome } } } }');
    const page = (first.body.data as any).accessLog;
    expect(page.edges.length).toBeGreaterThan(0);
    expect(page.edges.every((e: any) => e.node.principal.org === 'court' && e.node.outcome === 'SERVED')).toBe(true);
    const expectedCount = await client.db(AUDIT_DATABASE_NAME).collection('accessRecords').countDocuments({ 'principal.org': 'court', outcome: 'SERVED' });
    expect(page.totalCount).toBe(expectedCount);

    const mine = await asAuditor(
      `query($sub: String!, $from: DateTime!) { accessLog(filter: { principal: $sub, purpose: "AUDIT", from: $from }, first: 50) { edges { node { operationName principal { sub org } purpose outcome } } } }`,
      { sub: auditor.sub, from: new Date(Date.now() - 60_000).toISOString() },
    );
    const operations = (mine.body.data as any).accessLog.edges.map((e: any) => e.node.operationName);
    expect(operations).toContain('AuditorSearch');
  });

  it('counts requests and denials per institution per day from the log', async () => {
    const today = new Date().toISOString().slice(0, 10);
    const tomorrow = new Date(Date.now() + 86_400_000).toISOString().slice(0, 10);
    const response = await fetch(stack.gateway!.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(await callerHeaders(auditor, 'AUDIT')) },
      body: JSON.stringify({ query: `{ accessActivity(from: "${today}", to: "${tomorrow}") { day org requests denials } }` }),
    });
    const body = (await response.json()) as { data: unknown };
    // Counted independently, straight from the stored records, less this request's own record
    // (written after its answer was computed).
    const records = await client
      .db(AUDIT_DATABASE_NAME)
      .collection('accessRecords')
      .find({ day: today, requestId: { $ne: response.headers.get('x-request-id') } })
      .toArray();
    const orgs = [...new Set(records.map((r) => r.principal?.org ?? 'unknown'))].sort();
    const recount = orgs.map((org) => {
      const mine = records.filter((r) => (r.principal?.org ?? 'unknown') === org);
      return { day: today, org, requests: mine.length, denials: mine.filter((r) => r.anyDenied).length };
    });
    const activity = (body.data as any).accessActivity;
    expect(activity).toEqual(recount);
    expect(activity.find((a: any) => a.org === 'court').requests).toBeGreaterThan(0);
  });

  it('verifies every chain, the gateway’s and each institution’s', async () => {
    const { body } = await asAuditor('{ auditOverview { gatewayChains { chain institution ok problem } governmentChains { ok institution } courtChains { chain ok firstBadSeq } procuratorateChains { ok } } }');
    const overview = (body.data as any).auditOverview;
    expect(body.errors).toBeUndefined();
    expect(overview.gatewayChains).toContainEqual({ chain: stack.gateway!.auditChain, institution: 'gateway', ok: true, problem: null });
    expect(overview.courtChains).toContainEqual({ chain: stack.subgraphs.court!.auditChain, ok: true, firstBadSeq: null });
    for (const list of Object.values(overview) as { ok: boolean }[][]) expect(list.every((c) => c.ok)).toBe(true);
  });

  it('shows a record edited in the database as a failed verification naming it', async () => {
    const records = client.db(DATABASE_NAMES.court).collection('disclosureRecords');
    const chain = stack.subgraphs.court!.auditChain;
    const victim = await records.findOne({ chain }, { sort: { seq: 1 } });
    expect(victim).not.toBeNull();
    // Enough court disclosures for a checkpoint (every 5 records here) past the victim, then an
    // overview: it keeps what it verified, up to the chain's last checkpoint.
    for (let i = 0; i < 6; i++) {
      await postGraphQL(stack.gateway!.url, `{ adminCase(id: "${demoData().showcase.adminCaseId}") { caseNumber } }`, undefined, await callerHeaders(judge, 'CASE_HANDLING'));
    }
    const before = await asAuditor('{ auditOverview { courtChains { chain ok checkpointedSeq } } }');
    const cached = (before.body.data as any).auditOverview.courtChains.find((c: { chain: string }) => c.chain === chain);
    expect(cached.ok).toBe(true);
    expect(cached.checkpointedSeq).toBeGreaterThanOrEqual(victim!.seq);
    await records.updateOne({ _id: victim!._id }, { $set: { purpose: 'STATISTICS' } });
    try {
      // The next overview reads only what was added since (README: verification that scales) ...
      const quick = await asAuditor('{ auditOverview { courtChains { chain ok } } }');
      expect((quick.body.data as any).auditOverview.courtChains).toContainEqual({ chain, ok: true });
      // ... a full verification reads every record again, and names the edited one.
      const { body } = await asAuditor('{ auditOverview { courtChains(full: true) { chain ok firstBadSeq problem } } }');
      expect((body.data as any).auditOverview.courtChains).toContainEqual({ chain, ok: false, firstBadSeq: victim!.seq, problem: 'HASH_MISMATCH' });
      // Once found, a failure does not fade from the quick overview either.
      const after = await asAuditor('{ auditOverview { courtChains { chain ok firstBadSeq problem } } }');
      expect((after.body.data as any).auditOverview.courtChains).toContainEqual({ chain, ok: false, firstBadSeq: victim!.seq, problem: 'HASH_MISMATCH' });
    } finally {
      await records.updateOne({ _id: victim!._id }, { $set: { purpose: victim!.purpose } });
    }
    const { body } = await asAuditor('{ auditOverview { courtChains(full: true) { chain ok } } }');
    expect((body.data as any).auditOverview.courtChains).toContainEqual({ chain, ok: true });
  });
});
