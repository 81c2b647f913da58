// Who sees which field, for which purpose: each role of each org, under several purposes, asking
// for fields owned by all three institutions. Every case asserts the whole response: values,
// masked values, nulls and the owner's reasons.
import { beforeAll, describe, expect, it } from 'vitest';
import { DenialReason } from '../platform/index.js';
import { type Org, type Purpose } from '../auth/index.js';
import { ResponseBuilder, masked, sortErrors } from './support/expect-response.js';
import { demoData } from './support/seed-options.js';
import { callerHeaders, postGraphQL, principal, sharedTestStack, type TestStack } from './support/stack.js';

const QUERY = `query Matrix($id: ID!, $period: Period!) {
  district { litigationStats(period: $period) { filed } }
  dispute(id: $id) {
    title
    parties { name idNumber }
    consultations { conclusion }
    adminCases {
      caseNumber
      judge
      deliberationNotes
      plaintiff { name }
      supervisions { caseNumber prosecutorNotes }
    }
  }
}`;
const PERIOD = { from: '2025-01-01', to: '2025-07-01' };

type Decision = 'ok' | DenialReason;
interface Expectation {
  dispute: Decision;
  parties: Decision;
  partyName: Decision;
  partyIdNumber: Decision;
  consultations: Decision;
  judge: Decision;
  deliberationNotes: Decision;
  plaintiff: Decision;
  plaintiffName: Decision;
  prosecutorNotes: Decision;
}
const ALL_OK: Expectation = {
  dispute: 'ok',
  parties: 'ok',
  partyName: 'ok',
  partyIdNumber: 'ok',
  consultations: 'ok',
  judge: 'ok',
  deliberationNotes: 'ok',
  plaintiff: 'ok',
  plaintiffName: 'ok',
  prosecutorNotes: 'ok',
};
const { ORG_NOT_ALLOWED, ROLE_NOT_ALLOWED, PURPOSE_NOT_ALLOWED, NOT_OWN_UNIT, OWNER_ONLY } = DenialReason;

interface Case {
  name: string;
  org: Org;
  roles: string[];
  /** 'OWN' for the dispute's own agency, 'OTHER' for another one. */
  unit?: 'OWN' | 'OTHER';
  purpose: Purpose;
  expect: Partial<Expectation>;
}

const CASES: Case[] = [
  {
    name: 'a government reconsideration officer, handling a case',
    org: 'government', roles: ['reviewer'], purpose: 'CASE_HANDLING',
    expect: { deliberationNotes: OWNER_ONLY, prosecutorNotes: OWNER_ONLY },
  },
  {
    name: 'the linkage office, resolving a dispute: no judge name outside case handling',
    org: 'government', roles: ['linkage_officer'], purpose: 'DISPUTE_RESOLUTION',
    expect: { judge: PURPOSE_NOT_ALLOWED, deliberationNotes: OWNER_ONLY, prosecutorNotes: OWNER_ONLY },
  },
  {
    name: "an officer of the dispute's own agency: its records, but no party details",
    org: 'government', roles: ['agency_officer'], unit: 'OWN', purpose: 'CASE_HANDLING',
    expect: { partyName: ROLE_NOT_ALLOWED, partyIdNumber: ROLE_NOT_ALLOWED, plaintiffName: ROLE_NOT_ALLOWED, deliberationNotes: OWNER_ONLY, prosecutorNotes: OWNER_ONLY },
  },
  {
    name: 'an officer of another agency: only the OPEN fields',
    org: 'government', roles: ['agency_officer'], unit: 'OTHER', purpose: 'CASE_HANDLING',
    expect: { parties: NOT_OWN_UNIT, consultations: NOT_OWN_UNIT, judge: NOT_OWN_UNIT, plaintiff: NOT_OWN_UNIT, deliberationNotes: OWNER_ONLY, prosecutorNotes: OWNER_ONLY },
  },
  {
    name: 'a government analyst: statistics only',
    org: 'government', roles: ['analyst'], purpose: 'STATISTICS',
    expect: { dispute: ROLE_NOT_ALLOWED },
  },
  {
    name: 'a judge handling a case: party data masked, no consultations outside dispute resolution',
    org: 'court', roles: ['judge'], purpose: 'CASE_HANDLING',
    expect: { consultations: PURPOSE_NOT_ALLOWED, prosecutorNotes: OWNER_ONLY },
  },
  {
    name: 'a judge resolving a dispute: consultations, but party names only for case handling',
    org: 'court', roles: ['judge'], purpose: 'DISPUTE_RESOLUTION',
    expect: { partyName: PURPOSE_NOT_ALLOWED, partyIdNumber: PURPOSE_NOT_ALLOWED, plaintiffName: PURPOSE_NOT_ALLOWED, prosecutorNotes: OWNER_ONLY },
  },
  {
    name: 'a court clerk: no deliberation notes, no consultations',
    org: 'court', roles: ['clerk'], purpose: 'CASE_HANDLING',
    expect: { consultations: ROLE_NOT_ALLOWED, deliberationNotes: OWNER_ONLY, prosecutorNotes: OWNER_ONLY },
  },
  {
    name: 'a court analyst: statistics only',
    org: 'court', roles: ['analyst'], purpose: 'STATISTICS',
    expect: { dispute: ROLE_NOT_ALLOWED },
  },
  {
    name: 'a prosecutor supervising: court details and party data (masked), own notes',
    org: 'procuratorate', roles: ['prosecutor'], purpose: 'SUPERVISION',
    expect: { deliberationNotes: OWNER_ONLY },
  },
  {
    name: 'a prosecutor for any purpose but supervision: no court or government details',
    org: 'procuratorate', roles: ['prosecutor'], purpose: 'CASE_HANDLING',
    expect: { parties: PURPOSE_NOT_ALLOWED, consultations: PURPOSE_NOT_ALLOWED, judge: PURPOSE_NOT_ALLOWED, plaintiff: PURPOSE_NOT_ALLOWED, deliberationNotes: OWNER_ONLY },
  },
  {
    name: 'a partner frontend: statistics only',
    org: 'partner', roles: ['viewer'], purpose: 'STATISTICS',
    expect: { dispute: ORG_NOT_ALLOWED },
  },
  {
    name: 'an auditor: no case data',
    org: 'audit', roles: ['auditor'], purpose: 'AUDIT',
    expect: { dispute: ORG_NOT_ALLOWED },
  },
];

function expectedResponse(c: Case) {
  const data = demoData();
  const d = data.government.disputes.find((x) => x._id === data.showcase.disputeId)!;
  const e: Expectation = { ...ALL_OK, ...c.expect };
  // PII is masked for everyone outside the government, which owns Party.
  const mask = c.org !== 'government';
  const party = (id: string) => data.government.parties.find((p) => p._id === id)!;
  const cases = data.court.adminCases.filter((x) => x.disputeId === d._id).sort((a, b) => a.filedAt.getTime() - b.filedAt.getTime());
  const b = new ResponseBuilder();
  const filed = data.court.adminCases.filter((x) => x.filedAt >= new Date(PERIOD.from) && x.filedAt < new Date(PERIOD.to)).length;
  const body = {
    district: { litigationStats: { filed } },
    dispute: b.field(['dispute'], 'government', e.dispute, () => ({
      title: d.title,
      parties: b.field(['dispute', 'parties'], 'government', e.parties, () =>
        d.partyIds.map(party).map((p, i) => ({
          name: b.field(['dispute', 'parties', i, 'name'], 'government', e.partyName, () => (mask ? masked.name(p.name, p.kind) : p.name)),
          idNumber: b.field(['dispute', 'parties', i, 'idNumber'], 'government', e.partyIdNumber, () => (mask ? masked.idNumber(p.idNumber) : p.idNumber)),
        })),
      ),
      consultations: b.field(['dispute', 'consultations'], 'government', e.consultations, () => d.consultations.map((x) => ({ conclusion: x.conclusion }))),
      adminCases: cases.map((x, i) => {
        const at = ['dispute', 'adminCases', i];
        const plaintiff = party(x.plaintiffId);
        return {
          caseNumber: x.caseNumber,
          judge: b.field([...at, 'judge'], 'court', e.judge, () => x.judge),
          deliberationNotes: b.field([...at, 'deliberationNotes'], 'court', e.deliberationNotes, () => x.deliberationNotes),
          plaintiff: b.field([...at, 'plaintiff'], 'court', e.plaintiff, () => ({
            name: b.field([...at, 'plaintiff', 'name'], 'government', e.plaintiffName, () =>
              mask ? masked.name(plaintiff.name, plaintiff.kind) : plaintiff.name,
            ),
          })),
          supervisions: data.procuratorate.supervisionCases
            .filter((s) => s.adminCaseId === x._id)
            .sort((a, b2) => a.openedAt.getTime() - b2.openedAt.getTime())
            .map((s, j) => ({
              caseNumber: s.caseNumber,
              prosecutorNotes: b.field([...at, 'supervisions', j, 'prosecutorNotes'], 'procuratorate', e.prosecutorNotes, () => s.prosecutorNotes),
            })),
        };
      }),
    })),
  };
  return { data: body, errors: b.sortedErrors() };
}

describe('the sharing matrix through the gateway', () => {
  let stack: TestStack;
  beforeAll(async () => {
    stack = await sharedTestStack();
  });

  it('probes a dispute that reaches all three institutions, with notes and consultations to withhold', () => {
    const data = demoData();
    const d = data.government.disputes.find((x) => x._id === data.showcase.disputeId)!;
    expect(d.consultations.length).toBeGreaterThan(0);
    const showcaseCase = data.court.adminCases.find((x) => x._id === data.showcase.adminCaseId)!;
    expect(showcaseCase.deliberationNotes).not.toBeNull();
    expect(data.procuratorate.supervisionCases.some((s) => s.adminCaseId === showcaseCase._id)).toBe(true);
  });

  it.each(CASES)('$name', async (c) => {
    const data = demoData();
    const ownAgency = data.government.disputes.find((x) => x._id === data.showcase.disputeId)!.agencyId;
    const otherAgency = data.government.agencies.find((a) => a._id !== ownAgency)!._id;
    const unit = c.unit === 'OWN' ? ownAgency : c.unit === 'OTHER' ? otherAgency : null;
    const headers = await callerHeaders(principal(c.org, c.roles, unit), c.purpose);
    const { status, body } = await postGraphQL(stack.gateway!.url, QUERY, { id: data.showcase.disputeId, period: PERIOD }, headers);
    const expected = expectedResponse(c);
    expect(status).toBe(200);
    expect({ data: body.data, errors: sortErrors((body.errors ?? []) as { path?: (string | number)[] }[]) }).toEqual(expected);
  });
});
