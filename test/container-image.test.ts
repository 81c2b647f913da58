// No Docker engine runs here, so the image is checked by reading what builds it: the build context
// carries no keys or data, the runtime stage runs the built JavaScript with plain node as uid 1000,
// and holds every file the services read at run time (found in the code, not listed by hand).
import { readFileSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { readImportGraph, reachableFrom } from './support/import-graph.js';
import { PROJECT_ROOT } from '../config/index.js';

const dockerfile = readFileSync(path.join(PROJECT_ROOT, 'Dockerfile'), 'utf8');
const [, buildStage = '', runtimeStage = ''] = dockerfile.split(/^FROM /m);
const dockerignore = readFileSync(path.join(PROJECT_ROOT, '.dockerignore'), 'utf8')
  .split('\n')
  .map((line) => line.trim())
  .filter((line) => line && !line.startsWith('#'));
const packageJson = JSON.parse(readFileSync(path.join(PROJECT_ROOT, 'package.json'), 'utf8')) as {
  scripts: Record<string, string>;
  dependencies: Record<string, string>;
  engines: { node: string };
};
/** Each instruction's lines joined (a `\` continues it). */
const instructions = (stage: string) => stage.replace(/\\\n/g, ' ').split('\n').filter((line) => /^[A-Z]+ /.test(line));
/** `COPY [--from=build] <sources…> <destination>`: what each COPY in a stage takes. */
const copies = (stage: string) =>
  instructions(stage)
    .filter((line) => line.startsWith('COPY '))
    .map((line) => {
      const words = line.split(/\s+/).slice(1);
      const from = words[0]!.startsWith('--from=') ? words.shift()!.slice('--from='.length) : null;
      return { from, sources: words.slice(0, -1), destination: words.at(-1)! };
    });
/** The entry points' import graph (the build compiles exactly what they reach). */
const reached = reachableFrom(readImportGraph(), ['scripts/start.ts']);

describe('the image', () => {
  it('is built from a context that is an allowlist: exactly what the build stage copies, never keys, data or tools', () => {
    expect(dockerignore[0]).toBe('*');
    const allowed = dockerignore.filter((line) => line.startsWith('!')).map((line) => line.slice(1));
    const copied = copies(buildStage).flatMap((c) => c.sources.map((s) => s.replace(/^\.\//, '')));
    expect(allowed.sort()).toEqual([...new Set(copied)].sort());
    // Within the allowed folders, key files and data left there by mistake stay out too.
    for (const pattern of ['**/*.pem', '**/secrets', '**/.data', '**/node_modules', '**/dist']) expect(dockerignore).toContain(pattern);
  });

  it('builds in one stage (TypeScript to dist/, then the production dependencies alone) and runs in another, on the same Node LTS', () => {
    const [buildFrom, runtimeFrom] = [buildStage, runtimeStage].map((stage) => stage.split('\n')[0]);
    expect(buildFrom).toBe('${NODE_IMAGE} AS build');
    expect(runtimeFrom).toBe('${NODE_IMAGE}');
    // README: runs on Node 20–24, the image uses 24 (the Active LTS).
    expect(dockerfile).toMatch(/^ARG NODE_IMAGE=node:24-[a-z]+-slim$/m);
    expect(packageJson.engines.node).toBe('>=20');
    const run = instructions(buildStage).filter((line) => line.startsWith('RUN ')).join('\n');
    expect(run).toContain('npm ci');
    expect(run).toMatch(/npm run build && npm prune --omit=dev/);
    expect(packageJson.scripts.build).toMatch(/^rm -rf dist && tsc -p tsconfig\.build\.json/);
  });

  it('runs the built JavaScript with plain node as uid 1000 (no TypeScript loader), and checks itself on /ready', () => {
    const lines = instructions(runtimeStage);
    expect(lines.filter((line) => line.startsWith('USER '))).toEqual(['USER node']);
    const user = lines.indexOf('USER node');
    expect(lines.findIndex((line) => line.startsWith('ENTRYPOINT '))).toBeGreaterThan(user);
    // Under tini, which forwards SIGTERM to node (its graceful shutdown) and reaps Chromium's leftovers.
    expect(lines).toContain('ENTRYPOINT ["tini", "--", "node", "dist/scripts/start.js"]');
    expect(lines.find((line) => line.startsWith('HEALTHCHECK '))).toMatch(/CMD \["node", "dist\/scripts\/healthcheck\.js"\]$/);
    // A subgraph checks itself on /ready, the gateway on /health (its /ready is 503 whenever any institution is down).
    expect(readFileSync(path.join(PROJECT_ROOT, 'scripts/healthcheck.ts'), 'utf8')).toContain("const probe = service === 'gateway' ? '/health' : '/ready';");
    expect(runtimeStage).not.toMatch(/tsx/);
    expect(packageJson.dependencies).not.toHaveProperty('tsx');
    // Chromium and a CJK font: the gateway renders the bulletin's PDF.
    expect(runtimeStage).toMatch(/apt-get install -y --no-install-recommends chromium fonts-wqy-microhei tini /);
    const fromBuild = copies(runtimeStage).filter((c) => c.from === 'build').map((c) => c.destination);
    expect(fromBuild).toEqual(expect.arrayContaining(['./dist', './node_modules', './package.json']));
    expect(copies(runtimeStage).every((c) => c.from === 'build')).toBe(true);
  });

  it('compiles the entry points, and copies next to the JavaScript the plain JavaScript modules they import', () => {
    const build = JSON.parse(readFileSync(path.join(PROJECT_ROOT, 'tsconfig.build.json'), 'utf8').replace(/^\s*\/\/.*$/gm, '')) as { files: string[] };
    expect(build.files).toEqual(expect.arrayContaining(['scripts/start.ts', 'scripts/healthcheck.ts']));
    const plain = [...reached].filter((file) => !file.endsWith('.ts'));
    expect(plain.length).toBeGreaterThan(0);
    for (const file of plain) expect(packageJson.scripts.build).toContain(`cp ${file} dist/${path.posix.dirname(file)}/`);
  });

  it('holds every file the services read from the project root at run time', () => {
    // Paths the code reaches from scripts/start.ts resolves against PROJECT_ROOT (config/index.ts:
    // the folder above dist/ in the image), default or fixed.
    const read = [...reached].flatMap((file) =>
      [...readFileSync(path.join(PROJECT_ROOT, file), 'utf8').matchAll(/PROJECT_ROOT,\s*(?:[^'"\n]*\?\?\s*)?'([^']+)'/g)].map((m) => m[1]!),
    );
    // Development only: the embedded store and its tools, development keys, the GraphQL IDE (not
    // served in production), and the catalogue `npm run catalogue` writes.
    const DEVELOPMENT_ONLY = ['.data/', '.tools/', 'gateway/graphiql-ui', 'docs/'];
    const runtime = read.filter((p) => !DEVELOPMENT_ONLY.some((prefix) => p.startsWith(prefix)));
    expect(runtime).toEqual(expect.arrayContaining(['schema', 'schema/supergraph.graphql', 'gateway/audit-ui', 'gateway/reports-ui']));
    // What the runtime stage copies, as patterns over the project's files.
    const patterns = copies(runtimeStage).flatMap((c) =>
      c.sources.map((source) => {
        const relative = source.replace(/^\/app\//, '');
        const regex = new RegExp(`^${relative.replace(/[.]/g, '\\.').replace(/\*/g, '[^/]*')}(/.*)?$`);
        return regex;
      }),
    );
    const filesUnder = (p: string): string[] => {
      const full = path.join(PROJECT_ROOT, p);
      return statSync(full).isDirectory() ? readdirSync(full).flatMap((entry) => filesUnder(path.posix.join(p, entry))) : [p];
    };
    for (const p of runtime) {
      // A folder read from (schema/: the SDL files) must come whole but for its TypeScript.
      const needed = filesUnder(p).filter((file) => !file.endsWith('.ts'));
      expect(needed.length, p).toBeGreaterThan(0);
      for (const file of needed) expect(patterns.some((pattern) => pattern.test(file)), `${file} is in the image`).toBe(true);
    }
  });
});
