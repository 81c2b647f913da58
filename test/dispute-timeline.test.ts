// One dispute followed through the gateway across all three institutions' subgraphs.
import { beforeAll, describe, expect, it } from 'vitest';
import { demoData } from './support/seed-options.js';
import { day } from './support/subgraph-suite.js';
import { callerHeaders, postGraphQL, principal, sharedTestStack, type TestStack } from './support/stack.js';

// The linkage office follows disputes across institutions; consultations are shared with it.
const linkageOfficer = () => callerHeaders(principal('government', ['linkage_officer']), 'DISPUTE_RESOLUTION');

const TIMELINE = `query Timeline($id: ID!) {
  dispute(id: $id) {
    id title status major openedAt closedAt
    agency { id name }
    consultations { heldAt institutions }
    adminCases {
      caseNumber filedAt closedAt outcome agencyLost
      hearings { heldAt headAppeared }
      performance { dueAt performed }
      supervisions { caseNumber kind }
    }
    enforcementCases { caseNumber filedAt preSettlement { attempted succeeded } adminCase { caseNumber } }
    supervisions { caseNumber kind openedAt agency { name } adminCase { caseNumber defendant { name } } }
  }
}`;

describe('a dispute timeline through the gateway', () => {
  let stack: TestStack;
  beforeAll(async () => {
    stack = await sharedTestStack();
  });

  it('joins the government register, the court case, its enforcement and the supervision', async () => {
    const data = demoData();
    const { disputeId } = data.showcase;
    const dispute = data.government.disputes.find((d) => d._id === disputeId)!;
    const agencyName = (id: string) => data.government.agencies.find((a) => a._id === id)!.name;
    const cases = data.court.adminCases.filter((c) => c.disputeId === disputeId).sort((a, b) => a.filedAt.getTime() - b.filedAt.getTime());
    const supervisionsOf = (pick: (s: (typeof data.procuratorate.supervisionCases)[number]) => boolean) =>
      data.procuratorate.supervisionCases.filter(pick).sort((a, b) => a.openedAt.getTime() - b.openedAt.getTime());
    const caseNumber = (id: string | null) => data.court.adminCases.find((c) => c._id === id)!.caseNumber;

    const expected = {
      id: disputeId,
      title: dispute.title,
      status: dispute.status,
      major: dispute.major,
      openedAt: day(dispute.openedAt),
      closedAt: day(dispute.closedAt),
      agency: { id: dispute.agencyId, name: agencyName(dispute.agencyId!) },
      consultations: dispute.consultations.map((c) => ({ heldAt: day(c.heldAt), institutions: c.institutions })),
      adminCases: cases.map((c) => {
        const performance = data.government.judgmentPerformances.find((p) => p._id === c._id);
        return {
          caseNumber: c.caseNumber,
          filedAt: day(c.filedAt),
          closedAt: day(c.closedAt),
          outcome: c.outcome,
          agencyLost: c.agencyLost,
          hearings: data.court.hearings
            .filter((h) => h.caseId === c._id)
            .sort((a, b) => a.heldAt.getTime() - b.heldAt.getTime())
            .map((h) => ({ heldAt: day(h.heldAt), headAppeared: h.headAppeared })),
          performance: performance ? { dueAt: day(performance.dueAt), performed: performance.performed } : null,
          supervisions: supervisionsOf((s) => s.adminCaseId === c._id).map((s) => ({ caseNumber: s.caseNumber, kind: s.kind })),
        };
      }),
      enforcementCases: data.court.enforcementCases
        .filter((e) => e.disputeId === disputeId)
        .sort((a, b) => a.filedAt.getTime() - b.filedAt.getTime())
        .map((e) => ({
          caseNumber: e.caseNumber,
          filedAt: day(e.filedAt),
          preSettlement: e.preSettlement,
          adminCase: e.adminCaseId ? { caseNumber: caseNumber(e.adminCaseId) } : null,
        })),
      supervisions: supervisionsOf((s) => s.disputeId === disputeId).map((s) => ({
        caseNumber: s.caseNumber,
        kind: s.kind,
        openedAt: day(s.openedAt),
        agency: s.agencyId ? { name: agencyName(s.agencyId) } : null,
        adminCase: s.adminCaseId
          ? { caseNumber: caseNumber(s.adminCaseId), defendant: { name: agencyName(data.court.adminCases.find((c) => c._id === s.adminCaseId)!.defendantId) } }
          : null,
      })),
    };
    // The showcase really spans every institution: a court case, an enforcement and a supervision.
    expect(expected.adminCases.length).toBeGreaterThan(0);
    expect(expected.enforcementCases.length).toBeGreaterThan(0);
    expect(expected.supervisions.length).toBeGreaterThan(0);

    const response = await postGraphQL(stack.gateway!.url, TIMELINE, { id: disputeId }, await linkageOfficer());
    expect(response).toEqual({ status: 200, body: { data: { dispute: expected } } });
  });

  it('issues the same database commands for a dispute with many cases and supervisions as for one with one', async () => {
    // Every join of the timeline is one batched command per subgraph, whatever the number of cases,
    // hearings, enforcements and supervisions under the dispute (issue #10).
    const data = demoData();
    const sizeOf = (disputeId: string) => {
      const cases = data.court.adminCases.filter((c) => c.disputeId === disputeId).map((c) => c._id);
      return {
        cases: cases.length,
        hearings: data.court.hearings.filter((h) => cases.includes(h.caseId)).length,
        enforcements: data.court.enforcementCases.filter((e) => e.disputeId === disputeId).length,
        supervisions: data.procuratorate.supervisionCases.filter((s) => s.disputeId === disputeId).length,
      };
    };
    const total = (size: ReturnType<typeof sizeOf>) => size.cases + size.hearings + size.enforcements + size.supervisions;
    // Disputes that reach every join (a case with a hearing, an enforcement, a supervision), largest first.
    const full = data.government.disputes
      .map((d) => ({ id: d._id, size: sizeOf(d._id) }))
      .filter(({ size }) => size.cases > 0 && size.hearings > 0 && size.enforcements > 0 && size.supervisions > 0)
      .sort((a, b) => total(b.size) - total(a.size) || a.id.localeCompare(b.id));
    const [large, small] = [full[0]!, full.at(-1)!];
    expect(small.size).toEqual({ cases: 1, hearings: 1, enforcements: 1, supervisions: 1 });
    expect(large.size.cases).toBeGreaterThan(2);
    expect(large.size.supervisions).toBeGreaterThan(1);

    const commandsOf = async (id: string) => {
      stack.resetCommands();
      const { body } = await postGraphQL(stack.gateway!.url, TIMELINE, { id }, await linkageOfficer());
      expect(body.errors).toBeUndefined();
      return Object.fromEntries(Object.entries(stack.commands).map(([name, commands]) => [name, [...commands].sort()]));
    };
    const few = await commandsOf(small.id);
    expect(await commandsOf(large.id)).toEqual(few);
    // And they are few: one find per entity fetch of the gateway's query plan (the court's cases
    // come three times: under the dispute, under its enforcements and under its supervisions).
    expect(few).toEqual({
      government: ['find agencies', 'find agencies', 'find disputes', 'find judgmentPerformances'],
      court: ['find adminCases', 'find adminCases', 'find adminCases', 'find enforcementCases', 'find hearings'],
      procuratorate: ['find supervisionCases', 'find supervisionCases'],
    });
  });

  it('answers an unknown dispute with null and no error', async () => {
    const response = await postGraphQL(stack.gateway!.url, TIMELINE, { id: 'DSP-1999-0001' }, await linkageOfficer());
    expect(response).toEqual({ status: 200, body: { data: { dispute: null } } });
  });
});
