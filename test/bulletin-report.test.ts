// The information bulletin report at /reports/bulletin/ (信息通报), end to end in a real headless
// Chromium (Debian's, driven by playwright-core): a government statistics analyst signs in, picks
// 2025 Q2 and then 2025 H1, and sees the district table with the same period last year and the
// agencies ranked by the composite score — every figure recounted here from the stored records
// (read from the databases directly, never written into the test) — then downloads the PDF, whose
// text (pdftotext) carries the district table. Refusals come back with their codes, on the page
// and from the PDF endpoint.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { MongoClient, type Document } from 'mongodb';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { issueDevToken } from '../auth/index.js';
import { AUDIT_DATABASE_NAME, DATABASE_NAMES, PROJECT_ROOT, loadConfig } from '../config/index.js';
import { INDICATORS, litigationIncidence, rankAgencies, scoreText } from '../gateway/index.js';
import { principal, sharedTestStack, startTestGateway, testConfig, type TestStack } from './support/stack.js';

const CHROMIUM_FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'];
const Q2_2025 = { from: '2025-04-01', to: '2025-07-01' };
const H1_2025 = { from: '2025-01-01', to: '2025-07-01' };
type Period = { from: string; to: string };

// ---- An independent recount over the stored records ----

interface Records {
  agencies: Document[];
  districtName: string;
  acts: Document[];
  reconsiderations: Document[];
  disputes: Document[];
  performances: Document[];
  replies: Document[];
  adminCases: Document[];
  hearings: Document[];
  enforcement: Document[];
  judicialSuggestions: Document[];
  supervisions: Document[];
  procuratorialSuggestions: Document[];
}

async function readRecords(client: MongoClient): Promise<Records> {
  const gov = client.db(DATABASE_NAMES.government);
  const court = client.db(DATABASE_NAMES.court);
  const proc = client.db(DATABASE_NAMES.procuratorate);
  const all = (db: typeof gov, name: string) => db.collection(name).find({}).toArray();
  return {
    agencies: await all(gov, 'agencies'),
    districtName: ((await gov.collection('district').findOne({})) as Document).name,
    acts: await all(gov, 'acts'),
    reconsiderations: await all(gov, 'reconsiderations'),
    disputes: await all(gov, 'disputes'),
    performances: await all(gov, 'judgmentPerformances'),
    replies: await all(gov, 'suggestionReplies'),
    adminCases: await all(court, 'adminCases'),
    hearings: await all(court, 'hearings'),
    enforcement: await all(court, 'enforcementCases'),
    judicialSuggestions: await all(court, 'judicialSuggestions'),
    supervisions: await all(proc, 'supervisionCases'),
    procuratorialSuggestions: await all(proc, 'procuratorialSuggestions'),
  };
}

const rate = (n: number, d: number) => (d === 0 ? null : n / d);

/** `now`: the subgraphs' clock (the shared stack runs on the system's). */
function recount(r: Records, scope: string, period: Period, now = new Date()) {
  const within = (d: unknown) => d instanceof Date && d >= new Date(period.from) && d < new Date(period.to);
  const mine = (agencyId: unknown) => scope === 'DISTRICT' || agencyId === scope;
  const cases = r.adminCases.filter((c) => mine(c.defendantId));
  const filed = cases.filter((c) => within(c.filedAt)).length;
  const closed = cases.filter((c) => within(c.closedAt));
  const lost = closed.filter((c) => c.agencyLost === true).length;
  const hearings = r.hearings.filter((h) => mine(h.agencyId) && within(h.heldAt));
  const attempts = r.enforcement.filter((e) => mine(e.agencyId) && within(e.filedAt) && e.preSettlement?.attempted === true);
  const reconsiderations = r.reconsiderations.filter((x) => mine(x.respondentId) && within(x.closedAt));
  const corrected = reconsiderations.filter((x) => ['REVOKED', 'MODIFIED', 'CONFIRMED_ILLEGAL', 'ORDERED_TO_PERFORM'].includes(x.outcome)).length;
  const mediated = reconsiderations.filter((x) => ['MEDIATED', 'SETTLED'].includes(x.outcome)).length;
  const disputes = r.disputes.filter((d) => mine(d.agencyId) && within(d.openedAt));
  const resolved = disputes.filter((d) => d.substantivelyResolved === true).length;
  const decided = r.acts.filter((a) => mine(a.agencyId) && within(a.decidedAt)).length;
  // Due: in the period and already (a judgment due later is not yet owed); performed: before the period's end.
  const due = r.performances.filter((p) => mine(p.agencyId) && within(p.dueAt) && p.dueAt < now);
  const performed = due.filter((p) => p.performed === true && p.performedAt instanceof Date && p.performedAt < new Date(period.to));
  const followUp = (suggestions: Document[], type: string) => {
    const issued = suggestions.filter((s) => mine(s.toAgencyId) && within(s.issuedAt));
    const replyOf = (id: string) => r.replies.find((x) => x.suggestionType === type && x.suggestionId === id);
    const replied = issued.filter((s) => replyOf(s._id));
    const adopted = replied.filter((s) => replyOf(s._id)!.adopted === true).length;
    return { issued: issued.length, replied: replied.length, adopted, replyRate: rate(replied.length, issued.length), adoptionRate: rate(adopted, replied.length) };
  };
  const judicial = followUp(r.judicialSuggestions, 'JudicialSuggestion');
  const procuratorial = followUp(r.procuratorialSuggestions, 'ProcuratorialSuggestion');
  return {
    filed,
    decided,
    incidence: decided === 0 ? null : (filed / decided) * 100,
    closed: closed.length,
    lost,
    lossRate: rate(lost, closed.length),
    headAppearanceRate: rate(hearings.filter((h) => h.headAppeared === true).length, hearings.length),
    preSettlementRate: rate(attempts.filter((e) => e.preSettlement.succeeded === true).length, attempts.length),
    reconsiderationsClosed: reconsiderations.length,
    correctionRate: rate(corrected, reconsiderations.length),
    mediationSettlementRate: rate(mediated, reconsiderations.length),
    handled: disputes.length,
    major: disputes.filter((d) => d.major === true).length,
    substantiveResolutionRate: rate(resolved, disputes.length),
    judicial,
    procuratorial,
    suggestionReplyRate: rate(judicial.replied + procuratorial.replied, judicial.issued + procuratorial.issued),
    suggestionAdoptionRate: rate(judicial.adopted + procuratorial.adopted, judicial.replied + procuratorial.replied),
    due: due.length,
    performanceRate: rate(performed.length, due.length),
    supervisionsOpened: r.supervisions.filter((s) => mine(s.agencyId) && within(s.openedAt)).length,
  };
}
type Figures = ReturnType<typeof recount>;

// ---- How the report writes numbers: 1.8% (not 0.018), 1,234, −12.5%, −0.6个百分点 ----

const oneDecimal = (x: number) => {
  const text = (Math.round(x * 10) / 10).toFixed(1);
  return text.endsWith('.0') ? text.slice(0, -2) : text;
};
const count = (x: number | null) => (x === null ? '—' : x.toLocaleString('zh-CN'));
const pct = (x: number | null) => (x === null ? '—' : `${oneDecimal(x * 100)}%`);
const per100 = (x: number | null) => (x === null ? '—' : oneDecimal(x));
const sign = (text: string, delta: number) => (/^-?0$|^-?0(\.0)?[^1-9]*$/.test(text) ? '持平' : delta > 0 ? `+${text}` : text.replace(/^-/, '−'));
const change = {
  count: (now: number | null, before: number | null) => (now === null || before === null || before === 0 ? '—' : sign(`${oneDecimal(((now - before) / before) * 100)}%`, now - before)),
  pct: (now: number | null, before: number | null) => (now === null || before === null ? '—' : sign(`${oneDecimal((now - before) * 100)}个百分点`, now - before)),
  per100: (now: number | null, before: number | null) => (now === null || before === null ? '—' : sign(oneDecimal(now - before), now - before)),
};
const format = { count, pct, per100 };

/** The district table as the report must show it: label, this period, last year, change. */
function districtRows(now: Figures, before: Figures): string[][] {
  const rows: [string, (f: Figures) => number | null, keyof typeof format][] = [
    ['行政诉讼发案数（件）', (f) => f.filed, 'count'],
    ['行政行为作出数（件）', (f) => f.decided, 'count'],
    ['诉讼发案率（件/百件行政行为）', (f) => f.incidence, 'per100'],
    ['行政诉讼结案数（件）', (f) => f.closed, 'count'],
    ['行政诉讼败诉数（件）', (f) => f.lost, 'count'],
    ['行政诉讼败诉率', (f) => f.lossRate, 'pct'],
    ['负责人出庭应诉率', (f) => f.headAppearanceRate, 'pct'],
    ['执前和解成功率', (f) => f.preSettlementRate, 'pct'],
    ['行政复议审结数（件）', (f) => f.reconsiderationsClosed, 'count'],
    ['行政复议纠错率', (f) => f.correctionRate, 'pct'],
    ['行政复议调解和解率', (f) => f.mediationSettlementRate, 'pct'],
    ['联动化解争议数（件）', (f) => f.handled, 'count'],
    ['其中重大疑难争议（件）', (f) => f.major, 'count'],
    ['实质性化解率', (f) => f.substantiveResolutionRate, 'pct'],
    ['司法建议发出数（件）', (f) => f.judicial.issued, 'count'],
    ['司法建议回复率', (f) => f.judicial.replyRate, 'pct'],
    ['司法建议采纳率', (f) => f.judicial.adoptionRate, 'pct'],
    ['检察建议发出数（件）', (f) => f.procuratorial.issued, 'count'],
    ['检察建议回复率', (f) => f.procuratorial.replyRate, 'pct'],
    ['检察建议采纳率', (f) => f.procuratorial.adoptionRate, 'pct'],
    ['应履行生效判决数（件）', (f) => f.due, 'count'],
    ['生效判决履行率', (f) => f.performanceRate, 'pct'],
    ['行政检察监督案件受理数（件）', (f) => f.supervisionsOpened, 'count'],
  ];
  return rows.map(([label, value, kind]) => [label, format[kind](value(now)), format[kind](value(before)), change[kind](value(now), value(before))]);
}

/** The ranking: the agencies' recounted indicators through the documented score, with the configured weights. */
function rankingRows(r: Records, period: Period) {
  const agencies = r.agencies.map((a) => {
    const f = recount(r, a._id, period);
    return { id: a._id as string, name: a.name as string, f, values: { incidence: f.incidence, loss: f.lossRate, correction: f.correctionRate, resolution: f.substantiveResolutionRate } };
  });
  return rankAgencies(agencies, testConfig().reports.weights).map((a) => [
    String(a.rank),
    a.name,
    a.score === null ? '—' : a.score.toFixed(1),
    count(a.f.filed),
    per100(a.f.incidence),
    pct(a.f.lossRate),
    pct(a.f.correctionRate),
    pct(a.f.substantiveResolutionRate),
    pct(a.f.suggestionReplyRate),
    pct(a.f.suggestionAdoptionRate),
    pct(a.f.performanceRate),
  ]);
}

/** The same days a year earlier, as the server's yearEarlier shifts them: 29 February to 1 March. */
const yearEarlier = (date: string) => {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  return new Date(Date.UTC(y - 1, m - 1, d)).toISOString().slice(0, 10);
};
const lastYearOf = (p: Period) => ({ from: yearEarlier(p.from), to: yearEarlier(p.to) });
const tableRows = (page: Page, id: string) => page.$$eval(`#${id} tbody tr`, (trs) => trs.map((tr) => [...tr.querySelectorAll('td')].map((td) => td.textContent ?? '')));

describe('the composite score', () => {
  it('scores each indicator from best (100) to worst (0) among the agencies and takes the weighted mean of those an agency has', () => {
    const values = (incidence: number | null, loss: number | null, correction: number | null, resolution: number | null) => ({ incidence, loss, correction, resolution });
    const ranked = rankAgencies(
      [
        { id: 'A', values: values(10, 0.1, 0.2, 0.9) },
        { id: 'B', values: values(20, 0, 0.1, 0.5) },
        { id: 'C', values: values(30, null, 0.3, 0.7) },
        { id: 'D', values: values(null, null, null, null) },
      ],
      { incidence: 2, loss: 1, correction: 1, resolution: 0 },
    );
    // A: incidence 100, loss 0, correction 50 → (2·100 + 0 + 50) / 4 = 62.5
    // B: incidence 50, loss 100, correction 100 → (100 + 100 + 100) / 4 = 75
    // C: incidence 0, no loss rate, correction 0 → 0 / 3 = 0; D: nothing to score.
    expect(ranked.map((a) => [a.id, a.rank, a.score])).toEqual([
      ['B', 1, expect.closeTo(75, 9)],
      ['A', 2, expect.closeTo(62.5, 9)],
      ['C', 3, 0],
      ['D', 4, null],
    ]);
    expect(Object.fromEntries(Object.entries(ranked[1]!.parts).map(([k, v]) => [k, v === null ? null : Number(v.toFixed(9))]))).toEqual({ incidence: 100, loss: 0, correction: 50, resolution: 100 });
    expect(litigationIncidence(7, 350)).toBe(2);
    expect(litigationIncidence(7, 0)).toBeNull();
    // Equal scores share a rank (1, 1, 3), listed by id.
    const tied = rankAgencies([{ id: 'Y', values: values(1, null, null, null) }, { id: 'X', values: values(1, null, null, null) }, { id: 'Z', values: values(2, null, null, null) }], { incidence: 1, loss: 1, correction: 1, resolution: 1 });
    expect(tied.map((a) => [a.id, a.rank, a.score])).toEqual([['X', 1, 100], ['Y', 1, 100], ['Z', 3, 0]]);
    // Ranked on the score as shown (one decimal): 50.04 and 49.96 both read 50.0, so they share
    // rank 3 (listed by id, not by the hidden digits); 50.06 reads 50.1 and ranks above them.
    const shown = rankAgencies(
      [['A', 0], ['B', 100], ['C', 49.96], ['D', 50.04], ['E', 49.94]].map(([id, incidence]) => ({ id: id as string, values: values(incidence as number, null, null, null) })),
      { incidence: 1, loss: 1, correction: 1, resolution: 1 },
    );
    expect(shown.map((a) => [a.id, a.rank, scoreText(a.score)])).toEqual([['A', 1, '100.0'], ['E', 2, '50.1'], ['C', 3, '50.0'], ['D', 3, '50.0'], ['B', 5, '0.0']]);
    expect(scoreText(null)).toBe('—');
    expect(INDICATORS.map((i) => [i.key, i.lowerIsBetter])).toEqual([['incidence', true], ['loss', true], ['correction', true], ['resolution', false]]);
  });
});

describe('the composite score’s weights (BULLETIN_WEIGHTS)', () => {
  it('defaults to equal weights, takes those named, and stops start-up on a bad one, naming the variable', () => {
    expect(loadConfig({}).reports.weights).toEqual({ incidence: 1, loss: 1, correction: 1, resolution: 1 });
    expect(loadConfig({ BULLETIN_WEIGHTS: 'incidence=2, resolution=0.5' }).reports.weights).toEqual({ incidence: 2, loss: 1, correction: 1, resolution: 0.5 });
    const refusals: [string, string][] = [
      ['incidence', 'must list indicator=weight pairs such as incidence=2,loss=1 (indicators: incidence, loss, correction, resolution), got "incidence"'],
      ['speed=1', 'names no indicator "speed" (indicators: incidence, loss, correction, resolution)'],
      ['loss=1,loss=2', 'names loss twice'],
      ['loss=-1', 'must list indicator=weight pairs such as incidence=2,loss=1 (indicators: incidence, loss, correction, resolution), got "loss=-1"'],
      ['loss=101', 'weight of loss must be from 0 to 100, got "101"'],
      ['incidence=0,loss=0,correction=0,resolution=0', 'must give at least one indicator a weight above 0'],
    ];
    for (const [value, problem] of refusals) expect(() => loadConfig({ BULLETIN_WEIGHTS: value }), value).toThrow(`configuration: BULLETIN_WEIGHTS ${problem}`);
  });
});

describe('the bulletin report', () => {
  let stack: TestStack;
  let browser: Browser;
  let client: MongoClient;
  let records: Records;
  let base: string;
  const analyst = { ...principal('government', ['analyst']), sub: 'report-test-analyst', name: '统计科 钱分析' };

  beforeAll(async () => {
    stack = await sharedTestStack();
    base = stack.gateway!.url.replace(/\/graphql$/, '');
    browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_FLAGS });
    client = await MongoClient.connect(inject('mongoUri'));
    records = await readRecords(client);
  });
  afterAll(async () => {
    await browser?.close();
    await client?.close();
  });

  it('shows a quarter and the half-year: the district with the same period last year, and the agencies ranked by their recounted figures', async () => {
    const token = await issueDevToken(testConfig().auth, analyst, 600);
    const page = await browser.newPage({ locale: 'zh-CN', viewport: { width: 1280, height: 900 } });
    const dialogs: string[] = [];
    page.on('dialog', (dialog) => void (dialogs.push(dialog.message()), dialog.dismiss()));
    const response = await page.goto(`${base}/reports/bulletin?from=${Q2_2025.from}&to=${Q2_2025.to}`);
    expect(response?.status()).toBe(200);
    expect(page.url()).toBe(`${base}/reports/bulletin/?from=${Q2_2025.from}&to=${Q2_2025.to}`);
    expect(response?.headers()['content-security-policy']).toContain("default-src 'none'");

    await page.fill('#token', token);
    await page.click('#sign-in');
    await page.waitForSelector('body[data-state="ready"]', { timeout: 20_000 });
    expect(await page.textContent('#who')).toBe(`当前用户：${analyst.name}（${analyst.sub}，government · analyst），用途：统计 STATISTICS`);

    const check = async (period: Period, name: string) => {
      expect(await page.textContent('#title')).toBe(`${records.districtName}府院府检联动信息通报（${name}）`);
      const district = recount(records, 'DISTRICT', period);
      expect(await tableRows(page, 'district-table')).toEqual(districtRows(district, recount(records, 'DISTRICT', lastYearOf(period))));
      const ranking = rankingRows(records, period);
      expect(await tableRows(page, 'agency-table')).toEqual(ranking);
      // The agencies differ enough for the ranking to mean something.
      expect(new Set(ranking.map((row) => row[0])).size).toBeGreaterThan(6);
      // A chart per indicator, agencies in rank order, each value written on its bar.
      const charts = await page.$$eval('#charts figure', (figures) =>
        figures.map((f) => [(f as unknown as { dataset: Record<string, string> }).dataset.indicator, [...f.querySelectorAll('text.value')].map((t) => t.textContent)]),
      );
      expect(charts).toEqual([
        ['incidence', ranking.map((row) => row[4])],
        ['loss', ranking.map((row) => row[5])],
        ['correction', ranking.map((row) => row[6])],
        ['resolution', ranking.map((row) => row[7])],
        ['replyRate', ranking.map((row) => row[8])],
        ['adoptionRate', ranking.map((row) => row[9])],
        ['performanceRate', ranking.map((row) => row[10])],
      ]);
      expect(await page.$$eval('#notices li', (items) => items.length)).toBe(0);
      return district;
    };

    await check(Q2_2025, '2025年第二季度');

    // The half-year, chosen in the form.
    await page.selectOption('#period-kind', 'half');
    await page.fill('#year', '2025');
    await page.selectOption('#half', '1');
    await page.click('#show');
    await expect.poll(() => page.textContent('#title'), { timeout: 20_000 }).toContain('2025年上半年');
    await page.waitForSelector('body[data-state="ready"]');
    const h1 = await check(H1_2025, '2025年上半年');
    // The speech's figures, as the report writes them.
    const shown = Object.fromEntries((await tableRows(page, 'district-table')).map((row) => [row[0], row.slice(1)]));
    expect(shown['行政诉讼败诉率']![0]).toBe('1.8%');
    expect(shown['行政诉讼发案数（件）']![2]).toBe('−12.5%');
    expect(shown['负责人出庭应诉率']![0]).toBe('100%');
    expect(shown['执前和解成功率']![0]).toBe('46.2%');
    expect(shown['行政复议调解和解率']![0]).toBe('35%');
    expect(h1.judicial.issued + h1.procuratorial.issued).toBeGreaterThan(0);
    expect(h1.due).toBeGreaterThan(0);
    expect(page.url()).toBe(`${base}/reports/bulletin/?from=${H1_2025.from}&to=${H1_2025.to}`);
    expect(dialogs).toEqual([]);

    // Where runs leave their files (git-ignored); the README's copies in docs/screenshots/ are refreshed by hand after a look.
    mkdirSync(path.join(PROJECT_ROOT, '.data/screenshots'), { recursive: true });
    await page.screenshot({ path: path.join(PROJECT_ROOT, '.data/screenshots/bulletin-report.png'), fullPage: true });
    await page.close();
  }, 120_000);

  it('renders the PDF under the viewer’s own token: the district table is in its text, and both requests are logged as the viewer’s', async () => {
    const token = await issueDevToken(testConfig().auth, analyst, 600);
    const response = await fetch(`${base}/reports/bulletin.pdf?from=${H1_2025.from}&to=${H1_2025.to}`, {
      headers: { authorization: `Bearer ${token}`, 'x-purpose': 'STATISTICS' },
    });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('application/pdf');
    expect(response.headers.get('content-disposition')).toBe(
      `attachment; filename="bulletin-2025-01-01-2025-07-01.pdf"; filename*=UTF-8''${encodeURIComponent('信息通报-2025-01-01-2025-07-01.pdf')}`,
    );
    const requestId = response.headers.get('x-request-id');
    const pdf = Buffer.from(await response.arrayBuffer());
    expect(pdf.subarray(0, 5).toString()).toBe('%PDF-');
    const dir = mkdtempSync(path.join(os.tmpdir(), 'bulletin-pdf-'));
    const file = path.join(dir, 'bulletin.pdf');
    writeFileSync(file, pdf);
    const text = execFileSync('pdftotext', ['-layout', '-enc', 'UTF-8', file, '-'], { encoding: 'utf8' });
    // Its lines, page breaks and blank lines left out; -layout keeps a table row on one line, its
    // cells at least two spaces apart.
    const lines = text.split('\n').map((line) => line.replace(/\f/g, '').trim()).filter((line) => line !== '');
    expect(lines).toContain(`${records.districtName}府院府检联动信息通报（2025年上半年）`);
    // The district table whole, in order, from its heading to the next section's: the header, then
    // each row's label and its three figures, and nothing else.
    const start = lines.indexOf('一、全区主要指标（与去年同期对比）');
    const end = lines.indexOf('二、各单位综合排名');
    expect([start >= 0, end > start]).toEqual([true, true]);
    // Chromium repeats a table's header atop each page it runs onto: the repeats are not rows.
    const table = lines.slice(start, end).map((line) => line.split(/\s{2,}/));
    const header = JSON.stringify(['指标', '本期', '去年同期', '同比']);
    expect(table.filter((row, i) => i < 2 || JSON.stringify(row) !== header)).toEqual([
      ['一、全区主要指标（与去年同期对比）'],
      ['指标', '本期', '去年同期', '同比'],
      ...districtRows(recount(records, 'DISTRICT', H1_2025), recount(records, 'DISTRICT', lastYearOf(H1_2025))),
    ]);
    // Not the page's controls: the print stylesheet leaves them out.
    expect(text).not.toContain('生成通报');
    // The first page, for the README.
    execFileSync('pdftoppm', ['-png', '-r', '70', '-f', '1', '-l', '1', '-singlefile', file, path.join(PROJECT_ROOT, '.data/screenshots/bulletin-report-pdf')]);

    // The endpoint's record and the page's query inside the renderer: both the analyst's, for statistics.
    const log = client.db(AUDIT_DATABASE_NAME).collection('accessRecords');
    await expect
      .poll(async () => (await log.find({ 'principal.sub': analyst.sub, operationName: { $in: ['BulletinPdf', 'BulletinReport'] } }).toArray()).map((r) => [r.operationName, r.purpose, r.outcome, r.requestId === requestId]).sort(), { timeout: 10_000 })
      .toEqual(expect.arrayContaining([['BulletinPdf', 'STATISTICS', 'SERVED', true], ['BulletinReport', 'STATISTICS', 'SERVED', false]]));
  }, 60_000);

  it('refuses a PDF without a token, for another purpose, or for a malformed period, with stable codes', async () => {
    const url = (from: string, to: string) => `${base}/reports/bulletin.pdf?from=${from}&to=${to}`;
    const token = await issueDevToken(testConfig().auth, analyst, 600);
    const ask = async (target: string, headers: Record<string, string>) => {
      const response = await fetch(target, { headers });
      return { status: response.status, body: await response.json() };
    };
    expect(await ask(url(H1_2025.from, H1_2025.to), { 'x-purpose': 'STATISTICS' })).toEqual({
      status: 401,
      body: { errors: [{ message: expect.any(String), extensions: { code: 'UNAUTHENTICATED' } }] },
    });
    expect(await ask(url(H1_2025.from, H1_2025.to), { authorization: `Bearer ${token}`, 'x-purpose': 'CASE_HANDLING' })).toEqual({
      status: 403,
      body: { errors: [{ message: 'Not shared with you: PURPOSE_NOT_ALLOWED', extensions: { code: 'FORBIDDEN', reason: 'PURPOSE_NOT_ALLOWED' } }] },
    });
    for (const [from, to] of [['2025-07-01', '2025-01-01'], ['2025-02-30', '2025-07-01'], ['2025-01-01', 'soon']]) {
      expect(await ask(url(from!, to!), { authorization: `Bearer ${token}`, 'x-purpose': 'STATISTICS' })).toEqual({
        status: 400,
        body: { errors: [{ message: 'from and to must be dates (YYYY-MM-DD), from before to, at most 1830 days apart', extensions: { code: 'BAD_USER_INPUT', argument: 'period' } }] },
      });
    }
  });

  it('answers RENDERER_UNAVAILABLE without Chromium, DEADLINE_EXCEEDED past the deadline, and RENDERER_BUSY past the renders it may run at once or a second of one caller’s', async () => {
    const env = { KEYS_DIR: inject('keysDir'), AUDIT_CHECKPOINT_RECORDS: '5' };
    const token = await issueDevToken(testConfig().auth, analyst, 600);
    const headers = { authorization: `Bearer ${token}`, 'x-purpose': 'STATISTICS' };
    const missing = await startTestGateway(stack.subgraphs, loadConfig({ ...env, REPORT_CHROMIUM_PATH: '/nonexistent/chromium' }));
    try {
      const response = await fetch(`${missing.url.replace(/\/graphql$/, '')}/reports/bulletin.pdf?from=${H1_2025.from}&to=${H1_2025.to}`, { headers });
      expect({ status: response.status, body: await response.json() }).toEqual({
        status: 503,
        body: { errors: [{ message: 'The PDF renderer is not installed on this gateway; print the page from the browser instead', extensions: { code: 'RENDERER_UNAVAILABLE' } }] },
      });
    } finally {
      await missing.stop();
    }
    // Two at once (a render takes seconds): whichever arrives second is refused, the other served.
    const twoAtOnce = async (origin: string, callers: Record<string, string>[]) => {
      const target = `${origin}/reports/bulletin.pdf?from=${Q2_2025.from}&to=${Q2_2025.to}`;
      const answers = await Promise.all(
        callers.map(async (caller) => {
          const response = await fetch(target, { headers: caller });
          const type = response.headers.get('content-type');
          return [response.status, response.headers.get('retry-after'), type === 'application/pdf' ? type : await response.json()];
        }),
      );
      return answers.sort((a, b) => Number(a[0]) - Number(b[0]));
    };
    // A request deadline shorter than a render (about as long as Chromium takes to start): 503
    // DEADLINE_EXCEEDED, whichever step it falls in — not RENDERER_UNAVAILABLE, and no PDF.
    const hurried = await startTestGateway(stack.subgraphs, loadConfig({ ...env, REQUEST_DEADLINE_MS: '400' }));
    try {
      const response = await fetch(`${hurried.url.replace(/\/graphql$/, '')}/reports/bulletin.pdf?from=${H1_2025.from}&to=${H1_2025.to}`, { headers });
      expect({ status: response.status, body: await response.json() }).toEqual({
        status: 503,
        body: { errors: [{ message: 'The PDF took too long to render', extensions: { code: 'DEADLINE_EXCEEDED' } }] },
      });
    } finally {
      await hurried.stop();
    }
    const busy = { authorization: `Bearer ${await issueDevToken(testConfig().auth, { ...analyst, sub: 'report-test-busy' }, 600)}`, 'x-purpose': 'STATISTICS' };
    const single = await startTestGateway(stack.subgraphs, loadConfig({ ...env, REPORT_MAX_RENDERS: '1' }));
    try {
      // Two callers: the gateway's one slot is the limit.
      expect(await twoAtOnce(single.url.replace(/\/graphql$/, ''), [headers, busy])).toEqual([
        [200, null, 'application/pdf'],
        [503, '5', { errors: [{ message: 'The gateway is rendering as many PDFs as it may at once; try again shortly', extensions: { code: 'RENDERER_BUSY' } }] }],
      ]);
    } finally {
      await single.stop();
    }
    // The shared gateway may render two at once, but not two of one caller's: one analyst cannot hold every slot.
    expect(testConfig().reports.maxRenders).toBe(2);
    expect(await twoAtOnce(base, [busy, busy])).toEqual([
      [200, null, 'application/pdf'],
      [503, '5', { errors: [{ message: 'A PDF of yours is still rendering; try again when it is done', extensions: { code: 'RENDERER_BUSY' } }] }],
    ]);
  }, 90_000);

  it('compares a period ending on 29 February with the same days a year earlier, to 28 February', async () => {
    // [2024-02-01, 2024-02-29): the year before is [2023-02-01, 2023-03-01), as the server shifts it
    // (there is no 2023-02-29, which the Date scalar would refuse, failing the whole report).
    const period = { from: '2024-02-01', to: '2024-02-29' };
    const page = await browser.newPage({ locale: 'zh-CN' });
    const token = await issueDevToken(testConfig().auth, analyst, 600);
    await page.addInitScript(`sessionStorage.setItem('bulletinToken', ${JSON.stringify(token)})`);
    await page.goto(`${base}/reports/bulletin/?from=${period.from}&to=${period.to}`);
    await page.waitForSelector('body[data-state="ready"], body[data-state="error"]', { state: 'attached', timeout: 20_000 });
    expect(await page.getAttribute('body', 'data-state')).toBe('ready');
    expect(lastYearOf(period)).toEqual({ from: '2023-02-01', to: '2023-03-01' });
    expect(await page.textContent('#period-line')).toBe('统计期间：2024年2月1日至2024年2月28日；去年同期：2023年2月1日至2023年2月28日');
    expect(await tableRows(page, 'district-table')).toEqual(districtRows(recount(records, 'DISTRICT', period), recount(records, 'DISTRICT', lastYearOf(period))));
    expect(await page.$$eval('#notices li', (items) => items.length)).toBe(0);
    await page.close();
  }, 60_000);

  it('draws no report, and says why, when its settings (the weights) cannot be loaded', async () => {
    // A ranking under weights the gateway does not use would be wrong; the PDF renderer sees the
    // error state and ships nothing.
    const page = await browser.newPage({ locale: 'zh-CN' });
    const token = await issueDevToken(testConfig().auth, analyst, 600);
    await page.addInitScript(`sessionStorage.setItem('bulletinToken', ${JSON.stringify(token)})`);
    await page.route('**/reports/bulletin/settings.json', (route) => route.fulfill({ status: 503, contentType: 'application/json', body: '{}' }));
    const queries: string[] = [];
    page.on('request', (request) => void (request.url().endsWith('/graphql') && queries.push(request.url())));
    await page.goto(`${base}/reports/bulletin/?from=${Q2_2025.from}&to=${Q2_2025.to}`);
    await page.waitForSelector('body[data-state="error"]', { state: 'attached', timeout: 15_000 });
    expect({
      code: await page.getAttribute('body', 'data-error-code'),
      message: await page.textContent('#sign-in-error'),
      signIn: await page.isDisabled('#sign-in'),
      report: await page.isVisible('#bulletin'),
      queries,
    }).toEqual({
      code: 'SETTINGS_UNAVAILABLE',
      message: '无法生成通报：通报设置（指标权重、时区）未能加载，为免排名有误，暂不生成通报（SETTINGS_UNAVAILABLE）',
      signIn: true,
      report: false,
      queries: [],
    });
    await page.close();
  });

  it('tells a caller whose token is refused why, on the page (no alert)', async () => {
    const page = await browser.newPage({ locale: 'zh-CN' });
    const dialogs: string[] = [];
    page.on('dialog', (dialog) => void (dialogs.push(dialog.message()), dialog.dismiss()));
    await page.goto(`${base}/reports/bulletin/`);
    // Statistics are open to every role of every org (无条件共享, OPEN to the public); what keeps a
    // caller out is a token the gateway does not accept — here one issued for another audience.
    const foreign = await issueDevToken({ ...testConfig().auth, audience: 'another-graph' }, analyst, 600);
    await page.fill('#token', foreign);
    await page.click('#sign-in');
    await expect.poll(() => page.textContent('#sign-in-error'), { timeout: 15_000 }).toBe('登录失败：令牌无效或已过期，请重新登录（UNAUTHENTICATED）');
    expect(await page.isVisible('#report-panel')).toBe(false);
    expect(await page.evaluate("sessionStorage.getItem('bulletinToken')")).toBeNull();
    expect(dialogs).toEqual([]);
    await page.close();
  });
});
