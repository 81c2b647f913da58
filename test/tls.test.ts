// TLS (platform/tls.ts): with a certificate configured, the gateway and each subgraph listen over
// HTTPS only, the gateway calls its subgraphs over TLS trusting TLS_CA_FILE, and nothing of a
// call can be read on the wire; a certificate the gateway does not trust makes that institution
// unavailable (and not ready), never a call in the clear. Certificates from scripts/dev-certs.sh.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Agent, fetch as tlsFetch } from 'undici';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { AUDIT_DATABASE_NAME, ConfigError, DATABASE_NAMES, PROJECT_ROOT, SUBGRAPH_NAMES, loadConfig, type Config, type SubgraphName } from '../config/index.js';
import { startGateway, type RunningGateway } from '../gateway/index.js';
import { listenerTls } from '../platform/index.js';
import { startSubgraph, type RunningSubgraph } from '../subgraphs/index.js';
import { startStallingProxy, type StallingProxy } from './support/tcp-proxy.js';
import { callerHeaders, postGraphQL, principal, sharedTestStack } from './support/stack.js';

const DISPUTE_QUERY = readFileSync(path.join(PROJECT_ROOT, 'examples/operations/dispute-through-institutions.graphql'), 'utf8');
const officer = principal('government', ['linkage_officer']);

/** A CA and a certificate it signs for 127.0.0.1, as the README has an operator make them. */
function makeCertificates(dir: string): { cert: string; key: string; ca: string } {
  execFileSync('bash', [path.join(PROJECT_ROOT, 'scripts/dev-certs.sh'), dir, '127.0.0.1', 'localhost'], { stdio: 'pipe' });
  return { cert: path.join(dir, 'service.pem'), key: path.join(dir, 'service.key'), ca: path.join(dir, 'ca.pem') };
}

function tlsConfig(files: { cert: string; key: string; ca: string }): Config {
  return loadConfig({ KEYS_DIR: inject('keysDir'), AUDIT_CHECKPOINT_RECORDS: '5', TLS_CERT_FILE: files.cert, TLS_KEY_FILE: files.key, TLS_CA_FILE: files.ca });
}

describe('TLS between the services and for the gateway', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'linkage-tls-'));
  const files = makeCertificates(path.join(dir, 'district'));
  // Another CA: what a gateway trusting the wrong certificates (or an impostor) looks like.
  const other = makeCertificates(path.join(dir, 'other'));
  const subgraphs: Partial<Record<SubgraphName, RunningSubgraph>> = {};
  let gateway: RunningGateway;
  let courtWire: StallingProxy;
  const trusting = new Agent({ connect: { ca: readFileSync(files.ca) } });

  /** Posts the dispute query to the gateway over HTTPS, trusting the district's CA. */
  async function askOverTls(url: string): Promise<{ status: number; body: unknown }> {
    const response = await tlsFetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(await callerHeaders(officer, 'DISPUTE_RESOLUTION')) },
      body: JSON.stringify({ query: DISPUTE_QUERY, variables: { id: 'DSP-2024-0037' } }),
      dispatcher: trusting,
    });
    return { status: response.status, body: await response.json() };
  }

  beforeAll(async () => {
    const config = tlsConfig(files);
    for (const name of SUBGRAPH_NAMES) {
      subgraphs[name] = await startSubgraph(name, { config, store: { uri: inject('mongoUri'), database: DATABASE_NAMES[name] }, listen: { host: '127.0.0.1', port: 0 } });
    }
    // The court is reached through a proxy that keeps every byte the gateway sends it.
    courtWire = await startStallingProxy({ host: '127.0.0.1', port: subgraphs.court!.port });
    gateway = await startGateway({
      config,
      auditStore: { uri: inject('mongoUri'), database: AUDIT_DATABASE_NAME },
      subgraphUrls: { government: subgraphs.government!.url, court: `https://127.0.0.1:${courtWire.port}/graphql`, procuratorate: subgraphs.procuratorate!.url },
      listen: { host: '127.0.0.1', port: 0 },
      auditPort: 0,
    });
  });
  afterAll(async () => {
    await gateway?.stop();
    await courtWire?.close();
    for (const subgraph of Object.values(subgraphs)) await subgraph.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('serves the same answer over HTTPS, end to end, as the plain stack does', async () => {
    expect(gateway.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+\/graphql$/);
    for (const subgraph of Object.values(subgraphs)) expect(subgraph.url).toMatch(/^https:/);
    const plain = await sharedTestStack();
    const overPlain = await postGraphQL(plain.gateway!.url, DISPUTE_QUERY, { id: 'DSP-2024-0037' }, await callerHeaders(officer, 'DISPUTE_RESOLUTION'));
    expect(overPlain.status).toBe(200);
    expect(overPlain.body.errors).toBeUndefined();
    expect(await askOverTls(gateway.url)).toEqual({ status: 200, body: overPlain.body });
  });

  it('keeps the call to a subgraph unreadable on the wire', async () => {
    const before = courtWire.fromClients.length;
    expect((await askOverTls(gateway.url)).status).toBe(200);
    const wire = courtWire.fromClients.subarray(before);
    // The court was called (its part is in the answer) and every byte went through the proxy…
    expect(wire.length).toBeGreaterThan(500);
    // …as TLS records (a handshake or application data), never HTTP: no method, no header, no query.
    expect(wire.includes('POST')).toBe(false);
    expect(wire.includes('x-linkage-assertion')).toBe(false);
    expect(wire.includes('adminCases')).toBe(false);
    expect([0x16, 0x17]).toContain(wire[0]);
  });

  it('answers nothing in the clear, and a client that does not trust the certificate cannot connect', async () => {
    const port = new URL(gateway.url).port;
    await expect(fetch(`http://127.0.0.1:${port}/health`)).rejects.toThrow();
    const untrusted = await fetch(`https://127.0.0.1:${port}/health`).then(
      () => 'connected',
      (error: Error) => (error.cause as { code?: string }).code,
    );
    expect(untrusted).toBe('UNABLE_TO_VERIFY_LEAF_SIGNATURE');
    const health = await tlsFetch(`https://127.0.0.1:${port}/health`, { dispatcher: trusting });
    expect({ status: health.status, body: await health.json() }).toEqual({ status: 200, body: { status: 'ok', service: 'gateway' } });
  });

  it('renders the bulletin PDF over HTTPS too (Chromium reaches the gateway’s own page on its local address)', async () => {
    const base = gateway.url.replace(/\/graphql$/, '');
    const token = (await callerHeaders(principal('government', ['analyst']), 'STATISTICS')).authorization!;
    const response = await tlsFetch(`${base}/reports/bulletin.pdf?from=2025-01-01&to=2025-07-01`, { headers: { authorization: token, 'x-purpose': 'STATISTICS' }, dispatcher: trusting });
    expect([response.status, response.headers.get('content-type')]).toEqual([200, 'application/pdf']);
    expect(Buffer.from(await response.arrayBuffer()).subarray(0, 5).toString()).toBe('%PDF-');
  }, 60_000);

  it('a gateway that does not trust the subgraphs’ certificate calls none of them: each institution unavailable, and not ready', async () => {
    const wrongCa = path.join(dir, 'wrong-ca.pem');
    writeFileSync(wrongCa, readFileSync(other.ca));
    const config = tlsConfig({ ...files, ca: wrongCa });
    const distrusting = await startGateway({
      config,
      auditStore: { uri: inject('mongoUri'), database: AUDIT_DATABASE_NAME },
      subgraphUrls: Object.fromEntries(SUBGRAPH_NAMES.map((name) => [name, subgraphs[name]!.url])),
      listen: { host: '127.0.0.1', port: 0 },
      auditPort: 0,
    });
    try {
      // It still listens with its own (district) certificate; only its trust of others differs.
      const { status, body } = await askOverTls(distrusting.url);
      expect(status).toBe(200);
      expect(body).toEqual({
        data: { dispute: null },
        errors: [
          { message: 'The government did not answer; its part of the answer is missing', extensions: { code: 'SUBGRAPH_UNAVAILABLE', institution: 'government' } },
        ],
      });
      const ready = await distrusting.ready();
      expect(ready.ready).toBe(false);
      for (const name of SUBGRAPH_NAMES) {
        expect(ready.checks.subgraphs).toMatchObject({ [name]: { ok: false, reason: 'unreachable (UNABLE_TO_VERIFY_LEAF_SIGNATURE)' } });
      }
    } finally {
      await distrusting.stop();
    }
  });

  it('takes a certificate and its key together or not at all, and says which file is wrong', () => {
    expect(() => loadConfig({ TLS_CERT_FILE: files.cert })).toThrow(new ConfigError('TLS_KEY_FILE', 'must be set with TLS_CERT_FILE: a certificate and its private key, or neither'));
    expect(() => loadConfig({ TLS_KEY_FILE: files.key })).toThrow(new ConfigError('TLS_CERT_FILE', 'must be set with TLS_KEY_FILE: a certificate and its private key, or neither'));
    // Without TLS the default URLs are http; with it, https.
    expect(loadConfig({}).subgraphUrls.court).toBe('http://127.0.0.1:4002/graphql');
    expect(loadConfig({ TLS_CERT_FILE: files.cert, TLS_KEY_FILE: files.key }).subgraphUrls.court).toBe('https://127.0.0.1:4002/graphql');
    // A gateway whose own TLS ends at the ingress still calls its subgraphs over TLS when it trusts a CA for them.
    expect(loadConfig({ TLS_CA_FILE: files.ca }).subgraphUrls.court).toBe('https://127.0.0.1:4002/graphql');
    // In production, TLS configured and a subgraph named by an http: URL is refused, naming it.
    expect(() => loadConfig({ LINKAGE_ENV: 'production', TLS_CA_FILE: files.ca, COURT_URL: 'http://court:4002/graphql' })).toThrow(
      new ConfigError('COURT_URL', 'must be an https: URL when TLS_CA_FILE is set (calls to the subgraphs go over TLS), got "http://court:4002/graphql"'),
    );
    expect(() => listenerTls({ certFile: path.join(dir, 'missing.pem'), keyFile: files.key })).toThrow(`configuration: TLS_CERT_FILE ${path.join(dir, 'missing.pem')} cannot be read (ENOENT)`);
    // The other CA's key is not this certificate's: refused before the service starts.
    expect(() => listenerTls({ certFile: files.cert, keyFile: other.key })).toThrow(/^configuration: TLS_CERT_FILE and TLS_KEY_FILE are not a PEM certificate and its private key/);
  });
});
