import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { buildCatalogue, CATALOGUE_PATH } from '../subgraphs/index.js';

describe('the sharing catalogue (docs/sharing-catalogue.md)', () => {
  const fresh = buildCatalogue();

  it('equals a fresh rendering of the schemas’ policies (run `npm run catalogue` when this fails)', () => {
    expect(readFileSync(CATALOGUE_PATH, 'utf8')).toBe(fresh);
  });

  it('shows every class, the owner-only notes and the masks', () => {
    expect(fresh).toContain('| `deliberationNotes` | OWNER 不予共享 | court only (judge) | — |');
    expect(fresh).toContain('| `prosecutorNotes` | OWNER 不予共享 | procuratorate only (prosecutor) | — |');
    expect(fresh).toContain('| `idNumber` | CONDITIONAL 有条件共享 |');
    // Every subgraph of the graph, the auditors' included.
    expect(fresh).toContain('## audit — 联合督查组');
    expect(fresh).toContain('| `operationHash` | CONDITIONAL 有条件共享 | audit (auditor) — AUDIT | — |');
    expect(fresh).toContain('court (judge, clerk, enforcement_officer) — any purpose<br>government (reviewer, linkage_officer) — CASE_HANDLING<br>government (agency_officer) — CASE_HANDLING — own agency’s records only<br>procuratorate (prosecutor) — SUPERVISION');
  });
});
