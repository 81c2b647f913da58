// Each mistake of the client's is answered as the client's, with its own 4xx and a stable code,
// before any subgraph is called, and leaves exactly one access record saying so (issue #9,
// defect 7): a malformed Date or DateTime was an INTERNAL_SERVER_ERROR with HTTP 200 (the
// subgraph refused it, and the gateway rightly masks whatever a subgraph says); an unknown or
// ambiguous operationName, a mutation, a subscription or an undecodable operation name were 500s.
import { MongoClient } from 'mongodb';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { AUDIT_DATABASE_NAME } from '../config/index.js';
import { callerHeaders, principal, sharedTestStack, type TestStack } from './support/stack.js';

describe('error classes at the gateway', () => {
  let stack: TestStack;
  let client: MongoClient;
  beforeAll(async () => {
    stack = await sharedTestStack();
    client = await MongoClient.connect(inject('mongoUri'));
  });
  afterAll(() => client.close());

  /** Posts a raw body as a judge handling cases; the answer whole, with its request id. */
  const post = async (body: string | Buffer) => {
    const headers = await callerHeaders(principal('court', ['judge']), 'CASE_HANDLING');
    const response = await fetch(stack.gateway!.url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });
    return { status: response.status, body: (await response.json()) as unknown, requestId: response.headers.get('x-request-id')! };
  };
  const recordsOf = (requestId: string) =>
    client
      .db(AUDIT_DATABASE_NAME)
      .collection('accessRecords')
      .find({ requestId }, { projection: { _id: 0, outcome: 1, code: 1, httpStatus: 1, subgraphs: 1 } })
      .toArray();

  /** Sends each probe and expects the client's error: its status, its one error, one REJECTED record, no subgraph reached. */
  const expectRefusals = async (probes: { name: string; body: string | Buffer; status: number; error: Record<string, unknown> }[]) => {
    for (const probe of probes) {
      stack.resetCommands();
      const { status, body, requestId } = await post(probe.body);
      expect({ name: probe.name, status, body }, probe.name).toEqual({ name: probe.name, status: probe.status, body: { errors: [probe.error] } });
      expect(stack.commands, probe.name).toEqual({ government: [], court: [], procuratorate: [] });
      const code = (probe.error.extensions as { code: string }).code;
      expect(await recordsOf(requestId), probe.name).toEqual([{ outcome: 'REJECTED', code, httpStatus: probe.status, subgraphs: [] }]);
    }
  };
  const json = (query: string, variables?: Record<string, unknown>, operationName?: string) => JSON.stringify({ query, variables, operationName });
  /** BAD_USER_INPUT at the first occurrence of `marker` in the one-line `query`: the malformed value, or the variable's definition. */
  const badInput = (message: string, argument: string, query: string, marker: string) => ({
    message,
    locations: [{ line: 1, column: query.indexOf(marker) + 1 }],
    extensions: { code: 'BAD_USER_INPUT', argument },
  });

  it('a malformed Date or DateTime — literal, variable or default, however nested — is BAD_USER_INPUT naming the argument, HTTP 400', async () => {
    const closedFrom = (from: string) => `{ adminCases(filter: { closed: { from: ${from}, to: "2025-07-01" } }) { totalCount } }`;
    const q = {
      noSuchDay: closedFrom('"2025-02-30"'),
      yearZero: '{ bulletin(period: { from: "0000-01-01", to: "2025-07-01" }) { from } }',
      number: closedFrom('20250101'),
      list: closedFrom('["2025-01-01"]'),
      topLevel: '{ accessActivity(from: "yesterday", to: "2025-07-01") { day } }',
      nested: '{ recordAccessHistory(recordType: "AdminCase", recordId: "AC-1") { court(from: "2025-06-30T25:00:00Z") { totalCount } } }',
      dateVariable: 'query Q($d: Date!) { adminCases(filter: { closed: { from: $d, to: "2025-07-01" } }) { totalCount } }',
      period: 'query Q($p: Period!) { bulletin(period: $p) { from } }',
      dateTimeVariable: 'query Q($at: DateTime) { accessLog(filter: { from: $at }) { totalCount } }',
      defaultValue: 'query Q($d: Date = "2025-13-01") { adminCases(filter: { closed: { from: $d, to: "2025-07-01" } }) { totalCount } }',
    };
    await expectRefusals([
      {
        name: 'no such day, in a filter',
        body: json(q.noSuchDay),
        status: 400,
        error: badInput('Argument "filter" has an invalid value at filter.closed.from: Invalid Date "2025-02-30": no such day', 'filter', q.noSuchDay, '"2025-02-30"'),
      },
      {
        name: 'year 0000, in a period',
        body: json(q.yearZero),
        status: 400,
        error: badInput('Argument "period" has an invalid value at period.from: Invalid Date "0000-01-01": no such day', 'period', q.yearZero, '"0000-01-01"'),
      },
      {
        name: 'a number',
        body: json(q.number),
        status: 400,
        error: badInput('Argument "filter" has an invalid value at filter.closed.from: Date must be a string YYYY-MM-DD', 'filter', q.number, '20250101'),
      },
      {
        name: 'a list where a date goes',
        body: json(q.list),
        status: 400,
        error: badInput('Argument "filter" has an invalid value at filter.closed.from: Date must be a string YYYY-MM-DD', 'filter', q.list, '["2025-01-01"]'),
      },
      {
        name: 'a top-level argument (the auditors’ activity), before anyone asks whether the caller may see it',
        body: json(q.topLevel),
        status: 400,
        error: badInput('Argument "from" has an invalid value: Invalid Date "yesterday": expected YYYY-MM-DD', 'from', q.topLevel, '"yesterday"'),
      },
      {
        name: 'a DateTime on a nested field',
        body: json(q.nested),
        status: 400,
        error: badInput('Argument "from" has an invalid value: Invalid DateTime "2025-06-30T25:00:00Z"', 'from', q.nested, '"2025-06-30T25'),
      },
      {
        name: '"yesterday" in a variable',
        body: json(q.dateVariable, { d: 'yesterday' }),
        status: 400,
        error: badInput('Variable "$d" (argument "filter") has an invalid value: Invalid Date "yesterday": expected YYYY-MM-DD', 'filter', q.dateVariable, '$d: Date!'),
      },
      {
        name: 'a number inside an input-object variable',
        body: json(q.period, { p: { from: 20250101, to: '2025-07-01' } }),
        status: 400,
        error: badInput('Variable "$p" (argument "period") has an invalid value at $p.from: Date must be a string YYYY-MM-DD', 'period', q.period, '$p: Period!'),
      },
      {
        name: 'year 0000 inside an input-object variable',
        body: json(q.period, { p: { from: '2025-01-01', to: '0000-01-01' } }),
        status: 400,
        error: badInput('Variable "$p" (argument "period") has an invalid value at $p.to: Invalid Date "0000-01-01": no such day', 'period', q.period, '$p: Period!'),
      },
      {
        name: 'a DateTime variable in the auditors’ filter',
        body: json(q.dateTimeVariable, { at: '2025-02-30T00:00:00Z' }),
        status: 400,
        error: badInput('Variable "$at" (argument "filter") has an invalid value: Invalid DateTime "2025-02-30T00:00:00Z"', 'filter', q.dateTimeVariable, '$at: DateTime'),
      },
      {
        name: 'a variable’s default',
        body: json(q.defaultValue),
        status: 400,
        error: badInput('Variable "$d" (argument "filter") has an invalid default value: Invalid Date "2025-13-01": no such day', 'filter', q.defaultValue, '"2025-13-01"'),
      },
    ]);
  });

  it('well-formed dates still pass, as literals and as variables', async () => {
    for (const body of [
      json('{ bulletin(period: { from: "2025-01-01", to: "2025-07-01" }) { from to } }'),
      json('query Q($p: Period!) { bulletin(period: $p) { from to } }', { p: { from: '2025-01-01', to: '2025-07-01' } }),
      json('query Q($d: Date = "2025-01-01") { bulletin(period: { from: $d, to: "2025-07-01" }) { from to } }'),
    ]) {
      const { status, body: answer, requestId } = await post(body);
      expect({ status, body: answer }).toEqual({ status: 200, body: { data: { bulletin: { from: '2025-01-01', to: '2025-07-01' } } } });
      expect(await recordsOf(requestId)).toEqual([{ outcome: 'SERVED', code: null, httpStatus: 200, subgraphs: ['government'] }]);
    }
  });

  it('an operation the gateway cannot resolve or run is the client’s error: 400 with a stable code, never a 500', async () => {
    const query = 'query A { district { name } }';
    const notAName = { message: 'operationName must be a GraphQL name: letters, digits and _, not starting with a digit', extensions: { code: 'BAD_REQUEST' } };
    await expectRefusals([
      {
        name: 'an unknown operationName',
        body: json(query, undefined, 'B'),
        status: 400,
        error: { message: 'Unknown operation named "B"', extensions: { code: 'OPERATION_RESOLUTION_FAILURE' } },
      },
      {
        name: 'several operations, none named',
        body: json(`${query} query B { district { name } }`),
        status: 400,
        error: { message: 'The document has several operations: name the one to run in operationName', extensions: { code: 'OPERATION_RESOLUTION_FAILURE' } },
      },
      {
        name: 'a write the graph does not have',
        body: json('mutation M { closeCase(id: "AC-1") }'),
        status: 400,
        error: { message: 'Cannot query field "closeCase" on type "Mutation".', locations: [{ line: 1, column: 14 }], extensions: { code: 'GRAPHQL_VALIDATION_FAILED' } },
      },
      {
        name: 'a subscription',
        body: json('subscription S { adminCaseClosed { id } }'),
        status: 400,
        error: { message: 'Subscriptions are not supported: this graph answers queries', extensions: { code: 'OPERATION_NOT_SUPPORTED' } },
      },
      {
        name: 'the named operation is a subscription',
        body: json(`${query} subscription S { adminCaseClosed { id } }`, undefined, 'S'),
        status: 400,
        error: { message: 'Subscriptions are not supported: this graph answers queries', extensions: { code: 'OPERATION_NOT_SUPPORTED' } },
      },
      { name: 'an empty operationName', body: json(query, undefined, ''), status: 400, error: notAName },
      { name: 'an operationName that is not a name', body: json(query, undefined, 'A B'), status: 400, error: notAName },
      // JSON may escape half a surrogate pair; no GraphQL name holds one.
      { name: 'a lone surrogate', body: `{"query":"${query}","operationName":"\\ud800"}`, status: 400, error: notAName },
      {
        name: 'bytes that are not UTF-8',
        body: Buffer.concat([Buffer.from(`{"query":"${query}","operationName":"`), Buffer.from([0xff, 0xfe, 0x41]), Buffer.from('"}')]),
        status: 400,
        error: notAName,
      },
    ]);
  });

  it('a named operation among several is run', async () => {
    const { status, body, requestId } = await post(json('query A { district { name } } query B { district { id } }', undefined, 'A'));
    expect({ status, body }).toEqual({ status: 200, body: { data: { district: { name: '示范区' } } } });
    expect(await recordsOf(requestId)).toEqual([{ outcome: 'SERVED', code: null, httpStatus: 200, subgraphs: ['government'] }]);
  });
});
