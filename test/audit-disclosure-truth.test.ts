// The disclosure log tells what each caller actually received, field by field (issue 8, "truth per
// field"): a value as it is, masked (with the mask), or refused (with the reason) — on the record the
// field belongs to, and on every record it is nested under (`parties.name` on the dispute), so that a
// dispute's history no longer shows `parties` as disclosed to someone who got every name masked and
// every phone refused. Read back as an auditor would, through the gateway.
import { describe, expect, it } from 'vitest';
import { applyMask } from '../auth/index.js';
import { demoData } from './support/seed-options.js';
import { callerHeaders, postGraphQL, principal, sharedTestStack } from './support/stack.js';

const judge = principal('court', ['judge']);
const auditor = principal('audit', ['auditor']);

describe('per-field truth in the disclosure log', () => {
  it('records a dispute’s parties as the judge received them: names and ID numbers masked, phones refused', async () => {
    const stack = await sharedTestStack();
    const data = demoData();
    const dispute = data.government.disputes.find((d) => d._id === data.showcase.disputeId)!;
    const parties = dispute.partyIds.map((id) => data.government.parties.find((p) => p._id === id)!);
    // Aliases must not hide what was disclosed: the log names fields, never the client's aliases.
    const read = await fetch(stack.gateway!.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(await callerHeaders(judge, 'CASE_HANDLING')) },
      body: JSON.stringify({ query: `{ dispute(id: ${JSON.stringify(dispute._id)}) { id title people: parties { id kind name idNumber phone } } }` }),
    });
    const answer = (await read.json()) as { data: { dispute: { people: Record<string, unknown>[] } }; errors: unknown[] };
    const requestId = read.headers.get('x-request-id')!;
    // What the judge got: masked names (of persons) and ID numbers, no phone.
    expect(answer.data.dispute.people).toEqual(
      parties.map((p) => ({ id: p._id, kind: p.kind, name: applyMask('PERSON_NAME', p.name, p), idNumber: applyMask('ID_NUMBER', p.idNumber, p), phone: null })),
    );
    expect(answer.errors).toHaveLength(parties.length);

    const logged = await postGraphQL(
      stack.gateway!.url,
      `query Truth($id: ID!) { accessLogEntry(requestId: $id) { governmentDisclosures { recordType recordId disclosed masked { field mask } refused { field reason } } } }`,
      { id: requestId },
      await callerHeaders(auditor, 'AUDIT'),
    );
    const persons = parties.filter((p) => p.kind !== 'ORGANIZATION');
    const organisations = parties.filter((p) => p.kind === 'ORGANIZATION');
    const partyEntry = (p: (typeof parties)[number]) => ({
      recordType: 'Party',
      recordId: p._id,
      disclosed: ['id', 'kind', ...(p.kind === 'ORGANIZATION' ? ['name'] : [])].sort(),
      masked: [{ field: 'idNumber', mask: 'ID_NUMBER' }, ...(p.kind === 'ORGANIZATION' ? [] : [{ field: 'name', mask: 'PERSON_NAME' }])].sort((a, b) => a.field.localeCompare(b.field)),
      refused: [{ field: 'phone', reason: 'ROLE_NOT_ALLOWED' }],
    });
    expect(logged.body).toEqual({
      data: {
        accessLogEntry: {
          governmentDisclosures: expect.arrayContaining([
            {
              recordType: 'Dispute',
              recordId: dispute._id,
              disclosed: ['id', 'parties', 'parties.id', 'parties.kind', ...(organisations.length ? ['parties.name'] : []), 'title'].sort(),
              masked: [{ field: 'parties.idNumber', mask: 'ID_NUMBER' }, ...(persons.length ? [{ field: 'parties.name', mask: 'PERSON_NAME' }] : [])],
              refused: [{ field: 'parties.phone', reason: 'ROLE_NOT_ALLOWED' }],
            },
            ...parties.map(partyEntry),
          ]),
        },
      },
    });
    expect((logged.body.data as { accessLogEntry: { governmentDisclosures: unknown[] } }).accessLogEntry.governmentDisclosures).toHaveLength(1 + parties.length);
  });
});
