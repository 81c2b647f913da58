// The demo district, generated deterministically. The volumes below are chosen so that the
// bulletin computed over the stored records (never these constants) reproduces the speech's
// 2025 H1 figures; `scale` multiplies every volume, which keeps every ratio.
import { createHash } from 'node:crypto';
import { adminCaseNumber, enforcementCaseNumber, judicialSuggestionId, judicialSuggestionNumber, type CourtSeed, type AdminCaseDoc, type EnforcementCaseDoc, type HearingDoc } from '../court/index.js';
import { partyPseudonym, sharingApplicationId, supervisionItemId, supervisionItemNumber, type SharingApplicationDoc, type GovernmentSeed, type DisputeDoc, type PartyDoc, type ActDoc, type ReconsiderationDoc, type SupervisionItemDoc, type JointMeetingDoc } from '../government/index.js';
import { procuratorialSuggestionId, procuratorialSuggestionNumber, type ProcuratorateSeed, type SupervisionCaseDoc } from '../procuratorate/index.js';
import { fill, type Matter } from './matters.js';
import { LOSING_OUTCOMES, LOSS_RISK, consultationOpinions, judgmentReasons, judicialSuggestionText, procuratorialSuggestionText, prosecutorNotes, reconsiderationReasons, replyText, suggestionPoint, type SuggestionPoint } from './wording.js';
import {
  AGENCIES,
  COMPANY_KINDS,
  COMPANY_WORDS,
  DISTRICT_NAME,
  GIVEN,
  JUDGES,
  SURNAMES,
  addDays,
  createRandom,
  maxDate,
  minDate,
  mobileNumber,
  randomDay,
  residentIdNumber,
  selfReference,
  utcDay,
  type AgencySpec,
  type Random,
} from './world.js';

export interface DemoOptions {
  scale: number;
  pseudonymKey: string;
  seed?: number;
}

export interface DemoData {
  government: GovernmentSeed;
  court: CourtSeed;
  procuratorate: ProcuratorateSeed;
  /** A dispute that runs through all three institutions (register, court, enforcement, supervision). */
  showcase: { disputeId: string; adminCaseId: string; enforcementCaseId: string; supervisionCaseId: string };
}

const H1_2024 = { from: utcDay(2024, 1, 1), to: utcDay(2024, 7, 1) };
const H2_2024 = { from: utcDay(2024, 7, 1), to: utcDay(2025, 1, 1) };
const H1_2025 = { from: utcDay(2025, 1, 1), to: utcDay(2025, 7, 1) };
const YEAR_2024 = { from: H1_2024.from, to: H2_2024.to };
/** The data ends on 2025-06-30: nothing is dated on or after this day. */
const END = H1_2025.to;

/** Marks exactly `count` of `items` (chosen at random) by returning their index set. */
function chooseIndices(random: Random, length: number, count: number): Set<number> {
  return new Set(random.shuffle(Array.from({ length }, (_, i) => i)).slice(0, count));
}

/** Numbers records per year, as case numbers restart every year. */
function yearlyCounter() {
  const counts = new Map<number, number>();
  return (date: Date): number => {
    const year = date.getUTCFullYear();
    const n = (counts.get(year) ?? 0) + 1;
    counts.set(year, n);
    return n;
  };
}

/**
 * A workflow record's bookkeeping (platform/versioned.ts) for a record the demo data loads: made at
 * `at` by the generator, version 1, no events (nothing was written through the graph).
 */
function loadedRecord(id: string, org: string, at: Date, state: string) {
  return {
    version: 1,
    state,
    createdAt: at,
    // No principal has an empty sub: nobody is the ISSUER of a loaded record.
    createdBy: { sub: '', name: '演示数据', org, unit: null },
    updatedAt: at,
    createKey: `loaded ${id}`,
    events: [],
  };
}

function seq(n: number, width = 4): string {
  return String(n).padStart(width, '0');
}

export function generateDemoData(options: DemoOptions): DemoData {
  const s = options.scale;
  const random = createRandom(options.seed ?? 20250630);
  // The texts come from a stream of their own: rewording a record draws nothing from `random`, so
  // it moves no record, date or figure.
  const words = createRandom((options.seed ?? 20250630) ^ 0x5eed_7e47);
  const agencyById = new Map(AGENCIES.map((a) => [a.id, a]));
  const agencyOf = (id: string) => agencyById.get(id) as AgencySpec;

  // ---- Parties (natural persons and organisations) ----
  const parties: PartyDoc[] = [];
  for (let i = 0; i < 600 * s; i++) {
    const idNumber = residentIdNumber(random);
    parties.push({
      _id: partyPseudonym(options.pseudonymKey, idNumber),
      kind: 'PERSON',
      name: random.pick(SURNAMES) + random.pick(GIVEN) + random.pick(GIVEN),
      idNumber,
      phone: mobileNumber(random),
    });
  }
  for (let i = 0; i < 150 * s; i++) {
    const idNumber = `91320102MA${seq(random.int(0, 99_999_999), 8)}`;
    parties.push({
      _id: partyPseudonym(options.pseudonymKey, idNumber),
      kind: 'ORGANIZATION',
      name: `${DISTRICT_NAME}${random.pick(COMPANY_WORDS)}${random.pick(COMPANY_KINDS)}`,
      idNumber,
      phone: random.chance(0.7) ? mobileNumber(random) : null,
    });
  }
  const uniqueParties = [...new Map(parties.map((p) => [p._id, p])).values()];
  const partiesOfKind = {
    PERSON: uniqueParties.filter((p) => p.kind === 'PERSON'),
    ORGANIZATION: uniqueParties.filter((p) => p.kind === 'ORGANIZATION'),
  };
  /** Who an act on a matter is addressed to: a resident for a minimum-living allowance, a company for a pollution fine. */
  const partyFor = (matter: Matter): PartyDoc => random.pick(matter.applicant ? partiesOfKind[matter.applicant] : uniqueParties);
  /** A party as a register's title names it: a person by surname (王某), an organisation by name. */
  const titleName = (party: PartyDoc) => (party.kind === 'PERSON' ? `${[...party.name][0]}某` : party.name);

  // ---- Administrative acts ----
  const acts: ActDoc[] = [];
  const actsByAgency = new Map<string, ActDoc[]>(AGENCIES.map((a) => [a.id, []]));
  /** What each act decided, and so what a case, a reconsideration or a suggestion about it speaks of. */
  const matterOfAct = new Map<string, Matter>();
  for (let i = 0; i < 3000 * s; i++) {
    const agency = random.weighted(AGENCIES);
    const decidedAt = randomDay(random, utcDay(2023, 7, 1), END);
    const matter = random.weighted(agency.matters);
    const party = partyFor(matter);
    const act: ActDoc = {
      _id: `ACT-${seq(i + 1, 6)}`,
      number: `${DISTRICT_NAME}${agency.short}决〔${decidedAt.getUTCFullYear()}〕${i + 1}号`,
      agencyId: agency.id,
      category: matter.category,
      decidedAt,
      legalReviewed: random.chance(0.93),
      summary: fill(words.pick(matter.acts), words, { who: titleName(party) }),
      partyId: party._id,
    };
    matterOfAct.set(act._id, matter);
    acts.push(act);
    actsByAgency.get(agency.id)?.push(act);
  }
  const actBefore = (agencyId: string, date: Date): ActDoc | null => {
    const candidates = (actsByAgency.get(agencyId) ?? []).filter((a) => a.decidedAt.getTime() < date.getTime());
    return candidates.length ? random.pick(candidates) : null;
  };

  // ---- The linkage office's dispute register ----
  const disputes: DisputeDoc[] = [];
  const matterOfDispute = new Map<string, Matter>();
  const nextDispute = yearlyCounter();
  const registerDisputes = (period: { from: Date; to: Date }, count: number, major: number, resolved: number) => {
    const majorSet = chooseIndices(random, count, major);
    const resolvedSet = chooseIndices(random, count, resolved);
    for (let i = 0; i < count; i++) {
      const agency = random.weighted(AGENCIES);
      const openedAt = randomDay(random, period.from, period.to);
      const isResolved = resolvedSet.has(i);
      const isMajor = majorSet.has(i);
      const closes = isResolved || openedAt.getTime() < H1_2025.from.getTime();
      const matter = random.weighted(agency.matters);
      const _id = `DSP-${openedAt.getUTCFullYear()}-${seq(nextDispute(openedAt))}`;
      const consultations = isMajor
        ? [
            {
              id: `${_id}-C1`,
              heldAt: minDate(addDays(openedAt, random.int(3, 20)), addDays(END, -1)),
              institutions: random.chance(0.5) ? ['GOVERNMENT', 'COURT', 'PROCURATORATE'] : ['GOVERNMENT', 'COURT'],
              topic: null,
              invitees: [],
              opinions: [],
              // What the consultation concluded is what became of the dispute.
              conclusion: random.pick(isResolved ? ['建议协调化解', '建议行政机关自行纠正', '组织三方会商后调解'] : ['引导当事人通过诉讼解决', '建议当事人依法申请行政复议', '继续跟踪，择期再次会商']),
            },
          ]
        : [];
      const party = partyFor(matter);
      matterOfDispute.set(_id, matter);
      disputes.push({
        _id,
        title: fill(words.pick(matter.disputes), words, { who: titleName(party) }),
        category: matter.category,
        agencyId: agency.id,
        partyIds: [party._id],
        openedAt,
        closedAt: closes ? minDate(addDays(openedAt, random.int(10, 90)), addDays(END, -1)) : null,
        status: isResolved ? 'RESOLVED' : closes ? 'CLOSED_UNRESOLVED' : 'OPEN',
        major: isMajor,
        substantivelyResolved: isResolved,
        consultations,
        linkedAdminCaseId: null,
        linkedReconsiderationId: null,
        proposal: null,
        outcome: null,
        awaitingOpinions: [],
        ...loadedRecord(_id, 'government', openedAt, closes ? 'CLOSED' : 'ASSIGNED'),
      });
    }
  };
  registerDisputes(H1_2024, 230 * s, 28 * s, 170 * s);
  registerDisputes(H2_2024, 250 * s, 32 * s, 190 * s);
  // 2025 H1 — speech: 260+ disputes, 30+ of them major, 82% substantively resolved.
  registerDisputes(H1_2025, 263 * s, 32 * s, 216 * s);

  // ---- Reconsiderations (行政复议) ----
  const reconsiderations: ReconsiderationDoc[] = [];
  const nextReconsideration = yearlyCounter();
  const closeReconsiderations = (period: { from: Date; to: Date }, outcomes: Record<string, number>) => {
    for (const [outcome, count] of Object.entries(outcomes)) {
      for (let i = 0; i < count * s; i++) {
        const closedAt = randomDay(random, period.from, period.to);
        addReconsideration(addDays(closedAt, -random.int(20, 75)), closedAt, outcome);
      }
    }
  };
  const addReconsideration = (filedAt: Date, closedAt: Date | null, outcome: string | null) => {
    const agency = random.weighted(AGENCIES);
    const act = actBefore(agency.id, filedAt);
    const year = filedAt.getUTCFullYear();
    const n = nextReconsideration(filedAt);
    reconsiderations.push({
      _id: `RC-${year}-${seq(n)}`,
      caseNumber: `${DISTRICT_NAME}府复〔${year}〕${n}号`,
      applicantId: act?.partyId ?? random.pick(uniqueParties)._id,
      respondentId: agency.id,
      actId: act?._id ?? null,
      filedAt,
      closedAt,
      status: closedAt ? 'CLOSED' : 'PENDING',
      outcome,
      hearingHeld: random.chance(0.3),
      reviewerNotes: closedAt && outcome ? reconsiderationReasons(words, outcome, (act && matterOfAct.get(act._id)) ?? words.weighted(agency.matters)) : null,
    });
  };
  closeReconsiderations(YEAR_2024, { UPHELD: 160, REVOKED: 20, MODIFIED: 8, CONFIRMED_ILLEGAL: 12, ORDERED_TO_PERFORM: 10, MEDIATED: 70, SETTLED: 40, WITHDRAWN: 40, DISMISSED: 20 });
  // 2025 H1 — speech: mediation + settlement 35% of closed reconsiderations.
  closeReconsiderations(H1_2025, { UPHELD: 80, REVOKED: 10, MODIFIED: 4, CONFIRMED_ILLEGAL: 5, ORDERED_TO_PERFORM: 5, MEDIATED: 45, SETTLED: 25, WITHDRAWN: 16, DISMISSED: 10 });
  for (let i = 0; i < 40 * s; i++) addReconsideration(randomDay(random, utcDay(2025, 4, 1), END), null, null);

  // ---- Court: administrative cases ----
  const adminCases: AdminCaseDoc[] = [];
  const hearings: HearingDoc[] = [];
  const nextAdminCase = yearlyCounter();
  /** What each case is about: its act's matter, or (a case over a failure to act) one of the agency's. */
  const matterOfCase = new Map<string, Matter>();
  const newCase = (filedAt: Date, closedAt: Date | null): AdminCaseDoc => {
    const agency = random.weighted(AGENCIES);
    const act = actBefore(agency.id, filedAt);
    const matter = (act && matterOfAct.get(act._id)) ?? random.weighted(agency.matters);
    const year = filedAt.getUTCFullYear();
    const n = nextAdminCase(filedAt);
    const doc: AdminCaseDoc = {
      _id: `AC-${year}-${seq(n)}`,
      caseNumber: adminCaseNumber(year, n),
      plaintiffId: act?.partyId ?? random.pick(uniqueParties)._id,
      defendantId: agency.id,
      actId: act?._id ?? null,
      disputeId: null,
      cause: matter.category,
      filedAt,
      closedAt,
      stage: random.chance(0.9) ? 'FIRST_INSTANCE' : 'SECOND_INSTANCE',
      status: closedAt ? 'CLOSED' : 'PENDING',
      outcome: null,
      agencyLost: closedAt ? false : null,
      judge: random.pick(JUDGES),
      deliberationNotes: null,
    };
    matterOfCase.set(doc._id, matter);
    adminCases.push(doc);
    return doc;
  };
  // Speech: filings fell 12.5% year on year (2024 H1: 160, 2025 H1: 140, times scale).
  const closedIn2024: AdminCaseDoc[] = [];
  const closedIn2025: AdminCaseDoc[] = [];
  for (let i = 0; i < 160 * s; i++) {
    const filedAt = randomDay(random, H1_2024.from, H1_2024.to);
    closedIn2024.push(newCase(filedAt, randomDay(random, addDays(filedAt, 20), YEAR_2024.to)));
  }
  for (let i = 0; i < 150 * s; i++) {
    const filedAt = randomDay(random, H2_2024.from, utcDay(2024, 12, 1));
    if (i < 90 * s) closedIn2024.push(newCase(filedAt, randomDay(random, addDays(filedAt, 15), YEAR_2024.to)));
    else closedIn2025.push(newCase(filedAt, randomDay(random, H1_2025.from, END)));
  }
  for (let i = 0; i < 140 * s; i++) {
    if (i < 51 * s) {
      const filedAt = randomDay(random, H1_2025.from, utcDay(2025, 5, 1));
      closedIn2025.push(newCase(filedAt, randomDay(random, addDays(filedAt, 15), END)));
    } else {
      newCase(randomDay(random, H1_2025.from, END), null);
    }
  }
  // Speech: loss rate 2.4% in 2024 (6 of 250 closed) and 1.8% in 2025 H1 (2 of 111), times scale.
  // Who loses: an agency's chance grows with how often it is sued, and with what over (agencies lose
  // compensation and compulsory-measure cases more often than penalty or licensing ones: LOSS_RISK);
  // but a court seldom finds against the same agency again in one period (each loss already on it
  // quarters its chance of the next), so the losses fall on the busy agencies without all on one.
  const decideOutcomes = (closed: AdminCaseDoc[], lostCount: number) => {
    const lostSet = new Set<AdminCaseDoc>();
    const lostBy = new Map<string, number>();
    for (let k = 0; k < lostCount; k++) {
      const { c } = random.weighted(
        closed
          .filter((c) => !lostSet.has(c))
          .map((c) => ({ c, weight: LOSS_RISK[(matterOfCase.get(c._id) as Matter).kind] / (1 + (lostBy.get(c.defendantId) ?? 0)) ** 2 })),
      );
      lostSet.add(c);
      lostBy.set(c.defendantId, (lostBy.get(c.defendantId) ?? 0) + 1);
    }
    for (const c of closed) {
      const lost = lostSet.has(c);
      const matter = matterOfCase.get(c._id) as Matter;
      c.agencyLost = lost;
      c.outcome = lost
        ? random.pick(LOSING_OUTCOMES[matter.kind])
        : random.weighted([
            { value: 'DISMISSED_CLAIMS', weight: 55 },
            { value: 'WITHDRAWN', weight: 30 },
            { value: 'MEDIATED', weight: 15 },
          ]).value;
      c.deliberationNotes = judgmentReasons(words, c.outcome, matter);
    }
  };
  decideOutcomes(closedIn2024, 6 * s);
  decideOutcomes(closedIn2025, 2 * s);

  // Hearings; the speech reports that agency heads appeared at every hearing in 2025 H1.
  for (const c of adminCases) {
    const until = c.closedAt ?? END;
    const heard = c.closedAt ? c.outcome !== 'WITHDRAWN' : random.chance(0.5);
    if (!heard || until.getTime() - c.filedAt.getTime() < 86_400_000) continue;
    const count = random.chance(0.2) ? 2 : 1;
    const agency = agencyById.get(c.defendantId) as AgencySpec;
    for (let h = 0; h < count; h++) {
      const heldAt = randomDay(random, c.filedAt, until);
      const headAppeared = heldAt.getTime() >= H1_2025.from.getTime() || random.chance(0.9);
      hearings.push({
        _id: `HR-${c._id.slice(3)}-${h + 1}`,
        caseId: c._id,
        agencyId: c.defendantId,
        heldAt,
        headAppeared,
        appearedOfficial: headAppeared ? `${agency.head}（负责人）` : `${agency.deputy}（工作人员）`,
      });
    }
  }

  // Cases that grew out of a registered dispute of the same agency.
  for (const c of adminCases) {
    if (!random.chance(0.4)) continue;
    const candidates = disputes.filter((d) => d.agencyId === c.defendantId && (d.openedAt as Date).getTime() <= c.filedAt.getTime());
    // A case grows out of a dispute over the same matter where the register holds one; a major
    // dispute (a whole block's expropriation, say) more often brings several suits than a small one.
    const sameMatter = candidates.filter((d) => matterOfDispute.get(d._id) === matterOfCase.get(c._id));
    const pool = (sameMatter.length ? sameMatter : candidates).slice(-10);
    const dispute = pool.length ? random.weighted(pool.map((d) => ({ d, weight: d.major ? 4 : 1 }))).d : null;
    if (!dispute) continue;
    c.disputeId = dispute._id;
    if (!dispute.partyIds.includes(c.plaintiffId)) dispute.partyIds.push(c.plaintiffId);
  }

  // ---- Court: enforcement and pre-enforcement settlement ----
  /** The settlement centre's attempt on a case: a week after filing, but not after the case closed or the data's end. */
  const settlementDay = (filedAt: Date, closedAt: Date | null) => maxDate(filedAt, minDate(minDate(addDays(filedAt, 7), closedAt ?? END), addDays(END, -1)));
  const enforcementCases: EnforcementCaseDoc[] = [];
  const nextEnforcement = yearlyCounter();
  const closedCases = adminCases.filter((c) => c.closedAt);
  const addEnforcement = (period: { from: Date; to: Date }, count: number, attempted: number, succeeded: number) => {
    const attemptedSet = chooseIndices(random, count, attempted);
    const attemptedList = [...attemptedSet];
    const succeededSet = new Set(random.shuffle(attemptedList).slice(0, succeeded));
    for (let i = 0; i < count; i++) {
      const filedAt = randomDay(random, period.from, period.to);
      const prior = closedCases.filter((c) => (c.closedAt as Date).getTime() < filedAt.getTime());
      const adminCase = random.chance(0.5) && prior.length ? random.pick(prior) : null;
      const agency = adminCase ? (agencyById.get(adminCase.defendantId) as AgencySpec) : random.weighted(AGENCIES);
      const year = filedAt.getUTCFullYear();
      const n = nextEnforcement(filedAt);
      const drawnClose = random.chance(0.7) ? minDate(addDays(filedAt, random.int(20, 120)), addDays(END, -1)) : null;
      const _id = `EC-${year}-${seq(n)}`;
      // A settlement reached before enforcement ends the case the day it is reached, as
      // recordSettlementAttempt does (the centre's attempt: a week after filing, never after the data's end).
      const settled = succeededSet.has(i);
      const closedAt = settled ? settlementDay(filedAt, null) : drawnClose;
      const status = settled || (closedAt && closedAt.getTime() > filedAt.getTime()) ? 'CLOSED' : 'PENDING';
      enforcementCases.push({
        _id,
        caseNumber: enforcementCaseNumber(year, n),
        agencyId: agency.id,
        adminCaseId: adminCase?._id ?? null,
        disputeId: adminCase?.disputeId ?? null,
        filedAt,
        closedAt: status === 'CLOSED' ? closedAt : null,
        status,
        preSettlement: { attempted: attemptedSet.has(i), succeeded: succeededSet.has(i) },
        settlementAttempts: [],
        ...loadedRecord(_id, 'court', filedAt, status),
      });
    }
  };
  addEnforcement(YEAR_2024, 150 * s, 120 * s, 50 * s);
  // Speech: pre-enforcement settlement succeeded in 46.2% of attempts (36 of 78, times scale).
  addEnforcement(H1_2025, 90 * s, 78 * s, 36 * s);

  // ---- Court: judicial suggestions ----
  /** What each suggestion (judicial or procuratorial) raised, for the agency's reply to it. */
  const pointOf = new Map<string, SuggestionPoint>();
  const judicialSuggestions = Array.from({ length: 24 * s }, (_, i) => {
    const adminCase = random.pick(closedCases.filter((c) => (c.closedAt as Date).getTime() < utcDay(2025, 6, 1).getTime()));
    const issuedAt = randomDay(random, adminCase.closedAt as Date, minDate(addDays(adminCase.closedAt as Date, 30), END));
    const _id = judicialSuggestionId(issuedAt.getUTCFullYear(), i + 1);
    const point = suggestionPoint(words, matterOfCase.get(adminCase._id) as Matter);
    pointOf.set(_id, point);
    return {
      _id,
      number: judicialSuggestionNumber(issuedAt.getUTCFullYear(), i + 1),
      toAgencyId: adminCase.defendantId,
      adminCaseId: adminCase._id,
      issuedAt,
      dueAt: addDays(issuedAt, 60),
      content: judicialSuggestionText(words, point, adminCase.caseNumber),
      supplementReason: null,
      supplementsRequested: 0,
      supplementRequestedAt: null,
      supplementDueAt: null,
      closedAt: null,
      ...loadedRecord(_id, 'court', issuedAt, 'ISSUED'),
    };
  });

  // ---- Procuratorate: supervision cases and suggestions ----
  const supervisionCases: SupervisionCaseDoc[] = [];
  const matterOfSupervision = new Map<string, Matter>();
  const majorDisputes = new Set(disputes.filter((d) => d.major).map((d) => d._id));
  const nextSupervision = yearlyCounter();
  const addSupervision = (period: { from: Date; to: Date }, count: number) => {
    for (let i = 0; i < count; i++) {
      const openedAt = randomDay(random, period.from, period.to);
      const kind = random.weighted([
        { value: 'JUDGMENT_SUPERVISION', weight: 3 },
        { value: 'TRIAL_PROCEDURE', weight: 1 },
        { value: 'ENFORCEMENT', weight: 2 },
        { value: 'ILLEGAL_ACT', weight: 2 },
        { value: 'SUBSTANTIVE_RESOLUTION', weight: 2 },
      ]).value;
      const earlier = adminCases.filter((c) => c.filedAt.getTime() < openedAt.getTime());
      // The procuratorate's attention goes first to the cases of major disputes (the speech's 重大疑难).
      const adminCase = kind !== 'ILLEGAL_ACT' && earlier.length ? random.weighted(earlier.map((c) => ({ c, weight: c.disputeId !== null && majorDisputes.has(c.disputeId) ? 3 : 1 }))).c : null;
      const year = openedAt.getUTCFullYear();
      const n = nextSupervision(openedAt);
      const closedAt = random.chance(0.7) ? addDays(openedAt, random.int(20, 150)) : null;
      const closed = closedAt !== null && closedAt.getTime() < END.getTime();
      const agency = adminCase ? agencyOf(adminCase.defendantId) : random.weighted(AGENCIES);
      const matter = (adminCase && matterOfCase.get(adminCase._id)) ?? words.weighted(agency.matters);
      const _id = `SV-${year}-${seq(n)}`;
      matterOfSupervision.set(_id, matter);
      supervisionCases.push({
        _id,
        caseNumber: `${DISTRICT_NAME}检行监〔${year}〕${n}号`,
        kind,
        adminCaseId: adminCase?._id ?? null,
        agencyId: agency.id,
        disputeId: adminCase?.disputeId ?? null,
        openedAt,
        closedAt: closed ? closedAt : null,
        status: closed ? 'CLOSED' : 'OPEN',
        prosecutorNotes: prosecutorNotes(words, kind, matter),
      });
    }
  };
  addSupervision(YEAR_2024, 70 * s);
  addSupervision(H1_2025, 45 * s);

  const procuratorialSuggestions = Array.from({ length: 30 * s }, (_, i) => {
    const supervision = random.pick(supervisionCases.filter((v) => v.openedAt.getTime() < utcDay(2025, 6, 1).getTime()));
    const issuedAt = randomDay(random, supervision.openedAt, minDate(addDays(supervision.openedAt, 45), END));
    const _id = procuratorialSuggestionId(issuedAt.getUTCFullYear(), i + 1);
    const point = suggestionPoint(words, matterOfSupervision.get(supervision._id) as Matter);
    pointOf.set(_id, point);
    const adminCase = supervision.adminCaseId ? (adminCases.find((c) => c._id === supervision.adminCaseId) as AdminCaseDoc) : null;
    return {
      _id,
      number: procuratorialSuggestionNumber(issuedAt.getUTCFullYear(), i + 1),
      toAgencyId: supervision.agencyId as string,
      supervisionCaseId: supervision._id,
      issuedAt,
      dueAt: addDays(issuedAt, 60),
      content: procuratorialSuggestionText(words, point, supervision.kind, supervision.caseNumber, adminCase?.caseNumber ?? null, adminCase?.agencyLost === true),
      supplementReason: null,
      supplementsRequested: 0,
      supplementRequestedAt: null,
      supplementDueAt: null,
      closedAt: null,
      ...loadedRecord(_id, 'procuratorate', issuedAt, 'ISSUED'),
    };
  });

  // ---- Government: replies to suggestions, performance of lost judgments ----
  const suggestionReplies = [
    ...judicialSuggestions.map((x) => ({ type: 'JudicialSuggestion' as const, x })),
    ...procuratorialSuggestions.map((x) => ({ type: 'ProcuratorialSuggestion' as const, x })),
  ]
    .filter(({ x }) => random.chance(0.9) && addDays(x.issuedAt, 20).getTime() < END.getTime())
    .map(({ type, x }, i) => {
      const repliedAt = minDate(addDays(x.issuedAt, random.int(20, 58)), addDays(END, -1));
      const adopted = random.chance(0.85);
      const issuer = type === 'JudicialSuggestion' ? '区人民法院' : '区人民检察院';
      const reply = {
        repliedAt,
        adopted,
        content: replyText(words, pointOf.get(x._id) as SuggestionPoint, adopted, selfReference(agencyOf(x.toAgencyId)), issuer),
        supplementary: false,
        // Every third reply refers to its rectification report (by name and digest; no random draw, so the figures stay).
        attachments: i % 3 === 0 ? [{ name: `${x._id}整改报告.pdf`, sha256: createHash('sha256').update(`${x._id} report`).digest('hex') }] : [],
      };
      const _id = `${type}:${x._id}`;
      return { _id, suggestionType: type, suggestionId: x._id, agencyId: x.toAgencyId, ...reply, replies: [reply], ...loadedRecord(_id, 'government', reply.repliedAt, 'REPLIED') };
    });
  const judgmentPerformances = adminCases
    .filter((c) => c.agencyLost === true)
    .map((c) => {
      const dueAt = addDays(c.closedAt as Date, 30);
      const performed = dueAt.getTime() < END.getTime() ? random.chance(0.95) : false;
      return {
        _id: c._id,
        agencyId: c.defendantId,
        dueAt,
        performed,
        performedAt: performed ? addDays(c.closedAt as Date, random.int(5, 30)) : null,
      };
    });

  // ---- The showcase: one dispute followed through all three institutions ----
  // The earliest closed case of 2025 that was heard and not lost, of an agency whose register held
  // a major dispute before it was filed and which has answered a judicial suggestion: the dispute it
  // grew out of, over the case's own matter where the register holds one, so the story reads as one.
  const majorBefore = (c: AdminCaseDoc) => disputes.filter((d) => d.agencyId === c.defendantId && (d.openedAt as Date).getTime() < c.filedAt.getTime() && d.major);
  const answered = new Set(suggestionReplies.filter((r) => r.suggestionType === 'JudicialSuggestion').map((r) => r.agencyId));
  const showcaseCase = closedIn2025
    .filter((c) => c.agencyLost === false && c.outcome !== 'WITHDRAWN' && hearings.some((h) => h.caseId === c._id) && majorBefore(c).length > 0 && answered.has(c.defendantId))
    .sort((a, b) => (a.closedAt as Date).getTime() - (b.closedAt as Date).getTime())[0] as AdminCaseDoc;
  const showcaseDispute = (majorBefore(showcaseCase).find((d) => matterOfDispute.get(d._id) === matterOfCase.get(showcaseCase._id)) ?? majorBefore(showcaseCase)[0]) as DisputeDoc;
  showcaseCase.disputeId = showcaseDispute._id;
  if (!showcaseDispute.partyIds.includes(showcaseCase.plaintiffId)) showcaseDispute.partyIds.push(showcaseCase.plaintiffId);
  const showcaseEnforcement = enforcementCases.find(
    (e) => e.filedAt.getTime() > (showcaseCase.closedAt as Date).getTime() && e.preSettlement.attempted,
  ) as EnforcementCaseDoc;
  Object.assign(showcaseEnforcement, { adminCaseId: showcaseCase._id, disputeId: showcaseDispute._id, agencyId: showcaseCase.defendantId });
  const showcaseSupervision = supervisionCases.find(
    (v) => v.openedAt.getTime() > (showcaseCase.closedAt as Date).getTime(),
  ) as SupervisionCaseDoc;
  Object.assign(showcaseSupervision, {
    kind: 'SUBSTANTIVE_RESOLUTION',
    adminCaseId: showcaseCase._id,
    agencyId: showcaseCase.defendantId,
    disputeId: showcaseDispute._id,
  });

  // ---- The linkage work already done (no random draws below: the figures above stay as they are) ----
  // Each pre-enforcement settlement attempt the centre made, as the court recorded it.
  for (const e of enforcementCases) {
    if (!e.preSettlement.attempted) continue;
    const settled = e.preSettlement.succeeded;
    e.settlementAttempts = [{ at: settlementDay(e.filedAt, e.closedAt), by: '执行和解中心', result: settled ? 'SETTLED' : 'NOT_SETTLED', note: settled ? '双方达成和解，申请人撤回执行申请。' : '双方分歧较大，未能达成和解。' }];
  }
  // The consultations of major disputes: who took part for each institution, and what they said.
  const PARTICIPANTS: Record<string, { sub: string; name: string; org: string }> = {
    GOVERNMENT: { sub: 'demo-linkage-office', name: '联动办', org: 'government' },
    COURT: { sub: 'demo-court-judge', name: '行政庭法官', org: 'court' },
    PROCURATORATE: { sub: 'demo-prosecutor', name: '行政检察官', org: 'procuratorate' },
  };
  for (const d of disputes) {
    for (const c of d.consultations) {
      const said = consultationOpinions(words, matterOfDispute.get(d._id) as Matter, agencyOf(d.agencyId as string).name);
      const invitees = c.institutions.map((i) => ({ ...PARTICIPANTS[i]!, opinion: said[i]! }));
      Object.assign(c, {
        topic: `${d.title}会商`,
        invitees: invitees.map(({ sub, name, org }) => ({ sub, name, org })),
        opinions: invitees.map(({ sub, name, org, opinion }) => ({ by: { sub, name, org }, at: c.heldAt, opinion })),
      });
    }
  }
  // Two disputes the office took on proposal: one from a court case, one from a supervision case, of the same agency and earlier.
  const proposedFrom = (pick: (d: DisputeDoc) => { adminCaseId: string | null; supervisionCaseId: string | null; by: { sub: string; name: string; org: string } } | null) => {
    for (const d of disputes) {
      if (d.proposal || d.openedAt === null || d.openedAt.getTime() < H1_2025.from.getTime()) continue;
      const from = pick(d);
      if (from) return Object.assign(d, { proposal: { ...from, at: d.openedAt, reason: '办案中发现该争议可通过联动机制实质化解，提请会商。', declinedBecause: null }, linkedAdminCaseId: from.adminCaseId });
    }
    return null;
  };
  proposedFrom((d) => {
    const c = adminCases.find((x) => x.defendantId === d.agencyId && x.filedAt.getTime() < (d.openedAt as Date).getTime());
    return c ? { adminCaseId: c._id, supervisionCaseId: null, by: { sub: 'demo-court-judge', name: '行政庭法官', org: 'court' } } : null;
  });
  proposedFrom((d) => {
    const v = supervisionCases.find((x) => x.agencyId === d.agencyId && x.openedAt.getTime() < (d.openedAt as Date).getTime());
    return v ? { adminCaseId: null, supervisionCaseId: v._id, by: { sub: 'demo-prosecutor', name: '行政检察官', org: 'procuratorate' } } : null;
  });
  // A joint meeting each quarter, each decision a supervision item of the agency it names: closed
  // when its deadline fell before the end of the data, in progress otherwise.
  const supervisionItems: SupervisionItemDoc[] = [];
  const jointMeetings: JointMeetingDoc[] = [];
  // Each held on the 20th of the month after its quarter (2025-Q2's would fall after the data's end).
  const quarters = ['2024-Q1', '2024-Q2', '2024-Q3', '2024-Q4', '2025-Q1'];
  quarters.forEach((quarter, q) => {
    const year = Number(quarter.slice(0, 4));
    const month = Number(quarter.slice(-1)) * 3 + 1;
    const heldAt = month > 12 ? utcDay(year + 1, 1, 20) : utcDay(year, month, 20);
    const meetingId = `JM-${quarter}`;
    const agency = AGENCIES[(q * 5) % AGENCIES.length]!;
    const year2 = heldAt.getUTCFullYear();
    const n = supervisionItems.filter((i) => i._id.startsWith(`SI-${year2}-`)).length + 1;
    const _id = supervisionItemId(year2, n);
    const deadline = addDays(heldAt, 90);
    const closed = deadline.getTime() < END.getTime();
    const suggestion = judicialSuggestions.find((x) => x.toAgencyId === agency.id && x.issuedAt.getTime() < heldAt.getTime()) ?? null;
    // The matter the meeting singled out: the agency's most frequent one.
    const matter = agency.matters[0]!;
    const progress = [{ at: addDays(heldAt, 45), by: { sub: `demo-officer-${agency.id}`, name: `${agency.name}经办人`, org: 'government' }, report: `已制定${matter.name}问题整改方案，正在逐项落实。` }];
    supervisionItems.push({
      _id,
      number: supervisionItemNumber(year2, n),
      title: `${agency.name}${matter.name}突出问题专项督办`,
      responsibleAgencyId: agency.id,
      deadline,
      requiredResult: `针对联席会议通报的${matter.name}问题完成整改，并书面报告整改情况。`,
      adminCaseId: null,
      disputeId: null,
      judicialSuggestionId: suggestion?._id ?? null,
      procuratorialSuggestionId: null,
      meetingId,
      openedAt: heldAt,
      closedAt: closed ? addDays(deadline, -10) : null,
      closing: closed ? 'RESOLVED' : null,
      closingNote: closed ? '整改报告已报送，经核查符合要求。' : null,
      progress,
      proposal: null,
      ...loadedRecord(_id, 'government', heldAt, closed ? 'CLOSED' : 'PROGRESS_REPORTED'),
    });
    jointMeetings.push({
      _id: meetingId,
      quarter,
      heldAt,
      issues: ['部分领域行政诉讼败诉率偏高', '司法建议、检察建议答复不够及时'],
      decisionIds: [_id],
      ...loadedRecord(meetingId, 'government', heldAt, 'RECORDED'),
    });
  });
  // And one a prosecutor proposed, awaiting the inspection office.
  {
    const agency = AGENCIES[1]!;
    const n = supervisionItems.filter((i) => i._id.startsWith('SI-2025-')).length + 1;
    const _id = supervisionItemId(2025, n);
    const at = utcDay(2025, 6, 20);
    supervisionItems.push({
      _id,
      number: supervisionItemNumber(2025, n),
      title: `${agency.name}检察建议落实督办`,
      responsibleAgencyId: agency.id,
      deadline: addDays(at, 60),
      requiredResult: '落实检察建议，依法纠正违法行为并书面回复。',
      adminCaseId: null,
      disputeId: null,
      judicialSuggestionId: null,
      procuratorialSuggestionId: procuratorialSuggestions.find((x) => x.toAgencyId === agency.id)?._id ?? null,
      meetingId: null,
      openedAt: null,
      closedAt: null,
      closing: null,
      closingNote: null,
      progress: [],
      proposal: { by: { sub: 'demo-prosecutor', name: '行政检察官', org: 'procuratorate' }, at, reason: '检察建议逾期未落实，建议纳入联合督办。', declinedBecause: null },
      ...loadedRecord(_id, 'procuratorate', at, 'PROPOSED'),
    });
  }

  // Two applications for the government's act summaries (共享申请), by a prosecutor: one the data
  // steward approved for the showcase supervision case's agency (its term has ended), one pending.
  const applicant = { sub: 'demo-prosecutor', name: '行政检察官', org: 'procuratorate' };
  const steward = { sub: 'demo-data-steward', name: '数据管理员', org: 'government' };
  const applicationOf = (n: number, at: Date, state: string, scope: SharingApplicationDoc['scope'], until: Date): SharingApplicationDoc => {
    const _id = sharingApplicationId(2025, n);
    return {
      _id,
      type: 'AdministrativeAct',
      fields: ['summary'],
      purpose: 'SUPERVISION',
      org: 'procuratorate',
      scope,
      roles: ['prosecutor'],
      principals: null,
      from: at,
      until,
      legalBasis: '办理行政诉讼监督案件，需调阅相关行政行为的内容摘要。',
      applicant,
      decision: state === 'APPROVED' ? { by: steward, at: addDays(at, 1), reason: '同意。' } : null,
      revocation: null,
      ...loadedRecord(_id, 'procuratorate', at, state),
      // The applicant made it (its row condition ISSUER names them).
      createdBy: { ...applicant, unit: null },
    };
  };
  const sharingApplications = [
    applicationOf(1, utcDay(2025, 6, 2), 'APPROVED', { kind: 'AGENCY', agencyId: showcaseSupervision.agencyId as string }, utcDay(2025, 6, 30)),
    applicationOf(2, utcDay(2025, 6, 25), 'PENDING', { kind: 'RECORDS', recordIds: acts.filter((a) => a.agencyId === showcaseSupervision.agencyId).slice(0, 2).map((a) => a._id) }, utcDay(2025, 8, 20)),
  ];

  return {
    government: {
      district: { _id: 'DISTRICT', name: DISTRICT_NAME },
      agencies: AGENCIES.map((a) => ({ _id: a.id, name: a.name, nameEn: a.nameEn, kind: a.kind, head: a.head })),
      parties: uniqueParties,
      acts,
      reconsiderations,
      disputes,
      suggestionReplies,
      judgmentPerformances,
      supervisionItems,
      jointMeetings,
      sharingApplications,
    },
    court: { adminCases, hearings, enforcementCases, judicialSuggestions },
    procuratorate: { supervisionCases, procuratorialSuggestions },
    showcase: {
      disputeId: showcaseDispute._id,
      adminCaseId: showcaseCase._id,
      enforcementCaseId: showcaseEnforcement._id,
      supervisionCaseId: showcaseSupervision._id,
    },
  };
}
