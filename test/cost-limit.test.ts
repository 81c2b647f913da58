// Demand control at the gateway (issue #9, defect 2): every operation is costed from the schema and
// its arguments before planning — a field 1, a list its size (a page's `first`, else 20) times its
// selection — and refused with COST_LIMIT_EXCEEDED above its caller's org's limit, before any
// subgraph is called. The access record carries the estimate and what the answer actually cost.
import { readFileSync } from 'node:fs';
import { buildASTSchema, getNullableType, isListType, isObjectType, parse } from 'graphql';
import { MongoClient } from 'mongodb';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { AUDIT_DATABASE_NAME, ConfigError, loadConfig } from '../config/index.js';
import { DEFAULT_LIST_SIZES, useCostLimit, type RunningGateway } from '../gateway/index.js';
import { demoData } from './support/seed-options.js';
import { callerHeaders, principal, sharedTestStack, startTestGateway, type TestStack } from './support/stack.js';

const judge = () => callerHeaders(principal('court', ['judge']), 'CASE_HANDLING');
const prosecutor = () => callerHeaders(principal('procuratorate', ['prosecutor']), 'SUPERVISION');
const partner = () => callerHeaders(principal('partner', ['viewer']), 'STATISTICS');

async function post(url: string, query: string, variables: Record<string, unknown> | undefined, headers: Record<string, string>) {
  const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify({ query, variables }) });
  return { status: response.status, requestId: response.headers.get('x-request-id'), body: (await response.json()) as Record<string, unknown> };
}

/** The fan-out: a defendant's cases, each case's defendant's cases, and theirs again. */
const FAN_OUT = `query FanOut($agency: ID!) {
  adminCases(first: 500, filter: { defendantId: $agency }) { edges { node { id caseNumber defendant {
    adminCases(first: 500) { edges { node { id caseNumber defendant {
      adminCases(first: 500) { edges { node { id caseNumber } } }
    } } } }
  } } } }
}`;
// Innermost: adminCases 1 + edges 1 + 500 × (node 1 + id 1 + caseNumber 1) = 1,502. One level up:
// 2 + 500 × (node 1 + 2 + defendant (1 + 1,502)) = 753,002; the whole: 2 + 500 × (3 + 1 + 753,002).
const FAN_OUT_COST = 376_503_002;

/** A legitimate list: 500 acts, with their agency's name. */
const ACTS_500 = `query Acts { acts(first: 500) {
  totalCount
  edges { cursor node { id number category decidedAt legalReviewed agency { name } } }
  pageInfo { hasNextPage endCursor }
} }`;
// acts 1 + totalCount 1 + edges 1 + pageInfo 3 + 500 × (cursor 1 + node 1 + 5 fields + agency 2).
const ACTS_500_COST = 4506;

/** What ACTS_500 answers, from the generated records (newest first; a cursor is [sort value, id]). */
function acts500() {
  const data = demoData();
  const names = new Map(data.government.agencies.map((a) => [a._id, a.name]));
  const sorted = [...data.government.acts].sort((a, b) => b.decidedAt.getTime() - a.decidedAt.getTime() || (a._id < b._id ? 1 : a._id > b._id ? -1 : 0));
  const cursor = (a: (typeof sorted)[number]) => Buffer.from(JSON.stringify([a.decidedAt.toISOString(), a._id])).toString('base64url');
  const page = sorted.slice(0, 500);
  return {
    data: {
      acts: {
        totalCount: sorted.length,
        edges: page.map((a) => ({
          cursor: cursor(a),
          node: { id: a._id, number: a.number, category: a.category, decidedAt: a.decidedAt.toISOString().slice(0, 10), legalReviewed: a.legalReviewed, agency: { name: names.get(a.agencyId) } },
        })),
        pageInfo: { hasNextPage: sorted.length > 500, endCursor: cursor(page.at(-1)!) },
      },
    },
  };
}

/** The newest `n` cases as PAGES's fragment `Page` answers them. */
function newestCases(n: number) {
  const cases = [...demoData().court.adminCases].sort((a, b) => b.filedAt.getTime() - a.filedAt.getTime() || (a._id < b._id ? 1 : a._id > b._id ? -1 : 0));
  return {
    totalCount: cases.length,
    edges: cases.slice(0, n).map((c) => ({ cursor: Buffer.from(JSON.stringify([c.filedAt.toISOString(), c._id])).toString('base64url'), node: { id: c._id, caseNumber: c.caseNumber } })),
  };
}

const refused = (limit: number, estimate: number) => ({
  status: 400,
  body: { errors: [{ message: `The operation's estimated cost is ${estimate}; the limit is ${limit}`, extensions: { code: 'COST_LIMIT_EXCEEDED', limit, estimatedCost: estimate } }] },
});

describe('the cost limit', () => {
  let stack: TestStack;
  let client: MongoClient;
  /** A gateway with MAX_QUERY_COST=1000 and MAX_QUERY_COST_BY_ORG=court=5000,partner=100, in front of the same subgraphs. */
  let limited: RunningGateway;
  const record = async (requestId: string | null) => {
    const records = await client.db(AUDIT_DATABASE_NAME).collection('accessRecords').find({ requestId: requestId ?? 'missing' }).toArray();
    expect(records).toHaveLength(1);
    const { outcome, code, httpStatus, subgraphs, cost } = records[0]!;
    return { outcome, code, httpStatus, subgraphs, cost };
  };

  beforeAll(async () => {
    stack = await sharedTestStack();
    client = await MongoClient.connect(inject('mongoUri'));
    const config = loadConfig({ KEYS_DIR: inject('keysDir'), AUDIT_CHECKPOINT_RECORDS: '5', MAX_QUERY_COST: '1000', MAX_QUERY_COST_BY_ORG: 'court=5000,partner=100' });
    limited = await startTestGateway(stack.subgraphs, config);
  });
  afterAll(async () => {
    await limited?.stop();
    await client?.close();
  });

  it("refuses the issue's fan-out with COST_LIMIT_EXCEEDED before any subgraph is called, and logs its estimate", async () => {
    stack.resetCommands();
    const { status, requestId, body } = await post(stack.gateway!.url, FAN_OUT, { agency: 'AG-NRB' }, await judge());
    expect({ status, body }).toEqual(refused(20_000, FAN_OUT_COST));
    expect(stack.commands).toEqual({ government: [], court: [], procuratorate: [] });
    expect(await record(requestId)).toEqual({
      outcome: 'REJECTED',
      code: 'COST_LIMIT_EXCEEDED',
      httpStatus: 400,
      subgraphs: [],
      cost: { estimated: FAN_OUT_COST, actual: null },
    });
  });

  it('serves a legitimate 500-row list, and logs what it was estimated to cost and what it did', async () => {
    const { status, requestId, body } = await post(stack.gateway!.url, ACTS_500, undefined, await judge());
    expect({ status, body }).toEqual({ status: 200, body: acts500() });
    // 500 rows were there to fill the page, so the answer cost exactly what was estimated.
    expect(await record(requestId)).toEqual({ outcome: 'SERVED', code: null, httpStatus: 200, subgraphs: ['government'], cost: { estimated: ACTS_500_COST, actual: ACTS_500_COST } });
  });

  it("records the answer's actual cost below the estimate when a page is not full", async () => {
    // adminCases 1 + edges 1 + 20 × (node 1 + id 1) = 42 estimated; AG-EDB is the defendant in 16 cases: 1 + 1 + 16 × 2 = 34.
    const { status, requestId, body } = await post(stack.gateway!.url, '{ adminCases(filter: { defendantId: "AG-EDB" }) { edges { node { id } } } }', undefined, await judge());
    const mine = [...demoData().court.adminCases].filter((c) => c.defendantId === 'AG-EDB');
    expect(mine).toHaveLength(16);
    mine.sort((a, b) => b.filedAt.getTime() - a.filedAt.getTime() || (a._id < b._id ? 1 : a._id > b._id ? -1 : 0));
    expect({ status, body }).toEqual({ status: 200, body: { data: { adminCases: { edges: mine.map((c) => ({ node: { id: c._id } })) } } } });
    expect((await record(requestId)).cost).toEqual({ estimated: 42, actual: 34 });
  });

  it("applies the caller's org's limit: the same 500 rows are served to a judge (court=5000) and refused to a prosecutor (default 1000)", async () => {
    stack.resetCommands();
    const asJudge = await post(limited.url, ACTS_500, undefined, await judge());
    expect({ status: asJudge.status, body: asJudge.body }).toEqual({ status: 200, body: acts500() });
    stack.resetCommands();
    const asProsecutor = await post(limited.url, ACTS_500, undefined, await prosecutor());
    expect({ status: asProsecutor.status, body: asProsecutor.body }).toEqual(refused(1000, ACTS_500_COST));
    expect(stack.commands).toEqual({ government: [], court: [], procuratorate: [] });
  });

  it('an org may have a lower limit than the default: the partner frontend at 100', async () => {
    // agencies 1 + edges 1 + n × (node 1 + id 1 + name 1) = 2 + 3n: 32 agencies cost 98, 33 cost 101.
    const agencies = 'query Agencies($n: Int!) { agencies(first: $n) { edges { node { id name } } } }';
    const all = { data: { agencies: { edges: [...demoData().government.agencies].sort((a, b) => (a._id < b._id ? -1 : 1)).map((a) => ({ node: { id: a._id, name: a.name } })) } } };
    const served = await post(limited.url, agencies, { n: 32 }, await partner());
    expect({ status: served.status, body: served.body }).toEqual({ status: 200, body: all });
    const over = await post(limited.url, agencies, { n: 33 }, await partner());
    expect({ status: over.status, body: over.body }).toEqual(refused(100, 101));
    // The same 33 for a prosecutor, under the default of 1000.
    const other = await post(limited.url, agencies, { n: 33 }, await prosecutor());
    expect({ status: other.status, body: other.body }).toEqual({ status: 200, body: all });
  });

  describe('counts through fragments and variables', () => {
    // One fragment, spread under two pages of different sizes: each spread costs what its page
    // makes it. adminCases 1 + Page (totalCount 1 + edges 1 + size × (cursor 1 + node 1 + id 1 +
    // caseNumber 1)) = 3 + 4 × size; with a: $n and b: 2, 14 + 4n: n = 246 costs 998, n = 247 costs 1002.
    const PAGES = `query Pages($n: Int = 247) {
      a: adminCases(first: $n) { ...Page }
      b: adminCases(first: 2) { ...Page }
    }
    fragment Page on AdminCaseConnection { totalCount edges { ...Edge } }
    fragment Edge on AdminCaseEdge { cursor node { ...Case } }
    fragment Case on AdminCase { id caseNumber }`;

    it('served at 998', async () => {
      const { status, requestId, body } = await post(limited.url, PAGES, { n: 246 }, await prosecutor());
      expect({ status, body }).toEqual({ status: 200, body: { data: { a: newestCases(246), b: newestCases(2) } } });
      expect((await record(requestId)).cost).toEqual({ estimated: 998, actual: 998 });
    });

    it("refused at 1002: from the variable, from the variable's default, and from a literal", async () => {
      for (const [query, variables] of [
        [PAGES, { n: 247 }],
        [PAGES, undefined],
        [PAGES.replace('($n: Int = 247)', '').replace('first: $n', 'first: 247'), undefined],
      ] as const) {
        stack.resetCommands();
        const { status, body } = await post(limited.url, query, variables, await prosecutor());
        expect({ status, body }).toEqual(refused(1000, 1002));
        expect(stack.commands).toEqual({ government: [], court: [], procuratorate: [] });
      }
    });

    it('counts a page the owner refuses (above 500) as no rows, so the caller hears BAD_USER_INPUT; and a list without `first` as 20', async () => {
      // a: 3 + 4 × 0, b: 11; the court refuses a's `first`, serves b.
      const { status, body } = await post(limited.url, PAGES, { n: 100_000 }, await prosecutor());
      expect({ status, body }).toEqual({
        status: 200,
        body: {
          data: { a: null, b: newestCases(2) },
          errors: [{ message: 'first must be an integer from 1 to 500', path: ['a'], extensions: { code: 'BAD_USER_INPUT', argument: 'first', serviceName: 'court' } }],
        },
      });
      // district 1 + agencies (1 + 20 × (id 1 + acts (1 + edges 1 + 50 × (node 1 + id 1)))) = 2 + 20 × 103 = 2062.
      const listed = await post(limited.url, '{ district { agencies { id acts(first: 50) { edges { node { id } } } } } }', undefined, await prosecutor());
      expect({ status: listed.status, body: listed.body }).toEqual(refused(1000, 2062));
    });

    it('stays linear in the document: a fragment spread 2^24 times is costed at once', async () => {
      // Each fragment spreads the next twice: 2^24 copies of `id`, never walked one by one (issue
      // #9: a walk per spread took 27.9 s at this size). Not more: any walk per spread anywhere in
      // the gateway would block this process for hours instead of failing this test.
      const levels = 24;
      const fragments = Array.from({ length: levels }, (_, i) => `fragment F${i} on AdminCase { ...F${i + 1} ...F${i + 1} }`).join('\n');
      const query = `{ adminCase(id: "${demoData().showcase.adminCaseId}") { ...F0 } }\n${fragments}\nfragment F${levels} on AdminCase { id }`;
      const started = performance.now();
      const { status, body } = await post(limited.url, query, undefined, await prosecutor());
      expect(performance.now() - started).toBeLessThan(2000);
      expect({ status, body }).toEqual(refused(1000, 1 + 2 ** levels));
    });
  });

  describe('configuration', () => {
    it.each([
      [{ MAX_QUERY_COST: '0' }, 'configuration: MAX_QUERY_COST must be an integer from 1 to 1000000000, got "0"'],
      [{ MAX_QUERY_COST: '1e6' }, 'configuration: MAX_QUERY_COST must be an integer from 1 to 1000000000, got "1e6"'],
      [{ MAX_QUERY_COST_BY_ORG: 'audit:100' }, 'configuration: MAX_QUERY_COST_BY_ORG must list org=limit pairs such as audit=100000,partner=5000, got "audit:100"'],
      [{ MAX_QUERY_COST_BY_ORG: 'audit=100,audit=200' }, 'configuration: MAX_QUERY_COST_BY_ORG names audit twice'],
      [{ MAX_QUERY_COST_BY_ORG: 'partner=-5' }, 'configuration: MAX_QUERY_COST_BY_ORG (partner) must be an integer from 1 to 1000000000, got "-5"'],
    ])('refuses %j', (env, message) => {
      expect(() => loadConfig(env)).toThrow(ConfigError);
      expect(() => loadConfig(env)).toThrow(message);
    });

    it('parses limits by org; defaults to 20,000 and none', () => {
      expect(loadConfig({ MAX_QUERY_COST: '50000', MAX_QUERY_COST_BY_ORG: ' audit=200000, partner=5000 ' }).costLimits).toEqual({ maxCost: 50_000, maxCostByOrg: { audit: 200_000, partner: 5000 } });
      expect(loadConfig({}).costLimits).toEqual({ maxCost: 20_000, maxCostByOrg: {} });
    });

    it('sizes only lists the supergraph has, none of them a page', () => {
      const schema = buildASTSchema(parse(readFileSync(loadConfig({}).supergraphPath, 'utf8')), { assumeValidSDL: true });
      const kinds = Object.keys(DEFAULT_LIST_SIZES).map((coordinate) => {
        const [typeName, fieldName] = coordinate.split('.') as [string, string];
        const type = schema.getType(typeName);
        const field = isObjectType(type) ? type.getFields()[fieldName] : undefined;
        if (!field) return [coordinate, 'missing'];
        return [coordinate, isListType(getNullableType(field.type)) && !field.args.some((arg) => arg.name === 'first') ? 'list' : 'not a plain list'];
      });
      expect(kinds).toEqual(Object.keys(DEFAULT_LIST_SIZES).map((coordinate) => [coordinate, 'list']));
    });

    it('a limit for an org that does not exist stops the gateway from starting', () => {
      expect(() => useCostLimit({ maxCostByOrg: { patner: 100 } })).toThrow('cost limit: there is no org "patner" (orgs: government, court, procuratorate, audit, partner)');
    });
  });
});
