// What the government imports from its own systems (npm run import -- government <file>): its
// agencies, the parties (their PII is the government's: the ID number is kept, and the party's id
// is its pseudonym under the district key), administrative acts, reconsiderations, the linkage
// office's dispute register and the performance of judgments an agency lost.
import { z } from 'zod';
import type { Document } from 'mongodb';
import { sdlEnum } from '../../schema/index.js';
import { DISTRICT_NAME } from '../shared/index.js';
import { optionalValue, day, documentNumber, flag, idNumber, list, nullable, pad, recordId, text, oneOf, type ImportContext, type ImportType } from '../shared/index.js';
import type { GovernmentStore } from './store.js';

type DocumentNo = { number: string; year: number; seq: number };

const ACT = { pattern: new RegExp(`^${DISTRICT_NAME}[\\u4e00-\\u9fa5]{1,8}决〔(\\d{4})〕([1-9]\\d{0,5})号$`), example: `${DISTRICT_NAME}自然资决〔2025〕123号` };
const RECONSIDERATION = { pattern: new RegExp(`^${DISTRICT_NAME}府复〔(\\d{4})〕([1-9]\\d{0,5})号$`), example: `${DISTRICT_NAME}府复〔2025〕12号` };

/** A mobile number (11 digits from 1) or a landline (area code, number). */
const phone = z.string().trim().regex(/^(1\d{10}|0\d{2,3}-?\d{7,8})$/, 'must be a mobile number (11 digits) or a landline as 025-84561234');

function closing(record: { opened: Date; closedAt?: Date | null; closed: boolean; openedName: string }, ctx: z.RefinementCtx) {
  const closedAt = record.closedAt ?? null;
  if (record.closed && closedAt === null) ctx.addIssue({ code: 'custom', path: ['closedAt'], message: 'is required once the record is closed' });
  if (!record.closed && closedAt !== null) ctx.addIssue({ code: 'custom', path: ['closedAt'], message: 'must be empty while the record is open' });
  if (closedAt && closedAt.getTime() < record.opened.getTime()) ctx.addIssue({ code: 'custom', path: ['closedAt'], message: `must not be before ${record.openedName}` });
}

const agency = z.strictObject({
  id: z.string().trim().regex(/^AG-[A-Z0-9]{2,20}$/, 'must be an agency id as AG-NRB'),
  name: text(100),
  nameEn: text(200),
  kind: oneOf(sdlEnum('government', 'AgencyKind')),
  head: text(50),
});

const party = z
  .strictObject({
    kind: oneOf(sdlEnum('government', 'PartyKind')),
    idNumber,
    name: text(100),
    phone: nullable(phone).optional(),
  })
  .superRefine((record, ctx) => {
    const resident = /^\d{17}[\dX]$/.test(record.idNumber);
    if (record.kind === 'PERSON' && !resident) ctx.addIssue({ code: 'custom', path: ['idNumber'], message: 'must be a resident ID number for a PERSON' });
    if (record.kind === 'ORGANIZATION' && resident) ctx.addIssue({ code: 'custom', path: ['idNumber'], message: 'must be a unified social credit code for an ORGANIZATION' });
  });

const act = z.strictObject({
  id: nullable(recordId('ACT')).optional(),
  number: documentNumber(ACT.pattern, ACT.example),
  agencyId: recordId('AG'),
  category: oneOf(sdlEnum('government', 'ActCategory')),
  decidedAt: day,
  legalReviewed: flag,
  summary: text(2000),
  partyIdNumber: nullable(idNumber).optional(),
});

const reconsideration = z
  .strictObject({
    id: nullable(recordId('RC')).optional(),
    caseNumber: documentNumber(RECONSIDERATION.pattern, RECONSIDERATION.example),
    applicantIdNumber: idNumber,
    respondentId: recordId('AG'),
    actNumber: nullable(documentNumber(ACT.pattern, ACT.example)).optional(),
    filedAt: day,
    closedAt: nullable(day).optional(),
    status: oneOf(sdlEnum('government', 'ReconsiderationStatus')),
    outcome: nullable(oneOf(sdlEnum('government', 'ReconsiderationOutcome'))).optional(),
    hearingHeld: flag,
    reviewerNotes: nullable(text(4000)).optional(),
  })
  .superRefine((record, ctx) => {
    closing({ opened: record.filedAt, closedAt: record.closedAt, closed: record.status === 'CLOSED', openedName: 'filedAt' }, ctx);
    if (record.status === 'CLOSED' && !record.outcome) ctx.addIssue({ code: 'custom', path: ['outcome'], message: 'is required when status is CLOSED' });
    if (record.status !== 'CLOSED' && record.outcome) ctx.addIssue({ code: 'custom', path: ['outcome'], message: 'must be empty until status is CLOSED' });
  });

const dispute = z
  .strictObject({
    id: recordId('DSP'),
    title: text(200),
    category: oneOf(sdlEnum('government', 'ActCategory')),
    agencyId: nullable(recordId('AG')).optional(),
    partyIdNumbers: list(idNumber, 50),
    openedAt: day,
    closedAt: nullable(day).optional(),
    status: oneOf(sdlEnum('government', 'DisputeStatus')),
    major: flag,
    substantivelyResolved: flag,
    linkedAdminCaseId: nullable(recordId('AC')).optional(),
    linkedReconsiderationNumber: nullable(documentNumber(RECONSIDERATION.pattern, RECONSIDERATION.example)).optional(),
  })
  .superRefine((record, ctx) => {
    closing({ opened: record.openedAt, closedAt: record.closedAt, closed: record.status !== 'OPEN', openedName: 'openedAt' }, ctx);
    if (record.substantivelyResolved && record.status !== 'RESOLVED') ctx.addIssue({ code: 'custom', path: ['substantivelyResolved'], message: 'can be true only when status is RESOLVED' });
  });

const performance = z
  .strictObject({
    adminCaseId: recordId('AC'),
    agencyId: recordId('AG'),
    dueAt: day,
    performed: flag,
    performedAt: nullable(day).optional(),
  })
  .superRefine((record, ctx) => {
    if (record.performed !== (record.performedAt != null)) ctx.addIssue({ code: 'custom', path: ['performedAt'], message: record.performed ? 'is required when performed is true' : 'must be empty while performed is false' });
  });

type Infer<T extends z.ZodType> = z.infer<T>;
const agencyRef = (id: string, field = 'agencyId') => ({ field, type: 'Agency', key: id });

export function governmentImports(store: GovernmentStore): ImportType[] {
  const collections = store.importCollections;
  const types: ImportType[] = [
    {
      name: 'Agency',
      schema: agency,
      collection: collections.Agency,
      keyName: 'id',
      key: (r: Infer<typeof agency>) => r.id,
      id: (r: Infer<typeof agency>) => r.id,
      fields: ({ id: _id, ...fields }: Infer<typeof agency>) => fields,
    },
    {
      name: 'Party',
      schema: party,
      collection: collections.Party,
      keyName: 'idNumber',
      idNumbers: (r: Infer<typeof party>) => [r.idNumber],
      key: (r: Infer<typeof party>, c: ImportContext) => c.pseudonym(r.idNumber),
      id: (r: Infer<typeof party>, c: ImportContext) => c.pseudonym(r.idNumber),
      fields: (r: Infer<typeof party>) => ({ kind: r.kind, name: r.name, idNumber: r.idNumber, phone: r.phone }),
    },
    {
      name: 'AdministrativeAct',
      schema: act,
      collection: collections.AdministrativeAct,
      keyName: 'number',
      idNumbers: (r: Infer<typeof act>) => (r.partyIdNumber ? [r.partyIdNumber] : []),
      references: (r: Infer<typeof act>, pseudonym) => [agencyRef(r.agencyId), ...(r.partyIdNumber ? [{ field: 'partyIdNumber', type: 'Party', key: pseudonym(r.partyIdNumber) }] : [])],
      key: (r: Infer<typeof act>) => (r.number as DocumentNo).number,
      // Each agency numbers its acts from 1 every year: the id carries the year and the agency's code.
      id: (r: Infer<typeof act>) => `ACT-${(r.number as DocumentNo).year}-${r.agencyId.slice('AG-'.length)}-${pad((r.number as DocumentNo).seq, 4)}`,
      fields: (r: Infer<typeof act>, c: ImportContext) => ({
        number: (r.number as DocumentNo).number,
        agencyId: r.agencyId,
        category: r.category,
        decidedAt: r.decidedAt,
        legalReviewed: r.legalReviewed,
        summary: r.summary,
        partyId: optionalValue(r.partyIdNumber, (n) => c.pseudonym(n)),
      }),
    },
    {
      name: 'Reconsideration',
      schema: reconsideration,
      collection: collections.Reconsideration,
      keyName: 'caseNumber',
      idNumbers: (r: Infer<typeof reconsideration>) => [r.applicantIdNumber],
      references: (r: Infer<typeof reconsideration>, pseudonym) => [
        agencyRef(r.respondentId, 'respondentId'),
        { field: 'applicantIdNumber', type: 'Party', key: pseudonym(r.applicantIdNumber) },
        ...(r.actNumber ? [{ field: 'actNumber', type: 'AdministrativeAct', key: (r.actNumber as DocumentNo).number }] : []),
      ],
      key: (r: Infer<typeof reconsideration>) => (r.caseNumber as DocumentNo).number,
      id: (r: Infer<typeof reconsideration>) => `RC-${(r.caseNumber as DocumentNo).year}-${pad((r.caseNumber as DocumentNo).seq, 4)}`,
      fields: (r: Infer<typeof reconsideration>, c: ImportContext) => ({
        caseNumber: (r.caseNumber as DocumentNo).number,
        applicantId: c.pseudonym(r.applicantIdNumber),
        respondentId: r.respondentId,
        actId: optionalValue(r.actNumber as DocumentNo | null | undefined, (n) => c.idOf('AdministrativeAct', n.number)),
        filedAt: r.filedAt,
        closedAt: r.closedAt,
        status: r.status,
        outcome: r.outcome,
        hearingHeld: r.hearingHeld,
        reviewerNotes: r.reviewerNotes,
      }),
    },
    {
      name: 'Dispute',
      schema: dispute,
      collection: collections.Dispute,
      keyName: 'id',
      idNumbers: (r: Infer<typeof dispute>) => r.partyIdNumbers,
      references: (r: Infer<typeof dispute>, pseudonym) => [
        ...(r.agencyId ? [agencyRef(r.agencyId)] : []),
        ...r.partyIdNumbers.map((n) => ({ field: 'partyIdNumbers', type: 'Party', key: pseudonym(n) })),
        ...(r.linkedReconsiderationNumber ? [{ field: 'linkedReconsiderationNumber', type: 'Reconsideration', key: (r.linkedReconsiderationNumber as DocumentNo).number }] : []),
      ],
      key: (r: Infer<typeof dispute>) => r.id,
      id: (r: Infer<typeof dispute>) => r.id,
      fields: (r: Infer<typeof dispute>, c: ImportContext) => ({
        title: r.title,
        category: r.category,
        agencyId: r.agencyId,
        partyIds: r.partyIdNumbers.map((n) => c.pseudonym(n)),
        openedAt: r.openedAt,
        closedAt: r.closedAt,
        status: r.status,
        major: r.major,
        substantivelyResolved: r.substantivelyResolved,
        linkedAdminCaseId: r.linkedAdminCaseId,
        linkedReconsiderationId: optionalValue(r.linkedReconsiderationNumber as DocumentNo | null | undefined, (n) => c.idOf('Reconsideration', n.number)),
      }),
      workflow: {
        // Consultations, opinions and proposals are the linkage work's (subgraphs/government/disputes.ts), never a file's.
        created: (fields) => ({ state: disputeState(fields, null), consultations: [], proposal: null, outcome: null, awaitingOpinions: [] }),
        state: (fields, stored) => disputeState(fields, stored),
        // Assigning, closing and declining write these (disputes.ts).
        shared: ['agencyId', 'status', 'closedAt', 'substantivelyResolved'],
      },
    },
    {
      name: 'JudgmentPerformance',
      schema: performance,
      collection: collections.JudgmentPerformance,
      keyName: 'adminCaseId',
      references: (r: Infer<typeof performance>) => [agencyRef(r.agencyId)],
      key: (r: Infer<typeof performance>) => r.adminCaseId,
      id: (r: Infer<typeof performance>) => r.adminCaseId,
      fields: (r: Infer<typeof performance>) => ({ agencyId: r.agencyId, dueAt: r.dueAt, performed: r.performed, performedAt: r.performedAt }),
    },
  ];
  return types;
}

/** A register entry's workflow state: closed with its status; open, as the workflow left it (or assigned when it has an agency). */
function disputeState(fields: Document, stored: Document | null): string {
  if (fields.status !== 'OPEN') return 'CLOSED';
  if (stored && stored.state !== 'CLOSED') return String(stored.state);
  const agencyId = fields.agencyId === undefined ? stored?.agencyId : fields.agencyId;
  return agencyId ? 'ASSIGNED' : 'REGISTERED';
}
