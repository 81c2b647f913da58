// `Agency.adminCases` (court) and `Agency.acts` (government) under a list of agencies are batched
// across the agencies (issue #9, defect 2): one database command per request, whatever the number
// of agencies, where a resolver per agency issued one each. Each agency's page is the same as the
// top-level list filtered to that agency (the unbatched path), cursors and counts included.
import { beforeAll, describe, expect, it } from 'vitest';
import { demoData } from './support/seed-options.js';
import { callerHeaders, postGraphQL, principal, sharedTestStack, type TestStack } from './support/stack.js';

const judge = () => callerHeaders(principal('court', ['judge']), 'CASE_HANDLING');
const PAGE = 'totalCount edges { cursor node { id } } pageInfo { hasNextPage endCursor }';

const BATCHED = `query AgencyPages($agencyIds: [ID!], $first: Int!, $after: String) {
  bulletin(period: { from: "2025-01-01", to: "2025-07-01" }, agencyIds: $agencyIds) {
    agencies { id adminCases(first: $first, after: $after) { ${PAGE} } acts(first: $first, after: $after) { ${PAGE} } }
  }
}`;

/** One agency's pages through the top-level lists, one request per agency. */
const ALONE = `query AgencyAlone($agencyId: ID!, $first: Int!, $after: String) {
  adminCases(filter: { defendantId: $agencyId }, first: $first, after: $after) { ${PAGE} }
  acts(filter: { agencyId: $agencyId }, first: $first, after: $after) { ${PAGE} }
}`;

describe("agencies' cases and acts, batched across agencies", () => {
  let stack: TestStack;
  const all = demoData()
    .government.agencies.map((a) => a._id)
    .sort();
  beforeAll(async () => {
    stack = await sharedTestStack();
  });

  const batched = async (agencyIds: string[], first: number, after?: string) => {
    stack.resetCommands();
    const { status, body } = await postGraphQL(stack.gateway!.url, BATCHED, { agencyIds, first, after }, await judge());
    return { status, body, commands: structuredClone(stack.commands) };
  };
  const alone = async (agencyIds: string[], first: number, after?: string) => ({
    status: 200,
    body: {
      data: {
        bulletin: {
          agencies: await Promise.all(
            agencyIds.map(async (agencyId) => {
              const { body } = await postGraphQL(stack.gateway!.url, ALONE, { agencyId, first, after }, await judge());
              expect(body.errors).toBeUndefined();
              return { id: agencyId, ...(body.data as object) };
            }),
          ),
        },
      },
    },
  });

  it('answers each agency with the page the top-level list gives it', async () => {
    const { status, body } = await batched(all, 3);
    expect({ status, body }).toEqual(await alone(all, 3));
  });

  it('pages on from a cursor for every agency alike', async () => {
    // A cursor from the middle of one agency's cases is a keyset position: for the others too.
    const { body } = await postGraphQL(stack.gateway!.url, ALONE, { agencyId: 'AG-NRB', first: 30 }, await judge());
    const after = (body.data as { adminCases: { pageInfo: { endCursor: string } } }).adminCases.pageInfo.endCursor;
    const page = await batched(all, 5, after);
    expect({ status: page.status, body: page.body }).toEqual(await alone(all, 5, after));
  });

  it('issues the same database commands for 12 agencies as for 1', async () => {
    expect(all).toHaveLength(12);
    const one = await batched(['AG-NRB'], 5);
    const twelve = await batched(all, 5);
    expect(one.body.errors).toBeUndefined();
    expect(twelve.body.errors).toBeUndefined();
    expect(twelve.commands.court.sort()).toEqual(one.commands.court.sort());
    expect(twelve.commands.government.sort()).toEqual(one.commands.government.sort());
    // The court: one find of the agencies' cases, one count of them.
    expect(twelve.commands.court).toEqual(['aggregate adminCases', 'find adminCases']);
    // The government: the same for acts, besides what the bulletin itself reads.
    expect(twelve.commands.government.filter((c) => c.endsWith(' acts'))).toEqual(['aggregate acts', 'find acts']);
  });
});
