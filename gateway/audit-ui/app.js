// The auditors' workbench: plain browser JavaScript, every asset served by the gateway itself
// (these networks are closed: no CDN). It only calls the gateway's /graphql as the signed-in
// auditor with purpose AUDIT, so every read it makes is logged like anyone's. Values from the log
// are written with textContent, never as HTML.
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
      edges { node { requestId at principal { sub name org } purpose operationName outcome code denied { coordinate reason } } }
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
    row.addEventListener('click', () => showEntry(n.requestId));
  });
  $('next-page').disabled = !page.pageInfo.hasNextPage;
  $('next-page').dataset.cursor = page.pageInfo.endCursor || '';
}

async function showEntry(requestId) {
  const data = await graphql(
    `query AuditEntry($id: ID!) { accessLogEntry(requestId: $id) {
      requestId chain seq at principal { sub name org roles unit } purpose operationName operationHash variablesDigest
      fields denied { coordinate path reason } subgraphs outcome code httpStatus durationMs
      governmentDisclosures { recordType recordId disclosed refused { field reason } }
      courtDisclosures { recordType recordId disclosed refused { field reason } }
      procuratorateDisclosures { recordType recordId disclosed refused { field reason } }
    } }`,
    { id: requestId },
  );
  const box = $('entry-detail');
  box.replaceChildren();
  const title = document.createElement('h3');
  title.textContent = `Request ${requestId}`;
  const pre = document.createElement('pre');
  pre.textContent = JSON.stringify(data.accessLogEntry, null, 2);
  box.append(title, pre);
  box.hidden = false;
}

// ---- Export ----

async function exportLogs() {
  const to = fromLocal($('filter-to').value) || new Date().toISOString();
  const from = fromLocal($('filter-from').value) || new Date(Date.parse(to) - 86400000).toISOString();
  const data = await graphql(
    'query AuditExport($from: DateTime!, $to: DateTime!) { auditExport(from: $from, to: $to) { gateway government court procuratorate } }',
    { from, to },
  );
  const e = data.auditExport;
  const ndjson = [e.gateway, e.government, e.court, e.procuratorate].filter(Boolean).join('');
  const link = document.createElement('a');
  link.href = URL.createObjectURL(new Blob([ndjson], { type: 'application/x-ndjson' }));
  link.download = `audit-export-${from.slice(0, 19).replace(/:/g, '')}-${to.slice(0, 19).replace(/:/g, '')}.ndjson`;
  document.body.appendChild(link);
  link.click();
  link.remove();
}

// ---- Record history ----

async function history(event) {
  event.preventDefault();
  const type = $('history-type').value;
  const id = $('history-id').value.trim();
  const fields = 'requestId institution at principal { sub name org } purpose disclosed refused { field reason } request { operationName outcome }';
  const data = await graphql(
    `query AuditRecordHistory($type: String!, $id: ID!) { recordAccessHistory(recordType: $type, recordId: $id) {
      government { ${fields} } court { ${fields} } procuratorate { ${fields} } } }`,
    { type, id },
  );
  const h = data.recordAccessHistory;
  const all = INSTITUTIONS.flatMap((i) => h[i] || []).sort((a, b) => a.at.localeCompare(b.at));
  $('history-count').textContent = `${all.length} disclosures of ${type} ${id}`;
  fill('history-table', all, (row, d) => {
    cell(row, when(d.at));
    cell(row, d.institution);
    cell(row, d.principal ? `${d.principal.name} (${d.principal.sub})` : null);
    cell(row, d.principal ? d.principal.org : null);
    cell(row, d.purpose);
    cell(row, d.disclosed.join(', '));
    cell(row, d.refused.map((r) => `${r.field} (${r.reason})`).join(', '));
    cell(row, d.request ? `${d.request.operationName || '(anonymous)'} · ${d.request.outcome}` : d.requestId);
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
  $('verify').addEventListener('click', () => loadChains(true).catch(report));
  $('export').addEventListener('click', () => exportLogs().catch(report));
  if (token) signIn().catch(report);
});
