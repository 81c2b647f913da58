// The auditors' page at /audit/, end to end in a real headless Chromium (Debian's package, driven
// by playwright-core): sign in, filter to one principal, open a record's history, see "verified".
import { mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { MongoClient } from 'mongodb';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { issueDevToken } from '../auth/index.js';
import { DATABASE_NAMES, PROJECT_ROOT } from '../config/index.js';
import { demoData } from './support/seed-options.js';
import { verifyExport } from '../audit/index.js';
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
    await expect.poll(() => page.textContent('#sign-in-error')).toContain('FORBIDDEN (ORG_NOT_ALLOWED)');

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
      .poll(() => page.$$eval('#log-table tbody tr td:nth-child(2)', (cells) => [...new Set(cells.map((c) => c.textContent))]))
      .toEqual([judge.sub]);
    expect(await page.textContent('#log-count')).toMatch(/^[1-9]\d* matching requests$/);
    const operations = await page.$$eval('#log-table tbody tr td:nth-child(5)', (cells) => cells.map((c) => c.textContent));
    expect(operations).toContain('ReadCase');

    // Open the case's history: who saw it, and why.
    await page.selectOption('#history-type', 'AdminCase');
    await page.fill('#history-id', caseId);
    await page.click('#history-search');
    await expect.poll(() => page.textContent('#history-count')).toMatch(new RegExp(`^\\d+ disclosures of AdminCase ${caseId}$`));
    const rows = await page.$$eval('#history-table tbody tr', (trs) => trs.map((tr) => [...tr.querySelectorAll('td')].map((td) => td.textContent)));
    const judgeRows = rows.filter((cells) => cells[2]?.includes(judge.sub) && cells[7] === 'ReadCase · SERVED');
    // The court disclosed its fields of the case (the id too, for the join); the procuratorate, its supervisions.
    expect(judgeRows.map((cells) => cells.slice(1))).toEqual([
      ['court', `${judge.name} (${judge.sub})`, 'court', 'CASE_HANDLING', 'caseNumber, id, judge, plaintiff', '', 'ReadCase · SERVED'],
      ['procuratorate', `${judge.name} (${judge.sub})`, 'court', 'CASE_HANDLING', 'supervisions', '', 'ReadCase · SERVED'],
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
    try {
      await page.click('#verify');
      // Verifying every chain again takes a while once earlier files have filled the logs.
      await expect
        .poll(() => page.$$eval('#chains tbody tr', (trs) => trs.map((tr) => [...tr.querySelectorAll('td')].map((td) => td.textContent))), { timeout: 20_000 })
        .toContainEqual(['court', chain, expect.any(String), expect.any(String), `FAILED at sequence ${victim.seq} (HASH_MISMATCH)`]);
      mkdirSync(path.join(PROJECT_ROOT, '.data'), { recursive: true });
      await page.screenshot({ path: path.join(PROJECT_ROOT, '.data/audit-page-tampered.png'), fullPage: true });
    } finally {
      await courtLog.updateOne({ _id: victim._id }, { $set: { 'principal.sub': victim.principal.sub } });
      await client.close();
    }

    mkdirSync(path.join(PROJECT_ROOT, '.data'), { recursive: true });
    await page.screenshot({ path: path.join(PROJECT_ROOT, '.data/audit-page.png'), fullPage: true });
    await page.close();
  });
});
