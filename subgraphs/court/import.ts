// What the court imports from its case-management system (npm run import -- court <file>): its
// administrative cases, their hearings, enforcement cases and judicial suggestions. A plaintiff
// is given by national ID number and stored as its pseudonym, which the government computes
// (Query.partyPseudonyms): the court never holds the number, nor the key.
import { z } from 'zod';
import { sdlEnum } from '../../schema/index.js';
import { optionalValue, day, documentNumber, flag, idNumber, nullable, pad, recordId, suggestionImport, text, oneOf, type ImportType } from '../shared/index.js';
import { CASE_NUMBER_PATTERNS, type CourtStore } from './store.js';

const ADMIN_CASE = { pattern: CASE_NUMBER_PATTERNS.adminCase, example: '（2025）苏0102行初123号' };
const ENFORCEMENT_CASE = { pattern: CASE_NUMBER_PATTERNS.enforcementCase, example: '（2025）苏0102执45号' };
const JUDICIAL_SUGGESTION = { pattern: CASE_NUMBER_PATTERNS.judicialSuggestion, example: '（2025）苏0102司建12号' };

type CaseNumber = { number: string; year: number; seq: number };

/** Outcomes in which the agency lost (the loss rate's), and those in which it did not. */
const LOSING_OUTCOMES: readonly string[] = ['REVOKED', 'MODIFIED', 'CONFIRMED_ILLEGAL', 'ORDERED_TO_PERFORM', 'COMPENSATION'];
const NOT_LOSING_OUTCOMES: readonly string[] = ['DISMISSED_CLAIMS', 'WITHDRAWN'];

/** Closed records have a closing day on or after their filing; open ones none. */
function closing(record: { filedAt: Date; closedAt: Date | null; status: string }, ctx: z.RefinementCtx) {
  if (record.status === 'CLOSED' && record.closedAt === null) ctx.addIssue({ code: 'custom', path: ['closedAt'], message: 'is required when status is CLOSED' });
  if (record.status !== 'CLOSED' && record.closedAt !== null) ctx.addIssue({ code: 'custom', path: ['closedAt'], message: `must be empty while status is ${record.status}` });
  if (record.closedAt && record.closedAt.getTime() < record.filedAt.getTime()) ctx.addIssue({ code: 'custom', path: ['closedAt'], message: 'must not be before filedAt' });
}

const adminCase = z
  .strictObject({
    id: nullable(recordId('AC')).optional(),
    caseNumber: documentNumber(ADMIN_CASE.pattern, ADMIN_CASE.example),
    plaintiffIdNumber: idNumber,
    defendantId: recordId('AG'),
    actId: nullable(recordId('ACT')).optional(),
    disputeId: nullable(recordId('DSP')).optional(),
    cause: oneOf(sdlEnum('court', 'ActCategory')),
    filedAt: day,
    closedAt: nullable(day).optional(),
    stage: oneOf(sdlEnum('court', 'CaseStage')),
    status: oneOf(sdlEnum('court', 'CaseStatus')),
    outcome: nullable(oneOf(sdlEnum('court', 'CaseOutcome'))).optional(),
    agencyLost: nullable(flag).optional(),
    judge: text(50),
    deliberationNotes: nullable(text(4000)).optional(),
  })
  .superRefine((record, ctx) => {
    closing({ filedAt: record.filedAt, closedAt: record.closedAt ?? null, status: record.status }, ctx);
    if (record.status === 'CLOSED' && !record.outcome) ctx.addIssue({ code: 'custom', path: ['outcome'], message: 'is required when status is CLOSED' });
    if (record.status !== 'CLOSED' && record.outcome) ctx.addIssue({ code: 'custom', path: ['outcome'], message: 'must be empty until the case is CLOSED' });
    if (record.status === 'CLOSED' && (record.agencyLost ?? null) === null) ctx.addIssue({ code: 'custom', path: ['agencyLost'], message: 'is required when status is CLOSED' });
    // The loss rate counts agencyLost: it must agree with the outcome (a mediated case may go either way).
    if (record.outcome && record.agencyLost != null) {
      const lost = LOSING_OUTCOMES.includes(record.outcome) ? true : NOT_LOSING_OUTCOMES.includes(record.outcome) ? false : null;
      if (lost !== null && lost !== record.agencyLost) ctx.addIssue({ code: 'custom', path: ['agencyLost'], message: `must be ${lost} when the outcome is ${record.outcome}` });
    }
  });

const hearing = z.strictObject({
  caseNumber: documentNumber(ADMIN_CASE.pattern, ADMIN_CASE.example),
  sitting: z.coerce.number({ message: 'must be a number' }).int('must be a whole number').min(1, 'must be 1 or more').max(99, 'must be at most 99'),
  agencyId: recordId('AG'),
  heldAt: day,
  headAppeared: flag,
  appearedOfficial: text(100),
});

const enforcementCase = z
  .strictObject({
    id: nullable(recordId('EC')).optional(),
    caseNumber: documentNumber(ENFORCEMENT_CASE.pattern, ENFORCEMENT_CASE.example),
    agencyId: recordId('AG'),
    adminCaseNumber: nullable(documentNumber(ADMIN_CASE.pattern, ADMIN_CASE.example)).optional(),
    disputeId: nullable(recordId('DSP')).optional(),
    filedAt: day,
    closedAt: nullable(day).optional(),
    status: oneOf(sdlEnum('court', 'EnforcementStatus')),
    preSettlementAttempted: flag,
    preSettlementSucceeded: flag,
  })
  .superRefine((record, ctx) => {
    closing({ filedAt: record.filedAt, closedAt: record.closedAt ?? null, status: record.status }, ctx);
    if (record.preSettlementSucceeded && !record.preSettlementAttempted) ctx.addIssue({ code: 'custom', path: ['preSettlementSucceeded'], message: 'cannot be true unless preSettlementAttempted is' });
  });

export function courtImports(store: CourtStore): ImportType[] {
  const collections = store.importCollections;
  return [
    {
      name: 'AdminCase',
      schema: adminCase,
      collection: collections.AdminCase,
      keyName: 'caseNumber',
      idNumbers: (r: z.infer<typeof adminCase>) => [r.plaintiffIdNumber],
      key: (r: z.infer<typeof adminCase>) => (r.caseNumber as CaseNumber).number,
      id: (r: z.infer<typeof adminCase>) => `AC-${(r.caseNumber as CaseNumber).year}-${pad((r.caseNumber as CaseNumber).seq, 4)}`,
      fields: (r: z.infer<typeof adminCase>, context) => ({
        caseNumber: (r.caseNumber as CaseNumber).number,
        plaintiffId: context.pseudonym(r.plaintiffIdNumber),
        defendantId: r.defendantId,
        actId: r.actId,
        disputeId: r.disputeId,
        cause: r.cause,
        filedAt: r.filedAt,
        closedAt: r.closedAt,
        stage: r.stage,
        status: r.status,
        outcome: r.outcome,
        agencyLost: r.agencyLost,
        judge: r.judge,
        deliberationNotes: r.deliberationNotes,
      }),
    },
    {
      name: 'Hearing',
      schema: hearing,
      collection: collections.Hearing,
      keyName: 'caseNumber',
      references: (r: z.infer<typeof hearing>) => [{ field: 'caseNumber', type: 'AdminCase', key: (r.caseNumber as CaseNumber).number }],
      // A hearing is the n-th sitting of its case: its id says both, and is its key.
      key: (r: z.infer<typeof hearing>, context) => `HR-${context.idOf('AdminCase', (r.caseNumber as CaseNumber).number).slice(3)}-${r.sitting}`,
      id: (r: z.infer<typeof hearing>, context) => `HR-${context.idOf('AdminCase', (r.caseNumber as CaseNumber).number).slice(3)}-${r.sitting}`,
      fields: (r: z.infer<typeof hearing>, context) => ({
        caseId: context.idOf('AdminCase', (r.caseNumber as CaseNumber).number),
        agencyId: r.agencyId,
        heldAt: r.heldAt,
        headAppeared: r.headAppeared,
        appearedOfficial: r.appearedOfficial,
      }),
    },
    {
      name: 'EnforcementCase',
      schema: enforcementCase,
      collection: collections.EnforcementCase,
      keyName: 'caseNumber',
      references: (r: z.infer<typeof enforcementCase>) => (r.adminCaseNumber ? [{ field: 'adminCaseNumber', type: 'AdminCase', key: (r.adminCaseNumber as CaseNumber).number }] : []),
      key: (r: z.infer<typeof enforcementCase>) => (r.caseNumber as CaseNumber).number,
      id: (r: z.infer<typeof enforcementCase>) => `EC-${(r.caseNumber as CaseNumber).year}-${pad((r.caseNumber as CaseNumber).seq, 4)}`,
      fields: (r: z.infer<typeof enforcementCase>, context) => ({
        caseNumber: (r.caseNumber as CaseNumber).number,
        agencyId: r.agencyId,
        adminCaseId: optionalValue(r.adminCaseNumber as CaseNumber | null | undefined, (n) => context.idOf('AdminCase', n.number)),
        disputeId: r.disputeId,
        filedAt: r.filedAt,
        closedAt: r.closedAt,
        status: r.status,
        preSettlement: { attempted: r.preSettlementAttempted, succeeded: r.preSettlementSucceeded },
      }),
      workflow: {
        // Settlement attempts are the workflow's (subgraphs/court/settlement.ts); the state follows the status.
        created: (fields) => ({ state: String(fields.status), settlementAttempts: [] }),
        state: (fields) => String(fields.status),
        // A settlement closes its case (settlement.ts).
        shared: ['status', 'closedAt', 'preSettlement'],
      },
    },
    suggestionImport({
      name: 'JudicialSuggestion',
      collection: collections.JudicialSuggestion,
      number: JUDICIAL_SUGGESTION,
      idPrefix: 'JS',
      source: { column: 'adminCaseNumber', type: 'AdminCase', field: 'adminCaseId', number: ADMIN_CASE },
    }),
  ];
}
