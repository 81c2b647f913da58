// The partner developers' GraphQL IDE at GET /graphql, in a real headless Chromium (Debian's package,
// driven by playwright-core) with every request not to the gateway refused: it loads from the
// gateway alone (GraphiQL bundled by the project, no CDN), shows the client schema's docs with each
// field's sharing class, and runs a query as the caller whose token and purpose were entered. Every
// other request to /graphql is answered as it was before the IDE; production serves no IDE.
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { MongoClient } from 'mongodb';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { AUDIT_DATABASE_NAME, PROJECT_ROOT, loadConfig } from '../config/index.js';
import { demoData } from './support/seed-options.js';
import { callerHeaders, postGraphQL, principal, sharedTestStack, startTestGateway, testConfig, type TestStack } from './support/stack.js';

const CHROMIUM_FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'];
const IDE_CSP =
  "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; font-src 'self' data:; img-src 'self' data:; connect-src 'self'; form-action 'none'; frame-ancestors 'none'; base-uri 'none'";
/** What Chromium sends when a person opens a URL. */
const BROWSER_ACCEPT = 'text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8';
const METHOD_NOT_ALLOWED = { errors: [{ message: 'Use POST for /graphql', extensions: { code: 'METHOD_NOT_ALLOWED' } }] };

/** The text of one of GraphiQL's CodeMirror editors (`.graphiql-query-editor`, `.result-window`). */
function editorText(page: Page, selector: string): Promise<string> {
  return page.$eval(`${selector} .CodeMirror`, (element) => (element as unknown as { CodeMirror: { getValue(): string } }).CodeMirror.getValue());
}

describe('the GraphQL IDE (development)', () => {
  let stack: TestStack;
  let browser: Browser;
  let base: string;
  const partner = { ...principal('partner', ['viewer']), sub: 'ide-test-partner', name: '合作方开发者' };

  beforeAll(async () => {
    // The bundle from the sources as they are (set-up builds it too; it is not committed).
    execFileSync(process.execPath, ['--import', 'tsx', path.join(PROJECT_ROOT, 'scripts/build-ide.ts')], { cwd: PROJECT_ROOT, stdio: 'pipe' });
    stack = await sharedTestStack();
    base = stack.gateway!.url.replace(/\/graphql$/, '');
    browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_FLAGS });
  });
  afterAll(async () => {
    await browser?.close();
  });

  /** A page that may reach the gateway and nothing else; what it tried to reach elsewhere, and what it complained of. */
  async function offlinePage(): Promise<{ page: Page; refused: string[]; problems: string[] }> {
    const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
    const page = await context.newPage();
    const refused: string[] = [];
    const problems: string[] = [];
    await context.route('**/*', (route) => {
      const url = route.request().url();
      if (new URL(url).origin === base) return route.continue();
      refused.push(url);
      return route.abort('internetdisconnected');
    });
    page.on('console', (message) => {
      if (message.type() === 'error') problems.push(message.text());
    });
    page.on('pageerror', (error) => problems.push(error.message));
    return { page, refused, problems };
  }

  /** Runs the active tab (the execute button) and returns the answer GraphiQL shows, parsed. */
  async function run(page: Page): Promise<unknown> {
    const before = await editorText(page, '.result-window');
    await page.click('button.graphiql-execute-button');
    await expect.poll(() => editorText(page, '.result-window'), { timeout: 15_000 }).not.toBe(before);
    // GraphiQL shows the answer once it is whole; an empty pane is the one being replaced.
    await expect.poll(async () => (await editorText(page, '.result-window')).length > 0, { timeout: 15_000 }).toBe(true);
    return JSON.parse(await editorText(page, '.result-window'));
  }

  const tabTitles = (page: Page) => page.$$eval('.graphiql-tab .graphiql-tab-button', (tabs) => tabs.map((tab) => tab.textContent?.trim()));

  it('loads offline, runs a query as the caller whose token and purpose were entered, and shows each field’s sharing class', async () => {
    const { page, refused, problems } = await offlinePage();
    const response = await page.goto(`${base}/graphql`);
    expect({ status: response?.status(), type: response?.headers()['content-type'], csp: response?.headers()['content-security-policy'] }).toEqual({
      status: 200,
      type: 'text/html; charset=utf-8',
      csp: IDE_CSP,
    });
    await page.waitForSelector('.graphiql-query-editor .CodeMirror');
    // The welcome tab, then the example operations.
    expect(await tabTitles(page)).toEqual(['District', 'DisputeThroughInstitutions', 'MyInbox', 'InformationBulletin', 'IssueJudicialSuggestion', 'PartnerAgencyStatistics', 'ReplyToJudicialSuggestion']);
    const districtQuery = await editorText(page, '.graphiql-query-editor');
    expect(await page.inputValue('#ide-purpose')).toBe('STATISTICS');

    // No token: the gateway's own refusal, as a program sending no token gets it.
    const withoutToken = await postGraphQL(stack.gateway!.url, districtQuery, undefined, { 'x-purpose': 'STATISTICS' });
    expect(withoutToken.status).toBe(401);
    expect(await run(page)).toEqual(withoutToken.body);

    // A partner's token, for statistics: the public fields, exactly as the gateway answers them.
    await page.fill('#ide-token', (await callerHeaders(partner, 'STATISTICS')).authorization!.slice('Bearer '.length));
    const shown = await run(page);
    // The same partner org as another principal, so that the log below holds the IDE's requests alone.
    const headers = await callerHeaders({ ...partner, sub: 'ide-test-program' }, 'STATISTICS');
    const direct = await postGraphQL(stack.gateway!.url, districtQuery, undefined, headers);
    expect(shown).toEqual(direct.body);
    const district = (shown as { data: { district: { name: string; agencies: { id: string; name: string; kind: string; head: string }[] } } }).data.district;
    const { government } = demoData();
    expect(district).toEqual({
      name: government.district.name,
      agencies: expect.arrayContaining(government.agencies.map((a) => ({ id: a._id, name: a.name, kind: a.kind, head: a.head }))),
    });
    expect(district.agencies.length).toBe(government.agencies.length);

    // The IDE sent the token and the purpose: the access log has the request as the partner's.
    const client = await MongoClient.connect(inject('mongoUri'));
    try {
      const logged = await client.db(AUDIT_DATABASE_NAME).collection('accessRecords').find({ 'principal.sub': partner.sub }).toArray();
      expect(logged.map((r) => ({ operationName: r.operationName, purpose: r.purpose, org: r.principal.org, outcome: r.outcome }))).toEqual([
        { operationName: 'District', purpose: 'STATISTICS', org: 'partner', outcome: 'SERVED' },
      ]);
    } finally {
      await client.close();
    }

    // An example opens with its variables and declares the purpose it names.
    await page.click('.graphiql-tab-button >> text=DisputeThroughInstitutions');
    await expect.poll(() => page.inputValue('#ide-purpose')).toBe('DISPUTE_RESOLUTION');
    await page.click('.graphiql-tab-button >> text=InformationBulletin');
    await expect.poll(() => page.inputValue('#ide-purpose')).toBe('STATISTICS');
    const variables = { period: { from: '2025-01-01', to: '2025-07-01' }, agencyIds: ['AG-NRB'] };
    expect(await editorText(page, '.graphiql-editor-tool')).toBe(JSON.stringify(variables, null, 2));
    const bulletin = await run(page);
    expect(bulletin).toEqual((await postGraphQL(stack.gateway!.url, await editorText(page, '.graphiql-query-editor'), variables, headers)).body);
    expect((bulletin as { data: { bulletin: { district: { disputeStats: unknown } } } }).data.bulletin.district.disputeStats).toEqual({ handled: 263, major: 32, substantiveResolutionRate: 0.8212927756653993 });

    // The docs are the client schema's: Agency's fields, each with its sharing class.
    await page.click('button[aria-label="Show Documentation Explorer"]');
    await page.fill('.graphiql-doc-explorer-search input', 'Agency');
    await page.click('.graphiql-doc-explorer-search [role="option"] >> text=/^Agency$/');
    await page.waitForSelector('.graphiql-doc-explorer-title >> text=Agency');
    const docs = await page.textContent('.graphiql-doc-explorer');
    // Each field named in Chinese and English, then its sharing class.
    expect(docs).toContain('name: String!行政机关名称 · Agency name\n共享类别 Sharing: OPEN 无条件共享 · PUBLIC (government): everyone signed in, partners and auditors included');

    // Nothing was fetched but from the gateway, and nothing was refused by the page's policy: the
    // one complaint is the browser's note of the 401.
    expect(refused).toEqual([]);
    expect(problems).toEqual(['Failed to load resource: the server responded with a status of 401 (Unauthorized)']);

    // The README's picture: the bulletin's answer, and Agency's docs.
    mkdirSync(path.join(PROJECT_ROOT, '.data/screenshots'), { recursive: true });
    await page.screenshot({ path: path.join(PROJECT_ROOT, '.data/screenshots/graphiql.png') });
    await page.context().close();
  }, 90_000);

  it('answers every other request to /graphql as before: a program’s GET and a HEAD 405, a POST served whatever it accepts', async () => {
    const url = stack.gateway!.url;
    const headers = await callerHeaders(partner, 'STATISTICS');
    const ask = async (method: string, accept: string | null, body?: string) => {
      const response = await fetch(url, { method, headers: { ...headers, ...(accept ? { accept } : {}), ...(body ? { 'content-type': 'application/json' } : {}) }, ...(body ? { body } : {}) });
      const text = await response.text();
      return { method, accept, status: response.status, allow: response.headers.get('allow'), type: response.headers.get('content-type'), body: text ? JSON.parse(text) : null };
    };
    const query = JSON.stringify({ query: '{ district { name } }' });
    expect([
      await ask('GET', null),
      await ask('GET', '*/*'),
      await ask('GET', 'application/json'),
      await ask('GET', 'application/graphql-response+json, application/json;q=0.9'),
      await ask('HEAD', BROWSER_ACCEPT),
      await ask('POST', BROWSER_ACCEPT, query),
    ]).toEqual([
      { method: 'GET', accept: null, status: 405, allow: 'POST', type: 'application/json; charset=utf-8', body: METHOD_NOT_ALLOWED },
      { method: 'GET', accept: '*/*', status: 405, allow: 'POST', type: 'application/json; charset=utf-8', body: METHOD_NOT_ALLOWED },
      { method: 'GET', accept: 'application/json', status: 405, allow: 'POST', type: 'application/json; charset=utf-8', body: METHOD_NOT_ALLOWED },
      { method: 'GET', accept: 'application/graphql-response+json, application/json;q=0.9', status: 405, allow: 'POST', type: 'application/json; charset=utf-8', body: METHOD_NOT_ALLOWED },
      { method: 'HEAD', accept: BROWSER_ACCEPT, status: 405, allow: 'POST', type: 'application/json; charset=utf-8', body: null },
      { method: 'POST', accept: BROWSER_ACCEPT, status: 200, allow: null, type: 'application/json; charset=utf-8', body: { data: { district: { name: '示范区' } } } },
    ]);

    // The schema the IDE shows is the committed client schema, as it is on disk.
    const schema = await fetch(`${base}/graphiql/api.graphql`);
    expect({ status: schema.status, type: schema.headers.get('content-type'), csp: schema.headers.get('content-security-policy'), body: await schema.text() }).toEqual({
      status: 200,
      type: 'text/plain; charset=utf-8',
      csp: IDE_CSP,
      body: readFileSync(path.join(PROJECT_ROOT, 'schema/api.graphql'), 'utf8'),
    });
  });

  it('is not served in production: a browser’s GET /graphql is 405 like any other, and /graphiql/ does not exist', async () => {
    const gateway = await startTestGateway(stack.subgraphs, loadConfig({ LINKAGE_ENV: 'production', KEYS_DIR: testConfig().auth.keysDir }));
    try {
      const page = await fetch(gateway.url, { headers: { accept: BROWSER_ACCEPT } });
      expect({ status: page.status, allow: page.headers.get('allow'), body: await page.json() }).toEqual({ status: 405, allow: 'POST', body: METHOD_NOT_ALLOWED });
      const origin = gateway.url.replace(/\/graphql$/, '');
      expect(await Promise.all(['/graphiql/ide.js', '/graphiql/api.graphql'].map(async (asset) => (await fetch(`${origin}${asset}`)).status))).toEqual([404, 404]);
    } finally {
      await gateway.stop();
    }
  });
});
