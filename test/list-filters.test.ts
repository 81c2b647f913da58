// Lists filtered by what users know (issue #14): a case by its case number as a clerk types it
// (half-width brackets too), a suggestion by its document number, a dispute by words of its title.
// Through the gateway with real tokens; every expected row is recounted from the demo records.
import { beforeAll, describe, expect, it } from 'vitest';
import { demoData } from './support/seed-options.js';
import { callerHeaders, postGraphQL, principal, sharedTestStack, type TestStack } from './support/stack.js';

const linkageOfficer = () => callerHeaders(principal('government', ['linkage_officer']), 'DISPUTE_RESOLUTION');

/** A number as a keyboard without Chinese punctuation types it: `(2025)…`, `[2025]`. */
const halfWidth = (number: string) => number.replace('（', '(').replace('）', ')').replace('〔', '[').replace('〕', ']');

describe('lists filtered by what users know', () => {
  let stack: TestStack;
  beforeAll(async () => {
    stack = await sharedTestStack();
  });

  const ask = async (query: string, variables?: Record<string, unknown>) =>
    (await postGraphQL(stack.gateway!.url, query, variables, await linkageOfficer())).body;

  it('finds each kind of case by its case number, typed with full- or half-width brackets', async () => {
    const data = demoData();
    const lists = [
      { list: 'adminCases', record: data.court.adminCases[7]! },
      { list: 'enforcementCases', record: data.court.enforcementCases[3]! },
      { list: 'supervisionCases', record: data.procuratorate.supervisionCases[2]! },
      { list: 'reconsiderations', record: data.government.reconsiderations[5]! },
    ];
    for (const { list, record } of lists) {
      for (const typed of [record.caseNumber, halfWidth(record.caseNumber), ` ${record.caseNumber} `]) {
        const body = await ask(`query ByNumber($n: String!) { ${list}(filter: { caseNumber: $n }) { totalCount edges { node { id caseNumber } } } }`, { n: typed });
        expect(body, `${list} by "${typed}"`).toEqual({
          data: { [list]: { totalCount: 1, edges: [{ node: { id: record._id, caseNumber: record.caseNumber } }] } },
        });
      }
    }
    // A number no case has: an empty page, not an error.
    const none = await ask('{ adminCases(filter: { caseNumber: "（1999）苏0102行初1号" }) { totalCount edges { node { id } } } }');
    expect(none).toEqual({ data: { adminCases: { totalCount: 0, edges: [] } } });
  });

  it('finds a suggestion by its document number', async () => {
    const data = demoData();
    const judicial = data.court.judicialSuggestions[1]!;
    const procuratorial = data.procuratorate.procuratorialSuggestions[1]!;
    expect(await ask(`query { judicialSuggestions(filter: { number: "${halfWidth(judicial.number)}" }) { edges { node { id number } } } }`)).toEqual({
      data: { judicialSuggestions: { edges: [{ node: { id: judicial._id, number: judicial.number } }] } },
    });
    expect(await ask(`query { procuratorialSuggestions(filter: { number: "${procuratorial.number}" }) { edges { node { id number } } } }`)).toEqual({
      data: { procuratorialSuggestions: { edges: [{ node: { id: procuratorial._id, number: procuratorial.number } }] } },
    });
  });

  it('finds disputes by words of their title, newest first, and reads pattern characters literally', async () => {
    const data = demoData();
    const registered = data.government.disputes.filter((d) => d.openedAt);
    const target = registered[11]!;
    // Two characters from the middle of the title: every registered dispute whose title has them.
    const words = [...target.title].slice(2, 4).join('');
    const expected = registered
      .filter((d) => d.title.includes(words))
      .sort((a, b) => b.openedAt!.getTime() - a.openedAt!.getTime() || (a._id < b._id ? 1 : -1))
      .map((d) => ({ node: { id: d._id, title: d.title } }));
    expect(expected.length).toBeGreaterThan(0);
    const body = await ask('query ByTitle($t: String!) { disputes(filter: { titleContains: $t }, first: 500) { totalCount edges { node { id title } } } }', { t: words });
    expect(body).toEqual({ data: { disputes: { totalCount: expected.length, edges: expected } } });

    // `.*` is two characters no title has, not "anything".
    expect(await ask('{ disputes(filter: { titleContains: ".*" }) { totalCount } }')).toEqual({ data: { disputes: { totalCount: 0 } } });
  });

  it('refuses a filter that is not text a person would type, with the argument named', async () => {
    const cases = [
      { query: `{ disputes(filter: { titleContains: "${'争'.repeat(51)}" }) { totalCount } }`, argument: 'filter.titleContains', message: 'filter.titleContains must be 1 to 50 characters of text' },
      { query: '{ disputes(filter: { titleContains: "  " }) { totalCount } }', argument: 'filter.titleContains', message: 'filter.titleContains must be 1 to 50 characters of text' },
      { query: '{ disputes(filter: { titleContains: "a\\u0000b" }) { totalCount } }', argument: 'filter.titleContains', message: 'filter.titleContains must be 1 to 50 characters of text' },
      {
        query: `{ adminCases(filter: { caseNumber: "${'9'.repeat(61)}" }) { totalCount } }`,
        argument: 'filter.caseNumber',
        message: 'filter.caseNumber must be a case or document number of 1 to 60 characters, as （2025）苏0102行初123号',
      },
    ];
    for (const { query, argument, message } of cases) {
      const body = await ask(query);
      const [list, owner] = query.includes('disputes') ? ['disputes', 'government'] : ['adminCases', 'court'];
      expect(body, query).toEqual({
        data: { [list!]: null },
        errors: [{ message, path: [list], extensions: { code: 'BAD_USER_INPUT', argument, serviceName: owner } }],
      });
    }
  });
});
