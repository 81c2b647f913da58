// A page of 500 rows costs each subgraph the same database commands as a page of 20 (issue #10):
// every join under a list is one batched command per entity type, never one per row. (Across
// agencies, test/bulletin.test.ts and test/agency-pages-batched.test.ts check the same.)
import { beforeAll, describe, expect, it } from 'vitest';
import { demoData } from './support/seed-options.js';
import { callerHeaders, postGraphQL, principal, sharedTestStack, type TestStack } from './support/stack.js';

const linkageOfficer = () => callerHeaders(principal('government', ['linkage_officer']), 'DISPUTE_RESOLUTION');

/** Lists with every join their rows make, within the owner and across the other institutions. */
const LISTS = {
  acts: 'id number agency { name } party { kind }',
  adminCases: 'id caseNumber defendant { name } act { number } dispute { title } hearings { heldAt } performance { performed } supervisions { kind }',
  supervisionCases: 'id caseNumber agency { name } adminCase { caseNumber defendant { name } } dispute { title }',
};

describe('database commands per request, whatever the page size', () => {
  let stack: TestStack;
  beforeAll(async () => {
    stack = await sharedTestStack();
  });

  const page = async (field: keyof typeof LISTS, first: number) => {
    stack.resetCommands();
    const { body } = await postGraphQL(
      stack.gateway!.url,
      `query PageSize($first: Int!) { ${field}(first: $first) { edges { node { ${LISTS[field]} } } } }`,
      { first },
      await linkageOfficer(),
    );
    expect(body.errors).toBeUndefined();
    const rows = (body.data as Record<string, { edges: unknown[] }>)[field]!.edges.length;
    return { rows, commands: Object.fromEntries(Object.entries(stack.commands).map(([name, commands]) => [name, [...commands].sort()])) };
  };

  it.each(Object.keys(LISTS) as (keyof typeof LISTS)[])('%s: the same commands for 500 rows as for 20', async (field) => {
    const stored = { acts: demoData().government.acts, adminCases: demoData().court.adminCases, supervisionCases: demoData().procuratorate.supervisionCases }[field].length;
    const small = await page(field, 20);
    const large = await page(field, 500);
    expect(small.rows).toBe(20);
    // Every row up to 500: the demo data has fewer cases than that at scale 1.
    expect(large.rows).toBe(Math.min(500, stored));
    expect(large.rows).toBeGreaterThan(100);
    expect(Object.values(small.commands).flat()).toContain(`find ${field}`);
    expect(large.commands).toEqual(small.commands);
  });
});
