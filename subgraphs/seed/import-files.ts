// The demo district as the import files each institution's case system would export: the same
// formats `npm run import` reads (subgraphs/<institution>/import.ts), so that the demo data is
// loaded through the import path at every first start. Parties are named by their national ID
// numbers, as a case system knows them; the import turns them into pseudonyms. Streamed to disk
// one record at a time. Court cases and hearings are written as CSV (a spreadsheet's export), the
// rest as NDJSON, so both readers run at every start.
import { createWriteStream, type WriteStream } from 'node:fs';
import path from 'node:path';
import { once } from 'node:events';
import { stringify } from 'csv-stringify/sync';
import type { SubgraphName } from '../../config/index.js';
import type { DemoData } from './generate.js';

export interface DemoImportFile {
  type: string;
  file: string;
  /** How many records it holds (the import must create every one). */
  records: number;
}

const day = (date: Date | null) => (date ? date.toISOString().slice(0, 10) : null);

async function writeLines(stream: WriteStream, lines: Iterable<string>): Promise<void> {
  for (const line of lines) {
    if (!stream.write(line)) await once(stream, 'drain');
  }
  stream.end();
  await once(stream, 'finish');
}

async function writeNdjson(dir: string, name: string, type: string, records: Record<string, unknown>[]): Promise<DemoImportFile> {
  const file = path.join(dir, name);
  await writeLines(createWriteStream(file), (function* () {
    for (const record of records) yield `${JSON.stringify(record)}\n`;
  })());
  return { type, file, records: records.length };
}

function cell(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  return String(value);
}

async function writeCsv(dir: string, name: string, type: string, columns: string[], records: Record<string, unknown>[]): Promise<DemoImportFile> {
  const file = path.join(dir, name);
  await writeLines(createWriteStream(file), (function* () {
    yield stringify([columns]);
    // An absent value is an empty cell; a flag is written out (the library's default writes false as an empty cell).
    for (const record of records) yield stringify([columns.map((column) => cell(record[column]))]);
  })());
  return { type, file, records: records.length };
}

/** Writes each institution's files into `dir`, in the order they import (a record's references before it). */
export async function writeDemoImportFiles(data: DemoData, dir: string): Promise<Record<SubgraphName, DemoImportFile[]>> {
  const g = data.government;
  const idNumberOf = new Map(g.parties.map((p) => [p._id, p.idNumber]));
  const number = (id: string) => {
    const n = idNumberOf.get(id);
    if (!n) throw new Error(`the demo data names party ${id}, which it does not hold`);
    return n;
  };
  const actNumber = new Map(g.acts.map((a) => [a._id, a.number]));
  const reconsiderationNumber = new Map(g.reconsiderations.map((r) => [r._id, r.caseNumber]));
  const caseNumber = new Map(data.court.adminCases.map((c) => [c._id, c.caseNumber]));
  const supervisionNumber = new Map(data.procuratorate.supervisionCases.map((v) => [v._id, v.caseNumber]));

  const government = [
    await writeNdjson(dir, 'government-agencies.ndjson', 'Agency', g.agencies.map((a) => ({ id: a._id, name: a.name, nameEn: a.nameEn, kind: a.kind, head: a.head }))),
    await writeNdjson(dir, 'government-parties.ndjson', 'Party', g.parties.map((p) => ({ kind: p.kind, idNumber: p.idNumber, name: p.name, phone: p.phone }))),
    await writeNdjson(
      dir,
      'government-acts.ndjson',
      'AdministrativeAct',
      // The demo district's acts keep their ids (ACT-000123), which the other institutions' records name.
      g.acts.map((a) => ({ id: a._id, number: a.number, agencyId: a.agencyId, category: a.category, decidedAt: day(a.decidedAt), legalReviewed: a.legalReviewed, summary: a.summary, partyIdNumber: a.partyId ? number(a.partyId) : null })),
    ),
    await writeNdjson(
      dir,
      'government-reconsiderations.ndjson',
      'Reconsideration',
      g.reconsiderations.map((r) => ({
        caseNumber: r.caseNumber,
        applicantIdNumber: number(r.applicantId),
        respondentId: r.respondentId,
        actNumber: r.actId ? actNumber.get(r.actId) : null,
        filedAt: day(r.filedAt),
        closedAt: day(r.closedAt),
        status: r.status,
        outcome: r.outcome,
        hearingHeld: r.hearingHeld,
        reviewerNotes: r.reviewerNotes,
      })),
    ),
    await writeNdjson(
      dir,
      'government-disputes.ndjson',
      'Dispute',
      // A proposal the office has not taken is the linkage work's, not the register's (seedDemoData loads it).
      g.disputes.filter((d) => d.openedAt !== null).map((d) => ({
        id: d._id,
        title: d.title,
        category: d.category,
        agencyId: d.agencyId,
        partyIdNumbers: d.partyIds.map(number),
        openedAt: day(d.openedAt),
        closedAt: day(d.closedAt),
        status: d.status,
        major: d.major,
        substantivelyResolved: d.substantivelyResolved,
        linkedAdminCaseId: d.linkedAdminCaseId,
        linkedReconsiderationNumber: d.linkedReconsiderationId ? reconsiderationNumber.get(d.linkedReconsiderationId) : null,
      })),
    ),
    await writeNdjson(
      dir,
      'government-performances.ndjson',
      'JudgmentPerformance',
      g.judgmentPerformances.map((p) => ({ adminCaseId: p._id, agencyId: p.agencyId, dueAt: day(p.dueAt), performed: p.performed, performedAt: day(p.performedAt) })),
    ),
  ];

  const c = data.court;
  const court = [
    await writeCsv(
      dir,
      'court-admin-cases.csv',
      'AdminCase',
      ['caseNumber', 'plaintiffIdNumber', 'defendantId', 'actId', 'disputeId', 'cause', 'filedAt', 'closedAt', 'stage', 'status', 'outcome', 'agencyLost', 'judge', 'deliberationNotes'],
      c.adminCases.map((x) => ({ ...x, plaintiffIdNumber: number(x.plaintiffId), filedAt: day(x.filedAt), closedAt: day(x.closedAt) })),
    ),
    await writeCsv(
      dir,
      'court-hearings.csv',
      'Hearing',
      ['caseNumber', 'sitting', 'agencyId', 'heldAt', 'headAppeared', 'appearedOfficial'],
      // A hearing's id ends in its sitting: HR-2025-0012-2 is the case's second.
      c.hearings.map((h) => ({ ...h, caseNumber: caseNumber.get(h.caseId), sitting: Number(h._id.split('-').pop()), heldAt: day(h.heldAt) })),
    ),
    await writeNdjson(
      dir,
      'court-enforcement-cases.ndjson',
      'EnforcementCase',
      c.enforcementCases.map((e) => ({
        caseNumber: e.caseNumber,
        agencyId: e.agencyId,
        adminCaseNumber: e.adminCaseId ? caseNumber.get(e.adminCaseId) : null,
        disputeId: e.disputeId,
        filedAt: day(e.filedAt),
        closedAt: day(e.closedAt),
        status: e.status,
        preSettlementAttempted: e.preSettlement.attempted,
        preSettlementSucceeded: e.preSettlement.succeeded,
      })),
    ),
    await writeNdjson(
      dir,
      'court-judicial-suggestions.ndjson',
      'JudicialSuggestion',
      c.judicialSuggestions.map((s) => ({ number: s.number, toAgencyId: s.toAgencyId, adminCaseNumber: s.adminCaseId ? caseNumber.get(s.adminCaseId) : null, issuedAt: day(s.issuedAt), dueAt: day(s.dueAt), content: s.content })),
    ),
  ];

  const p = data.procuratorate;
  const procuratorate = [
    await writeNdjson(
      dir,
      'procuratorate-supervision-cases.ndjson',
      'SupervisionCase',
      p.supervisionCases.map((v) => ({ ...v, _id: undefined, openedAt: day(v.openedAt), closedAt: day(v.closedAt) })),
    ),
    await writeNdjson(
      dir,
      'procuratorate-suggestions.ndjson',
      'ProcuratorialSuggestion',
      p.procuratorialSuggestions.map((s) => ({ number: s.number, toAgencyId: s.toAgencyId, supervisionCaseNumber: s.supervisionCaseId ? supervisionNumber.get(s.supervisionCaseId) : null, issuedAt: day(s.issuedAt), dueAt: day(s.dueAt), content: s.content })),
    ),
  ];
  return { government, court, procuratorate };
}
