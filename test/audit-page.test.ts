// The auditors' page at /audit/, end to end in a real headless Chromium (Debian's package, driven
// by playwright-core): sign in, filter to one principal, open a record's history, see "verified";
// then, with records edited in the database, see them flagged wherever they are shown.
import { mkdirSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { MongoClient } from 'mongodb';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { issueDevToken } from '../auth/index.js';
import { AUDIT_DATABASE_NAME, DATABASE_NAMES, PROJECT_ROOT } from '../config/index.js';
import { demoData } from './support/seed-options.js';
import { disclosedRecordsOf, verifyExport, type StoredDisclosureEntry } from '../audit/index.js';
import { callerHeaders, devAuditKey, postGraphQL, principal, startTestStack, testConfig, type TestStack } from './support/stack.js';

const CHROMIUM_FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'];

describe('the auditors’ page', () => {
  let stack: TestStack;
  let browser: Browser;
  // Principals of their own, so that other tests' reads of the same case are not theirs.
  // Real names are Chinese: they must survive headers, tokens, the log and the page.
  const judge = { ...principal('court', ['judge']), sub: 'page-test-judge', name: '李法官' };
  const clerk = { ...principal('court', ['clerk']), sub: 'page-test-clerk', name: '王书记员' };
  const auditor = { ...principal('audit', ['auditor']), sub: 'page-test-auditor', name: '督查组 赵审计' };

  beforeAll(async () => {
    stack = await startTestStack({ gateway: true });
    browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_FLAGS });
  });
  afterAll(async () => {
    await browser?.close();
    await stack?.stop();
  });

  it('signs in, filters to one principal, opens a record’s history, and shows every chain verified', async () => {
    const caseId = demoData().showcase.adminCaseId;
    const caseNumber = demoData().court.adminCases.find((c) => c._id === caseId)!.caseNumber;
    // Two people read the case, through all three institutions; the auditor will find the judge.
    for (const who of [judge, clerk]) {
      const { body } = await postGraphQL(
        stack.gateway!.url,
        `query ReadCase { adminCase(id: "${caseId}") { caseNumber judge plaintiff { kind } supervisions { caseNumber } } }`,
        undefined,
        await callerHeaders(who, 'CASE_HANDLING'),
      );
      expect(body.errors).toBeUndefined();
      expect((body.data as { adminCase: { caseNumber: string } }).adminCase.caseNumber).toBe(caseNumber);
    }

    const page = await browser.newPage();
    const base = stack.gateway!.url.replace(/\/graphql$/, '');
    const response = await page.goto(`${base}/audit/`);
    expect(response?.status()).toBe(200);
    expect(response?.headers()['content-security-policy']).toContain("default-src 'none'");

    // A judge's token is refused at sign-in.
    await page.fill('#token', (await callerHeaders(judge, 'CASE_HANDLING')).authorization!.slice('Bearer '.length));
    await page.click('#sign-in');
    await expect.poll(() => page.textContent('#sign-in-error'), { timeout: 15_000 }).toContain('FORBIDDEN (ORG_NOT_ALLOWED)');

    const auditorToken = await issueDevToken(testConfig().auth, auditor, 600);
    await page.fill('#token', auditorToken);
    await page.click('#sign-in');
    await page.waitForSelector('#workbench:not([hidden])');
    expect(await page.textContent('#who')).toBe(`Signed in as ${auditor.name} (${auditor.sub}), purpose AUDIT`);

    // Every chain verifies.
    await page.waitForSelector('#chains tbody tr');
    const statuses = await page.$$eval('#chains tbody tr td:last-child', (cells) => cells.map((c) => c.textContent ?? ''));
    expect(statuses.length).toBeGreaterThanOrEqual(4);
    for (const status of statuses) expect(status).toMatch(/^verified/);
    const logs = await page.$$eval('#chains tbody tr td:first-child', (cells) => [...new Set(cells.map((c) => c.textContent))].sort());
    expect(logs).toEqual(['court', 'gateway', 'government', 'procuratorate']);

    // Filter to the judge.
    await page.fill('#filter-principal', judge.sub);
    await page.click('#search');
    await expect
      .poll(() => page.$$eval('#log-table tbody tr td:nth-child(2)', (cells) => [...new Set(cells.map((c) => c.textContent))]), { timeout: 15_000 })
      .toEqual([judge.sub]);
    expect(await page.textContent('#log-count')).toMatch(/^[1-9]\d* matching requests$/);
    const operations = await page.$$eval('#log-table tbody tr td:nth-child(5)', (cells) => cells.map((c) => c.textContent));
    expect(operations).toContain('ReadCase');

    // Open the case's history: who saw it, and why.
    await page.selectOption('#history-type', 'AdminCase');
    await page.fill('#history-id', caseId);
    await page.click('#history-search');
    await expect.poll(() => page.textContent('#history-count'), { timeout: 15_000 }).toMatch(new RegExp(`^\\d+ disclosures of AdminCase ${caseId}$`));
    const rows = await page.$$eval('#history-table tbody tr', (trs) => trs.map((tr) => [...tr.querySelectorAll('td')].map((td) => td.textContent)));
    const judgeRows = rows.filter((cells) => cells[2]?.includes(judge.sub) && cells[8] === 'ReadCase · SERVED');
    // The court disclosed its fields of the case (the id too, for the join), and the plaintiff's id
    // nested under it; the procuratorate, its supervisions and their numbers, after it (newest first).
    // Nothing masked, nothing refused (a judge, for case handling).
    expect(judgeRows.map((cells) => cells.slice(1))).toEqual([
      ['procuratorate', `${judge.name} (${judge.sub})`, 'court', 'CASE_HANDLING', 'supervisions, supervisions.caseNumber', '', '', 'ReadCase · SERVED'],
      ['court', `${judge.name} (${judge.sub})`, 'court', 'CASE_HANDLING', 'caseNumber, id, judge, plaintiff, plaintiff.id', '', '', 'ReadCase · SERVED'],
    ]);
    expect(rows.some((cells) => cells[2]?.includes(clerk.sub))).toBe(true);

    // The activity chart is drawn from the log.
    expect(await page.$$eval('#activity svg rect', (bars) => bars.length)).toBeGreaterThan(0);

    // An export downloaded from the page verifies offline.
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('#export')]);
    const verified = await verifyExport(readFileSync(await download.path(), 'utf8'), devAuditKey);
    expect(verified.ok).toBe(true);
    expect(verified.lines.some((line) => /^ok {3}court court\//.test(line))).toBe(true);

    // An edited record in the court's database shows up as a failed verification naming it.
    const client = await MongoClient.connect(inject('mongoUri'));
    const courtLog = client.db(DATABASE_NAMES.court).collection('disclosureRecords');
    const chain = stack.subgraphs.court!.auditChain!;
    const victim = (await courtLog.findOne({ chain }, { sort: { seq: 1 } }))!;
    await courtLog.updateOne({ _id: victim._id }, { $set: { 'principal.sub': 'someone-else' } });
    // And the gateway's record of the judge's read: it and every later record of its chain are flagged.
    const gatewayLog = client.db(AUDIT_DATABASE_NAME).collection('accessRecords');
    const judgeRead = (await gatewayLog.findOne({ 'principal.sub': judge.sub, operationName: 'ReadCase' }))!;
    await gatewayLog.updateOne({ _id: judgeRead._id }, { $set: { purpose: 'STATISTICS' } });
    const warning = (seq: number) =>
      `所在日志链自第 ${seq} 条记录起校验失败（HASH_MISMATCH），此记录不可采信 · Its chain fails verification from sequence ${seq} (HASH_MISMATCH): this record is not vouched for`;
    try {
      await page.click('#verify');
      // Verifying every chain again takes a while once earlier files have filled the logs.
      const chainRows = () => page.$$eval('#chains tbody tr', (trs) => trs.map((tr) => [...tr.querySelectorAll('td')].map((td) => td.textContent)));
      await expect.poll(chainRows, { timeout: 20_000 }).toContainEqual(['court', chain, expect.any(String), expect.any(String), `FAILED at sequence ${victim.seq} (HASH_MISMATCH)`]);
      expect(await chainRows()).toContainEqual(['gateway', judgeRead.chain, expect.any(String), expect.any(String), `FAILED at sequence ${judgeRead.seq} (HASH_MISMATCH)`]);

      // The search: each of the judge's requests (the read, then the refused sign-in) is flagged, with why.
      await page.click('#search');
      const logRows = () =>
        page.$$eval('#log-table tbody tr', (trs) =>
          trs.map((tr) => [tr.classList.contains('not-vouched'), tr.querySelector('.integrity-flag')?.textContent ?? null, tr.querySelector('.integrity-flag')?.getAttribute('title') ?? null, tr.cells[4]!.textContent]),
        );
      await expect.poll(logRows, { timeout: 15_000 }).toEqual([
        [true, '⚠ 校验未通过 · not vouched for', warning(judgeRead.seq), 'AuditSignIn'],
        [true, '⚠ 校验未通过 · not vouched for', warning(judgeRead.seq), 'ReadCase'],
      ]);

      // The entry: the gateway's record and the court's disclosures are flagged, the others' are not.
      await page.click(`#log-table tbody tr[data-request-id="${judgeRead.requestId}"]`);
      const courtRead = (await courtLog.findOne({ requestId: judgeRead.requestId }))!;
      await expect.poll(() => page.$$eval('#entry-detail .integrity-warning li', (items) => items.map((li) => li.textContent)), { timeout: 15_000 }).toEqual([
        `gateway ${judgeRead.chain} #${judgeRead.seq}: ${warning(judgeRead.seq)}`,
        ...disclosedRecordsOf(courtRead as unknown as StoredDisclosureEntry).map((r) => `court ${r.type} ${r.id} (${chain} #${courtRead.seq}): ${warning(victim.seq)}`),
      ]);

      // The history: the court's disclosure to the judge — the edited record itself, the chain's
      // first, now naming someone else — is flagged; the procuratorate's is not.
      expect(victim.requestId).toBe(judgeRead.requestId);
      await page.click('#history-search');
      const historyRows = () =>
        page.$$eval('#history-table tbody tr', (trs) =>
          trs.map((tr) => [tr.classList.contains('not-vouched'), tr.querySelector('.integrity-flag')?.getAttribute('title') ?? null, ...[...tr.cells].slice(1).map((td) => td.textContent)]),
        );
      await expect
        .poll(async () => (await historyRows()).filter((cells) => cells[3]?.startsWith(judge.name) && cells[9] === 'ReadCase · SERVED'), { timeout: 15_000 })
        .toEqual([
          // The same rows as before the edit, but for the flag and the edited principal.
          [false, null, ...judgeRows[0]!.slice(1)],
          [true, warning(victim.seq), ...judgeRows[1]!.slice(1).map((text, i) => (i === 1 ? `${judge.name} (someone-else)` : text))],
        ]);
      // Only the court's log was edited: no other owner's row is flagged.
      expect((await historyRows()).filter((cells) => cells[2] !== 'court' && cells[0])).toEqual([]);
      await page.screenshot({ path: path.join(os.tmpdir(), 'audit-page-tampered.png'), fullPage: true });
    } finally {
      await courtLog.updateOne({ _id: victim._id }, { $set: { 'principal.sub': victim.principal.sub } });
      await gatewayLog.updateOne({ _id: judgeRead._id }, { $set: { purpose: judgeRead.purpose } });
      await client.close();
    }

    mkdirSync(path.join(PROJECT_ROOT, '.data'), { recursive: true });
    await page.screenshot({ path: path.join(PROJECT_ROOT, '.data/audit-page.png'), fullPage: true });
    await page.close();
  }, 120_000);
});
