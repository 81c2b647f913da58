// Judicial and procuratorial suggestions as a flow through the gateway, with real tokens: issued
// by the court or the procuratorate, replied to by the addressed agency's officer (the government
// holds the replies), a supplementary reply asked for and given, closed by the issuer. Each illegal
// step, each caller who must not write, a retry, a stale version and the overdue flag at a fixed
// clock; every step in the owners' disclosure logs.
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { MongoClient } from 'mongodb';
import { inject } from 'vitest';
import { AUDIT_DATABASE_NAME } from '../config/index.js';
import { typedCanonical } from '../audit/index.js';
import type { Principal, Purpose } from '../auth/index.js';
import { demoData } from './support/seed-options.js';
import { principal, startTestStack, testConfig, type TestStack } from './support/stack.js';
import { runImport } from '../subgraphs/index.js';
import { workflowClient } from './support/workflow-client.js';

const TAG = 'flows_suggestions';
// The district's date is 2026-03-02 (10:00 in the district).
let now = new Date('2026-03-02T02:00:00.000Z');

const data = demoData();
const agencyId = data.court.adminCases[0]!.defendantId;
const otherAgencyId = data.government.agencies.find((a) => a._id !== agencyId)!._id;
const caseOfAgency = data.court.adminCases.find((c) => c.defendantId === agencyId)!;
const caseOfOther = data.court.adminCases.find((c) => c.defendantId !== agencyId)!;

const judge = principal('court', ['judge']);
const otherJudge: Principal = { ...principal('court', ['judge']), sub: 'test-court-judge-2', name: 'Another judge' };
const clerk = principal('court', ['clerk']);
const prosecutor = principal('procuratorate', ['prosecutor']);
const officer = principal('government', ['agency_officer'], agencyId);
const otherOfficer = principal('government', ['agency_officer'], otherAgencyId);
const linkageOfficer = principal('government', ['linkage_officer']);

const ISSUE = `mutation Issue($key: String!, $input: IssueJudicialSuggestionInput!) {
  issueJudicialSuggestion(idempotencyKey: $key, input: $input) {
    id number state version issuedAt dueAt content supplementsRequested toAgency { id } adminCase { id }
  }
}`;
const REPLY = `mutation Reply($key: String!, $id: ID!, $version: Int, $input: SuggestionReplyInput!) {
  replyToJudicialSuggestion(idempotencyKey: $key, suggestionId: $id, expectedVersion: $version, input: $input) {
    id state replyVersion overdue reply { repliedAt adopted content supplementary attachments { name sha256 } }
  }
}`;
const SUPPLEMENT = `mutation Supplement($key: String!, $id: ID!, $version: Int!, $reason: String!) {
  requestJudicialSuggestionSupplement(idempotencyKey: $key, id: $id, expectedVersion: $version, reason: $reason) {
    id state version supplementsRequested supplementReason supplementDueAt
  }
}`;
const CLOSE = `mutation Close($key: String!, $id: ID!, $version: Int!) {
  closeJudicialSuggestion(idempotencyKey: $key, id: $id, expectedVersion: $version) { id state version closedAt }
}`;
const READ = `query Read($id: ID!) {
  judicialSuggestion(id: $id) { id state version overdue replyVersion replies { adopted supplementary } }
}`;

describe('suggestions and replies through the gateway', () => {
  let stack: TestStack;
  let client: MongoClient;
  const { key, call } = workflowClient(() => stack.gateway!.url, 'test-key');
  const issue = (who: Principal, input: Record<string, unknown>, idempotencyKey = key(), purpose: Purpose = 'CASE_HANDLING') =>
    call(who, purpose, ISSUE, { key: idempotencyKey, input });
  const reply = (who: Principal, id: string, input: Record<string, unknown>, version: number | null = null, idempotencyKey = key()) =>
    call(who, 'CASE_HANDLING', REPLY, { key: idempotencyKey, id, version, input });
  const suggestionsInStore = () => client.db(`linkage_court_${TAG}`).collection('judicialSuggestions').countDocuments();
  const accessRecord = (requestId: string) => client.db(`${AUDIT_DATABASE_NAME}_${TAG}`).collection('accessRecords').findOne({ requestId });
  const content = '建议规范征收补偿程序，依法公开补偿标准，并加强执法人员培训。';

  // Each test starts on 2026-03-02 in the district.
  beforeEach(() => {
    now = new Date('2026-03-02T02:00:00.000Z');
  });
  beforeAll(async () => {
    stack = await startTestStack({ gateway: true, ownDatabases: TAG, clock: () => now });
    client = await MongoClient.connect(inject('mongoUri'));
  });
  afterAll(async () => {
    await client?.close();
    await stack?.stop();
  });

  it('skips a number an import took since the series began: the next suggestion issued in the graph gets the one after', async () => {
    const first = (await issue(judge, { toAgencyId: agencyId, content })).body.data!.issueJudicialSuggestion as { id: string };
    const n = Number(first.id.slice(-3));
    // The court's case system issued the next number outside the graph; its export is imported.
    const dir = mkdtempSync(path.join(os.tmpdir(), 'linkage-suggestion-import-'));
    const file = path.join(dir, 'suggestions.ndjson');
    // The next two: one under the id its number gives, one under an id of its own (the number is taken all the same).
    writeFileSync(
      file,
      `${JSON.stringify({ number: `（2026）苏0102司建${n + 1}号`, toAgencyId: agencyId, issuedAt: '2026-03-01', dueAt: '2026-05-01', content })}\n` +
        `${JSON.stringify({ id: 'JS-2026-900', number: `（2026）苏0102司建${n + 2}号`, toAgencyId: agencyId, issuedAt: '2026-03-01', dueAt: '2026-05-01', content })}\n`,
    );
    const imported = await runImport({ name: 'court', db: client.db(`linkage_court_${TAG}`), config: testConfig(), principal: principal('court', ['data_steward']), file, type: 'JudicialSuggestion', feed: 'suggestions', pseudonymize: async () => new Map() });
    rmSync(dir, { recursive: true, force: true });
    expect(imported.counts.created).toBe(2);
    const next = await issue(judge, { toAgencyId: agencyId, content });
    expect(next.body.errors).toBeUndefined();
    const issued = next.body.data!.issueJudicialSuggestion as { id: string; number: string };
    const id = (k: number) => `JS-2026-${String(k).padStart(3, '0')}`;
    expect([first.id, issued]).toEqual([id(n), { ...issued, id: id(n + 3), number: `（2026）苏0102司建${n + 3}号` }]);
  });

  it('issues, replies, asks for a supplementary reply, replies again and closes', async () => {
    const issued = await issue(judge, { toAgencyId: agencyId, adminCaseId: caseOfAgency._id, content });
    expect(issued.body.errors).toBeUndefined();
    const suggestion = issued.body.data!.issueJudicialSuggestion as { id: string; number: string };
    expect(suggestion.id).toMatch(/^JS-2026-\d{3}$/);
    expect(issued.body).toEqual({
      data: {
        issueJudicialSuggestion: {
          id: suggestion.id,
          number: `（2026）苏0102司建${Number(suggestion.id.slice(-3))}号`,
          state: 'ISSUED',
          version: 1,
          issuedAt: '2026-03-02',
          dueAt: '2026-05-02',
          content,
          supplementsRequested: 0,
          toAgency: { id: agencyId },
          adminCase: { id: caseOfAgency._id },
        },
      },
    });

    const attachment = { name: '整改报告.pdf', sha256: 'a'.repeat(64) };
    const replied = await reply(officer, suggestion.id, { adopted: true, content: '已采纳，已修订补偿标准公开办法。', attachments: [attachment] });
    expect(replied.body).toEqual({
      data: {
        replyToJudicialSuggestion: {
          id: suggestion.id,
          state: 'ISSUED',
          replyVersion: 1,
          overdue: false,
          reply: { repliedAt: '2026-03-02', adopted: true, content: '已采纳，已修订补偿标准公开办法。', supplementary: false, attachments: [attachment] },
        },
      },
    });

    now = new Date('2026-03-05T02:00:00.000Z');
    const asked = await call(judge, 'CASE_HANDLING', SUPPLEMENT, { key: key(), id: suggestion.id, version: 1, reason: '请补充说明补偿标准公开的具体范围。' });
    expect(asked.body).toEqual({
      data: {
        requestJudicialSuggestionSupplement: {
          id: suggestion.id,
          state: 'SUPPLEMENT_REQUESTED',
          version: 2,
          supplementsRequested: 1,
          supplementReason: '请补充说明补偿标准公开的具体范围。',
          supplementDueAt: '2026-04-05',
        },
      },
    });

    const again = await reply(officer, suggestion.id, { adopted: true, content: '补充说明：公开范围涵盖全部征收片区。' }, 1);
    expect(again.body).toEqual({
      data: {
        replyToJudicialSuggestion: {
          id: suggestion.id,
          state: 'SUPPLEMENT_REQUESTED',
          replyVersion: 2,
          overdue: false,
          reply: { repliedAt: '2026-03-05', adopted: true, content: '补充说明：公开范围涵盖全部征收片区。', supplementary: true, attachments: [] },
        },
      },
    });

    const closed = await call(judge, 'CASE_HANDLING', CLOSE, { key: key(), id: suggestion.id, version: 2 });
    expect(closed.body).toEqual({ data: { closeJudicialSuggestion: { id: suggestion.id, state: 'CLOSED', version: 3, closedAt: '2026-03-05T02:00:00.000Z' } } });

    const read = await call(linkageOfficer, 'CASE_HANDLING', READ, { id: suggestion.id });
    expect(read.body).toEqual({
      data: {
        judicialSuggestion: {
          id: suggestion.id,
          state: 'CLOSED',
          version: 3,
          overdue: false,
          replyVersion: 2,
          replies: [
            { adopted: true, supplementary: false },
            { adopted: true, supplementary: true },
          ],
        },
      },
    });
  });

  it('refuses each step its state does not allow, naming the state, and writes nothing', async () => {
    const { id } = (await issue(judge, { toAgencyId: agencyId, content })).body.data!.issueJudicialSuggestion as { id: string };
    const refusedInState = (field: string, state: string, message: string) => ({
      data: { [field]: null },
      errors: [{ message, path: [field], extensions: { code: 'BAD_USER_INPUT', state, serviceName: field.startsWith('reply') ? 'government' : 'court' } }],
    });
    // Before any reply: neither a supplementary reply nor closing.
    expect((await call(judge, 'CASE_HANDLING', SUPPLEMENT, { key: key(), id, version: 1, reason: '请补充说明。' })).body).toEqual(
      refusedInState('requestJudicialSuggestionSupplement', 'ISSUED', `JudicialSuggestion ${id} is ISSUED (the agency has not replied yet): REQUEST_SUPPLEMENT is not a step it can take now`),
    );
    expect((await call(judge, 'CASE_HANDLING', CLOSE, { key: key(), id, version: 1 })).body).toEqual(
      refusedInState('closeJudicialSuggestion', 'ISSUED', `JudicialSuggestion ${id} is ISSUED (the agency has not replied yet): CLOSE is not a step it can take now`),
    );
    // One reply; a second without a request for it is refused, with or without the version.
    await reply(officer, id, { adopted: false, content: '经研究，暂不采纳，理由如下。' });
    expect((await reply(officer, id, { adopted: true, content: '再次答复：已采纳。' }, 1)).body).toEqual(
      refusedInState('replyToJudicialSuggestion', 'ISSUED', `JudicialSuggestion ${id} is ISSUED (already replied to; no supplementary reply was asked for since): REPLY is not a step it can take now`),
    );
    expect((await reply(officer, id, { adopted: true, content: '再次答复：已采纳。' })).body).toEqual({
      data: { replyToJudicialSuggestion: null },
      errors: [
        {
          message: `JudicialSuggestion ${id} has been replied to (replies at version 1): a supplementary reply names expectedVersion`,
          path: ['replyToJudicialSuggestion'],
          extensions: { code: 'BAD_USER_INPUT', argument: 'expectedVersion', serviceName: 'government' },
        },
      ],
    });
    // Closed: no supplementary request, no reply.
    await call(judge, 'CASE_HANDLING', CLOSE, { key: key(), id, version: 1 });
    expect((await call(judge, 'CASE_HANDLING', SUPPLEMENT, { key: key(), id, version: 2, reason: '请补充说明。' })).body).toEqual(
      refusedInState('requestJudicialSuggestionSupplement', 'CLOSED', `JudicialSuggestion ${id} is CLOSED: REQUEST_SUPPLEMENT is not a step it can take now`),
    );
    expect((await call(linkageOfficer, 'CASE_HANDLING', READ, { id })).body).toEqual({
      data: { judicialSuggestion: { id, state: 'CLOSED', version: 2, overdue: false, replyVersion: 1, replies: [{ adopted: false, supplementary: false }] } },
    });
  });

  it('refuses the callers who may not write, before anything is written, and logs the refusal', async () => {
    const before = await suggestionsInStore();
    const cases: [Principal, Purpose, string][] = [
      [clerk, 'CASE_HANDLING', 'ROLE_NOT_ALLOWED'],
      [prosecutor, 'SUPERVISION', 'ORG_NOT_ALLOWED'],
      [linkageOfficer, 'CASE_HANDLING', 'ORG_NOT_ALLOWED'],
      [judge, 'SUPERVISION', 'PURPOSE_NOT_ALLOWED'],
      [judge, 'STATISTICS', 'PURPOSE_NOT_ALLOWED'],
    ];
    for (const [who, purpose, reason] of cases) {
      const refused = await issue(who, { toAgencyId: agencyId, content }, key(), purpose);
      expect(refused.body, `${who.sub} for ${purpose}`).toEqual({
        data: { issueJudicialSuggestion: null },
        errors: [{ message: `Not shared with you: ${reason}`, path: ['issueJudicialSuggestion'], extensions: { code: 'FORBIDDEN', reason, serviceName: 'court' } }],
      });
      const record = await accessRecord(refused.requestId!);
      // Refused by the court alone: the gateway read nothing from the government on their behalf.
      expect(record).toMatchObject({ outcome: 'PARTIAL', subgraphs: ['court'], denied: [{ coordinate: 'Mutation.issueJudicialSuggestion', path: 'issueJudicialSuggestion', reason }] });
    }
    expect(await suggestionsInStore()).toBe(before);

    // The judge who did not issue it may not follow it up; an officer of another agency may not reply.
    const { id } = (await issue(judge, { toAgencyId: agencyId, content })).body.data!.issueJudicialSuggestion as { id: string };
    expect((await reply(otherOfficer, id, { adopted: true, content: '已采纳，已整改完毕。' })).body).toEqual({
      data: { replyToJudicialSuggestion: null },
      errors: [{ message: 'Not shared with you: NOT_OWN_UNIT', path: ['replyToJudicialSuggestion'], extensions: { code: 'FORBIDDEN', reason: 'NOT_OWN_UNIT', serviceName: 'government' } }],
    });
    await reply(officer, id, { adopted: true, content: '已采纳，已整改完毕。' });
    expect((await call(otherJudge, 'CASE_HANDLING', CLOSE, { key: key(), id, version: 1 })).body).toEqual({
      data: { closeJudicialSuggestion: null },
      errors: [{ message: 'Not shared with you: NOT_ISSUER', path: ['closeJudicialSuggestion'], extensions: { code: 'FORBIDDEN', reason: 'NOT_ISSUER', serviceName: 'court' } }],
    });
    expect((await call(linkageOfficer, 'CASE_HANDLING', READ, { id })).body).toEqual({
      data: { judicialSuggestion: { id, state: 'ISSUED', version: 1, overdue: false, replyVersion: 1, replies: [{ adopted: true, supplementary: false }] } },
    });
  });

  it('refuses references that do not hold: an unknown agency, a case against another agency', async () => {
    const before = await suggestionsInStore();
    expect((await issue(judge, { toAgencyId: 'AG-NOWHERE', content })).body).toEqual({
      errors: [{ message: 'No Agency AG-NOWHERE (input.toAgencyId)', extensions: { code: 'BAD_USER_INPUT', argument: 'input.toAgencyId' } }],
    });
    expect((await issue(judge, { toAgencyId: agencyId, adminCaseId: caseOfOther._id, content })).body).toEqual({
      data: { issueJudicialSuggestion: null },
      errors: [
        {
          message: `AdminCase ${caseOfOther._id} concerns ${caseOfOther.defendantId}, not ${agencyId}`,
          path: ['issueJudicialSuggestion'],
          extensions: { code: 'BAD_USER_INPUT', argument: 'input.adminCaseId', serviceName: 'court' },
        },
      ],
    });
    expect((await issue(judge, { toAgencyId: agencyId, content: '太短' })).body).toEqual({
      data: { issueJudicialSuggestion: null },
      errors: [{ message: 'input.content must be 10 to 5000 characters', path: ['issueJudicialSuggestion'], extensions: { code: 'BAD_USER_INPUT', argument: 'input.content', serviceName: 'court' } }],
    });
    expect((await issue(judge, { toAgencyId: agencyId, content, dueAt: '2026-03-02' })).body).toEqual({
      data: { issueJudicialSuggestion: null },
      errors: [
        { message: "input.dueAt must be after today (2026-03-02, the district's date)", path: ['issueJudicialSuggestion'], extensions: { code: 'BAD_USER_INPUT', argument: 'input.dueAt', serviceName: 'court' } },
      ],
    });
    expect(await suggestionsInStore()).toBe(before);
  });

  it('answers a retry with the first result, and refuses a key reused for another request', async () => {
    const before = await suggestionsInStore();
    const idempotencyKey = key();
    const first = await issue(judge, { toAgencyId: agencyId, content }, idempotencyKey);
    now = new Date(now.getTime() + 86_400_000);
    const retry = await issue(judge, { toAgencyId: agencyId, content }, idempotencyKey);
    expect(retry.body).toEqual(first.body);
    expect(await suggestionsInStore()).toBe(before + 1);
    expect((await issue(judge, { toAgencyId: agencyId, content: `${content}另：请一并报送。` }, idempotencyKey)).body).toEqual({
      data: { issueJudicialSuggestion: null },
      errors: [
        {
          message: 'This idempotencyKey was already used for a different request: use a new key for a new step',
          path: ['issueJudicialSuggestion'],
          extensions: { code: 'BAD_USER_INPUT', argument: 'idempotencyKey', serviceName: 'court' },
        },
      ],
    });
    // The same key from another judge is another judge's step.
    const theirs = await issue(otherJudge, { toAgencyId: agencyId, content }, idempotencyKey);
    expect((theirs.body.data!.issueJudicialSuggestion as { id: string }).id).not.toBe((first.body.data!.issueJudicialSuggestion as { id: string }).id);
    expect(await suggestionsInStore()).toBe(before + 2);

    // A step retried after it landed: the same answer, one version more, not two.
    const { id } = first.body.data!.issueJudicialSuggestion as { id: string };
    await reply(officer, id, { adopted: true, content: '已采纳，已整改完毕。' });
    const closeKey = key();
    const closed = await call(judge, 'CASE_HANDLING', CLOSE, { key: closeKey, id, version: 1 });
    expect((await call(judge, 'CASE_HANDLING', CLOSE, { key: closeKey, id, version: 1 })).body).toEqual(closed.body);
    expect((closed.body.data!.closeJudicialSuggestion as { version: number }).version).toBe(2);
  });

  it('refuses a step on a version the record has left, with the current version', async () => {
    const { id } = (await issue(judge, { toAgencyId: agencyId, content })).body.data!.issueJudicialSuggestion as { id: string };
    await reply(officer, id, { adopted: true, content: '已采纳，已整改完毕。' });
    await call(judge, 'CASE_HANDLING', SUPPLEMENT, { key: key(), id, version: 1, reason: '请补充整改时间表。' });
    expect((await call(judge, 'CASE_HANDLING', CLOSE, { key: key(), id, version: 1 })).body).toEqual({
      data: { closeJudicialSuggestion: null },
      errors: [
        {
          message: `JudicialSuggestion ${id} is at version 2, not 1: read it again and retry`,
          path: ['closeJudicialSuggestion'],
          extensions: { code: 'CONFLICT', currentVersion: 2, serviceName: 'court' },
        },
      ],
    });
  });

  it('flags a suggestion overdue once its due date has passed without a reply, as of the district date', async () => {
    now = new Date('2026-04-01T02:00:00.000Z');
    const { id } = (await issue(judge, { toAgencyId: agencyId, content, dueAt: '2026-04-10' })).body.data!.issueJudicialSuggestion as { id: string };
    const overdue = async () => ((await call(linkageOfficer, 'CASE_HANDLING', READ, { id })).body.data!.judicialSuggestion as { overdue: boolean }).overdue;
    // 2026-04-10 23:59 in the district (15:59 UTC): still due today.
    now = new Date('2026-04-10T15:59:00.000Z');
    expect(await overdue()).toBe(false);
    // 2026-04-11 00:01 in the district, still the 10th in UTC: overdue.
    now = new Date('2026-04-10T16:01:00.000Z');
    expect(await overdue()).toBe(true);
    expect((await reply(officer, id, { adopted: true, content: '逾期答复：已采纳，已整改。' })).body.errors).toBeUndefined();
    expect(await overdue()).toBe(false);
  });

  it('shows each step in the right inbox over a scripted day of work, overdue first, paged', async () => {
    // An agency none of the other tests write to: its inbox is the demo data's unanswered
    // suggestions (long overdue) and this test's.
    const unit = data.government.agencies.find((a) => a._id !== agencyId && a._id !== otherAgencyId)!._id;
    const officerOfUnit = principal('government', ['agency_officer'], unit);
    const issuer: Principal = { ...principal('court', ['judge']), sub: 'test-court-judge-inbox' };
    const issuingProsecutor: Principal = { ...principal('procuratorate', ['prosecutor']), sub: 'test-prosecutor-inbox' };
    const INBOX = `query Inbox($first: Int, $after: String) {
      inbox { id items(first: $first, after: $after) {
        totalCount pageInfo { hasNextPage endCursor }
        edges { node { kind dueAt overdue judicialSuggestion { id } procuratorialSuggestion { id } } }
      } }
    }`;
    const inboxOf = async (who: Principal, purpose: Purpose = 'CASE_HANDLING', first = 50) => {
      const answer = await call(who, purpose, INBOX, { first });
      expect(answer.body.errors, who.sub).toBeUndefined();
      return answer.body.data!.inbox as { id: string; items: { totalCount: number; pageInfo: { hasNextPage: boolean; endCursor: string | null }; edges: { node: unknown }[] } };
    };
    const nodes = async (who: Principal, purpose?: Purpose) => (await inboxOf(who, purpose)).items.edges.map((e) => e.node);
    const item = (kind: string, dueAt: string | null, overdue: boolean, type: 'JudicialSuggestion' | 'ProcuratorialSuggestion', id: string) => ({
      kind,
      dueAt,
      overdue,
      judicialSuggestion: type === 'JudicialSuggestion' ? { id } : null,
      procuratorialSuggestion: type === 'ProcuratorialSuggestion' ? { id } : null,
    });
    const replied = new Set(data.government.suggestionReplies.map((r) => r.suggestionId));
    const seeded = [
      ...data.court.judicialSuggestions.map((x) => ({ type: 'JudicialSuggestion' as const, x })),
      ...data.procuratorate.procuratorialSuggestions.map((x) => ({ type: 'ProcuratorialSuggestion' as const, x })),
    ]
      .filter(({ x }) => x.toAgencyId === unit && !replied.has(x._id))
      .sort((a, b) => a.x.dueAt.getTime() - b.x.dueAt.getTime() || a.type.localeCompare(b.type) || a.x._id.localeCompare(b.x._id))
      .map(({ type, x }) => item('REPLY_TO_SUGGESTION', x.dueAt.toISOString().slice(0, 10), true, type, x._id));

    // 09:00: a judge issues two suggestions, a prosecutor one.
    const issueAs = async (who: Principal, dueAt?: string) =>
      ((await issue(who, { toAgencyId: unit, content, ...(dueAt ? { dueAt } : {}) })).body.data!.issueJudicialSuggestion as { id: string }).id;
    const s1 = await issueAs(issuer);
    const s2 = await issueAs(issuer, '2026-03-10');
    const issuedByProsecutor = await call(issuingProsecutor, 'SUPERVISION', `mutation($key: String!, $input: IssueProcuratorialSuggestionInput!) {
      issueProcuratorialSuggestion(idempotencyKey: $key, input: $input) { id }
    }`, { key: key(), input: { toAgencyId: unit, content, dueAt: '2026-04-01' } });
    const p1 = (issuedByProsecutor.body.data!.issueProcuratorialSuggestion as { id: string }).id;

    expect(await nodes(officerOfUnit)).toEqual([
      ...seeded,
      item('REPLY_TO_SUGGESTION', '2026-03-10', false, 'JudicialSuggestion', s2),
      item('REPLY_TO_SUGGESTION', '2026-04-01', false, 'ProcuratorialSuggestion', p1),
      item('REPLY_TO_SUGGESTION', '2026-05-02', false, 'JudicialSuggestion', s1),
    ]);
    expect(await nodes(issuer)).toEqual([]);
    expect(await nodes(issuingProsecutor, 'SUPERVISION')).toEqual([]);

    // 11:00: the agency replies to the second; it leaves the officer's inbox for the judge's.
    expect((await reply(officerOfUnit, s2, { adopted: true, content: '已采纳，正在整改落实。' })).body.errors).toBeUndefined();
    expect(await nodes(issuer)).toEqual([item('FOLLOW_UP_SUGGESTION', null, false, 'JudicialSuggestion', s2)]);
    expect((await nodes(officerOfUnit)).some((n) => JSON.stringify(n).includes(s2))).toBe(false);

    // 15:00: the judge asks for a supplementary reply, due a month later; back to the officer.
    expect((await call(issuer, 'CASE_HANDLING', SUPPLEMENT, { key: key(), id: s2, version: 1, reason: '请补充整改完成时间。' })).body.errors).toBeUndefined();
    expect(await nodes(issuer)).toEqual([]);

    // A month on, two of today's are overdue and come first, after the long overdue ones.
    now = new Date('2026-04-05T02:00:00.000Z');
    const officerInbox = await inboxOf(officerOfUnit);
    expect(officerInbox).toEqual({
      id: officerOfUnit.sub,
      items: {
        totalCount: seeded.length + 3,
        pageInfo: { hasNextPage: false, endCursor: expect.any(String) },
        edges: [
          ...seeded,
          item('REPLY_TO_SUGGESTION', '2026-04-01', true, 'ProcuratorialSuggestion', p1),
          item('SUPPLEMENTARY_REPLY', '2026-04-02', true, 'JudicialSuggestion', s2),
          item('REPLY_TO_SUGGESTION', '2026-05-02', false, 'JudicialSuggestion', s1),
        ].map((node) => ({ node })),
      },
    });

    // Paged: two at a time, the same items in the same order.
    const paged: unknown[] = [];
    let after: string | null = null;
    for (;;) {
      const page = (await call(officerOfUnit, 'CASE_HANDLING', INBOX, { first: 2, after })).body.data!.inbox as typeof officerInbox;
      paged.push(...page.items.edges);
      if (!page.items.pageInfo.hasNextPage) break;
      after = page.items.pageInfo.endCursor;
    }
    expect(paged).toEqual(officerInbox.items.edges);

    // Nobody else's: an officer of another agency, the linkage office, a partner (refused).
    expect((await nodes(otherOfficer)).some((n) => [s1, s2, p1].some((id) => JSON.stringify(n).includes(id)))).toBe(false);
    expect(await nodes(linkageOfficer)).toEqual([]);
    expect((await call(principal('partner', ['viewer']), 'STATISTICS', INBOX, {})).body).toEqual({
      data: { inbox: null },
      errors: [{ message: 'Not shared with you: ORG_NOT_ALLOWED', path: ['inbox'], extensions: { code: 'FORBIDDEN', reason: 'ORG_NOT_ALLOWED', serviceName: 'government' } }],
    });
  });

  it("counts the flows' suggestions and replies in the bulletin, recounted from the stored records", async () => {
    const stats = `query { district { judicialSuggestionStats(period: { from: "2026-01-01", to: "2027-01-01" }) { issued replied repliedOnTime adopted replyRate onTimeReplyRate adoptionRate } } }`;
    const answer = await call(principal('partner', ['viewer']), 'STATISTICS', stats, {});
    const issued = await client.db(`linkage_court_${TAG}`).collection('judicialSuggestions').find({ issuedAt: { $gte: new Date('2026-01-01'), $lt: new Date('2027-01-01') } }).toArray();
    const files = await client.db(`linkage_government_${TAG}`).collection('suggestionReplies').find({ suggestionType: 'JudicialSuggestion' }).toArray();
    const fileOf = (id: unknown) => files.find((f) => f.suggestionId === id);
    const replied = issued.filter((x) => fileOf(x._id));
    const onTime = replied.filter((x) => fileOf(x._id)!.replies[0].repliedAt.getTime() <= x.dueAt.getTime()).length;
    const adopted = replied.filter((x) => fileOf(x._id)!.adopted === true).length;
    // The file's earlier tests issued suggestions and replied to some of them: there is something to count.
    expect(issued.length).toBeGreaterThan(5);
    expect(replied.length).toBeGreaterThan(3);
    expect(answer.body).toEqual({
      data: {
        district: {
          judicialSuggestionStats: {
            issued: issued.length,
            replied: replied.length,
            repliedOnTime: onTime,
            adopted,
            replyRate: replied.length / issued.length,
            onTimeReplyRate: onTime / issued.length,
            adoptionRate: adopted / replied.length,
          },
        },
      },
    });
  });

  it('refuses a write past the 25th of one operation before making it', async () => {
    const before = await suggestionsInStore();
    const fields = Array.from({ length: 26 }, (_, i) => `w${i}: issueJudicialSuggestion(idempotencyKey: $k${i}, input: $input) { id }`);
    const variables = Object.fromEntries([...Array.from({ length: 26 }, (_, i) => [`k${i}`, key()]), ['input', { toAgencyId: agencyId, content }]]);
    const declared = Array.from({ length: 26 }, (_, i) => `$k${i}: String!`).join(', ');
    const answer = await call(judge, 'CASE_HANDLING', `mutation Many(${declared}, $input: IssueJudicialSuggestionInput!) { ${fields.join(' ')} }`, variables);
    expect(answer.body.errors).toEqual([
      { message: 'At most 25 writes in one operation: send the rest in another', path: ['w25'], extensions: { code: 'BAD_USER_INPUT', argument: 'operation', serviceName: 'court' } },
    ]);
    expect(answer.body.data!.w25).toBeNull();
    expect(await suggestionsInStore()).toBe(before + 25);
  });

  it("records each write in the owner's disclosure log: action, version and digests of the fields, never the values", async () => {
    const issued = await issue(judge, { toAgencyId: agencyId, content });
    const { id } = issued.body.data!.issueJudicialSuggestion as { id: string };
    const history = `query History($id: ID!) {
      recordAccessHistory(recordType: "JudicialSuggestion", recordId: $id) {
        court { edges { node { requestId principal { sub } written { action version fields { field before after } } } } }
      }
    }`;
    const audited = await call(principal('audit', ['auditor']), 'AUDIT', history, { id });
    const stored = await client.db(`linkage_court_${TAG}`).collection('judicialSuggestions').findOne({ _id: id as never });
    const digestOf = (field: string) => sha256((stored as Record<string, unknown>)[field]);
    const written = ['closedAt', 'content', 'createdAt', 'createdBy', 'dueAt', 'issuedAt', 'number', 'adminCaseId', 'state', 'supplementDueAt', 'supplementReason', 'supplementRequestedAt', 'supplementsRequested', 'toAgencyId']
      .sort()
      .map((field) => ({ field, before: null, after: digestOf(field) }));
    expect(audited.body).toEqual({
      data: {
        recordAccessHistory: {
          court: { edges: [{ node: { requestId: issued.requestId, principal: { sub: judge.sub }, written: { action: 'ISSUE', version: 1, fields: written } } }] },
        },
      },
    });
    expect(JSON.stringify(audited.body)).not.toContain(content);
  });
});

const sha256 = (value: unknown) => createHash('sha256').update(typedCanonical(value ?? null)).digest('hex');
