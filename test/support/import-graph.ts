// The project's import graph, read with the TypeScript compiler's own pre-processor (imports,
// re-exports and dynamic imports alike): which source file imports which, and which packages.
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import ts from 'typescript';
import { PROJECT_ROOT } from '../../config/index.js';

export interface SourceFile {
  /** Path from the project root, with `/`. */
  file: string;
  /** Project files it imports (paths from the root). */
  imports: string[];
  /** Package specifiers it imports (`mongodb`, `@apollo/subgraph/dist/x.js`). */
  packages: string[];
}

const SKIP = new Set(['node_modules', '.git', '.tools', '.data', 'docs']);

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((entry) => {
    const full = path.join(dir, entry);
    if (SKIP.has(entry)) return [];
    if (statSync(full).isDirectory()) return sourceFiles(full);
    return /\.ts$/.test(entry) && !entry.endsWith('.d.ts') ? [full] : [];
  });
}

function resolveRelative(from: string, specifier: string): string {
  const target = path.resolve(path.dirname(from), specifier);
  const candidates = [target.replace(/\.js$/, '.ts'), target, `${target}.ts`, path.join(target, 'index.ts')];
  const found = candidates.find((c) => existsSync(c) && statSync(c).isFile());
  if (!found) throw new Error(`${path.relative(PROJECT_ROOT, from)}: cannot resolve "${specifier}"`);
  return path.relative(PROJECT_ROOT, found).split(path.sep).join('/');
}

/** Every TypeScript file of the project (folders `dirs`, or all), with what it imports. */
export function readImportGraph(dirs?: string[]): SourceFile[] {
  const roots = dirs ? dirs.map((d) => path.join(PROJECT_ROOT, d)) : [PROJECT_ROOT];
  const files = roots.flatMap((root) => (statSync(root).isDirectory() ? sourceFiles(root) : [root]));
  return files.map((full) => {
    const info = ts.preProcessFile(readFileSync(full, 'utf8'), true, true);
    const specifiers = info.importedFiles.map((f) => f.fileName);
    return {
      file: path.relative(PROJECT_ROOT, full).split(path.sep).join('/'),
      imports: specifiers.filter((s) => s.startsWith('.')).map((s) => resolveRelative(full, s)),
      packages: specifiers.filter((s) => !s.startsWith('.')),
    };
  });
}

/** The files reachable from `entries` (project paths), following imports. */
export function reachableFrom(graph: SourceFile[], entries: string[]): Set<string> {
  const byFile = new Map(graph.map((f) => [f.file, f]));
  const seen = new Set<string>();
  const stack = [...entries];
  while (stack.length) {
    const file = stack.pop()!;
    if (seen.has(file)) continue;
    seen.add(file);
    stack.push(...(byFile.get(file)?.imports ?? []));
  }
  return seen;
}
