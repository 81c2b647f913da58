// The auditors' workbench at /audit/, end to end in a real headless Chromium (Debian's package,
// driven by playwright-core) against real subgraphs over the embedded store: the auditor's
// minute — "who saw the party details of dispute X in the last week, and for what purpose" —
// answered in Chinese and Beijing time from what the auditor knows (the dispute's title, a
// person's name); an institution that cannot be reached shown as unavailable; a record edited in
// the database marked wherever it is shown, with a link to the first bad record.
import { createServer } from 'node:net';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { MongoClient } from 'mongodb';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { issueDevToken } from '../auth/index.js';
import { DATABASE_NAMES, PROJECT_ROOT } from '../config/index.js';
import type { RunningSubgraph } from '../subgraphs/index.js';
import { demoData } from './support/seed-options.js';
import { callerHeaders, principal, startTestGateway, startTestStack, testConfig, type TestStack } from './support/stack.js';

const CHROMIUM_FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'];
// Written where runs leave their files (git-ignored); the README's copy is docs/screenshots/, refreshed by hand after a look.
const SCREENSHOT = path.join(PROJECT_ROOT, '.data/screenshots/audit-workbench.png');

/** An instant as the page shows it: on Beijing's clock, whatever this machine's zone. */
function beijing(instant: Date): string {
  const p = Object.fromEntries(
    new Intl.DateTimeFormat('en-US', { timeZone: 'Asia/Shanghai', hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit' })
      .formatToParts(instant)
      .map((part) => [part.type, part.value]),
  );
  return `${p.year}-${p.month}-${p.day} ${p.hour}:${p.minute}:${p.second}`;
}

/** A port nothing listens on: the address of an institution that cannot be reached. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

const rowsOf = (page: Page, table: string) =>
  page.$$eval(`${table} tbody tr`, (trs) => trs.map((tr) => [...tr.querySelectorAll('td')].map((td) => (td.textContent ?? '').trim())));

describe('the auditors’ workbench', () => {
  let stack: TestStack;
  let browser: Browser;
  const dispute = demoData().government.disputes.find((d) => d._id === demoData().showcase.disputeId)!;
  // Principals of their own, so other tests' reads of the same dispute are not theirs. Real names
  // are Chinese: they must survive headers, tokens, the log and the page.
  const officer = { ...principal('government', ['linkage_officer']), sub: 'page-officer', name: '周调解员' };
  const judge = { ...principal('court', ['judge']), sub: 'page-judge', name: '李法官' };
  const prosecutor = { ...principal('procuratorate', ['prosecutor']), sub: 'page-prosecutor', name: '陈检察官' };
  const clerk = { ...principal('court', ['clerk']), sub: 'page-clerk', name: '王书记员' };
  const auditor = { ...principal('audit', ['auditor']), sub: 'page-auditor', name: '督查组 赵审计' };
  const requestIds: Record<string, string> = {};

  async function read(who: typeof officer, purpose: 'DISPUTE_RESOLUTION' | 'CASE_HANDLING' | 'SUPERVISION', fields: string) {
    const response = await fetch(stack.gateway!.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(await callerHeaders(who, purpose)) },
      body: JSON.stringify({ query: `query ReadDispute($id: ID!) { dispute(id: $id) { ${fields} } }`, variables: { id: dispute._id } }),
    });
    const body = (await response.json()) as { data?: { dispute?: { title?: string } } };
    expect(body.data?.dispute?.title).toBe(dispute.title);
    requestIds[who.sub] = response.headers.get('x-request-id')!;
  }

  async function signIn(page: Page, base: string) {
    await page.goto(`${base}/audit/`);
    await page.fill('#token', await issueDevToken(testConfig().auth, auditor, 600));
    await page.click('#sign-in');
    await page.waitForSelector('#workbench:not([hidden])');
  }

  beforeAll(async () => {
    stack = await startTestStack({ gateway: true });
    browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_FLAGS });
    // Four people read dispute X; three of them its parties, each as their rules allow.
    await read(officer, 'DISPUTE_RESOLUTION', 'title parties { name idNumber phone }');
    await read(judge, 'CASE_HANDLING', 'title parties { name idNumber phone }');
    await read(clerk, 'CASE_HANDLING', 'title status');
    await read(prosecutor, 'SUPERVISION', 'title parties { name idNumber phone }');
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await stack?.stop();
  });

  it('the auditor’s minute: finds dispute X by its title, filters the last week to its parties, sees who saw them and why, opens the request', async () => {
    const page = await browser.newPage({ viewport: { width: 1360, height: 900 }, locale: 'zh-CN' });
    const base = stack.gateway!.url.replace(/\/graphql$/, '');
    const dialogs: string[] = [];
    page.on('dialog', (dialog) => {
      dialogs.push(dialog.message());
      void dialog.dismiss();
    });
    const response = await page.goto(`${base}/audit/`);
    expect(response?.status()).toBe(200);
    expect(response?.headers()['content-security-policy']).toContain("default-src 'none'");
    // Chinese first.
    expect(await page.textContent('h1')).toBe('联合督查 · 访问日志工作台');

    // A judge's token is refused at sign-in, on the page.
    await page.fill('#token', (await callerHeaders(judge, 'CASE_HANDLING')).authorization!.slice('Bearer '.length));
    await page.click('#sign-in');
    await expect.poll(() => page.textContent('#sign-in-error'), { timeout: 15_000 }).toBe('登录被拒绝：FORBIDDEN（ORG_NOT_ALLOWED）：此令牌无权读取访问日志');

    const started = Date.now();
    await page.fill('#token', await issueDevToken(testConfig().auth, auditor, 600));
    await page.click('#sign-in');
    await page.waitForSelector('#workbench:not([hidden])');
    expect(await page.textContent('#who')).toBe(`${auditor.name}（${auditor.sub}）· 用途：审计督查`);
    // The log's first search was sent with the last 7 days, filled into the range's inputs (a
    // search by name needs a range: the API refuses one without).
    await expect.poll(() => page.inputValue('#filter-to'), { timeout: 15_000 }).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}$/);
    const wall = async (input: string) => Date.parse(`${await page.inputValue(input)}:00Z`);
    expect((await wall('#filter-to')) - (await wall('#filter-from'))).toBe(7 * 86_400_000);

    // Find dispute X by (part of) its title.
    await page.fill('#lookup-text', dispute.title.slice(0, 12));
    await page.click('#lookup');
    const match = `#lookup-results button[data-record-type="Dispute"][data-record-id="${dispute._id}"]`;
    await page.waitForSelector(match, { timeout: 15_000 });
    expect(await page.$$eval(`${match} span`, (spans) => spans.map((s) => s.textContent))).toEqual(['行政争议', dispute.title, `${dispute._id} · 区政府`]);
    await page.click(match);

    // Its history over the last week, narrowed to the parties: the field by its catalogue label.
    await expect.poll(() => page.textContent('#history-count'), { timeout: 15_000 }).toMatch(new RegExp(`^${dispute.title} · 行政争议 ${dispute._id}：共 \\d+ 次提供$`));
    expect(await page.inputValue('#history-range')).toBe('week');
    await page.selectOption('#history-field', 'parties');
    expect(await page.$eval('#history-field', (select) => (select as unknown as { selectedOptions: { textContent: string }[] }).selectedOptions[0]!.textContent)).toBe('行政争议当事人 · parties');
    await page.click('#history-search');
    await expect.poll(() => page.textContent('#history-count'), { timeout: 15_000 }).toMatch(new RegExp(`^${dispute.title} · 行政争议 ${dispute._id} · 行政争议当事人：共 \\d+ 次提供$`));

    // Who saw the party details, and why: newest first, in Beijing time, in Chinese; the clerk,
    // who read only the title, is not among them.
    const client = await MongoClient.connect(inject('mongoUri'));
    try {
      const governmentLog = client.db(DATABASE_NAMES.government).collection('disclosureRecords');
      const at = async (who: { sub: string }) => beijing(((await governmentLog.findOne({ requestId: requestIds[who.sub] })) as unknown as { at: Date }).at);
      // An organisation's name is not masked (only natural persons'): a party that is one is
      // disclosed by name even to those who get the others' masked. Read from the store itself.
      const parties = await client.db(DATABASE_NAMES.government).collection('parties').find({ _id: { $in: dispute.partyIds } } as never).toArray();
      expect(parties).toHaveLength(dispute.partyIds.length);
      const maskedReaderGot = ['行政争议当事人', ...(parties.some((p) => p.kind === 'ORGANIZATION') ? ['当事人姓名'] : []), '行政争议标题'].join('、');
      const ours = (rows: string[][]) => rows.filter((cells) => [officer, judge, prosecutor, clerk].some((p) => cells[2]?.endsWith(`（${p.sub}）`)));
      expect(ours(await rowsOf(page, '#history-table'))).toEqual([
        [await at(prosecutor), '区政府', `${prosecutor.name}（${prosecutor.sub}）`, '区检察院', '法律监督', maskedReaderGot, '当事人身份证号（身份证号脱敏）、当事人姓名（姓名脱敏）', '当事人电话（单位无权）', 'ReadDispute · 部分拒绝'],
        [await at(judge), '区政府', `${judge.name}（${judge.sub}）`, '区法院', '办案', maskedReaderGot, '当事人身份证号（身份证号脱敏）、当事人姓名（姓名脱敏）', '当事人电话（角色无权）', 'ReadDispute · 部分拒绝'],
        [await at(officer), '区政府', `${officer.name}（${officer.sub}）`, '区政府', '争议化解', '行政争议当事人、当事人身份证号、当事人姓名、当事人电话、行政争议标题', '—', '—', 'ReadDispute · 已提供'],
      ]);
      expect(await page.$eval('#history-table th', (th) => th.textContent)).toBe('时间（北京时间）');
    } finally {
      await client.close();
    }

    // The officer's request, as a readable summary.
    await page.click(`#history-table tbody tr[data-request-id="${requestIds[officer.sub]}"] button.request-link`);
    await expect.poll(() => page.textContent('#request-view h3'), { timeout: 15_000 }).toBe(`请求编号 ${requestIds[officer.sub]}`);
    const summary = await page.$$eval('#request-view dl dt, #request-view dl dd', (nodes) => nodes.map((n) => n.textContent));
    expect(summary.slice(0, 2)).toEqual(['人员', `${officer.name}（${officer.sub}）· 区政府 · linkage_officer`]);
    expect(summary.slice(4, 8)).toEqual(['用途', '争议化解', '操作', 'ReadDispute']);
    expect(summary.slice(8, 10)).toEqual(['结果', '已提供 · HTTP 200']);
    const disclosed = await page.$$eval('#request-view section[data-institution="government"] tr[data-record]', (trs) =>
      trs.map((tr) => [tr.getAttribute('data-record'), ...[...tr.querySelectorAll('td')].map((td) => td.textContent)]),
    );
    expect(disclosed[0]).toEqual([`Dispute:${dispute._id}`, `行政争议 ${dispute._id}`, '行政争议当事人、当事人身份证号、当事人姓名、当事人电话、行政争议标题', '—', '—']);
    expect(disclosed.slice(1)).toEqual(dispute.partyIds.map((id) => [`Party:${id}`, `当事人 ${id}`, '当事人身份证号、当事人姓名、当事人电话', '—', '—']));
    // The raw record is one click away.
    expect(await page.isHidden('#raw-record')).toBe(true);
    await page.click('#raw-toggle');
    expect(JSON.parse((await page.textContent('#raw-record'))!)).toMatchObject({ requestId: requestIds[officer.sub], purpose: 'DISPUTE_RESOLUTION', operationName: 'ReadDispute' });
    expect(Date.now() - started).toBeLessThan(60_000);

    // A request id typed in opens that request.
    await page.fill('#request-id', requestIds[prosecutor.sub]!);
    await page.click('#request-search');
    await expect.poll(() => page.textContent('#request-view h3'), { timeout: 15_000 }).toBe(`请求编号 ${requestIds[prosecutor.sub]}`);

    // An error is said on the page, never in a pop-up.
    await page.fill('#request-id', 'no-such-request');
    await page.click('#request-search');
    await expect.poll(() => page.textContent('#error-text'), { timeout: 15_000 }).toBe('访问日志中没有请求 no-such-request。');
    expect(await page.isVisible('#error-banner')).toBe(true);
    await page.click('#error-close');
    expect(await page.isHidden('#error-banner')).toBe(true);

    // The log by a person's name, over the last hour typed in Beijing time.
    await page.fill('#filter-person', '李法');
    await page.fill('#filter-from', beijing(new Date(Date.now() - 3_600_000)).slice(0, 16).replace(' ', 'T'));
    await page.click('#search');
    // (The judge's token, refused at sign-in above, is a request of theirs too.)
    await expect.poll(async () => (await rowsOf(page, '#log-table')).map((cells) => cells.slice(1, 6)), { timeout: 15_000 }).toEqual([
      [`${judge.name}（${judge.sub}）`, '区法院', '审计督查', 'AuditSignIn', '部分拒绝'],
      [`${judge.name}（${judge.sub}）`, '区法院', '办案', 'ReadDispute', '部分拒绝'],
    ]);
    expect(await page.textContent('#log-count')).toBe('共 2 条请求');
    // The range's end, left empty by default, was sent as now (and shown); the start as typed.
    expect(await page.inputValue('#filter-to')).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}$/);

    // The chart: values on the bars, today's bar under today's Beijing date.
    const todayInBeijing = beijing(new Date()).slice(0, 10);
    const bars = await page.$$eval('#activity svg rect[data-day]', (rects) => rects.map((r) => r.getAttribute('data-day')));
    expect(bars).toContain(todayInBeijing);
    expect(await page.$$eval('#activity svg text.value', (t) => t.length)).toBeGreaterThan(0);

    // English on the switch.
    await page.click('#lang');
    expect(await page.textContent('h1')).toBe('Joint supervision · Access-log workbench');
    await page.click('#lang');

    // For the README: the history and the request, in Chinese.
    await page.click(`#history-table tbody tr[data-request-id="${requestIds[officer.sub]}"] button.request-link`);
    await expect.poll(() => page.textContent('#request-view h3'), { timeout: 15_000 }).toBe(`请求编号 ${requestIds[officer.sub]}`);
    mkdirSync(path.dirname(SCREENSHOT), { recursive: true });
    await page.evaluate("document.getElementById('find-panel').scrollIntoView()");
    await page.screenshot({ path: SCREENSHOT, fullPage: true });

    expect(dialogs).toEqual([]);

    // Sign out: the workbench is gone, the token too.
    await page.click('#sign-out');
    expect(await page.isVisible('#sign-in-panel')).toBe(true);
    expect(await page.isHidden('#workbench')).toBe(true);
    expect(await page.evaluate("sessionStorage.getItem('auditToken')")).toBeNull();
    await page.close();
  }, 120_000);

  it('shows an institution that cannot be reached as unavailable, in the integrity table and the history', async () => {
    const down = { ...stack.subgraphs, procuratorate: { url: `http://127.0.0.1:${await closedPort()}/graphql` } as RunningSubgraph };
    const gateway = await startTestGateway(down);
    const page = await browser.newPage();
    try {
      await signIn(page, gateway.url.replace(/\/graphql$/, ''));
      await page.waitForSelector('#chains tbody tr');
      const byLog = async () => {
        const rows = await page.$$eval('#chains tbody tr', (trs) => trs.map((tr) => [tr.getAttribute('data-log'), tr.cells[4]!.textContent]));
        return [...new Set(rows.map(([log, status]) => `${log}: ${status?.startsWith('校验通过') ? 'ok' : status}`))].sort();
      };
      expect(await byLog()).toEqual([
        'court: ok',
        'gateway: 无法校验：网关日志须与各机构的见证核对，而区检察院不可用',
        'government: ok',
        'procuratorate: 不可用：无法取得该机构的日志校验结果',
      ]);
      // The history says whose disclosures are missing, rather than showing fewer rows as if complete.
      await page.selectOption('#history-type', 'Dispute');
      await page.fill('#history-id', dispute._id);
      await page.click('#history-search');
      await expect.poll(() => page.textContent('#history-unavailable'), { timeout: 15_000 }).toBe('区检察院 暂不可用：其访问记录未列出，结果不完整。');
      expect(await page.isVisible('#history-unavailable')).toBe(true);
      expect(await page.isHidden('#error-banner')).toBe(true);
    } finally {
      await page.close();
      await gateway.stop();
    }
  }, 60_000);

  it('marks a record edited in the database, and every record after it in its chain, and links to the first bad one', async () => {
    const client = await MongoClient.connect(inject('mongoUri'));
    const governmentLog = client.db(DATABASE_NAMES.government).collection('disclosureRecords');
    // The officer's read is the first of the three in the government's chain: the judge's and the
    // prosecutor's come after it, and are no longer vouched for either.
    const victim = (await governmentLog.findOne({ requestId: requestIds[officer.sub] }))!;
    await governmentLog.updateOne({ _id: victim._id }, { $set: { purpose: 'STATISTICS' } });
    const page = await browser.newPage();
    try {
      await signIn(page, stack.gateway!.url.replace(/\/graphql$/, ''));
      await page.click('#verify');
      const failed = `#chains tbody tr[data-log="government"].not-vouched`;
      await page.waitForSelector(failed, { timeout: 30_000 });
      expect(await page.$eval(`${failed} td:nth-child(2)`, (td) => td.textContent)).toBe(victim.chain);
      expect(await page.$eval(`${failed} td:last-child`, (td) => td.textContent)).toBe(`校验失败：自第 ${victim.seq} 条记录起（哈希不符） 首条校验失败记录（其请求编号未经校验）`);

      // The history: the three reads, each flagged, with why; the edited purpose shows as edited.
      await page.selectOption('#history-type', 'Dispute');
      await page.fill('#history-id', dispute._id);
      await page.selectOption('#history-field', 'parties');
      await page.click('#history-search');
      const warning = `所在日志链自第 ${victim.seq} 条记录起校验失败（哈希不符），此记录不可采信`;
      const flagged = () =>
        page.$$eval('#history-table tbody tr', (trs) =>
          trs
            .filter((tr) => ['page-officer', 'page-judge', 'page-prosecutor'].some((sub) => tr.cells[2]?.textContent?.endsWith(`（${sub}）`)))
            .map((tr) => [tr.classList.contains('not-vouched'), tr.querySelector('.integrity-flag')?.getAttribute('title') ?? null, tr.cells[4]!.textContent]),
        );
      await expect.poll(flagged, { timeout: 15_000 }).toEqual([
        [true, warning, '法律监督'],
        [true, warning, '办案'],
        [true, warning, '统计通报'],
      ]);

      // The link goes to the first bad record's request, with its record flagged.
      await page.click(`${failed} button.first-bad`);
      await expect.poll(() => page.textContent('#request-view h3'), { timeout: 15_000 }).toBe(`请求编号 ${requestIds[officer.sub]}`);
      const items = await page.$$eval('#request-view .integrity-warning li', (lis) => lis.map((li) => li.textContent));
      expect(items).toEqual([
        `区政府 Dispute ${dispute._id} (${victim.chain} #${victim.seq}): ${warning}`,
        ...dispute.partyIds.map((id) => `区政府 Party ${id} (${victim.chain} #${victim.seq}): ${warning}`),
      ]);
      expect(await page.isHidden('#error-banner')).toBe(true);
    } finally {
      await governmentLog.updateOne({ _id: victim._id }, { $set: { purpose: victim.purpose } });
      await client.close();
      await page.close();
    }
  }, 90_000);
});
