import { defineSubgraphSuite, day, newestFirst } from './support/subgraph-suite.js';
import { demoData } from './support/seed-options.js';
import { principal } from './support/stack.js';

const government = () => demoData().government;
const dispute = (id: string) => government().disputes.find((d) => d._id === id)!;
const reconsideration = (id: string) => government().reconsiderations.find((r) => r._id === id)!;

defineSubgraphSuite({
  name: 'government',
  identity: { principal: principal('government', ['reviewer']), purpose: 'CASE_HANDLING', requestId: 'test-government-suite' },
  list: {
    field: 'disputes',
    filter: '{ agencyId: "AG-NRB", major: true }',
    expectedIds: () =>
      newestFirst(government().disputes.filter((d) => d.agencyId === 'AG-NRB' && d.major), 'openedAt').map((d) => d._id),
    periodField: 'opened',
  },
  lookup: {
    field: 'dispute',
    id: () => demoData().showcase.disputeId,
    selection: `{ id title category status major substantivelyResolved openedAt closedAt
      agency { id name } parties { id kind } consultations { heldAt institutions conclusion } }`,
    expected: (id) => {
      const d = dispute(id);
      const agency = government().agencies.find((a) => a._id === d.agencyId)!;
      return {
        id,
        title: d.title,
        category: d.category,
        status: d.status,
        major: d.major,
        substantivelyResolved: d.substantivelyResolved,
        openedAt: day(d.openedAt),
        closedAt: day(d.closedAt),
        agency: { id: agency._id, name: agency.name },
        parties: d.partyIds.map((pid) => ({ id: pid, kind: government().parties.find((p) => p._id === pid)!.kind })),
        consultations: d.consultations.map((c) => ({ heldAt: day(c.heldAt), institutions: c.institutions, conclusion: c.conclusion })),
      };
    },
  },
  entity: {
    typename: 'Reconsideration',
    selection: '{ id caseNumber status outcome respondent { id name } }',
    ids: () => government().reconsiderations.slice(100, 130).map((r) => r._id),
    expected: (id) => {
      const r = reconsideration(id);
      const agency = government().agencies.find((a) => a._id === r.respondentId)!;
      return { id, caseNumber: r.caseNumber, status: r.status, outcome: r.outcome, respondent: { id: agency._id, name: agency.name } };
    },
    commands: ['find reconsiderations', 'find agencies'],
  },
});
