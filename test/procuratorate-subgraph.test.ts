import { defineSubgraphSuite, day, newestFirst } from './support/subgraph-suite.js';
import { demoData } from './support/seed-options.js';
import { principal } from './support/stack.js';

const procuratorate = () => demoData().procuratorate;
const supervision = (id: string) => procuratorate().supervisionCases.find((s) => s._id === id)!;
const ref = (id: string | null) => (id ? { id } : null);

defineSubgraphSuite({
  name: 'procuratorate',
  identity: { principal: principal('procuratorate', ['prosecutor']), purpose: 'SUPERVISION', requestId: 'test-procuratorate-suite' },
  list: {
    field: 'supervisionCases',
    filter: '{ kind: JUDGMENT_SUPERVISION }',
    expectedIds: () =>
      newestFirst(procuratorate().supervisionCases.filter((s) => s.kind === 'JUDGMENT_SUPERVISION'), 'openedAt').map((s) => s._id),
    periodField: 'opened',
  },
  lookup: {
    field: 'supervisionCase',
    id: () => demoData().showcase.supervisionCaseId,
    selection: '{ id caseNumber kind openedAt closedAt status prosecutorNotes adminCase { id } agency { id } dispute { id } }',
    expected: (id) => {
      const s = supervision(id);
      return {
        id,
        caseNumber: s.caseNumber,
        kind: s.kind,
        openedAt: day(s.openedAt),
        closedAt: day(s.closedAt),
        status: s.status,
        prosecutorNotes: s.prosecutorNotes,
        adminCase: ref(s.adminCaseId),
        agency: ref(s.agencyId),
        dispute: ref(s.disputeId),
      };
    },
  },
  entity: {
    typename: 'SupervisionCase',
    selection: '{ id caseNumber kind status }',
    ids: () => procuratorate().supervisionCases.slice(0, 25).map((s) => s._id),
    expected: (id) => {
      const s = supervision(id);
      return { id, caseNumber: s.caseNumber, kind: s.kind, status: s.status };
    },
    commands: ['find supervisionCases'],
  },
});
