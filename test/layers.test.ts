// The shape of the code, kept true by a test: each folder stands on the ones below it and never
// imports one above; no import cycle; a folder is entered only through its index.ts; no package is
// entered past its public entry point.
import { describe, expect, it } from 'vitest';
import { readImportGraph, type SourceFile } from './support/import-graph.js';

/** From the ground up. A folder may import only folders of a lower layer (and itself). */
const LAYERS: string[][] = [
  ['config'],
  ['schema'],
  ['platform'],
  ['auth'],
  ['audit'],
  ['subgraphs/shared'],
  ['subgraphs/government', 'subgraphs/court', 'subgraphs/procuratorate', 'subgraphs/audit'],
  ['subgraphs/imports'],
  ['subgraphs/seed'],
  ['subgraphs'],
  ['gateway'],
  ['scripts'],
  ['test'],
];
const LAYER_OF = new Map(LAYERS.flatMap((units, rank) => units.map((unit) => [unit, rank] as const)));
/** Entry points only: nothing else may import them. */
const TOP = new Set(['scripts', 'test']);

/** The folder a file belongs to: `subgraphs/court` for subgraphs/court/store.ts, `gateway` for gateway/index.ts. */
export function unitOf(file: string): string | null {
  const parts = file.split('/');
  if (parts.length === 1) return null; // vitest.config.ts and the like
  if (parts[0] === 'subgraphs' && parts.length > 2) return `subgraphs/${parts[1]}`;
  return parts[0]!;
}

const graph = readImportGraph(['config', 'schema', 'platform', 'auth', 'audit', 'subgraphs', 'gateway', 'scripts', 'test']);

function cycles(files: SourceFile[]): string[][] {
  const byFile = new Map(files.map((f) => [f.file, f.imports]));
  const state = new Map<string, 'open' | 'done'>();
  const found: string[][] = [];
  const visit = (file: string, trail: string[]) => {
    if (state.get(file) === 'done') return;
    if (state.get(file) === 'open') {
      found.push([...trail.slice(trail.indexOf(file)), file]);
      return;
    }
    state.set(file, 'open');
    for (const next of byFile.get(file) ?? []) visit(next, [...trail, file]);
    state.set(file, 'done');
  };
  for (const file of byFile.keys()) visit(file, []);
  return found;
}

describe('the layers of the code', () => {
  it('knows every folder that holds code', () => {
    const unknown = [...new Set(graph.map((f) => unitOf(f.file)))].filter((unit) => unit !== null && !LAYER_OF.has(unit));
    expect(unknown).toEqual([]);
  });

  it('has no import cycle', () => {
    expect(cycles(graph)).toEqual([]);
  });

  it('never imports a folder of its own layer or above', () => {
    const upward = graph.flatMap(({ file, imports }) => {
      const from = unitOf(file)!;
      return imports
        .filter((target) => unitOf(target) !== from && LAYER_OF.get(unitOf(target)!)! >= LAYER_OF.get(from)!)
        .map((target) => `${file} -> ${target}`);
    });
    expect(upward).toEqual([]);
  });

  it("enters another folder only through its index.ts (scripts and tests: never)", () => {
    const pastTheFace = graph.flatMap(({ file, imports }) =>
      imports
        .filter((target) => {
          const unit = unitOf(target)!;
          if (unit === unitOf(file)) return false;
          return TOP.has(unit) || target !== `${unit}/index.ts`;
        })
        .map((target) => `${file} -> ${target}`),
    );
    expect(pastTheFace).toEqual([]);
  });

  it("imports packages through their public entry points only", () => {
    const deep = graph.flatMap(({ file, packages }) => packages.filter((p) => /\/(dist|src|lib)\//.test(p)).map((p) => `${file} -> ${p}`));
    expect(deep).toEqual([]);
  });
});
