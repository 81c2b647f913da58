// What the procuratorate imports from its case system (npm run import -- procuratorate <file>):
// its supervision cases and the procuratorial suggestions issued from them.
import { z } from 'zod';
import { sdlEnum } from '../../schema/index.js';
import { day, documentNumber, nullable, pad, recordId, suggestionImport, text, oneOf, type ImportType } from '../shared/index.js';
import { NUMBER_PATTERNS, type ProcuratorateStore } from './store.js';

const SUPERVISION_CASE = { pattern: NUMBER_PATTERNS.supervisionCase, example: '示范区检行监〔2025〕12号' };
const SUGGESTION = { pattern: NUMBER_PATTERNS.procuratorialSuggestion, example: '示范区检行建〔2025〕3号' };

type CaseNumber = { number: string; year: number; seq: number };

const supervisionCase = z
  .strictObject({
    id: nullable(recordId('SV')).optional(),
    caseNumber: documentNumber(SUPERVISION_CASE.pattern, SUPERVISION_CASE.example),
    kind: oneOf(sdlEnum('procuratorate', 'SupervisionKind')),
    // The court's case it supervises, by the court's id (AC-2025-0012): another institution's record, checked for its form only.
    adminCaseId: nullable(recordId('AC')).optional(),
    agencyId: nullable(recordId('AG')).optional(),
    disputeId: nullable(recordId('DSP')).optional(),
    openedAt: day,
    closedAt: nullable(day).optional(),
    status: oneOf(sdlEnum('procuratorate', 'SupervisionStatus')),
    prosecutorNotes: nullable(text(4000)).optional(),
  })
  .superRefine((record, ctx) => {
    const closedAt = record.closedAt ?? null;
    if (record.status === 'CLOSED' && closedAt === null) ctx.addIssue({ code: 'custom', path: ['closedAt'], message: 'is required when status is CLOSED' });
    if (record.status !== 'CLOSED' && closedAt !== null) ctx.addIssue({ code: 'custom', path: ['closedAt'], message: `must be empty while status is ${record.status}` });
    if (closedAt && closedAt.getTime() < record.openedAt.getTime()) ctx.addIssue({ code: 'custom', path: ['closedAt'], message: 'must not be before openedAt' });
  });
type SupervisionRecord = z.infer<typeof supervisionCase>;


export function procuratorateImports(store: ProcuratorateStore): ImportType[] {
  const collections = store.importCollections;
  return [
    {
      name: 'SupervisionCase',
      schema: supervisionCase,
      collection: collections.SupervisionCase,
      keyName: 'caseNumber',
      key: (r: SupervisionRecord) => (r.caseNumber as CaseNumber).number,
      id: (r: SupervisionRecord) => `SV-${(r.caseNumber as CaseNumber).year}-${pad((r.caseNumber as CaseNumber).seq, 4)}`,
      fields: (r: SupervisionRecord) => ({
        caseNumber: (r.caseNumber as CaseNumber).number,
        kind: r.kind,
        adminCaseId: r.adminCaseId,
        agencyId: r.agencyId,
        disputeId: r.disputeId,
        openedAt: r.openedAt,
        closedAt: r.closedAt,
        status: r.status,
        prosecutorNotes: r.prosecutorNotes,
      }),
    },
    suggestionImport({
      name: 'ProcuratorialSuggestion',
      collection: collections.ProcuratorialSuggestion,
      number: SUGGESTION,
      idPrefix: 'PS',
      source: { column: 'supervisionCaseNumber', type: 'SupervisionCase', field: 'supervisionCaseId', number: SUPERVISION_CASE },
    }),
  ];
}
