// The owner's rules around each field (auth/rules.ts), on a small subgraph run in process: deny by
// default, refusals returned as the field's error without running its resolver, decisions that
// depend only on the caller taken once per request, row conditions per record, masks on pending
// values, and a synchronous field left synchronous.
import { buildSubgraphSchema } from '@apollo/subgraph';
import { execute, parse, responsePathAsArray, type ExecutionResult, type GraphQLResolveInfo } from 'graphql';
import { describe, expect, it } from 'vitest';
import { enforceSharing, type CallIdentity, type FieldPolicy, type Org, type Purpose, type SharingContext, type SubgraphPolicy } from '../auth/index.js';

const typeDefs = parse(`
  extend schema @link(url: "https://specs.apollo.dev/federation/v2.7", import: ["@key"])
  type Query { cases: [Case!]! failing: String }
  type Case @key(fields: "id") { id: ID! agency: String party: String note: String secret: String }
`);

const ROWS = [
  { id: '1', agency: 'A1', party: '张三丰', kind: 'PERSON', note: 'n1', secret: 's1' },
  { id: '2', agency: 'A2', party: '李四', kind: 'PERSON', note: 'n2', secret: 's2' },
  { id: '3', agency: 'A1', party: '示范区恒达置业有限公司', kind: 'ORGANIZATION', note: 'n3', secret: 's3' },
];
type Row = (typeof ROWS)[number];

const field = (coordinate: string, rule: Partial<FieldPolicy>): FieldPolicy => {
  const [type, name] = coordinate.split('.') as [string, string];
  return { type, field: name, sharing: 'OPEN', audience: null, grants: [], ownerRoles: null, mask: null, applicable: null, ...rule };
};

/** The government's subgraph of cases, whose `Case.secret` has no rule; and how often resolvers ran. */
function governed() {
  const calls = { secret: 0, resolveReference: 0 };
  const schema = buildSubgraphSchema([
    {
      typeDefs,
      resolvers: {
        Query: {
          cases: () => ROWS,
          failing: () => {
            throw new Error('store down');
          },
        },
        Case: {
          __resolveReference: ({ id }: { id: string }) => (calls.resolveReference++, ROWS.find((row) => row.id === id)),
          // Pending for the second row: a mask must wait for it.
          party: (row: Row) => (row.id === '2' ? Promise.resolve(row.party) : row.party),
          secret: (row: Row) => (calls.secret++, row.secret),
        },
      },
    },
  ]);
  const policy: SubgraphPolicy = {
    owner: 'government',
    fields: new Map(
      [
        field('Query.cases', {}),
        field('Query.failing', {}),
        field('Case.id', {}),
        field('Case.agency', {}),
        field('Case.party', { mask: 'PERSON_NAME' }),
        field('Case.note', { sharing: 'CONDITIONAL', grants: [{ orgs: ['government'], roles: null, purposes: null, row: 'OWN_UNIT' }] }),
      ].map((rule) => [`${rule.type}.${rule.field}`, rule]),
    ),
  };
  enforceSharing(schema, policy, { Case: (row) => row.agency as string });
  return { schema, calls };
}

/**
 * A request's context for `org`'s officer of unit A1. `decisions` counts the rules' decisions:
 * auth/decide.ts reads the purpose once per decision, and nothing else reads it.
 */
function request(org: Org, roles: string[], purpose: Purpose = 'CASE_HANDLING') {
  const counted = { decisions: 0, masked: [] as [(string | number)[], string][] };
  const identity: CallIdentity = {
    principal: { sub: `${org}-1`, name: 'Officer', org, roles, unit: 'A1' },
    get purpose() {
      counted.decisions++;
      return purpose;
    },
    requestId: 'r1',
  };
  const masksApplied = { set: (path: GraphQLResolveInfo['path'], mask: string) => counted.masked.push([responsePathAsArray(path), mask]) };
  const context = { identity, masksApplied } as unknown as SharingContext;
  return { context, counted };
}

const refused = (path: (string | number)[], reason: string, column: number) => ({
  message: `Not shared with you: ${reason}`,
  locations: [{ line: 1, column }],
  path,
  extensions: { code: 'FORBIDDEN', reason },
});
const json = (result: unknown) => JSON.parse(JSON.stringify(result)) as ExecutionResult;

describe('the sharing rules around each field', () => {
  it('refuse a field without a rule, returned as its error, without running its resolver; federation’s own fields pass', async () => {
    const { schema, calls } = governed();
    const query = '{ cases { id secret } _service { sdl } }';
    const result = await execute({ schema, document: parse(query), contextValue: request('government', ['agency_officer']).context });
    expect(json(result)).toEqual({
      data: { cases: ROWS.map((row) => ({ id: row.id, secret: null })), _service: { sdl: expect.stringContaining('type Case') } },
      errors: ROWS.map((_, i) => refused(['cases', i, 'secret'], 'NO_RULE', 14)),
    });
    expect(calls.secret).toBe(0);
  });

  it('hold `_entities` to the entity type’s own rules', async () => {
    const { schema, calls } = governed();
    const query = '{ _entities(representations: [{ __typename: "Case", id: "2" }]) { ... on Case { id note secret } } }';
    const result = await execute({ schema, document: parse(query), contextValue: request('court', ['judge']).context });
    expect(json(result)).toEqual({
      data: { _entities: [{ id: '2', note: null, secret: null }] },
      errors: [refused(['_entities', 0, 'note'], 'ORG_NOT_ALLOWED', 84), refused(['_entities', 0, 'secret'], 'NO_RULE', 89)],
    });
    expect(calls).toEqual({ secret: 0, resolveReference: 1 });
  });

  it('decide what depends on the caller once per request, a row condition per record, and leave synchronous fields synchronous', () => {
    const { schema } = governed();
    const query = '{ cases { id agency note } }';
    const officer = request('government', ['agency_officer']);
    const result = execute({ schema, document: parse(query), contextValue: officer.context });
    // Not a promise: no field's wrapper made one.
    expect(result).not.toBeInstanceOf(Promise);
    expect(json(result)).toEqual({
      data: { cases: ROWS.map((row) => ({ id: row.id, agency: row.agency, note: row.agency === 'A1' ? row.note : null })) },
      errors: [refused(['cases', 1, 'note'], 'NOT_OWN_UNIT', 21)],
    });
    // Query.cases, Case.id and Case.agency once each; Case.note for each of the three rows.
    expect(officer.counted.decisions).toBe(3 + 3);

    // The next request is decided anew, for its own caller.
    const judge = request('court', ['judge']);
    expect(json(execute({ schema, document: parse(query), contextValue: judge.context }))).toEqual({
      data: { cases: ROWS.map((row) => ({ id: row.id, agency: row.agency, note: null })) },
      errors: ROWS.map((_, i) => refused(['cases', i, 'note'], 'ORG_NOT_ALLOWED', 21)),
    });
    expect(judge.counted.decisions).toBe(3 + 3);
  });

  it('mask for another institution’s caller, pending values included, noting where a mask changed something', async () => {
    const { schema } = governed();
    const query = '{ cases { party } }';
    const judge = request('court', ['judge']);
    expect(json(await execute({ schema, document: parse(query), contextValue: judge.context }))).toEqual({
      data: { cases: [{ party: '张**' }, { party: '李*' }, { party: '示范区恒达置业有限公司' }] },
    });
    expect(judge.counted.masked).toEqual([
      [['cases', 0, 'party'], 'PERSON_NAME'],
      [['cases', 1, 'party'], 'PERSON_NAME'],
    ]);

    const owner = request('government', ['agency_officer']);
    expect(json(await execute({ schema, document: parse(query), contextValue: owner.context }))).toEqual({
      data: { cases: ROWS.map((row) => ({ party: row.party })) },
    });
    expect(owner.counted.masked).toEqual([]);
  });

  it('leave an error a resolver throws an error, not a refusal', async () => {
    const { schema } = governed();
    const result = await execute({ schema, document: parse('{ failing }'), contextValue: request('court', ['judge']).context });
    expect(json(result)).toEqual({ data: { failing: null }, errors: [{ message: 'store down', locations: [{ line: 1, column: 3 }], path: ['failing'] }] });
  });
});
