// The schema has cycles; the gateway bounds an operation's depth and aliases before planning it.
import { beforeAll, describe, expect, it } from 'vitest';
import { demoData } from './support/seed-options.js';
import { callerHeaders, postGraphQL, principal, sharedTestStack, type TestStack } from './support/stack.js';

describe('operation limits at the gateway', () => {
  let stack: TestStack;
  const prosecutor = () => callerHeaders(principal('procuratorate', ['prosecutor']), 'SUPERVISION');
  beforeAll(async () => {
    stack = await sharedTestStack();
  });

  /** supervisionCase → adminCase → dispute → adminCases → supervisions → … , `levels` fields deep. */
  const cycle = (levels: number) => {
    const path = ['adminCase', 'dispute', 'adminCases', 'supervisions'];
    let inner = 'id';
    for (let i = levels - 2; i >= 1; i--) inner = `${path[(i - 1) % 4]} { ${inner} }`;
    return `query Deep($id: ID!) { supervisionCase(id: $id) { ${inner} } }`;
  };

  it('serves an operation 12 fields deep', async () => {
    const { status, body } = await postGraphQL(stack.gateway!.url, cycle(12), { id: demoData().showcase.supervisionCaseId }, await prosecutor());
    expect(status).toBe(200);
    expect(body.errors).toBeUndefined();
  });

  it('refuses 13, before any subgraph is called', async () => {
    stack.resetCommands();
    const { status, body } = await postGraphQL(stack.gateway!.url, cycle(13), { id: demoData().showcase.supervisionCaseId }, await prosecutor());
    expect({ status, body }).toEqual({
      status: 400,
      body: {
        errors: [
          { message: 'The operation is 13 fields deep; the limit is 12', locations: [{ line: 1, column: 1 }], extensions: { code: 'GRAPHQL_VALIDATION_FAILED' } },
        ],
      },
    });
    expect(stack.commands).toEqual({ government: [], court: [], procuratorate: [] });
  });

  it('refuses more than 30 aliases', async () => {
    const fields = Array.from({ length: 31 }, (_, i) => `a${i}: name`).join(' ');
    const { status, body } = await postGraphQL(stack.gateway!.url, `{ district { ${fields} } }`, undefined, await prosecutor());
    expect({ status, body }).toEqual({
      status: 400,
      body: {
        errors: [
          { message: 'The operation uses more than 30 aliases', locations: [{ line: 1, column: 304 }], extensions: { code: 'GRAPHQL_VALIDATION_FAILED' } },
        ],
      },
    });
  });
});
