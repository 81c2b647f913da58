// The auditors' workbench: plain browser JavaScript, every asset served by the gateway itself
// (these networks are closed: no CDN). It only calls the gateway's /graphql (and its export,
// /audit/export) as the signed-in auditor with purpose AUDIT, so every read it makes is logged
// like anyone's. Values from the log are written with textContent, never as HTML.
'use strict';

const ORGS = ['government', 'court', 'procuratorate', 'audit', 'partner'];
const PURPOSES = ['CASE_HANDLING', 'DISPUTE_RESOLUTION', 'SUPERVISION', 'STATISTICS', 'AUDIT'];
const OUTCOMES = ['SERVED', 'PARTIAL', 'REJECTED', 'FAILED'];
const INSTITUTIONS = ['government', 'court', 'procuratorate'];
const COLORS = { government: '#22577a', court: '#38a3a5', procuratorate: '#c08497', audit: '#8d99ae', partner: '#e9c46a', unknown: '#bbbbbb' };

const $ = (id) => document.getElementById(id);
let token = sessionStorage.getItem('auditToken') || '';
let cursors = [];

class ApiError extends Error {}

async function graphql(query, variables) {
  const response = await fetch('/graphql', {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}`, 'x-purpose': 'AUDIT' },
    body: JSON.stringify({ query, variables }),
  });
  const body = await response.json().catch(() => ({}));
  if (!response.ok || !body.data) {
    const first = (body.errors || [])[0];
    throw new ApiError(first ? `${first.extensions?.code || 'ERROR'}: ${first.message}` : `HTTP ${response.status}`);
  }
  const forbidden = (body.errors || []).find((e) => e.extensions?.code === 'FORBIDDEN');
  if (forbidden) throw new ApiError(`FORBIDDEN (${forbidden.extensions.reason}): this token may not read the access log`);
  return body.data;
}

function cell(row, text, className) {
  const td = document.createElement('td');
  td.textContent = text === null || text === undefined ? '—' : String(text);
  if (className) td.className = className;
  row.appendChild(td);
  return td;
}

function fill(tableId, items, render) {
  const tbody = $(tableId).querySelector('tbody');
  tbody.replaceChildren();
  for (const item of items) {
    const row = document.createElement('tr');
    render(row, item);
    tbody.appendChild(row);
  }
}

const when = (iso) => (iso ? iso.replace('T', ' ').replace(/\.\d+Z$/, 'Z') : '—');
const fromLocal = (value) => (value ? new Date(`${value}:00Z`).toISOString() : undefined);

// ---- Integrity warnings ----

// What every record is asked with: its place in its chain and the chain's verdict on it.
const INTEGRITY = 'chain seq integrity { ok firstBadSeq problem }';

// A record its chain's verification does not vouch for: at or after the chain's first bad record
// (verification stops there, so nothing after it is vouched for), or one that could not be
// checked (integrity null, with an error): a falsified record must never read as fact. Chinese
// first, for the supervision group's auditors, then English, as the page's title.
function integrityWarning(integrity) {
  if (integrity && integrity.ok) return null;
  if (!integrity) return '未能校验此记录，请勿采信 · The record could not be checked: do not rely on it';
  if (integrity.problem === 'UNVERIFIED') return '此记录未经校验，请勿采信 · No verification reached this record: do not rely on it';
  return `所在日志链自第 ${integrity.firstBadSeq} 条记录起校验失败（${integrity.problem}），此记录不可采信 · Its chain fails verification from sequence ${integrity.firstBadSeq} (${integrity.problem}): this record is not vouched for`;
}

// Marks a table row whose record is not vouched for: the row is tinted and its first cell says why.
function markRow(row, integrity) {
  const warning = integrityWarning(integrity);
  if (!warning) return;
  row.classList.add('not-vouched');
  const flag = document.createElement('span');
  flag.className = 'integrity-flag';
  flag.textContent = '⚠ 校验未通过 · not vouched for';
  flag.title = warning;
  row.firstElementChild.prepend(flag);
}

// ---- Sign in ----

async function signIn() {
  token = $('token').value.trim();
  $('sign-in-error').hidden = true;
  try {
    await graphql('query AuditSignIn { auditOverview { id } }');
  } catch (error) {
    $('sign-in-error').textContent = `Sign-in refused — ${error.message}`;
    $('sign-in-error').hidden = false;
    return;
  }
  sessionStorage.setItem('auditToken', token);
  const payload = atob(token.split('.')[1].replace(/-/g, '+').replace(/_/g, '/'));
  const claims = JSON.parse(new TextDecoder().decode(Uint8Array.from(payload, (c) => c.charCodeAt(0))));
  $('who').textContent = `Signed in as ${claims.name} (${claims.sub}), purpose AUDIT`;
  $('who').hidden = false;
  $('sign-in-panel').hidden = true;
  $('workbench').hidden = false;
  await Promise.all([loadChains(), loadActivity(), search()]);
}

// ---- Chains ----

// `full`: every chain read whole again (the "Verify again" button), not from where the last
// overview verified it.
async function loadChains(full = false) {
  const fields = 'institution chain ok records headSeq checkpointedSeq firstBadSeq problem unsignedTail';
  const data = await graphql(
    `query AuditChains($full: Boolean) { auditOverview {
      gatewayChains(full: $full) { ${fields} }
      governmentChains(full: $full) { ${fields} }
      courtChains(full: $full) { ${fields} }
      procuratorateChains(full: $full) { ${fields} }
    } }`,
    { full },
  );
  const o = data.auditOverview;
  const chains = [...o.gatewayChains, ...o.governmentChains, ...o.courtChains, ...o.procuratorateChains];
  fill('chains', chains, (row, c) => {
    cell(row, c.institution);
    cell(row, c.chain);
    cell(row, c.records);
    cell(row, c.checkpointedSeq);
    if (c.ok) cell(row, c.unsignedTail ? `verified (${c.unsignedTail} not yet signed)` : 'verified', 'status-ok');
    else cell(row, `FAILED at sequence ${c.firstBadSeq} (${c.problem})`, 'status-bad');
  });
}

// ---- Activity chart (SVG, drawn here) ----

async function loadActivity() {
  const to = new Date(Date.now() + 86400000).toISOString().slice(0, 10);
  const from = new Date(Date.now() - 13 * 86400000).toISOString().slice(0, 10);
  const data = await graphql('query AuditActivity($from: Date!, $to: Date!) { accessActivity(from: $from, to: $to) { day org requests denials } }', { from, to });
  drawActivity(data.accessActivity);
}

function drawActivity(rows) {
  const box = $('activity');
  box.replaceChildren();
  if (rows.length === 0) {
    box.textContent = 'No requests in the last two weeks.';
    return;
  }
  const days = [...new Set(rows.map((r) => r.day))].sort();
  const orgs = [...new Set(rows.map((r) => r.org))].sort();
  const legend = document.createElement('div');
  legend.className = 'legend';
  for (const org of orgs) {
    const span = document.createElement('span');
    span.style.setProperty('--swatch', COLORS[org] || '#999');
    span.textContent = org;
    legend.appendChild(span);
  }
  const hatch = document.createElement('span');
  hatch.style.setProperty('--swatch', '#b3261e');
  hatch.textContent = 'denials (dark part of each bar)';
  legend.appendChild(hatch);
  box.appendChild(legend);

  const max = Math.max(...rows.map((r) => r.requests));
  const barWidth = 14;
  const groupWidth = orgs.length * barWidth + 16;
  const height = 160;
  const ns = 'http://www.w3.org/2000/svg';
  const svg = document.createElementNS(ns, 'svg');
  svg.setAttribute('width', String(Math.max(300, days.length * groupWidth + 40)));
  svg.setAttribute('height', String(height + 30));
  svg.setAttribute('role', 'img');
  svg.setAttribute('aria-label', 'Requests and denials per institution per day');
  days.forEach((day, d) => {
    orgs.forEach((org, o) => {
      const r = rows.find((x) => x.day === day && x.org === org);
      if (!r) return;
      const x = 30 + d * groupWidth + o * barWidth;
      const h = (r.requests / max) * height;
      const dh = (r.denials / max) * height;
      const bar = document.createElementNS(ns, 'rect');
      bar.setAttribute('x', String(x));
      bar.setAttribute('y', String(height - h));
      bar.setAttribute('width', String(barWidth - 2));
      bar.setAttribute('height', String(h));
      bar.setAttribute('fill', COLORS[org] || '#999');
      const title = document.createElementNS(ns, 'title');
      title.textContent = `${day} ${org}: ${r.requests} requests, ${r.denials} with denials`;
      bar.appendChild(title);
      svg.appendChild(bar);
      if (dh > 0) {
        const denied = document.createElementNS(ns, 'rect');
        denied.setAttribute('x', String(x));
        denied.setAttribute('y', String(height - dh));
        denied.setAttribute('width', String(barWidth - 2));
        denied.setAttribute('height', String(dh));
        denied.setAttribute('fill', '#b3261e');
        denied.setAttribute('opacity', '0.75');
        denied.appendChild(title.cloneNode(true));
        svg.appendChild(denied);
      }
    });
    const label = document.createElementNS(ns, 'text');
    label.setAttribute('x', String(30 + d * groupWidth));
    label.setAttribute('y', String(height + 14));
    label.textContent = day.slice(5);
    svg.appendChild(label);
  });
  const top = document.createElementNS(ns, 'text');
  top.setAttribute('x', '0');
  top.setAttribute('y', '10');
  top.textContent = String(max);
  svg.appendChild(top);
  box.appendChild(svg);
}

// ---- Search ----

function currentFilter() {
  const filter = {
    principal: $('filter-principal').value.trim() || undefined,
    org: $('filter-org').value || undefined,
    purpose: $('filter-purpose').value || undefined,
    outcome: $('filter-outcome').value || undefined,
    operationName: $('filter-operation').value.trim() || undefined,
    from: fromLocal($('filter-from').value),
    to: fromLocal($('filter-to').value),
  };
  return Object.fromEntries(Object.entries(filter).filter(([, v]) => v !== undefined));
}

let latestSearch = 0;

async function search(after) {
  // Only the latest search may fill the table: an earlier, slower answer is dropped.
  const mine = ++latestSearch;
  const data = await graphql(
    `query AuditSearch($filter: AccessLogFilter, $after: String) { accessLog(filter: $filter, first: 20, after: $after) {
      totalCount pageInfo { hasNextPage endCursor }
      edges { node { requestId at principal { sub name org } purpose operationName outcome code denied { coordinate reason } ${INTEGRITY} } }
    } }`,
    { filter: currentFilter(), after: after || null },
  );
  if (mine !== latestSearch) return;
  const page = data.accessLog;
  $('log-count').textContent = `${page.totalCount} matching requests`;
  fill('log-table', page.edges.map((e) => e.node), (row, n) => {
    row.className = 'clickable';
    row.dataset.requestId = n.requestId;
    cell(row, when(n.at));
    cell(row, n.principal ? n.principal.sub : '(no valid token)');
    cell(row, n.principal ? n.principal.org : null);
    cell(row, n.purpose);
    cell(row, n.operationName);
    cell(row, n.code ? `${n.outcome} (${n.code})` : n.outcome);
    cell(row, n.denied.length ? n.denied.map((d) => `${d.coordinate} (${d.reason})`).join(', ') : '');
    markRow(row, n.integrity);
    row.addEventListener('click', () => showEntry(n.requestId));
  });
  $('next-page').disabled = !page.pageInfo.hasNextPage;
  $('next-page').dataset.cursor = page.pageInfo.endCursor || '';
}

async function showEntry(requestId) {
  const disclosure = `recordType recordId disclosed masked { field mask } refused { field reason } ${INTEGRITY}`;
  const data = await graphql(
    `query AuditEntry($id: ID!) { accessLogEntry(requestId: $id) {
      requestId at principal { sub name org roles unit } purpose operationName operationHash variablesDigest
      fields denied { coordinate path reason } subgraphs outcome code httpStatus durationMs ${INTEGRITY}
      governmentDisclosures { ${disclosure} }
      courtDisclosures { ${disclosure} }
      procuratorateDisclosures { ${disclosure} }
    } }`,
    { id: requestId },
  );
  const entry = data.accessLogEntry;
  const box = $('entry-detail');
  box.replaceChildren();
  const title = document.createElement('h3');
  title.textContent = `Request ${requestId}`;
  box.append(title);
  // Every record of the request that its chain does not vouch for: the gateway's, then each owner's.
  const flagged = [];
  if (entry) {
    const own = integrityWarning(entry.integrity);
    if (own) flagged.push(`gateway ${entry.chain} #${entry.seq}: ${own}`);
    for (const institution of INSTITUTIONS) {
      for (const d of entry[`${institution}Disclosures`] || []) {
        const warning = integrityWarning(d.integrity);
        if (warning) flagged.push(`${institution} ${d.recordType} ${d.recordId} (${d.chain} #${d.seq}): ${warning}`);
      }
    }
  }
  if (flagged.length) {
    const alertBox = document.createElement('div');
    alertBox.className = 'integrity-warning';
    alertBox.setAttribute('role', 'alert');
    const heading = document.createElement('strong');
    heading.textContent = '⚠ 以下记录未通过完整性校验，可能已被篡改 · These records are not vouched for by their chains and may have been falsified';
    const list = document.createElement('ul');
    for (const line of flagged) {
      const item = document.createElement('li');
      item.textContent = line;
      list.appendChild(item);
    }
    alertBox.append(heading, list);
    box.append(alertBox);
  }
  const pre = document.createElement('pre');
  pre.textContent = JSON.stringify(entry, null, 2);
  box.append(pre);
  box.hidden = false;
}

// ---- Export ----

// The gateway streams the export (GET /audit/export) as it reads the logs, with the same token and
// purpose as every other call (and logs it like them); the page gathers the chunks as they arrive
// into the file it saves. A file that does not end with the export's end line (the export failed,
// or the connection broke) is not saved: it would pass for a whole log.
async function exportLogs() {
  const to = fromLocal($('filter-to').value) || new Date().toISOString();
  const from = fromLocal($('filter-from').value) || new Date(Date.parse(to) - 86400000).toISOString();
  $('export').disabled = true;
  try {
    const response = await fetch(`/audit/export?${new URLSearchParams({ from, to })}`, {
      headers: { authorization: `Bearer ${token}`, 'x-purpose': 'AUDIT' },
    });
    if (!response.ok || !response.body) {
      const body = await response.json().catch(() => ({}));
      const first = (body.errors || [])[0];
      if (first && first.extensions?.code === 'FORBIDDEN') throw new ApiError(`FORBIDDEN (${first.extensions.reason}): this token may not export the logs`);
      throw new ApiError(first ? `${first.extensions?.code || 'ERROR'}: ${first.message}` : `HTTP ${response.status}`);
    }
    const chunks = [];
    const reader = response.body.getReader();
    for (let read = await reader.read(); !read.done; read = await reader.read()) chunks.push(read.value);
    const end = await lastLine(chunks);
    if (!end || end.kind !== 'end') {
      throw new ApiError(end && end.kind === 'error' ? `${end.code}: ${end.message} — nothing was saved` : 'The export was cut short — nothing was saved');
    }
    const named = /filename="([^"]+)"/.exec(response.headers.get('content-disposition') || '');
    const link = document.createElement('a');
    link.href = URL.createObjectURL(new Blob(chunks, { type: 'application/x-ndjson' }));
    link.download = named ? named[1] : 'audit-export.ndjson';
    document.body.appendChild(link);
    link.click();
    link.remove();
    setTimeout(() => URL.revokeObjectURL(link.href), 60000);
  } finally {
    $('export').disabled = false;
  }
}

/** The last line of a download (parsed), read from its last chunks only. */
async function lastLine(chunks) {
  const tail = [];
  for (let i = chunks.length - 1, size = 0; i >= 0 && size < 65536; i--) {
    tail.unshift(chunks[i]);
    size += chunks[i].length;
  }
  const text = (await new Blob(tail).text()).replace(/\n+$/, '');
  try {
    return JSON.parse(text.slice(text.lastIndexOf('\n') + 1));
  } catch {
    return null;
  }
}

// ---- Record history ----

// Each owner answers its side a page at a time, newest first. The table shows the pages merged,
// and only as far back as every owner with more to give has been read: a row older than that
// could still have a newer one of another owner after it.
const HISTORY_PAGE = 50;
let historyQuery = null;

async function history(event) {
  event.preventDefault();
  historyQuery = {
    type: $('history-type').value,
    id: $('history-id').value.trim(),
    from: fromLocal($('history-from').value) || null,
    to: fromLocal($('history-to').value) || null,
    owners: Object.fromEntries(INSTITUTIONS.map((i) => [i, { rows: [], cursor: null, hasNext: true, total: 0 }])),
  };
  await moreHistory();
}

async function moreHistory() {
  const q = historyQuery;
  const asked = INSTITUTIONS.filter((i) => q.owners[i].hasNext);
  const fields = `requestId institution at principal { sub name org } purpose disclosed masked { field mask } refused { field reason } request { operationName outcome } ${INTEGRITY}`;
  const sides = asked.map((i) => `${i}(first: $first, after: $${i}, from: $from, to: $to) { totalCount pageInfo { hasNextPage endCursor } edges { node { ${fields} } } }`);
  const data = await graphql(
    `query AuditRecordHistory($type: String!, $id: ID!, $first: Int, $from: DateTime, $to: DateTime, ${asked.map((i) => `$${i}: String`).join(', ')}) {
      recordAccessHistory(recordType: $type, recordId: $id) { ${sides.join(' ')} } }`,
    { type: q.type, id: q.id, first: HISTORY_PAGE, from: q.from, to: q.to, ...Object.fromEntries(asked.map((i) => [i, q.owners[i].cursor])) },
  );
  if (q !== historyQuery) return;
  for (const i of asked) {
    const page = (data.recordAccessHistory || {})[i];
    const owner = q.owners[i];
    if (!page) {
      owner.hasNext = false;
      continue;
    }
    owner.rows.push(...page.edges.map((e) => e.node));
    owner.cursor = page.pageInfo.endCursor;
    owner.hasNext = page.pageInfo.hasNextPage;
    owner.total = page.totalCount;
  }
  const owners = INSTITUTIONS.map((i) => q.owners[i]);
  const frontier = owners.filter((o) => o.hasNext && o.rows.length).map((o) => o.rows[o.rows.length - 1].at).sort().pop();
  const shown = owners
    .flatMap((o) => o.rows)
    .filter((d) => !frontier || d.at >= frontier)
    .sort((a, b) => b.at.localeCompare(a.at));
  const total = owners.reduce((sum, o) => sum + o.total, 0);
  $('history-count').textContent = `${total} disclosures of ${q.type} ${q.id}`;
  $('history-shown').textContent = shown.length < total ? `Newest ${shown.length} shown` : '';
  $('history-more').disabled = !owners.some((o) => o.hasNext);
  fill('history-table', shown, (row, d) => {
    cell(row, when(d.at));
    cell(row, d.institution);
    cell(row, d.principal ? `${d.principal.name} (${d.principal.sub})` : null);
    cell(row, d.principal ? d.principal.org : null);
    cell(row, d.purpose);
    cell(row, d.disclosed.join(', '));
    cell(row, d.masked.map((m) => `${m.field} (${m.mask})`).join(', '));
    cell(row, d.refused.map((r) => `${r.field} (${r.reason})`).join(', '));
    cell(row, d.request ? `${d.request.operationName || '(anonymous)'} · ${d.request.outcome}` : d.requestId);
    markRow(row, d.integrity);
  });
}

// ---- Wiring ----

function options(selectId, values) {
  for (const value of values) {
    const option = document.createElement('option');
    option.value = value;
    option.textContent = value;
    $(selectId).appendChild(option);
  }
}

function report(error) {
  const message = error instanceof ApiError ? error.message : 'The gateway could not be reached';
  alert(message);
}

document.addEventListener('DOMContentLoaded', () => {
  options('filter-org', ORGS);
  options('filter-purpose', PURPOSES);
  options('filter-outcome', OUTCOMES);
  $('token').value = token;
  $('sign-in').addEventListener('click', () => signIn().catch(report));
  $('log-filter').addEventListener('submit', (event) => {
    event.preventDefault();
    cursors = [];
    search().catch(report);
  });
  $('first-page').addEventListener('click', () => {
    cursors = [];
    search().catch(report);
  });
  $('next-page').addEventListener('click', () => {
    cursors.push($('next-page').dataset.cursor);
    search(cursors[cursors.length - 1]).catch(report);
  });
  $('history-form').addEventListener('submit', (event) => history(event).catch(report));
  $('history-more').addEventListener('click', () => moreHistory().catch(report));
  $('verify').addEventListener('click', () => loadChains(true).catch(report));
  $('export').addEventListener('click', () => exportLogs().catch(report));
  if (token) signIn().catch(report);
});
