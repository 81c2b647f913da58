// The field labels the auditors' workbench names fields by (gateway/audit-ui/labels.json, written
// by `npm run catalogue` from schema/labels.ts): current, and complete for every record an
// institution's disclosure log can name — a new field of a record type gets its label where it is
// declared, or this fails.
import { readFileSync } from 'node:fs';
import { isObjectType } from 'graphql';
import { buildSubgraphSchema } from '@apollo/subgraph';
import { describe, expect, it } from 'vitest';
import { SUBGRAPH_NAMES } from '../config/index.js';
import { subgraphTypeDefs } from '../schema/index.js';
import { buildFieldLabels, FIELD_LABELS_PATH } from '../subgraphs/index.js';

describe('the field labels (gateway/audit-ui/labels.json)', () => {
  const fresh = buildFieldLabels();

  it('equals a fresh rendering of schema/labels.ts over the schemas (run `npm run catalogue` when this fails)', () => {
    expect(readFileSync(FIELD_LABELS_PATH, 'utf8')).toBe(fresh.json);
  });

  // (The access log's own types — an import's record, the overview, the inbox — are not records of the district.)
  it('labels every field of every record type (a type with an id) of the institutions', () => {
    const recordTypes = new Set<string>();
    for (const name of SUBGRAPH_NAMES) {
      const schema = buildSubgraphSchema([{ typeDefs: subgraphTypeDefs(name) }]);
      for (const type of Object.values(schema.getTypeMap())) {
        if (isObjectType(type) && !type.name.startsWith('_') && type.getFields().id && !['Query', 'Mutation', 'AuditOverview', 'Inbox', 'DataImport'].includes(type.name)) recordTypes.add(type.name);
      }
    }
    const { fields } = JSON.parse(fresh.json) as { fields: Record<string, { zh: string; en: string; of?: string }> };
    expect([...recordTypes].filter((type) => !Object.keys(fields).some((key) => key.startsWith(`${type}.`)))).toEqual([]);
    expect(fresh.unlabelled.filter((coordinate) => recordTypes.has(coordinate.split('.')[0]!))).toEqual([]);
  });

  it('names a field by its type and field name, and a nested path through the type it holds', () => {
    const { fields } = JSON.parse(fresh.json) as { fields: Record<string, { zh: string; en: string; of?: string }> };
    expect(fields['Party.idNumber']).toEqual({ zh: '当事人身份证号', en: 'Party ID number' });
    expect(fields['Dispute.parties']).toEqual({ zh: '行政争议当事人', en: 'Dispute parties', of: 'Party' });
    expect(fields['AdminCase.caseNumber']).toEqual({ zh: '行政诉讼案件案号', en: 'Administrative case case number' });
    expect(fields['Agency.name']).toEqual({ zh: '行政机关名称', en: 'Agency name' });
  });
});
