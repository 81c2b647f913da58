// `npm start -- <service>` as each production container runs it: configuration from the
// environment only, refused with a message naming the variable when something is missing.
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { freePort } from '../platform/index.js';
import { listening, startServiceProcess } from './support/service-process.js';

describe('starting one production service', () => {
  let dir: string;
  const keys: Record<string, string> = {};
  beforeAll(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'linkage-prod-'));
    const assertion = generateKeyPairSync('ed25519');
    keys.assertionPublic = path.join(dir, 'gateway_assertion_public_key.pem');
    writeFileSync(keys.assertionPublic, assertion.publicKey.export({ type: 'spki', format: 'pem' }));
    keys.audit = path.join(dir, 'audit_court_key.pem');
    writeFileSync(keys.audit, generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' }));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('runs the court subgraph from its environment alone, healthy, and stops cleanly on SIGTERM', async () => {
    const port = await freePort();
    const court = startServiceProcess('court', {
      LINKAGE_ENV: 'production',
      HOST: '127.0.0.1',
      COURT_PORT: String(port),
      COURT_MONGODB_URI: inject('mongoUri'),
      ASSERTION_PUBLIC_KEY_FILE: keys.assertionPublic!,
      AUDIT_SIGNING_KEY_FILE: keys.audit!,
    });
    try {
      await expect.poll(() => listening(court.lines(), 'court', `http://127.0.0.1:${port}/graphql`), { timeout: 30_000 }).toBe(true);
      const health = await fetch(`http://127.0.0.1:${port}/health`);
      expect({ status: health.status, body: await health.json() }).toEqual({ status: 200, body: { status: 'ok', service: 'court' } });
      const unsigned = await fetch(`http://127.0.0.1:${port}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"query":"{ _service { sdl } }"}' });
      expect(unsigned.status).toBe(401);
    } finally {
      court.child.kill('SIGTERM');
    }
    expect((await court.exited).code).toBe(0);
    expect(court.lines()).toContainEqual({ level: 'info', time: expect.any(String), service: 'court', signal: 'SIGTERM', graceSeconds: 10, msg: 'stopping' });
  });

  it('refuses to start without its database, naming the variable', async () => {
    const court = startServiceProcess('court', {
      LINKAGE_ENV: 'production',
      HOST: '127.0.0.1',
      COURT_PORT: '4002',
      ASSERTION_PUBLIC_KEY_FILE: keys.assertionPublic!,
      AUDIT_SIGNING_KEY_FILE: keys.audit!,
    });
    expect((await court.exited).code).toBe(1);
    expect(court.lines()).toEqual([{ level: 'fatal', time: expect.any(String), service: 'court', msg: 'configuration: COURT_MONGODB_URI is required for court when LINKAGE_ENV=production' }]);
  });
});
