// One suite, run against each subgraph started alone over its own database (apollo-server's
// integration-testsuite pattern): queries, filters, pagination, entity batching and bad input.
import { buildASTSchema } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SubgraphName } from '../../config/index.js';
import { ROLES_BY_ORG, type CallIdentity, type Org, type Purpose } from '../../auth/index.js';
import { readReferenceDeclarations, subgraphTypeDefs } from '../../schema/index.js';
import { expectedWriteError, writeCase, writeIdOf, writeVerdict, type WriteCase } from './catalogue-comparison.js';
import { CATALOGUE, fieldsOf, sharingRecords } from './sharing-oracle.js';
import { principal } from './stack.js';
import { subgraphTarget, type SubgraphTarget } from './subgraph-target.js';

/**
 * The subgraph's writes, each with a caller its grants admit (the first grant's org, role and
 * purpose; of the records' agency where the grant asks for the caller's own unit), sent with real
 * records' ids and a malformed idempotency key: what `problems` names cannot be sent.
 */
function writesOf(name: SubgraphName, problems: string[]): { write: WriteCase; identity: CallIdentity }[] {
  const schema = buildASTSchema(subgraphTypeDefs(name), { assumeValidSDL: true });
  const mutation = schema.getMutationType();
  if (!mutation) return [];
  const { own, recordIds } = sharingRecords();
  const declarations = readReferenceDeclarations().filter((d) => d.subgraph === name);
  return fieldsOf(mutation).flatMap((field) => {
    const coordinate = `${mutation.name}.${field.name}`;
    const entries = CATALOGUE.filter((e) => e.owner === name && `${e.type}.${e.field}` === coordinate);
    const grant = entries[0]?.grants[0];
    if (!grant) {
      problems.push(`${coordinate}: no grant in docs/sharing-catalogue.json`);
      return [];
    }
    const org = grant.orgs[0] as Org;
    const who = principal(org, [grant.roles?.[0] ?? ROLES_BY_ORG[org][0]!], grant.row === 'OWN_UNIT' ? own : null);
    const purpose = (grant.purposes?.[0] ?? 'CASE_HANDLING') as Purpose;
    const verdict = writeVerdict(entries, who, purpose);
    if (typeof verdict === 'string' || !verdict.disclose) {
      problems.push(`${coordinate}: its first grant does not admit ${who.sub} for ${purpose}`);
      return [];
    }
    const write = writeCase(mutation, field, writeIdOf(field, declarations, recordIds), problems);
    return write ? [{ write, identity: { principal: who, purpose, requestId: `test-${name}-suite-write` } }] : [];
  });
}

export interface SubgraphSpec {
  name: SubgraphName;
  /** A caller of the owning institution who may see every field the suite reads. */
  identity: CallIdentity;
  list: {
    field: string;
    /** A filter literal, e.g. `{ kind: JUDGMENT_SUPERVISION }`. */
    filter: string;
    /** Ids the filter must return, in list order, computed from the seeded records. */
    expectedIds: () => string[];
    /** The filter's period field, for malformed-period probes. */
    periodField: string;
  };
  lookup: {
    field: string;
    id: () => string;
    selection: string;
    expected: (id: string) => unknown;
  };
  entity: {
    typename: string;
    selection: string;
    /** Ids to resolve through `_entities`; one unknown id is added by the suite. */
    ids: () => string[];
    expected: (id: string) => unknown;
    /** The database commands the whole `_entities` request may issue: one per entity type. */
    commands: string[];
  };
}

export function defineSubgraphSuite(spec: SubgraphSpec): void {
  describe(`${spec.name} subgraph, alone`, () => {
    let target: SubgraphTarget;
    const post = (query: string, variables?: Record<string, unknown>) => target.post(query, variables, spec.identity);

    beforeAll(async () => {
      target = await subgraphTarget(spec.name);
    });
    afterAll(() => target.stop());

    it('pages through a filtered list with cursors, matching the stored records', async () => {
      const expected = spec.list.expectedIds();
      expect(expected.length).toBeGreaterThan(7);
      const seen: string[] = [];
      let after: string | null = null;
      let pages = 0;
      for (;;) {
        const { status, body } = await post(
          `query($after: String) { ${spec.list.field}(filter: ${spec.list.filter}, first: 7, after: $after) {
            totalCount edges { cursor node { id } } pageInfo { hasNextPage endCursor } } }`,
          { after },
        );
        expect(status).toBe(200);
        expect(body.errors).toBeUndefined();
        const connection = (body.data as Record<string, any>)[spec.list.field];
        expect(connection.totalCount).toBe(expected.length);
        expect(connection.pageInfo.endCursor).toBe(connection.edges.at(-1)?.cursor ?? null);
        seen.push(...connection.edges.map((e: { node: { id: string } }) => e.node.id));
        pages++;
        if (!connection.pageInfo.hasNextPage) break;
        after = connection.pageInfo.endCursor;
      }
      expect(seen).toEqual(expected);
      expect(pages).toBe(Math.ceil(expected.length / 7));
    });

    it('looks up one record by id, and answers null for an unknown id', async () => {
      const id = spec.lookup.id();
      const found = await post(`query($id: ID!) { ${spec.lookup.field}(id: $id) ${spec.lookup.selection} }`, { id });
      expect(found).toEqual({ status: 200, body: { data: { [spec.lookup.field]: spec.lookup.expected(id) } } });
      const missing = await post(`query($id: ID!) { ${spec.lookup.field}(id: $id) { id } }`, { id: 'NO-SUCH-ID' });
      expect(missing).toEqual({ status: 200, body: { data: { [spec.lookup.field]: null } } });
    });

    it('resolves entity references with one database command per entity type, null for unknown keys', async () => {
      const ids = [...spec.entity.ids(), 'NO-SUCH-ID'];
      target.resetCommands();
      const { status, body } = await post(
        `query($representations: [_Any!]!) { _entities(representations: $representations) {
          ... on ${spec.entity.typename} ${spec.entity.selection} } }`,
        { representations: ids.map((id) => ({ __typename: spec.entity.typename, id })) },
      );
      expect({ status, body }).toEqual({
        status: 200,
        body: { data: { _entities: ids.map((id) => (id === 'NO-SUCH-ID' ? null : spec.entity.expected(id))) } },
      });
      // Batching is checked where the commands can be watched: on a subgraph started here.
      if (!target.deployed) expect(target.commands()).toEqual(spec.entity.commands);
    });

    it('answers a malformed cursor with BAD_USER_INPUT', async () => {
      const { status, body } = await post(`{ ${spec.list.field}(after: "not a cursor") { totalCount } }`);
      expect({ status, body }).toEqual({
        status: 200,
        body: {
          data: { [spec.list.field]: null },
          errors: [
            {
              message: 'Malformed cursor: pass a cursor this list returned',
              locations: [{ line: 1, column: 3 }],
              path: [spec.list.field],
              extensions: { code: 'BAD_USER_INPUT', argument: 'after' },
            },
          ],
        },
      });
    });

    it('answers a forged cursor (valid encoding, wrong content) with BAD_USER_INPUT', async () => {
      const forged = Buffer.from(JSON.stringify({ $gt: '' }), 'utf8').toString('base64url');
      const { body } = await post(`query($after: String) { ${spec.list.field}(after: $after) { totalCount } }`, { after: forged });
      expect(body.errors).toEqual([
        {
          message: 'Malformed cursor: pass a cursor this list returned',
          locations: [{ line: 1, column: 25 }],
          path: [spec.list.field],
          extensions: { code: 'BAD_USER_INPUT', argument: 'after' },
        },
      ]);
      expect(body.data).toEqual({ [spec.list.field]: null });
    });

    it('answers a reversed period in a filter with BAD_USER_INPUT', async () => {
      const { body } = await post(
        `{ ${spec.list.field}(filter: { ${spec.list.periodField}: { from: "2025-07-01", to: "2025-01-01" } }) { totalCount } }`,
      );
      expect(body).toEqual({
        data: { [spec.list.field]: null },
        errors: [
          {
            message: `filter.${spec.list.periodField}.from must be before filter.${spec.list.periodField}.to`,
            locations: [{ line: 1, column: 3 }],
            path: [spec.list.field],
            extensions: { code: 'BAD_USER_INPUT', argument: `filter.${spec.list.periodField}` },
          },
        ],
      });
    });

    it('answers an impossible date in a variable with BAD_USER_INPUT', async () => {
      const { status, body } = await post(
        `query($p: Period) { ${spec.list.field}(filter: { ${spec.list.periodField}: $p }) { totalCount } }`,
        { p: { from: '2025-02-30', to: '2025-03-01' } },
      );
      expect({ status, body }).toEqual({
        status: 400,
        body: {
          errors: [
            {
              message: 'Variable "$p" got invalid value "2025-02-30" at "p.from"; Invalid Date "2025-02-30": no such day',
              locations: [{ line: 1, column: 7 }],
              extensions: { code: 'BAD_USER_INPUT' },
            },
          ],
        },
      });
    });

    it('answers a page size out of range and a malformed id with BAD_USER_INPUT', async () => {
      const { body: page } = await post(`{ ${spec.list.field}(first: 501) { totalCount } }`);
      expect(page).toEqual({
        data: { [spec.list.field]: null },
        errors: [
          {
            message: 'first must be an integer from 1 to 500',
            locations: [{ line: 1, column: 3 }],
            path: [spec.list.field],
            extensions: { code: 'BAD_USER_INPUT', argument: 'first' },
          },
        ],
      });
      const { body: id } = await post(`{ ${spec.lookup.field}(id: "{\\"$ne\\": null}") { id } }`);
      expect(id).toEqual({
        data: { [spec.lookup.field]: null },
        errors: [
          {
            message: "Malformed id: expected 1-64 letters, digits, ':', '_' or '-'",
            locations: [{ line: 1, column: 3 }],
            path: [spec.lookup.field],
            extensions: { code: 'BAD_USER_INPUT', argument: 'id' },
          },
        ],
      });
    });

    it('refuses every write with a malformed idempotency key, for a caller it admits: BAD_USER_INPUT, and nothing read or written', async () => {
      const problems: string[] = [];
      const writes = writesOf(spec.name, problems);
      expect(problems).toEqual([]);
      for (const { write, identity } of writes) {
        target.resetCommands();
        const { status, body } = await target.post(write.document, undefined, identity);
        expect({ field: write.field, status, body }).toEqual({
          field: write.field,
          status: 200,
          body: { data: { [write.field]: null }, errors: [expectedWriteError(write, { disclose: true, mask: null })] },
        });
        // The arguments are parsed before anything else: not one database command.
        if (!target.deployed) expect({ field: write.field, commands: target.commands() }).toEqual({ field: write.field, commands: [] });
      }
    });

    it('still serves after bad input, and reports health', async () => {
      const health = await fetch(target.url.replace(/\/graphql$/, '/health'));
      expect({ status: health.status, body: await health.json() }).toEqual({
        status: 200,
        body: { status: 'ok', service: spec.name },
      });
      const { body } = await post(`{ ${spec.list.field}(first: 1) { edges { node { id } } } }`);
      expect(body.errors).toBeUndefined();
    });
  });
}

/** Orders records as the lists do: newest first by `field`, then by id descending. */
export function newestFirst<T extends { _id: string }>(records: T[], field: keyof T): T[] {
  return [...records].sort((a, b) => {
    const byDate = (b[field] as Date).getTime() - (a[field] as Date).getTime();
    return byDate !== 0 ? byDate : a._id < b._id ? 1 : a._id > b._id ? -1 : 0;
  });
}

export const day = (date: Date | null) => (date ? date.toISOString().slice(0, 10) : null);
