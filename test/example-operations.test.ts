// The example operations (examples/operations/) are true: each, run through the gateway as the
// caller its header names (the `npm run -s token` flags), for the purpose and with the variables it
// names, is answered in full — no error, no field withheld. The writes run on databases of this
// file's own, so the read-only files' demo district stays as it was.
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parsePurpose, type Org, type Principal, type Purpose } from '../auth/index.js';
import { PROJECT_ROOT } from '../config/index.js';
import { demoData } from './support/seed-options.js';
import { callerHeaders, postGraphQL, startTestStack, type TestStack } from './support/stack.js';

const EXAMPLES_DIR = path.join(PROJECT_ROOT, 'examples/operations');

interface Example {
  file: string;
  text: string;
  caller: Principal;
  purpose: Purpose;
  variables: Record<string, unknown>;
}

/** An example's header: `# Caller: --org court --roles judge [--unit …] [--sub …] [--name …]`, `# Purpose:`, `# Variables:`. */
function readExample(file: string): Example {
  const text = readFileSync(path.join(EXAMPLES_DIR, file), 'utf8');
  const header = (name: string) => new RegExp(`^# ${name}: (.*)$`, 'm').exec(text)?.[1] ?? '';
  const flags = Object.fromEntries([...header('Caller').matchAll(/--(\w+) (\S+)/g)].map((m) => [m[1], m[2]])) as Record<string, string>;
  return {
    file,
    text,
    caller: {
      sub: flags.sub ?? `example-${flags.org}-${flags.roles}`,
      name: flags.name ?? `Example ${flags.roles}`,
      org: flags.org as Org,
      roles: flags.roles!.split(','),
      unit: flags.unit ?? null,
    },
    purpose: parsePurpose(header('Purpose')) ?? (() => { throw new Error(`${file}: no purpose`); })(),
    variables: JSON.parse(header('Variables')) as Record<string, unknown>,
  };
}

/** A mutation: run by its own test, in order (a reply names the suggestion issued). */
function isWrite(example: Example): boolean {
  return /^mutation /m.test(example.text);
}

describe('the example operations, run as the callers they name', () => {
  let stack: TestStack;
  const examples = readdirSync(EXAMPLES_DIR).filter((file) => file.endsWith('.graphql')).sort().map(readExample);

  beforeAll(async () => {
    stack = await startTestStack({ gateway: true, ownDatabases: 'examples' });
  });
  afterAll(async () => {
    await stack?.stop();
  });

  it.each(examples.filter((e) => !isWrite(e)).map((example) => [example.file, example] as const))('%s is answered with no field withheld', async (_file, example) => {
    const { status, body } = await postGraphQL(stack.gateway!.url, example.text, example.variables, await callerHeaders(example.caller, example.purpose));
    // A field the caller may not see would come back null with a FORBIDDEN error: there is none.
    expect({ status, errors: body.errors }).toEqual({ status: 200, errors: undefined });
    const roots = Object.entries(body.data as Record<string, unknown>);
    expect(roots.filter(([, value]) => value === null || (Array.isArray(value) && value.length === 0))).toEqual([]);
  });

  it('the writes: a judge issues a suggestion, and the addressed agency’s officer replies to it', async () => {
    const issue = examples.find((e) => e.file === 'issue-judicial-suggestion.graphql')!;
    const reply = examples.find((e) => e.file === 'reply-to-judicial-suggestion.graphql')!;
    const issued = await postGraphQL(stack.gateway!.url, issue.text, issue.variables, await callerHeaders(issue.caller, issue.purpose));
    const suggestion = (issued.body.data as { issueJudicialSuggestion: { id: string; number: string; issuedAt: string; dueAt: string } }).issueJudicialSuggestion;
    expect(issued.body).toEqual({
      data: {
        issueJudicialSuggestion: {
          id: expect.stringMatching(/^JS-\d{4}-\d{3}$/),
          number: expect.stringMatching(/^（\d{4}）苏0102司建\d+号$/),
          state: 'ISSUED',
          version: 1,
          issuedAt: expect.stringMatching(/^\d{4}-\d{2}-\d{2}$/),
          dueAt: expect.stringMatching(/^\d{4}-\d{2}-\d{2}$/),
          toAgency: { name: '区人力资源和社会保障局' },
        },
      },
    });
    // The reply names the suggestion just issued (its example names the README's).
    const replied = await postGraphQL(stack.gateway!.url, reply.text, { ...reply.variables, suggestionId: suggestion.id }, await callerHeaders(reply.caller, reply.purpose));
    expect(replied.body).toEqual({
      data: {
        replyToJudicialSuggestion: {
          id: suggestion.id,
          replyVersion: 1,
          overdue: false,
          reply: { repliedAt: expect.stringMatching(/^\d{4}-\d{2}-\d{2}$/), adopted: true, content: '已采纳：已修订待遇核定告知书，增设复核环节。', supplementary: false, attachments: [{ name: '整改报告.pdf' }] },
        },
      },
    });
    // And the issue example, sent again with its key, returns the first result: no second suggestion.
    expect((await postGraphQL(stack.gateway!.url, issue.text, issue.variables, await callerHeaders(issue.caller, issue.purpose))).body).toEqual(issued.body);
  });

  it('the dispute example follows the demo district’s showcase dispute through all three institutions', async () => {
    const example = examples.find((e) => e.file === 'dispute-through-institutions.graphql')!;
    const { showcase, court, procuratorate } = demoData();
    // When the demo district changes its showcase, name the new one in the example (and the README).
    expect(example.variables).toEqual({ id: showcase.disputeId });
    const { body } = await postGraphQL(stack.gateway!.url, example.text, example.variables, await callerHeaders(example.caller, example.purpose));
    const dispute = (body.data as { dispute: { adminCases: { caseNumber: string }[]; enforcementCases: { caseNumber: string }[]; supervisions: { caseNumber: string }[] } }).dispute;
    expect({
      government: (body.data as { dispute: { id: string } }).dispute.id,
      court: dispute.adminCases.map((c) => c.caseNumber).includes(court.adminCases.find((c) => c._id === showcase.adminCaseId)!.caseNumber),
      enforcement: dispute.enforcementCases.map((c) => c.caseNumber).includes(court.enforcementCases.find((c) => c._id === showcase.enforcementCaseId)!.caseNumber),
      procuratorate: dispute.supervisions.map((c) => c.caseNumber).includes(procuratorate.supervisionCases.find((c) => c._id === showcase.supervisionCaseId)!.caseNumber),
    }).toEqual({ government: showcase.disputeId, court: true, enforcement: true, procuratorate: true });
  });
});
