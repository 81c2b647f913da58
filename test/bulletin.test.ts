// The 2025 H1 information bulletin (信息通报) through the gateway: the speech's figures, computed
// by the subgraphs over the stored records, and batched so that 12 agencies cost what 1 does.
import { MongoClient } from 'mongodb';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { DATABASE_NAMES } from '../config/index.js';
import { createGovernmentStore } from '../subgraphs/government/index.js';
import { demoData } from './support/seed-options.js';
import { callerHeaders, postGraphQL, principal, sharedTestStack, type TestStack } from './support/stack.js';

// The bulletin is public: a partner frontend reads it for statistics.
const partner = () => callerHeaders(principal('partner', ['viewer']), 'STATISTICS');

const STATS = `
  litigationStats(period: $period) { filed filedSamePeriodLastYear filedChange closed lost lossRate hearings headAppearances headAppearanceRate }
  enforcementStats(period: $period) { preSettlementAttempted preSettlementSucceeded preSettlementRate }
  reconsiderationStats(period: $period) { closed corrected correctionRate mediatedOrSettled mediationSettlementRate }
  disputeStats(period: $period) { handled major substantivelyResolved substantiveResolutionRate }
  supervisionStats(period: $period) { opened closed suggestionsIssued }
  judicialSuggestionStats(period: $period) { issued replied repliedOnTime adopted replyRate onTimeReplyRate adoptionRate }
  procuratorialSuggestionStats(period: $period) { issued replied repliedOnTime adopted replyRate onTimeReplyRate adoptionRate }
  actStats(period: $period) { decided }
  judgmentPerformanceStats(period: $period) { due performed performedOnTime performanceRate onTimePerformanceRate }`;

const BULLETIN = `query Bulletin($period: Period!, $agencyIds: [ID!]) {
  bulletin(period: $period, agencyIds: $agencyIds) {
    from to
    district { id name ${STATS} }
    agencies { id name ${STATS} }
  }
}`;

const H1_2025 = { from: '2025-01-01', to: '2025-07-01' };
const YEAR_2024 = { from: '2024-01-01', to: '2025-01-01' };

/** The same day a year earlier, as the server shifts a period (29 February to 1 March). */
const yearEarlier = (date: string) => {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  return new Date(Date.UTC(y - 1, m - 1, d)).toISOString().slice(0, 10);
};

/**
 * An independent recount over the generated records, written without the subgraphs' code. `now`:
 * the subgraphs' clock (the shared stack runs on the system's).
 */
function recount(scope: string, period: { from: string; to: string }, now = new Date()) {
  const data = demoData();
  const within = (d: Date | null, p = period) => d !== null && d >= new Date(p.from) && d < new Date(p.to);
  const lastYear = { from: yearEarlier(period.from), to: yearEarlier(period.to) };
  const mine = (agencyId: string | null) => scope === 'DISTRICT' || agencyId === scope;
  const rate = (n: number, d: number) => (d === 0 ? null : n / d);
  const cases = data.court.adminCases.filter((c) => mine(c.defendantId));
  const filed = cases.filter((c) => within(c.filedAt)).length;
  const filedBefore = cases.filter((c) => within(c.filedAt, lastYear)).length;
  const closed = cases.filter((c) => within(c.closedAt));
  const lost = closed.filter((c) => c.agencyLost).length;
  const hearings = data.court.hearings.filter((h) => mine(h.agencyId) && within(h.heldAt));
  const appeared = hearings.filter((h) => h.headAppeared).length;
  const enforcement = data.court.enforcementCases.filter((e) => mine(e.agencyId) && within(e.filedAt) && e.preSettlement.attempted);
  const settled = enforcement.filter((e) => e.preSettlement.succeeded).length;
  const reconsiderations = data.government.reconsiderations.filter((r) => mine(r.respondentId) && within(r.closedAt));
  const corrected = reconsiderations.filter((r) => ['REVOKED', 'MODIFIED', 'CONFIRMED_ILLEGAL', 'ORDERED_TO_PERFORM'].includes(r.outcome!)).length;
  const mediated = reconsiderations.filter((r) => ['MEDIATED', 'SETTLED'].includes(r.outcome!)).length;
  const disputes = data.government.disputes.filter((d) => mine(d.agencyId) && within(d.openedAt));
  const resolved = disputes.filter((d) => d.substantivelyResolved).length;
  const supervisions = data.procuratorate.supervisionCases.filter((s) => mine(s.agencyId));
  // Suggestions issued in the period, and the agencies' replies to them (by now): the first reply on
  // time or not, the latest adopting the suggestion or not.
  const followUp = (suggestions: readonly { _id: string; toAgencyId: string; issuedAt: Date; dueAt: Date }[]) => {
    const issued = suggestions.filter((x) => mine(x.toAgencyId) && within(x.issuedAt));
    const replyOf = (id: string) => data.government.suggestionReplies.find((r) => r.suggestionId === id);
    const replied = issued.filter((x) => replyOf(x._id));
    const onTime = replied.filter((x) => replyOf(x._id)!.replies[0]!.repliedAt.getTime() <= x.dueAt.getTime()).length;
    const adopted = replied.filter((x) => replyOf(x._id)!.adopted).length;
    return {
      issued: issued.length,
      replied: replied.length,
      repliedOnTime: onTime,
      adopted,
      replyRate: rate(replied.length, issued.length),
      onTimeReplyRate: rate(onTime, issued.length),
      adoptionRate: rate(adopted, replied.length),
    };
  };
  // Judgments due in the period and already (one due later is not yet owed), performed before the
  // period's end (what comes after never changes a period's figure), and by their due date.
  const due = data.government.judgmentPerformances.filter((p) => mine(p.agencyId) && within(p.dueAt) && p.dueAt < now);
  const performed = due.filter((p) => p.performed && p.performedAt !== null && p.performedAt < new Date(period.to));
  const performedOnTime = performed.filter((p) => p.performedAt!.getTime() <= p.dueAt.getTime()).length;
  return {
    litigationStats: {
      filed,
      filedSamePeriodLastYear: filedBefore,
      filedChange: rate(filed - filedBefore, filedBefore),
      closed: closed.length,
      lost,
      lossRate: rate(lost, closed.length),
      hearings: hearings.length,
      headAppearances: appeared,
      headAppearanceRate: rate(appeared, hearings.length),
    },
    enforcementStats: { preSettlementAttempted: enforcement.length, preSettlementSucceeded: settled, preSettlementRate: rate(settled, enforcement.length) },
    reconsiderationStats: {
      closed: reconsiderations.length,
      corrected,
      correctionRate: rate(corrected, reconsiderations.length),
      mediatedOrSettled: mediated,
      mediationSettlementRate: rate(mediated, reconsiderations.length),
    },
    disputeStats: {
      handled: disputes.length,
      major: disputes.filter((d) => d.major).length,
      substantivelyResolved: resolved,
      substantiveResolutionRate: rate(resolved, disputes.length),
    },
    supervisionStats: {
      opened: supervisions.filter((s) => within(s.openedAt)).length,
      closed: supervisions.filter((s) => within(s.closedAt)).length,
      suggestionsIssued: data.procuratorate.procuratorialSuggestions.filter((p) => mine(p.toAgencyId) && within(p.issuedAt)).length,
    },
    judicialSuggestionStats: followUp(data.court.judicialSuggestions),
    procuratorialSuggestionStats: followUp(data.procuratorate.procuratorialSuggestions),
    actStats: { decided: data.government.acts.filter((a) => mine(a.agencyId) && within(a.decidedAt)).length },
    judgmentPerformanceStats: {
      due: due.length,
      performed: performed.length,
      performedOnTime,
      performanceRate: rate(performed.length, due.length),
      onTimePerformanceRate: rate(performedOnTime, due.length),
    },
  };
}

const round = (value: number, digits: number) => Number(value.toFixed(digits));

describe('the information bulletin through the gateway', () => {
  let stack: TestStack;
  beforeAll(async () => {
    stack = await sharedTestStack();
  });

  it("reproduces the speech's 2025 H1 figures from the stored records", async () => {
    const { status, body } = await postGraphQL(stack.gateway!.url, BULLETIN, { period: H1_2025 }, await partner());
    expect(status).toBe(200);
    const bulletin = (body.data as any).bulletin;
    const d = bulletin.district;
    // The speech's figures, to the precision the speech gives them.
    expect(d.litigationStats.filedChange).toBe(-0.125);
    expect(d.litigationStats.headAppearanceRate).toBe(1);
    expect(round(d.litigationStats.lossRate, 3)).toBe(0.018);
    expect(d.disputeStats.handled).toBeGreaterThanOrEqual(260);
    expect(d.disputeStats.handled).toBeLessThan(270);
    expect(d.disputeStats.major).toBeGreaterThanOrEqual(30);
    expect(d.disputeStats.major).toBeLessThan(40);
    expect(round(d.disputeStats.substantiveResolutionRate, 2)).toBe(0.82);
    expect(round(d.enforcementStats.preSettlementRate, 3)).toBe(0.462);
    expect(round(d.reconsiderationStats.mediationSettlementRate, 2)).toBe(0.35);

    // And the whole bulletin equals an independent recount over the records, agency by agency.
    const agencies = demoData().government.agencies;
    expect(body).toEqual({
      data: {
        bulletin: {
          ...H1_2025,
          district: { id: 'DISTRICT', name: demoData().government.district.name, ...recount('DISTRICT', H1_2025) },
          agencies: [...agencies].sort((a, b) => a._id.localeCompare(b._id)).map((a) => ({ id: a._id, name: a.name, ...recount(a._id, H1_2025) })),
        },
      },
    });
  });

  it('counts a judgment as due only once its day has come, and a closed period the same whenever asked', async () => {
    // The store with a clock of our choosing (through the gateway the subgraph's clock is the system's).
    const client = await MongoClient.connect(inject('mongoUri'));
    try {
      const store = createGovernmentStore(client.db(DATABASE_NAMES.government));
      const Q2_2025 = { from: '2025-04-01', to: '2025-07-01' };
      const at = (day: string) => new Date(`${day}T00:00:00Z`);
      const figures = async (period: { from: string; to: string }, now: Date) =>
        (await store.judgmentPerformanceStats({ from: at(period.from), to: at(period.to) }, now))('DISTRICT');
      // Asked during the quarter, at its start and at its end: only what has fallen due counts.
      const during = await Promise.all(['2025-04-01', '2025-05-20', '2025-07-01'].map((day) => figures(Q2_2025, at(day))));
      expect(during).toEqual(['2025-04-01', '2025-05-20', '2025-07-01'].map((day) => recount('DISTRICT', Q2_2025, at(day)).judgmentPerformanceStats));
      expect(during.map((f) => f.due)).toEqual([0, expect.any(Number), recount('DISTRICT', Q2_2025).judgmentPerformanceStats.due]);
      expect(during[1]!.due).toBeGreaterThan(0);
      expect(during[1]!.due).toBeLessThan(during[2]!.due);
      // A closed period: the same the day it ended and years later.
      expect(await figures(H1_2025, at('2025-07-01'))).toEqual(await figures(H1_2025, at('2030-01-01')));
    } finally {
      await client.close();
    }
  });

  it("reproduces 2024's loss rate of 2.4%", async () => {
    const { body } = await postGraphQL(stack.gateway!.url,
      `query($period: Period!) { district { litigationStats(period: $period) { closed lost lossRate } } }`,
      { period: YEAR_2024 }, await partner());
    const expected = recount('DISTRICT', YEAR_2024).litigationStats;
    expect(body).toEqual({ data: { district: { litigationStats: { closed: expected.closed, lost: expected.lost, lossRate: expected.lossRate } } } });
    expect(round((body.data as any).district.litigationStats.lossRate, 3)).toBe(0.024);
  });

  it('issues the same database commands per subgraph for 12 agencies as for 1', async () => {
    const all = demoData().government.agencies.map((a) => a._id);
    expect(all.length).toBe(12);
    const run = async (agencyIds: string[]) => {
      stack.resetCommands();
      const { body } = await postGraphQL(stack.gateway!.url, BULLETIN, { period: H1_2025, agencyIds }, await partner());
      expect(body.errors).toBeUndefined();
      expect((body.data as any).bulletin.agencies).toHaveLength(agencyIds.length);
      return structuredClone(stack.commands);
    };
    const one = await run(['AG-NRB']);
    const twelve = await run(all);
    for (const name of ['government', 'court', 'procuratorate'] as const) {
      expect(twelve[name].sort(), name).toEqual(one[name].sort());
    }
    // And the count is small and fixed: per entity fetch (the district and the agencies come in
    // two), three aggregations of cases, one of hearings, one of enforcement and one read of the
    // period's suggestions, whatever the agencies.
    expect(twelve.court).toEqual(
      [...Array(6).fill('aggregate adminCases'), ...Array(2).fill('aggregate enforcementCases'), ...Array(2).fill('aggregate hearings'), ...Array(2).fill('find judicialSuggestions')].sort(),
    );
  });

  it('answers a reversed period with BAD_USER_INPUT from the owner, through the gateway', async () => {
    const { body } = await postGraphQL(stack.gateway!.url, BULLETIN, { period: { from: '2025-07-01', to: '2025-01-01' } }, await partner());
    expect(body).toEqual({
      data: { bulletin: null },
      errors: [
        {
          message: 'period.from must be before period.to',
          path: ['bulletin'],
          extensions: { code: 'BAD_USER_INPUT', argument: 'period', serviceName: 'government' },
        },
      ],
    });
  });
});
