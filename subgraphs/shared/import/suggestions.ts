// The import of suggestions an institution issued (the court's 司法建议, the procuratorate's
// 检察建议): the same fields and bookkeeping for both, each with its own number series and the
// record of its own it was issued from.
import { z } from 'zod';
import type { ImportCollection } from '../../../platform/index.js';
import type { Document } from 'mongodb';
import type { ImportContext, ImportType, Reference } from './pipeline.js';
import { day, documentNumber, nullable, optionalValue, pad, recordId, text } from './fields.js';

interface SuggestionSpec {
  name: string;
  collection: ImportCollection;
  /** The number series' pattern (year and number as its groups) and an example. */
  number: { pattern: RegExp; example: string };
  idPrefix: string;
  /** The issuing record's column (a case number of the issuer's own) and where its id is stored. */
  source: { column: string; type: string; field: string; number: { pattern: RegExp; example: string } };
}

export function suggestionImport(spec: SuggestionSpec): ImportType {
  const schema = z
    .strictObject({
      id: nullable(recordId(spec.idPrefix)).optional(),
      number: documentNumber(spec.number.pattern, spec.number.example),
      toAgencyId: recordId('AG'),
      [spec.source.column]: nullable(documentNumber(spec.source.number.pattern, spec.source.number.example)).optional(),
      issuedAt: day,
      dueAt: day,
      content: text(2000),
    })
    .superRefine((record, ctx) => {
      if ((record.dueAt as Date).getTime() <= (record.issuedAt as Date).getTime()) ctx.addIssue({ code: 'custom', path: ['dueAt'], message: 'must be after issuedAt' });
    });
  type Parsed = { number: { number: string; year: number; seq: number }; toAgencyId: string; issuedAt: Date; dueAt: Date; content: string; [column: string]: unknown };
  const sourceOf = (record: Parsed) => (record[spec.source.column] as { number: string } | null | undefined)?.number ?? null;
  return {
    name: spec.name,
    schema,
    collection: spec.collection,
    keyName: 'number',
    references: (record: Parsed): Reference[] => {
      const source = sourceOf(record);
      return source ? [{ field: spec.source.column, type: spec.source.type, key: source }] : [];
    },
    key: (record: Parsed) => record.number.number,
    id: (record: Parsed) => `${spec.idPrefix}-${record.number.year}-${pad(record.number.seq, 3)}`,
    fields: (record: Parsed, context: ImportContext) => {
      return {
        number: record.number.number,
        toAgencyId: record.toAgencyId,
        [spec.source.field]: optionalValue(record[spec.source.column] as { number: string } | null | undefined, (n) => context.idOf(spec.source.type, n.number)),
        issuedAt: record.issuedAt,
        dueAt: record.dueAt,
        content: record.content,
      };
    },
    workflow: {
      // An imported suggestion is issued; its follow-up (supplements, closing) is the workflow's.
      created: () => ({ state: 'ISSUED', supplementReason: null, supplementsRequested: 0, supplementRequestedAt: null, supplementDueAt: null, closedAt: null }),
      state: (_fields: Document, stored: Document) => String(stored.state),
      // Supplements and closing write only the workflow's own fields.
      shared: [],
    },
  } as unknown as ImportType<Parsed>;
}
