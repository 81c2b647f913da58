import { defineSubgraphSuite, day, newestFirst } from './support/subgraph-suite.js';
import { demoData } from './support/seed-options.js';
import { principal } from './support/stack.js';

const court = () => demoData().court;
const adminCase = (id: string) => court().adminCases.find((c) => c._id === id)!;

defineSubgraphSuite({
  name: 'court',
  identity: { principal: principal('court', ['judge']), purpose: 'CASE_HANDLING', requestId: 'test-court-suite' },
  list: {
    field: 'adminCases',
    filter: '{ defendantId: "AG-HCB", status: CLOSED }',
    expectedIds: () =>
      newestFirst(court().adminCases.filter((c) => c.defendantId === 'AG-HCB' && c.status === 'CLOSED'), 'filedAt').map((c) => c._id),
    periodField: 'filed',
  },
  lookup: {
    field: 'adminCase',
    id: () => demoData().showcase.adminCaseId,
    selection: `{ id caseNumber cause filedAt closedAt stage status outcome agencyLost judge deliberationNotes
      defendant { id } plaintiff { id } act { id } dispute { id } hearings { heldAt headAppeared appearedOfficial } }`,
    expected: (id) => {
      const c = adminCase(id);
      return {
        id,
        caseNumber: c.caseNumber,
        cause: c.cause,
        filedAt: day(c.filedAt),
        closedAt: day(c.closedAt),
        stage: c.stage,
        status: c.status,
        outcome: c.outcome,
        agencyLost: c.agencyLost,
        judge: c.judge,
        deliberationNotes: c.deliberationNotes,
        defendant: { id: c.defendantId },
        plaintiff: { id: c.plaintiffId },
        act: c.actId ? { id: c.actId } : null,
        dispute: c.disputeId ? { id: c.disputeId } : null,
        hearings: court()
          .hearings.filter((h) => h.caseId === id)
          .sort((a, b) => a.heldAt.getTime() - b.heldAt.getTime())
          .map((h) => ({ heldAt: day(h.heldAt), headAppeared: h.headAppeared, appearedOfficial: h.appearedOfficial })),
      };
    },
  },
  entity: {
    typename: 'AdminCase',
    selection: '{ id caseNumber outcome agencyLost }',
    ids: () => court().adminCases.slice(0, 30).map((c) => c._id),
    expected: (id) => {
      const c = adminCase(id);
      return { id, caseNumber: c.caseNumber, outcome: c.outcome, agencyLost: c.agencyLost };
    },
    commands: ['find adminCases'],
  },
});
