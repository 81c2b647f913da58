// The auditors' API through the gateway: only auditors, only for AUDIT; who saw a record, joined
// across institutions by request id; chain verification. (The export: test/audit-export.test.ts.)
import { MongoClient } from 'mongodb';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { AUDIT_DATABASE_NAME, DATABASE_NAMES } from '../config/index.js';
import { disclosedRecordsOf, type StoredDisclosureEntry } from '../audit/index.js';
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
    const prosecutor = principal('procuratorate', ['prosecutor']);
    const prosecutorRead = await fetch(stack.gateway!.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(await callerHeaders(prosecutor, 'SUPERVISION')) },
      body: JSON.stringify({ query: `{ adminCase(id: "${caseId}") { caseNumber deliberationNotes } }` }),
    });
    const prosecutorRequestId = prosecutorRead.headers.get('x-request-id');
    expect(((await prosecutorRead.json()) as { errors?: unknown[] }).errors).toHaveLength(1);

    const { body } = await asAuditor(
      `query($type: String!, $id: ID!) { recordAccessHistory(recordType: $type, recordId: $id) {
        recordType recordId
        court(first: 50) { edges { node { requestId institution purpose principal { sub org } disclosed refused { field reason } request { operationName outcome subgraphs } } } }
        government(first: 50) { edges { node { requestId } } }
        procuratorate(first: 50) { edges { node { requestId } } }
      } }`,
      { type: 'AdminCase', id: caseId },
    );
    // Each owner's side is a page, newest first (test/audit-history.test.ts): these two reads are on
    // the first. Other tests may have touched the case before; of these two requests, only the
    // court disclosed it.
    expect(body).toEqual({
      data: {
        recordAccessHistory: {
          recordType: 'AdminCase',
          recordId: caseId,
          court: {
            edges: expect.arrayContaining([
              {
                node: {
                  requestId,
                  institution: 'court',
                  purpose: 'CASE_HANDLING',
                  principal: { sub: judge.sub, org: 'court' },
                  disclosed: ['caseNumber', 'deliberationNotes', 'judge', 'plaintiff', 'plaintiff.id'],
                  refused: [],
                  request: { operationName: 'ReadCase', outcome: 'SERVED', subgraphs: ['court', 'government'] },
                },
              },
              {
                node: {
                  requestId: prosecutorRequestId,
                  institution: 'court',
                  purpose: 'SUPERVISION',
                  principal: { sub: prosecutor.sub, org: 'procuratorate' },
                  disclosed: ['caseNumber'],
                  refused: [{ field: 'deliberationNotes', reason: 'OWNER_ONLY' }],
                  request: { operationName: null, outcome: 'PARTIAL', subgraphs: ['court'] },
                },
              },
            ]),
          },
          government: { edges: expect.any(Array) },
          procuratorate: { edges: expect.any(Array) },
        },
      },
    });
    const sides = (body.data as { recordAccessHistory: Record<'government' | 'procuratorate', { edges: { node: { requestId: string } }[] }> }).recordAccessHistory;
    for (const side of [sides.government, sides.procuratorate]) {
      expect(side.edges.filter((e) => e.node.requestId === requestId || e.node.requestId === prosecutorRequestId)).toEqual([]);
    }

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
    const records = client.db(AUDIT_DATABASE_NAME).collection('accessRecords');
    const first = await asAuditor('query AuditorSearch { accessLog(filter: { org: "court", outcome: "SERVED" }, first: 5) { totalCount edges { node { principal { org } outcome } } } }');
    const expectedCount = await records.countDocuments({ 'principal.org': 'court', outcome: 'SERVED' });
    expect(expectedCount).toBeGreaterThan(0);
    expect(first.body).toEqual({
      data: { accessLog: { totalCount: expectedCount, edges: Array.from({ length: Math.min(5, expectedCount) }, () => ({ node: { principal: { org: 'court' }, outcome: 'SERVED' } })) } },
    });

    const from = new Date(Date.now() - 60_000);
    const response = await fetch(stack.gateway!.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(await callerHeaders(auditor, 'AUDIT')) },
      body: JSON.stringify({
        query: `query($sub: String!, $from: DateTime!) { accessLog(filter: { principal: $sub, purpose: "AUDIT", from: $from }, first: 50) { edges { node { operationName principal { sub org } purpose outcome } } } }`,
        variables: { sub: auditor.sub, from: from.toISOString() },
      }),
    });
    // Read straight from the store, newest first: the auditor's requests of the last minute, less
    // this one's own record (written after its answer).
    const expected = await records
      .find({ 'principal.sub': auditor.sub, purpose: 'AUDIT', at: { $gte: from }, requestId: { $ne: response.headers.get('x-request-id') } })
      .sort({ at: -1, _id: -1 })
      .toArray();
    expect(await response.json()).toEqual({
      data: { accessLog: { edges: expected.map((r) => ({ node: { operationName: r.operationName ?? null, principal: { sub: auditor.sub, org: 'audit' }, purpose: 'AUDIT', outcome: r.outcome } })) } },
    });
    expect(expected.map((r) => r.operationName)).toContain('AuditorSearch');
  });

  it('finds a person’s requests by part of their name (literal, any case) or their whole account, within a range of at most 92 days', async () => {
    // A caller of its own, so no other test's request matches the name.
    const reader = { ...principal('court', ['judge']), sub: 'api-name-judge', name: 'Sun 法官 (acting)' };
    const read = await fetch(stack.gateway!.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(await callerHeaders(reader, 'CASE_HANDLING')) },
      body: JSON.stringify({ query: `query ReadByName { adminCase(id: "${demoData().showcase.adminCaseId}") { caseNumber } }` }),
    });
    const requestId = read.headers.get('x-request-id');
    const from = new Date(Date.now() - 3_600_000).toISOString();
    const to = new Date(Date.now() + 60_000).toISOString();
    const search = (filter: Record<string, unknown>) =>
      asAuditor('query($filter: AccessLogFilter) { accessLog(filter: $filter, first: 10) { totalCount edges { node { requestId principal { sub name org } operationName outcome } } } }', { filter });
    const found = {
      data: { accessLog: { totalCount: 1, edges: [{ node: { requestId, principal: { sub: reader.sub, name: reader.name, org: 'court' }, operationName: 'ReadByName', outcome: 'SERVED' } }] } },
    };
    // Part of the name, in another case, with a pattern's characters taken literally.
    expect((await search({ principalName: 'sun 法官 (act', from, to })).body).toEqual(found);
    expect((await search({ principalName: reader.sub, from, to })).body).toEqual(found);
    expect((await search({ principalName: 'Sun.*', from, to })).body).toEqual({ data: { accessLog: { totalCount: 0, edges: [] } } });
    // No index serves it: without both ends of a range of at most 92 days, it is refused.
    const refused = {
      data: { accessLog: null },
      errors: [
        {
          message: 'filter.principalName needs filter.from before filter.to, at most 92 days apart',
          path: ['accessLog'],
          extensions: { code: 'BAD_USER_INPUT', argument: 'filter.principalName', serviceName: 'audit' },
        },
      ],
    };
    expect((await search({ principalName: 'Sun' })).body).toEqual(refused);
    expect((await search({ principalName: 'Sun', from })).body).toEqual(refused);
    expect((await search({ principalName: 'Sun', to })).body).toEqual(refused);
    expect((await search({ principalName: 'Sun', from: to, to: from })).body).toEqual(refused);
    expect((await search({ principalName: 'Sun', from: new Date(Date.parse(to) - 93 * 86_400_000).toISOString(), to })).body).toEqual(refused);
    // 92 days exactly is allowed.
    expect((await search({ principalName: 'Sun 法官', from: new Date(Date.parse(to) - 92 * 86_400_000).toISOString(), to })).body).toEqual(found);
  });

  it('counts requests and denials per institution per day from the log', async () => {
    const today = new Date().toISOString().slice(0, 10);
    const tomorrow = new Date(Date.now() + 86_400_000).toISOString().slice(0, 10);
    const response = await fetch(stack.gateway!.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(await callerHeaders(auditor, 'AUDIT')) },
      // UTC days here, as the records' own `day` counts them; the district's days: the next test.
      body: JSON.stringify({ query: `{ accessActivity(from: "${today}", to: "${tomorrow}", timeZone: "UTC") { day org requests denials } }` }),
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
    expect(body).toEqual({ data: { accessActivity: recount } });
    expect(recount.find((a) => a.org === 'court')!.requests).toBeGreaterThan(0);
  });

  it('counts activity over at most 92 days: a longer range is refused, by name', async () => {
    const activity = (from: string, to: string) => asAuditor('query($from: Date!, $to: Date!) { accessActivity(from: $from, to: $to, timeZone: "UTC") { day org requests denials } }', { from, to });
    // 2001-01-01 + 92 days is 2001-04-03: nothing was logged then.
    expect((await activity('2001-01-01', '2001-04-03')).body).toEqual({ data: { accessActivity: [] } });
    expect((await activity('2001-01-01', '2001-04-04')).body).toEqual({
      data: { accessActivity: null },
      errors: [
        {
          message: 'accessActivity covers at most 92 days: ask for a longer range in parts',
          path: ['accessActivity'],
          extensions: { code: 'BAD_USER_INPUT', argument: 'to', serviceName: 'audit' },
        },
      ],
    });
  });

  it('counts by the district’s days (Asia/Shanghai by default): a Beijing day runs from Beijing’s midnight, 16:00 UTC the day before', async () => {
    const beijingDay = (instant: Date) => new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai', year: 'numeric', month: '2-digit', day: '2-digit' }).format(instant);
    const today = beijingDay(new Date());
    const tomorrow = new Date(Date.parse(`${today}T00:00:00Z`) + 86_400_000).toISOString().slice(0, 10);
    const response = await fetch(stack.gateway!.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(await callerHeaders(auditor, 'AUDIT')) },
      body: JSON.stringify({ query: `{ accessActivity(from: "${today}", to: "${tomorrow}") { day org requests denials } }` }),
    });
    const body = (await response.json()) as { data: unknown };
    const start = new Date(Date.parse(`${today}T00:00:00Z`) - 8 * 3_600_000);
    const records = await client
      .db(AUDIT_DATABASE_NAME)
      .collection('accessRecords')
      .find({ at: { $gte: start, $lt: new Date(start.getTime() + 86_400_000) }, requestId: { $ne: response.headers.get('x-request-id') } })
      .toArray();
    const orgs = [...new Set(records.map((r) => r.principal?.org ?? 'unknown'))].sort();
    expect(body).toEqual({
      data: {
        accessActivity: orgs.map((org) => {
          const mine = records.filter((r) => (r.principal?.org ?? 'unknown') === org);
          return { day: today, org, requests: mine.length, denials: mine.filter((r) => r.anyDenied).length };
        }),
      },
    });
    expect(records.length).toBeGreaterThan(0);
    // A zone the runtime does not know is refused, by name.
    const bad = await fetch(stack.gateway!.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(await callerHeaders(auditor, 'AUDIT')) },
      body: JSON.stringify({ query: `{ accessActivity(from: "${today}", to: "${tomorrow}", timeZone: "Mars/Olympus") { day } }` }),
    });
    expect(await bad.json()).toEqual({
      data: { accessActivity: null },
      errors: [{ message: 'timeZone must be an IANA time zone such as Asia/Shanghai', path: ['accessActivity'], extensions: { code: 'BAD_USER_INPUT', argument: 'timeZone', serviceName: 'audit' } }],
    });
  });

  it('finds records by what people know (a title, a case number, a name), each institution from its own store, and logs what it showed', async () => {
    const dispute = demoData().government.disputes.find((d) => d._id === demoData().showcase.disputeId)!;
    const adminCase = demoData().court.adminCases.find((c) => c._id === demoData().showcase.adminCaseId)!;
    const lookup = async (text: string) => {
      const response = await fetch(stack.gateway!.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(await callerHeaders(auditor, 'AUDIT')) },
        body: JSON.stringify({
          query: 'query Lookup($text: String!) { recordLookup(text: $text) { text government { institution recordType recordId label labelField } court { recordType recordId label labelField } procuratorate { recordType recordId } } }',
          variables: { text },
        }),
      });
      return { body: (await response.json()) as { data?: unknown; errors?: unknown[] }, requestId: response.headers.get('x-request-id')! };
    };
    // By id: exactly the dispute, from the government; nothing from the others.
    const byId = await lookup(dispute._id);
    expect(byId.body).toEqual({
      data: { recordLookup: { text: dispute._id, government: [{ institution: 'government', recordType: 'Dispute', recordId: dispute._id, label: dispute.title, labelField: 'title' }], court: [], procuratorate: [] } },
    });
    // The government's log says what the auditor was shown: the dispute's id and title, nothing else.
    const logged = await client.db(DATABASE_NAMES.government).collection('disclosureRecords').findOne({ requestId: byId.requestId });
    expect(disclosedRecordsOf(logged as unknown as StoredDisclosureEntry)).toEqual([
      { key: `Dispute:${dispute._id}`, type: 'Dispute', id: dispute._id, disclosed: ['id', 'title'], masked: [], refused: [], granted: [] },
    ]);
    // By the whole case number, full-width brackets and all: the court's case.
    const courtCase = [{ recordType: 'AdminCase', recordId: adminCase._id, label: adminCase.caseNumber, labelField: 'caseNumber' }];
    const none = { government: [], court: [], procuratorate: [] };
    expect((await lookup(adminCase.caseNumber)).body).toEqual({ data: { recordLookup: { text: adminCase.caseNumber, ...none, court: courtCase } } });
    // By its beginning typed with half-width brackets, as a keyboard types them: read as the
    // full-width ones (the answer's text says so). Numbers match by their beginning only (an
    // anchored prefix, which their unique index serves), not by a part in the middle.
    const halfWidth = adminCase.caseNumber.replace('（', '(').replace('）', ')');
    expect(halfWidth).toMatch(/^\(\d{4}\)/);
    expect((await lookup(halfWidth)).body).toEqual({ data: { recordLookup: { text: adminCase.caseNumber, ...none, court: courtCase } } });
    expect((await lookup(adminCase.caseNumber.slice(6))).body).toEqual({ data: { recordLookup: { text: adminCase.caseNumber.slice(6), ...none } } });
    // A reconsideration's number with half-width square brackets: 〔2024〕.
    const reconsideration = demoData().government.reconsiderations[0]!;
    const typed = reconsideration.caseNumber.replace('〔', '[').replace('〕', ']');
    expect(typed).not.toBe(reconsideration.caseNumber);
    expect((await lookup(typed)).body).toEqual({
      data: { recordLookup: { text: reconsideration.caseNumber, ...none, government: [{ institution: 'government', recordType: 'Reconsideration', recordId: reconsideration._id, label: reconsideration.caseNumber, labelField: 'caseNumber' }] } },
    });
    // By words of its title (any two characters or more): every dispute whose title holds them,
    // newest id first, at most 10.
    const words = dispute.title.slice(0, 12);
    const titled = demoData()
      .government.disputes.filter((d) => d.title.includes(words))
      .sort((a, b) => (a._id < b._id ? 1 : -1))
      .slice(0, 10);
    expect(titled.map((d) => d._id)).toContain(dispute._id);
    expect((await lookup(words)).body).toEqual({
      data: { recordLookup: { text: words, ...none, government: titled.map((d) => ({ institution: 'government', recordType: 'Dispute', recordId: d._id, label: d.title, labelField: 'title' })) } },
    });
    // A title is searched from two characters: one would list most disputes.
    const oneCharacter = await lookup(dispute.title.slice(0, 1));
    expect(oneCharacter.body.errors).toBeUndefined();
    expect((oneCharacter.body.data as { recordLookup: { government: { recordType: string }[] } }).recordLookup.government.filter((m) => m.recordType === 'Dispute')).toEqual([]);
    // Text is parsed before any store sees it; a pattern is matched literally.
    expect((await lookup('   ')).body).toEqual({
      data: { recordLookup: null },
      errors: [{ message: 'text must be 1-100 characters of a case number, title, name or id', path: ['recordLookup'], extensions: { code: 'BAD_USER_INPUT', argument: 'text', serviceName: 'audit' } }],
    });
    expect((await lookup('.*')).body).toEqual({ data: { recordLookup: { text: '.*', ...none } } });
  });

  it('verifies every chain, the gateway’s and each institution’s', async () => {
    const { body } = await asAuditor(
      '{ auditOverview { gatewayChains { chain institution ok problem firstBadRequestId } governmentChains { ok institution } courtChains { chain ok firstBadSeq } procuratorateChains { ok } } }',
    );
    // Other test files' services write chains of their own to the same logs: ours are among them, and every one verifies.
    const every = (item: Record<string, unknown>) => expect.arrayContaining([item]);
    expect(body).toEqual({
      data: {
        auditOverview: {
          gatewayChains: every({ chain: stack.gateway!.auditChain, institution: 'gateway', ok: true, problem: null, firstBadRequestId: null }),
          governmentChains: every({ ok: true, institution: 'government' }),
          courtChains: every({ chain: stack.subgraphs.court!.auditChain, ok: true, firstBadSeq: null }),
          procuratorateChains: every({ ok: true }),
        },
      },
    });
    for (const list of Object.values((body.data as { auditOverview: Record<string, { ok: boolean }[]> }).auditOverview)) expect(list.every((c) => c.ok)).toBe(true);
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
    expect(before.body).toEqual({ data: { auditOverview: { courtChains: expect.arrayContaining([{ chain, ok: true, checkpointedSeq: expect.any(Number) }]) } } });
    const cached = (before.body.data as { auditOverview: { courtChains: { chain: string; checkpointedSeq: number }[] } }).auditOverview.courtChains.find((c) => c.chain === chain)!;
    expect(cached.checkpointedSeq).toBeGreaterThanOrEqual(victim!.seq);
    await records.updateOne({ _id: victim!._id }, { $set: { purpose: 'STATISTICS' } });
    try {
      // The next overview reads only what was added since (README: verification that scales) ...
      const quick = await asAuditor('{ auditOverview { courtChains { chain ok } } }');
      expect(quick.body).toEqual({ data: { auditOverview: { courtChains: expect.arrayContaining([{ chain, ok: true }]) } } });
      // ... a full verification reads every record again, and names the edited one, with the
      // request id it carries (unverified: read from that very record).
      const { body } = await asAuditor('{ auditOverview { courtChains(full: true) { chain ok firstBadSeq problem firstBadRequestId } } }');
      expect(body).toEqual({
        data: { auditOverview: { courtChains: expect.arrayContaining([{ chain, ok: false, firstBadSeq: victim!.seq, problem: 'HASH_MISMATCH', firstBadRequestId: victim!.requestId }]) } },
      });
      // Once found, a failure does not fade from the quick overview either.
      const after = await asAuditor('{ auditOverview { courtChains { chain ok firstBadSeq problem } } }');
      expect(after.body).toEqual({ data: { auditOverview: { courtChains: expect.arrayContaining([{ chain, ok: false, firstBadSeq: victim!.seq, problem: 'HASH_MISMATCH' }]) } } });
    } finally {
      await records.updateOne({ _id: victim!._id }, { $set: { purpose: victim!.purpose } });
    }
    const { body } = await asAuditor('{ auditOverview { courtChains(full: true) { chain ok } } }');
    expect(body).toEqual({ data: { auditOverview: { courtChains: expect.arrayContaining([{ chain, ok: true }]) } } });
  });
});
