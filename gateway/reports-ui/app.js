// The information bulletin (信息通报): plain browser JavaScript, every asset served by the gateway
// itself (these networks are closed: no CDN, no chart library). Every number is fetched from the
// gateway's /graphql under the signed-in viewer's own token, with purpose STATISTICS, so the report
// shows what that viewer may see (and the access log records that they saw it). The PDF is this
// same page, rendered by the gateway's Chromium under the same token (gateway/reports-page.ts).
// Values are written with textContent, never as HTML.
import { INDICATORS, litigationIncidence, rankAgencies, scoreText } from './score.js';

const $ = (id) => document.getElementById(id);
const TOKEN_KEY = 'bulletinToken';
let token = sessionStorage.getItem(TOKEN_KEY) || '';
// The composite score's weights and the district's time zone (settings.json). No defaults: a
// ranking under weights the gateway does not use would be a wrong ranking, so without them the page
// reports an error and draws nothing (and the PDF renderer, seeing that, ships no PDF).
let settings = null;
let shown = null; // the period on screen: { from, to } (half-open)

class ApiError extends Error {
  constructor(code, message) {
    super(message);
    this.code = code;
  }
}

// What a refusal means, for the statistics officer (the code stays beside it, for support).
const EXPLAIN = {
  UNAUTHENTICATED: '令牌无效或已过期，请重新登录',
  FORBIDDEN: '此账号无权查阅统计数据',
  PURPOSE_REQUIRED: '请求未声明用途',
  RATE_LIMITED: '请求过于频繁，请稍后再试',
  COST_LIMIT_EXCEEDED: '查询范围过大',
  BAD_USER_INPUT: '统计期间不正确',
  SUBGRAPH_UNAVAILABLE: '相关机构数据暂不可用',
  DEADLINE_EXCEEDED: '查询超时，请稍后再试',
  RENDERER_UNAVAILABLE: 'PDF 生成服务不可用',
  RENDERER_BUSY: 'PDF 生成繁忙，请稍后再试',
  IDENTITY_PROVIDER_UNAVAILABLE: '身份认证服务暂不可用',
  AUDIT_UNAVAILABLE: '访问日志暂不可用，请求未执行',
  SETTINGS_UNAVAILABLE: '通报设置（指标权重、时区）未能加载，为免排名有误，暂不生成通报',
};
const INSTITUTION_NAMES = { government: '区政府', court: '区法院', procuratorate: '区检察院' };
const explain = (code, message) => `${EXPLAIN[code] || '服务暂不可用'}（${code}${message && !EXPLAIN[code] ? `: ${message}` : ''}）`;

async function graphql(query, variables, operationName) {
  let response;
  try {
    response = await fetch('/graphql', {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}`, 'x-purpose': 'STATISTICS' },
      body: JSON.stringify({ query, variables, operationName }),
    });
  } catch {
    throw new ApiError('NETWORK', '无法连接网关');
  }
  const body = await response.json().catch(() => ({}));
  if (!response.ok || !body.data) {
    const first = (body.errors || [])[0];
    throw new ApiError(first?.extensions?.code || `HTTP_${response.status}`, first?.message || '');
  }
  return body;
}

// ---- Numbers, in Chinese conventions: 1.8% (not 0.018), 1,234 件, dates 2025年1月1日 ----

const intFormat = new Intl.NumberFormat('zh-CN', { maximumFractionDigits: 0 });
const oneDecimal = (x) => {
  const text = (Math.round(x * 10) / 10).toFixed(1);
  return text.endsWith('.0') ? text.slice(0, -2) : text;
};
const isNum = (x) => typeof x === 'number' && Number.isFinite(x);
export const fmt = {
  count: (x) => (isNum(x) ? intFormat.format(x) : '—'),
  pct: (x) => (isNum(x) ? `${oneDecimal(x * 100)}%` : '—'),
  per100: (x) => (isNum(x) ? oneDecimal(x) : '—'),
  score: scoreText, // as the ranking compares it
  // A count's change: relative (−12.5%); a rate's: in percentage points (−0.6个百分点).
  countChange: (now, before) => (isNum(now) && isNum(before) && before !== 0 ? signed(`${oneDecimal(((now - before) / before) * 100)}%`, now - before) : '—'),
  rateChange: (now, before) => (isNum(now) && isNum(before) ? signed(`${oneDecimal((now - before) * 100)}个百分点`, now - before) : '—'),
  per100Change: (now, before) => (isNum(now) && isNum(before) ? signed(oneDecimal(now - before), now - before) : '—'),
};
function signed(text, delta) {
  if (text.replace(/[^1-9]/g, '') === '') return '持平';
  return delta > 0 ? `+${text}` : text.replace(/^-/, '−');
}

// ---- Periods: half-open [from, to), dates as YYYY-MM-DD strings ----

const pad = (n) => String(n).padStart(2, '0');
const ymd = (y, m, d) => `${y}-${pad(m)}-${pad(d)}`;
function addDays(date, days) {
  const [y, m, d] = date.split('-').map(Number);
  const t = new Date(Date.UTC(y, m - 1, d + days));
  return ymd(t.getUTCFullYear(), t.getUTCMonth() + 1, t.getUTCDate());
}
/** The same day `years` later (earlier, if negative), as the server's yearEarlier (platform/input.ts) shifts a period: 29 February to 1 March. */
function shiftYear(date, years) {
  const [y, m, d] = date.split('-').map(Number);
  const t = new Date(Date.UTC(y + years, m - 1, d));
  return ymd(t.getUTCFullYear(), t.getUTCMonth() + 1, t.getUTCDate());
}
const isDate = (s) => typeof s === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(s) && addDays(s, 0) === s;
const chineseDate = (date) => `${Number(date.slice(0, 4))}年${Number(date.slice(5, 7))}月${Number(date.slice(8, 10))}日`;

function periodFromForm() {
  const kind = $('period-kind').value;
  const year = Number($('year').value);
  if (kind === 'custom') {
    const from = $('from').value;
    const last = $('to').value;
    if (!isDate(from) || !isDate(last) || last < from) throw new ApiError('BAD_USER_INPUT', '请填写起始日和截止日，截止日不早于起始日');
    return { from, to: addDays(last, 1) };
  }
  if (!Number.isInteger(year) || year < 2000 || year > 2100) throw new ApiError('BAD_USER_INPUT', '请填写年份');
  if (kind === 'year') return { from: ymd(year, 1, 1), to: ymd(year + 1, 1, 1) };
  if (kind === 'half') {
    const h = Number($('half').value);
    return h === 1 ? { from: ymd(year, 1, 1), to: ymd(year, 7, 1) } : { from: ymd(year, 7, 1), to: ymd(year + 1, 1, 1) };
  }
  const q = Number($('quarter').value);
  return { from: ymd(year, 3 * q - 2, 1), to: q === 4 ? ymd(year + 1, 1, 1) : ymd(year, 3 * q + 1, 1) };
}

/** What the period is called in the title: 2025年第二季度, 2025年上半年, 2025年度, or its dates. */
function periodName({ from, to }) {
  const y = Number(from.slice(0, 4));
  const md = from.slice(5);
  if (md === '01-01' && to === ymd(y + 1, 1, 1)) return `${y}年度`;
  if (md === '01-01' && to === ymd(y, 7, 1)) return `${y}年上半年`;
  if (md === '07-01' && to === ymd(y + 1, 1, 1)) return `${y}年下半年`;
  const quarters = ['一', '二', '三', '四'];
  for (let q = 1; q <= 4; q++) {
    if (from === ymd(y, 3 * q - 2, 1) && to === (q === 4 ? ymd(y + 1, 1, 1) : ymd(y, 3 * q + 1, 1))) return `${y}年第${quarters[q - 1]}季度`;
  }
  return `${chineseDate(from)}至${chineseDate(addDays(to, -1))}`;
}

/** Sets the form to a period (from the address, or the default). */
function showPeriodInForm({ from, to }) {
  const y = Number(from.slice(0, 4));
  $('year').value = String(y);
  const name = periodName({ from, to });
  if (name.endsWith('年度')) $('period-kind').value = 'year';
  else if (name.endsWith('半年')) {
    $('period-kind').value = 'half';
    $('half').value = name.includes('上') ? '1' : '2';
  } else if (name.endsWith('季度')) {
    $('period-kind').value = 'quarter';
    $('quarter').value = String((Number(from.slice(5, 7)) + 2) / 3);
  } else $('period-kind').value = 'custom';
  $('from').value = from;
  $('to').value = addDays(to, -1);
  kindChanged();
}

function kindChanged() {
  const kind = $('period-kind').value;
  for (const el of document.querySelectorAll('.for-fixed')) el.hidden = kind === 'custom';
  for (const el of document.querySelectorAll('.for-quarter')) el.hidden = kind !== 'quarter';
  for (const el of document.querySelectorAll('.for-half')) el.hidden = kind !== 'half';
  for (const el of document.querySelectorAll('.for-custom')) el.hidden = kind !== 'custom';
}

/** The last complete quarter, in the district's time zone. */
function defaultPeriod() {
  const today = new Intl.DateTimeFormat('en-CA', { timeZone: settings.timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(new Date());
  const y = Number(today.slice(0, 4));
  const q = Math.floor((Number(today.slice(5, 7)) - 1) / 3) + 1;
  return q === 1 ? { from: ymd(y - 1, 10, 1), to: ymd(y, 1, 1) } : { from: ymd(y, 3 * (q - 1) - 2, 1), to: ymd(y, 3 * (q - 1) + 1, 1) };
}

// ---- The query: the bulletin for the period, the district for the same period a year earlier ----

const stats = (p) => `
  litigationStats(period: $${p}) { filed closed lost lossRate hearings headAppearances headAppearanceRate }
  enforcementStats(period: $${p}) { preSettlementAttempted preSettlementSucceeded preSettlementRate }
  reconsiderationStats(period: $${p}) { closed corrected correctionRate mediatedOrSettled mediationSettlementRate }
  disputeStats(period: $${p}) { handled major substantivelyResolved substantiveResolutionRate }
  supervisionStats(period: $${p}) { opened suggestionsIssued }
  judicialSuggestionStats(period: $${p}) { issued replied adopted replyRate adoptionRate }
  procuratorialSuggestionStats(period: $${p}) { issued replied adopted replyRate adoptionRate }
  actStats(period: $${p}) { decided }
  judgmentPerformanceStats(period: $${p}) { due performed performanceRate }`;

const QUERY = `query BulletinReport($period: Period!, $lastYear: Period!) {
  bulletin(period: $period) { from to district { id name ${stats('period')} } agencies { id name ${stats('period')} } }
  lastYear: district { id ${stats('lastYear')} }
}`;

const get = (object, path) => path.split('.').reduce((o, k) => (o === null || o === undefined ? null : o[k]), object);
const sum = (...xs) => (xs.every(isNum) ? xs.reduce((a, b) => a + b, 0) : null);
const ratio = (n, d) => (isNum(n) && isNum(d) && d !== 0 ? n / d : null);

/** Both kinds of suggestion together: replies per suggestion issued, adoptions per reply. */
function suggestionRates(unit) {
  const issued = sum(get(unit, 'judicialSuggestionStats.issued'), get(unit, 'procuratorialSuggestionStats.issued'));
  const replied = sum(get(unit, 'judicialSuggestionStats.replied'), get(unit, 'procuratorialSuggestionStats.replied'));
  const adopted = sum(get(unit, 'judicialSuggestionStats.adopted'), get(unit, 'procuratorialSuggestionStats.adopted'));
  return { issued, replyRate: ratio(replied, issued), adoptionRate: ratio(adopted, replied) };
}

const incidenceOf = (unit) => litigationIncidence(get(unit, 'litigationStats.filed'), get(unit, 'actStats.decided'));

// The district table's rows: label, the value's path (or a function), and its kind.
const DISTRICT_ROWS = [
  ['行政诉讼发案数（件）', 'litigationStats.filed', 'count'],
  ['行政行为作出数（件）', 'actStats.decided', 'count'],
  ['诉讼发案率（件/百件行政行为）', incidenceOf, 'per100'],
  ['行政诉讼结案数（件）', 'litigationStats.closed', 'count'],
  ['行政诉讼败诉数（件）', 'litigationStats.lost', 'count'],
  ['行政诉讼败诉率', 'litigationStats.lossRate', 'pct'],
  ['负责人出庭应诉率', 'litigationStats.headAppearanceRate', 'pct'],
  ['执前和解成功率', 'enforcementStats.preSettlementRate', 'pct'],
  ['行政复议审结数（件）', 'reconsiderationStats.closed', 'count'],
  ['行政复议纠错率', 'reconsiderationStats.correctionRate', 'pct'],
  ['行政复议调解和解率', 'reconsiderationStats.mediationSettlementRate', 'pct'],
  ['联动化解争议数（件）', 'disputeStats.handled', 'count'],
  ['其中重大疑难争议（件）', 'disputeStats.major', 'count'],
  ['实质性化解率', 'disputeStats.substantiveResolutionRate', 'pct'],
  ['司法建议发出数（件）', 'judicialSuggestionStats.issued', 'count'],
  ['司法建议回复率', 'judicialSuggestionStats.replyRate', 'pct'],
  ['司法建议采纳率', 'judicialSuggestionStats.adoptionRate', 'pct'],
  ['检察建议发出数（件）', 'procuratorialSuggestionStats.issued', 'count'],
  ['检察建议回复率', 'procuratorialSuggestionStats.replyRate', 'pct'],
  ['检察建议采纳率', 'procuratorialSuggestionStats.adoptionRate', 'pct'],
  ['应履行生效判决数（件）', 'judgmentPerformanceStats.due', 'count'],
  ['生效判决履行率', 'judgmentPerformanceStats.performanceRate', 'pct'],
  ['行政检察监督案件受理数（件）', 'supervisionStats.opened', 'count'],
];
const CHANGE = { count: fmt.countChange, pct: fmt.rateChange, per100: fmt.per100Change };
const valueOf = (unit, path) => (typeof path === 'function' ? path(unit) : get(unit, path));

function cell(row, text, className) {
  const td = document.createElement('td');
  td.textContent = text;
  if (className) td.className = className;
  row.appendChild(td);
  return td;
}

function fill(table, rows) {
  const tbody = $(table).querySelector('tbody');
  tbody.replaceChildren(...rows);
}

// ---- Loading and drawing ----

async function load(period) {
  document.body.dataset.state = 'loading';
  $('error').hidden = true;
  const lastYear = { from: shiftYear(period.from, -1), to: shiftYear(period.to, -1) };
  const body = await graphql(QUERY, { period, lastYear }, 'BulletinReport');
  const bulletin = body.data.bulletin;
  if (!bulletin) {
    const first = (body.errors || [])[0];
    throw new ApiError(first?.extensions?.code || 'INTERNAL_SERVER_ERROR', first?.message || '');
  }
  shown = period;
  render(bulletin, body.data.lastYear, lastYear, body.errors || []);
  history.replaceState(null, '', `?from=${period.from}&to=${period.to}`);
  document.body.dataset.state = 'ready';
}

function render(bulletin, lastYear, lastYearPeriod, errors) {
  const period = { from: bulletin.from, to: bulletin.to };
  const districtName = bulletin.district?.name || '本区';
  $('title').textContent = `${districtName}府院府检联动信息通报（${periodName(period)}）`;
  document.title = `信息通报 · ${periodName(period)}`;
  $('period-line').textContent = `统计期间：${chineseDate(period.from)}至${chineseDate(addDays(period.to, -1))}；去年同期：${chineseDate(lastYearPeriod.from)}至${chineseDate(addDays(lastYearPeriod.to, -1))}`;
  const now = new Intl.DateTimeFormat('zh-CN', { timeZone: settings.timeZone, year: 'numeric', month: 'long', day: 'numeric', hour: '2-digit', minute: '2-digit', hour12: false }).format(new Date());
  $('generated').textContent = `生成时间：${now}（${settings.timeZone === 'Asia/Shanghai' ? '北京时间' : settings.timeZone}）· 数据来源：区政府、区法院、区检察院（经联动数据共享网关按查阅人权限获取）`;

  // What this viewer could not be given, said once above the tables.
  const notices = [];
  for (const error of errors) {
    const code = error.extensions?.code || 'ERROR';
    const who = INSTITUTION_NAMES[error.extensions?.institution || error.extensions?.serviceName] || '';
    const reason = error.extensions?.reason ? ` ${error.extensions.reason}` : '';
    const text = `${who ? `${who}：` : ''}${EXPLAIN[code] || '部分数据未能获取'}（${code}${reason}），相关指标显示为“—”`;
    if (!notices.includes(text)) notices.push(text);
  }
  $('notices').replaceChildren(...notices.map((text) => Object.assign(document.createElement('li'), { textContent: text })));
  $('notices').hidden = notices.length === 0;

  fill(
    'district-table',
    DISTRICT_ROWS.map(([label, path, kind]) => {
      const row = document.createElement('tr');
      const now = valueOf(bulletin.district, path);
      const before = valueOf(lastYear, path);
      cell(row, label);
      cell(row, fmt[kind](now), 'num');
      cell(row, fmt[kind](before), 'num');
      cell(row, CHANGE[kind](now, before), 'num');
      return row;
    }),
  );

  const agencies = (bulletin.agencies || []).map((a) => ({
    id: a.id,
    name: a.name,
    unit: a,
    values: {
      incidence: incidenceOf(a),
      loss: get(a, 'litigationStats.lossRate'),
      correction: get(a, 'reconsiderationStats.correctionRate'),
      resolution: get(a, 'disputeStats.substantiveResolutionRate'),
    },
  }));
  const ranked = rankAgencies(agencies, settings.weights);
  const w = settings.weights;
  $('score-note').textContent =
    `综合得分（0–100）= 各指标得分按权重加权平均：诉讼发案率 ${w.incidence}、败诉率 ${w.loss}、复议纠错率 ${w.correction}、实质性化解率 ${w.resolution}。` +
    '每项指标在各单位间按最优 100 分、最差 0 分线性计分（发案率、败诉率、纠错率越低越好，实质性化解率越高越好）；无统计基数的指标不计入该单位得分。';
  fill(
    'agency-table',
    ranked.map((a) => {
      const row = document.createElement('tr');
      row.dataset.agency = a.id;
      const s = suggestionRates(a.unit);
      cell(row, String(a.rank), 'num');
      cell(row, a.name);
      cell(row, fmt.score(a.score), 'num score');
      cell(row, fmt.count(get(a.unit, 'litigationStats.filed')), 'num');
      cell(row, fmt.per100(a.values.incidence), 'num');
      cell(row, fmt.pct(a.values.loss), 'num');
      cell(row, fmt.pct(a.values.correction), 'num');
      cell(row, fmt.pct(a.values.resolution), 'num');
      cell(row, fmt.pct(s.replyRate), 'num');
      cell(row, fmt.pct(s.adoptionRate), 'num');
      cell(row, fmt.pct(get(a.unit, 'judgmentPerformanceStats.performanceRate')), 'num');
      return row;
    }),
  );

  // One chart per indicator, agencies in rank order.
  const charts = [
    ...INDICATORS.map(({ key, label, unit }) => ({ key, label: `${label}${unit === '%' ? '' : `（${unit}）`}`, kind: unit === '%' ? 'pct' : 'per100', value: (a) => a.values[key] })),
    { key: 'replyRate', label: '建议回复率（司法建议、检察建议）', kind: 'pct', value: (a) => suggestionRates(a.unit).replyRate },
    { key: 'adoptionRate', label: '建议采纳率（司法建议、检察建议）', kind: 'pct', value: (a) => suggestionRates(a.unit).adoptionRate },
    { key: 'performanceRate', label: '生效判决履行率', kind: 'pct', value: (a) => get(a.unit, 'judgmentPerformanceStats.performanceRate') },
  ];
  $('charts').replaceChildren(...charts.map((chart) => barChart(chart, ranked)));
  $('bulletin').hidden = false;
}

const SVG = 'http://www.w3.org/2000/svg';
function svg(name, attributes, text) {
  const el = document.createElementNS(SVG, name);
  for (const [k, v] of Object.entries(attributes)) el.setAttribute(k, String(v));
  if (text !== undefined) el.textContent = text;
  return el;
}

/** A horizontal bar chart of one indicator, its value written on each bar. */
function barChart({ key, label, kind, value }, agencies) {
  const figure = document.createElement('figure');
  figure.className = 'chart';
  figure.dataset.indicator = key;
  const caption = document.createElement('figcaption');
  caption.textContent = label;
  figure.appendChild(caption);
  const rowHeight = 20;
  const labelWidth = 170;
  const barWidth = 300;
  const height = agencies.length * rowHeight + 4;
  const chart = svg('svg', { viewBox: `0 0 ${labelWidth + barWidth + 70} ${height}`, role: 'img', 'aria-label': label });
  const values = agencies.map(value);
  const max = Math.max(kind === 'pct' ? 1 : 0, ...values.filter(isNum)) || 1;
  agencies.forEach((agency, i) => {
    const v = values[i];
    const y = i * rowHeight + 2;
    chart.appendChild(svg('text', { x: labelWidth - 6, y: y + 13, 'text-anchor': 'end', class: 'name' }, agency.name));
    const width = isNum(v) ? Math.max(1, (v / max) * barWidth) : 0;
    if (isNum(v)) chart.appendChild(svg('rect', { x: labelWidth, y: y + 2, width, height: rowHeight - 6, class: 'bar' }));
    chart.appendChild(svg('text', { x: labelWidth + width + 4, y: y + 13, class: 'value' }, fmt[kind](v)));
  });
  figure.appendChild(chart);
  return figure;
}

function showError(error) {
  document.body.dataset.state = 'error';
  document.body.dataset.errorCode = error.code || 'ERROR';
  $('error').textContent = `无法生成通报：${explain(error.code, error.message)}`;
  $('error').hidden = false;
}

// ---- Sign in, period, print, PDF ----

function claimsOf(jwt) {
  try {
    const payload = atob(jwt.split('.')[1].replace(/-/g, '+').replace(/_/g, '/'));
    return JSON.parse(new TextDecoder().decode(Uint8Array.from(payload, (c) => c.charCodeAt(0))));
  } catch {
    return null;
  }
}

function periodFromAddress() {
  const params = new URLSearchParams(location.search);
  const from = params.get('from');
  const to = params.get('to');
  return isDate(from) && isDate(to) && from < to ? { from, to } : null;
}

async function signIn(candidate) {
  token = candidate;
  $('sign-in-error').hidden = true;
  const period = periodFromAddress() || defaultPeriod();
  showPeriodInForm(period);
  try {
    await load(period);
  } catch (error) {
    // Refused at sign-in: say why where the token was pasted, and keep nothing.
    sessionStorage.removeItem(TOKEN_KEY);
    document.body.dataset.state = 'error';
    document.body.dataset.errorCode = error.code || 'ERROR';
    $('sign-in-error').textContent = `登录失败：${explain(error.code, error.message)}`;
    $('sign-in-error').hidden = false;
    $('report-panel').hidden = true;
    $('sign-in-panel').hidden = false;
    return;
  }
  sessionStorage.setItem(TOKEN_KEY, token);
  const claims = claimsOf(token) || {};
  $('who').textContent = `当前用户：${claims.name ?? ''}（${claims.sub ?? ''}，${claims.org ?? ''} · ${(claims.roles || []).join('、')}），用途：统计 STATISTICS`;
  $('who').hidden = false;
  $('sign-in-panel').hidden = true;
  $('report-panel').hidden = false;
}

async function downloadPdf() {
  if (!shown) return;
  $('pdf').disabled = true;
  $('error').hidden = true;
  try {
    const response = await fetch(`/reports/bulletin.pdf?from=${shown.from}&to=${shown.to}`, {
      headers: { authorization: `Bearer ${token}`, 'x-purpose': 'STATISTICS' },
    });
    if (!response.ok) {
      const body = await response.json().catch(() => ({}));
      const first = (body.errors || [])[0];
      throw new ApiError(first?.extensions?.code || `HTTP_${response.status}`, first?.message || '');
    }
    const url = URL.createObjectURL(await response.blob());
    const link = Object.assign(document.createElement('a'), { href: url, download: `信息通报_${shown.from}_${addDays(shown.to, -1)}.pdf` });
    document.body.appendChild(link);
    link.click();
    link.remove();
    setTimeout(() => URL.revokeObjectURL(url), 60_000);
  } catch (error) {
    $('error').textContent = `PDF 下载失败：${explain(error.code, error.message)}`;
    $('error').hidden = false;
  } finally {
    $('pdf').disabled = false;
  }
}

/** settings.json, checked: the four weights (numbers) and a time zone Intl knows; null otherwise. */
async function loadSettings() {
  try {
    const response = await fetch('settings.json');
    if (!response.ok) return null;
    const body = await response.json();
    const weightsOk = ['incidence', 'loss', 'correction', 'resolution'].every((k) => isNum(body?.weights?.[k]));
    if (!weightsOk || typeof body.timeZone !== 'string') return null;
    new Intl.DateTimeFormat('en-CA', { timeZone: body.timeZone });
    return { weights: body.weights, timeZone: body.timeZone };
  } catch {
    return null;
  }
}

async function start() {
  settings = await loadSettings();
  if (!settings) {
    document.body.dataset.state = 'error';
    document.body.dataset.errorCode = 'SETTINGS_UNAVAILABLE';
    $('sign-in-error').textContent = `无法生成通报：${explain('SETTINGS_UNAVAILABLE')}`;
    $('sign-in-error').hidden = false;
    $('sign-in').disabled = true;
    return;
  }
  $('period-kind').addEventListener('change', kindChanged);
  $('sign-in').addEventListener('click', () => signIn($('token').value.trim()));
  $('period-form').addEventListener('submit', async (event) => {
    event.preventDefault();
    try {
      await load(periodFromForm());
    } catch (error) {
      showError(error);
    }
  });
  $('print').addEventListener('click', () => window.print());
  $('pdf').addEventListener('click', downloadPdf);
  if (token) await signIn(token);
}

start();
