import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { CatalogueEntry } from '../auth/index.js';
import { buildCatalogue, CATALOGUE_JSON_PATH, CATALOGUE_PATH } from '../subgraphs/index.js';

describe('the sharing catalogue (docs/sharing-catalogue.md and .json)', () => {
  const fresh = buildCatalogue();

  it('equals a fresh rendering of the schemas’ policies, both files (run `npm run catalogue` when this fails)', () => {
    expect(readFileSync(CATALOGUE_PATH, 'utf8')).toBe(fresh.markdown);
    expect(readFileSync(CATALOGUE_JSON_PATH, 'utf8')).toBe(fresh.json);
  });

  it('shows every class, the owner-only notes and the masks', () => {
    const markdown = fresh.markdown;
    expect(markdown).toContain('| `deliberationNotes` | OWNER 不予共享 | court only (judge) | — |');
    expect(markdown).toContain('| `prosecutorNotes` | OWNER 不予共享 | procuratorate only (prosecutor) | — |');
    expect(markdown).toContain('| `idNumber` | CONDITIONAL 有条件共享 |');
    // Every subgraph of the graph, the auditors' included.
    expect(markdown).toContain('## audit — 联合督查组');
    expect(markdown).toContain('| `operationHash` | CONDITIONAL 有条件共享 | audit (auditor) — AUDIT | — |');
    expect(markdown).toContain('court (judge, clerk, enforcement_officer) — any purpose<br>government (reviewer, linkage_officer) — CASE_HANDLING<br>government (agency_officer) — CASE_HANDLING — own agency’s records only<br>procuratorate (prosecutor) — SUPERVISION');
  });

  it('gives programs the same policies: every field once per owner, grants as data', () => {
    const { fields } = JSON.parse(fresh.json) as { fields: CatalogueEntry[] };
    const keys = fields.map((f) => `${f.owner} ${f.type}.${f.field}`);
    expect(new Set(keys).size).toBe(keys.length);
    expect(fields.find((f) => f.owner === 'court' && f.type === 'AdminCase' && f.field === 'judge')).toEqual({
      owner: 'court',
      type: 'AdminCase',
      field: 'judge',
      class: 'CONDITIONAL',
      audience: null,
      grants: [
        { orgs: ['court'], roles: ['judge', 'clerk', 'enforcement_officer'], purposes: null, row: null },
        { orgs: ['government'], roles: ['reviewer', 'linkage_officer'], purposes: ['CASE_HANDLING'], row: null },
        { orgs: ['government'], roles: ['agency_officer'], purposes: ['CASE_HANDLING'], row: 'OWN_UNIT' },
        { orgs: ['procuratorate'], roles: ['prosecutor'], purposes: ['SUPERVISION'], row: null },
      ],
      ownerRoles: null,
      mask: null,
      applicable: null,
    });
    // A field others may apply for (共享申请).
    expect(fields.find((f) => f.type === 'AdministrativeAct' && f.field === 'summary')).toMatchObject({
      owner: 'government',
      class: 'CONDITIONAL',
      applicable: { orgs: ['procuratorate'], purposes: ['SUPERVISION'], maxDays: 90 },
    });
    expect(fields.find((f) => f.type === 'Party' && f.field === 'idNumber')).toMatchObject({ owner: 'government', class: 'CONDITIONAL', mask: 'ID_NUMBER' });
    expect(fields.find((f) => f.type === 'AdminCase' && f.field === 'deliberationNotes')).toMatchObject({ class: 'OWNER', ownerRoles: ['judge'] });
    expect(fields.find((f) => f.type === 'Agency' && f.field === 'name')).toMatchObject({ class: 'OPEN', audience: 'PUBLIC' });
    // As many rows as the Markdown's tables.
    expect(fields.length).toBe(fresh.markdown.split('\n').filter((line) => line.startsWith('| `')).length);
  });
});
