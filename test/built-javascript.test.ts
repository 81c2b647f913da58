// The image runs `node dist/scripts/start.js <service>`: the TypeScript compiled by tsconfig.build.json,
// no loader. Built here into a temporary root laid out as the image is (dist/ beside schema/ and
// node_modules/), a production subgraph starts from it, finds the files it reads through
// PROJECT_ROOT, answers /health and /ready (and the image's healthcheck), and stops on SIGTERM.
import { execFile, spawn } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { readImportGraph, reachableFrom } from './support/import-graph.js';
import { listening, logLines } from './support/service-process.js';
import { PROJECT_ROOT } from '../config/index.js';
import { freePort } from '../platform/index.js';

describe('the built JavaScript', () => {
  let root: string;
  beforeAll(async () => {
    root = mkdtempSync(path.join(os.tmpdir(), 'linkage-dist-'));
    await promisify(execFile)(path.join(PROJECT_ROOT, 'node_modules/.bin/tsc'), ['-p', 'tsconfig.build.json', '--outDir', path.join(root, 'dist')], { cwd: PROJECT_ROOT });
    // As `npm run build` does: the plain JavaScript modules the code imports, beside the compiled ones.
    for (const file of reachableFrom(readImportGraph(), ['scripts/start.ts'])) {
      if (file.endsWith('.ts')) continue;
      mkdirSync(path.join(root, 'dist', path.dirname(file)), { recursive: true });
      copyFileSync(path.join(PROJECT_ROOT, file), path.join(root, 'dist', file));
    }
    for (const entry of ['node_modules', 'schema', 'package.json']) symlinkSync(path.join(PROJECT_ROOT, entry), path.join(root, entry));
  }, 120_000);
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it('starts the court subgraph in production with plain node, ready, and stops cleanly on SIGTERM', async () => {
    const assertionKey = path.join(root, 'gateway_assertion_public_key.pem');
    writeFileSync(assertionKey, generateKeyPairSync('ed25519').publicKey.export({ type: 'spki', format: 'pem' }));
    const auditKey = path.join(root, 'audit_court_key.pem');
    writeFileSync(auditKey, generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' }));
    const port = await freePort();
    const child = spawn(process.execPath, [path.join(root, 'dist/scripts/start.js'), 'court'], {
      // Not the project: only the image's layout is there to be found.
      cwd: os.tmpdir(),
      env: {
        PATH: process.env.PATH ?? '',
        LINKAGE_ENV: 'production',
        HOST: '127.0.0.1',
        COURT_PORT: String(port),
        COURT_MONGODB_URI: inject('mongoUri'),
        ASSERTION_PUBLIC_KEY_FILE: assertionKey,
        AUDIT_SIGNING_KEY_FILE: auditKey,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    try {
      await expect.poll(() => listening(logLines(output), 'court', `http://127.0.0.1:${port}/graphql`), { timeout: 30_000 }).toBe(true);
      const health = await fetch(`http://127.0.0.1:${port}/health`);
      expect({ status: health.status, body: await health.json() }).toEqual({ status: 200, body: { status: 'ok', service: 'court' } });
      await expect.poll(async () => (await fetch(`http://127.0.0.1:${port}/ready`)).status, { timeout: 10_000 }).toBe(200);
      // The image's HEALTHCHECK, on the port the court is configured with, and on one nothing listens on.
      const healthcheck = (env: Record<string, string>) =>
        promisify(execFile)(process.execPath, [path.join(root, 'dist/scripts/healthcheck.js'), 'court'], { env: { PATH: process.env.PATH ?? '', ...env } }).then(
          () => 0,
          (error: { code?: number }) => error.code,
        );
      expect(await healthcheck({ COURT_PORT: String(port) })).toBe(0);
      expect(await healthcheck({ COURT_PORT: String(await freePort()) })).toBe(1);
    } finally {
      child.kill('SIGTERM');
    }
    expect(await exited).toBe(0);
  }, 60_000);
});
