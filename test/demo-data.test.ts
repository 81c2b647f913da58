// The demo district's records keep the rules the workflows keep: what a flow could not have
// written, the seed does not write either (checked on the generated data, at two scales).
import { describe, expect, it } from 'vitest';
import { generateDemoData } from '../subgraphs/index.js';
import { TEST_SEED } from './support/seed-options.js';

/** The data's last day: 2025-06-30 (the 2025 H1 bulletin's period ends with it). */
const LAST_DAY = new Date('2025-06-30T00:00:00.000Z');

describe('the demo data, by the workflows’ rules', () => {
  it.each([1, 3])('at scale %i, each enforcement case’s settlement: a settled case closed the day of its settlement; every attempt between filing and closing, none after the data’s end', (scale) => {
    const { court } = generateDemoData({ ...TEST_SEED, scale });
    const broken = court.enforcementCases.flatMap((e) => {
      const problems: string[] = [];
      const attempts = e.settlementAttempts;
      if (e.preSettlement.attempted !== attempts.length > 0) problems.push('attempted without an attempt, or the reverse');
      if (e.preSettlement.succeeded !== attempts.some((a) => a.result === 'SETTLED')) problems.push('succeeded disagrees with the attempts');
      if (e.preSettlement.succeeded && (e.status !== 'CLOSED' || e.closedAt?.getTime() !== attempts.find((a) => a.result === 'SETTLED')!.at.getTime())) problems.push('settled but not closed that day');
      if ((e.status === 'CLOSED') !== (e.closedAt !== null)) problems.push('status and closedAt disagree');
      if (e.closedAt && (e.closedAt < e.filedAt || e.closedAt > LAST_DAY)) problems.push('closed before filing or after the data’s end');
      for (const a of attempts) {
        if (a.at < e.filedAt || a.at > LAST_DAY || (e.closedAt && a.at > e.closedAt)) problems.push(`attempt on ${a.at.toISOString().slice(0, 10)} outside the case`);
      }
      return problems.length ? [`${e._id}: ${problems.join('; ')}`] : [];
    });
    expect(broken).toEqual([]);
    // Both kinds exist: the rule was tested on something.
    expect(court.enforcementCases.filter((e) => e.preSettlement.succeeded).length).toBeGreaterThan(0);
    expect(court.enforcementCases.filter((e) => e.status === 'PENDING').length).toBeGreaterThan(0);
  });
});
