// Liveness, readiness and shutdown (issue #15). Before: /health answered 200 while the store was
// dead and every request failed; with the court down the gateway started without a word; shutdown
// with the store dead took about 70 s where an orchestrator kills after 10–30 s. Now `/ready` says
// which dependency is not usable (store, log store, an institution's subgraph) and comes back when
// it does, the gateway names each institution's reachability as it starts, and a service whose
// store is dead exits within SHUTDOWN_GRACE_SECONDS. A real embedded store of this file's own
// (FerretDB over PostgreSQL), stopped and started again; never the run's shared one.
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { MongoClient } from 'mongodb';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { AUDIT_DATABASE_NAME, DATABASE_NAMES, SUBGRAPH_NAMES, loadConfig, type SubgraphName } from '../config/index.js';
import type { RunningGateway } from '../gateway/index.js';
import { freePort, startEmbeddedStore, type EmbeddedStore } from '../platform/index.js';
import { listening, startServiceProcess, type LogLine } from './support/service-process.js';
import { startSubgraph, type RunningSubgraph } from '../subgraphs/index.js';
import { callerHeaders, principal, startTestGateway, testConfig } from './support/stack.js';
import { startStallingProxy, type StallingProxy } from './support/tcp-proxy.js';

let dataDir: string;
let storeConfig: ReturnType<typeof testConfig>['embeddedStore'];
let store: EmbeddedStore | null = null;

async function get(url: string): Promise<{ status: number; body: unknown }> {
  const response = await fetch(url);
  return { status: response.status, body: await response.json() };
}
/** A service's /ready (or another path beside its /graphql). */
const probe = (graphqlUrl: string, what = 'ready') => get(new URL(what, graphqlUrl).href);

const ok = { ok: true };
const subgraphReady = { status: 200, body: { ready: true, checks: { store: ok, auditLog: ok } } };
const gatewayReady = { status: 200, body: { ready: true, checks: { store: ok, auditLog: ok, subgraphs: { government: ok, court: ok, procuratorate: ok } } } };

beforeAll(async () => {
  dataDir = mkdtempSync(path.join(os.tmpdir(), 'linkage-readiness-'));
  storeConfig = { ...testConfig().embeddedStore, port: await freePort(), dataDir };
  store = await startEmbeddedStore(storeConfig);
}, 60_000);

afterAll(async () => {
  await store?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

describe('/ready: the store, the log store and the subgraphs, each named', () => {
  const subgraphs: Partial<Record<SubgraphName, RunningSubgraph>> = {};
  let gateway: RunningGateway;

  beforeAll(async () => {
    for (const name of SUBGRAPH_NAMES) {
      subgraphs[name] = await startSubgraph(name, { config: testConfig(), store: { uri: store!.uri, database: DATABASE_NAMES[name] }, listen: { host: '127.0.0.1', port: 0 } });
    }
    gateway = await startTestGateway(subgraphs, testConfig(), { uri: store!.uri, database: AUDIT_DATABASE_NAME });
  }, 60_000);

  afterAll(async () => {
    await gateway?.stop();
    for (const subgraph of Object.values(subgraphs)) await subgraph.stop();
  }, 60_000);

  it('everything up: every service ready, and /ready, like /health, is not an access-logged request', async () => {
    expect(await probe(subgraphs.court!.url)).toEqual(subgraphReady);
    expect(await probe(gateway.url)).toEqual(gatewayReady);
    // A request to the graph is logged; the probes are not (they would flood the auditors' log).
    const asked = await fetch(gateway.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(await callerHeaders(principal('partner', ['viewer']), 'STATISTICS')) },
      body: JSON.stringify({ query: '{ __typename }' }),
    });
    expect(asked.status).toBe(200);
    const client = await MongoClient.connect(store!.uri);
    try {
      const records = () => client.db(AUDIT_DATABASE_NAME).collection('accessRecords').countDocuments();
      const before = await records();
      expect(before).toBe(1);
      for (let i = 0; i < 5; i++) {
        expect(await probe(gateway.url)).toEqual(gatewayReady);
        expect(await probe(gateway.url, 'health')).toEqual({ status: 200, body: { status: 'ok', service: 'gateway' } });
      }
      expect(await records()).toBe(before);
    } finally {
      await client.close();
    }
  });

  it('the store stopped: not ready, naming the store and the log store (alive all the while); ready again once it is back', async () => {
    await store!.stop();
    store = null;
    await expect
      .poll(() => probe(subgraphs.court!.url), { timeout: 30_000, interval: 500 })
      .toEqual({
        status: 503,
        body: { ready: false, checks: { store: { ok: false, reason: 'no answer within 1000 ms' }, auditLog: { ok: false, reason: 'no answer within 1000 ms' } } },
      });
    // Liveness is not readiness: the process answers, and restarting it would cure nothing.
    expect(await probe(subgraphs.court!.url, 'health')).toEqual({ status: 200, body: { status: 'ok', service: 'court' } });
    const storeDown = { ok: false, reason: 'not ready (store, auditLog)' };
    await expect
      .poll(() => probe(gateway.url), { timeout: 30_000, interval: 500 })
      .toEqual({
        status: 503,
        body: {
          ready: false,
          checks: {
            store: { ok: false, reason: 'no answer within 2000 ms' },
            auditLog: { ok: false, reason: 'no answer within 2000 ms' },
            subgraphs: { government: storeDown, court: storeDown, procuratorate: storeDown },
          },
        },
      });

    store = await startEmbeddedStore(storeConfig);
    await expect.poll(() => probe(subgraphs.court!.url), { timeout: 60_000, interval: 500 }).toEqual(subgraphReady);
    await expect.poll(() => probe(gateway.url), { timeout: 60_000, interval: 500 }).toEqual(gatewayReady);
  }, 150_000);

  it('an institution’s subgraph down: the gateway is not ready, naming it; the others are', async () => {
    await subgraphs.court!.stop();
    delete subgraphs.court;
    await expect
      .poll(() => probe(gateway.url), { timeout: 10_000, interval: 500 })
      .toEqual({
        status: 503,
        body: { ready: false, checks: { store: ok, auditLog: ok, subgraphs: { government: ok, court: { ok: false, reason: 'connection refused' }, procuratorate: ok } } },
      });
    expect(await probe(subgraphs.government!.url)).toEqual(subgraphReady);
  });
});

describe('SHUTDOWN_GRACE_SECONDS', () => {
  it('is 10 s unless set; a value that is not a whole number of seconds from 1 to 600 stops start-up, naming it', () => {
    expect(loadConfig({}).timeouts.shutdownGrace).toBe(10_000);
    expect(loadConfig({ SHUTDOWN_GRACE_SECONDS: '25' }).timeouts.shutdownGrace).toBe(25_000);
    for (const bad of ['0', '601', '2.5', '-1', '10s']) {
      expect(() => loadConfig({ SHUTDOWN_GRACE_SECONDS: bad })).toThrow(`configuration: SHUTDOWN_GRACE_SECONDS must be an integer from 1 to 600, got "${bad}"`);
    }
  });
});

describe('start-up and shutdown, in processes of their own', () => {
  let keys: string;
  let proxies: Record<'court' | 'gateway', StallingProxy> | null = null;
  beforeAll(() => {
    keys = mkdtempSync(path.join(os.tmpdir(), 'linkage-readiness-keys-'));
    writeFileSync(path.join(keys, 'assertion.pem'), generateKeyPairSync('ed25519').publicKey.export({ type: 'spki', format: 'pem' }));
    writeFileSync(path.join(keys, 'audit_court.pem'), generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' }));
  });
  afterAll(async () => {
    for (const proxy of Object.values(proxies ?? {})) await proxy.close();
    rmSync(keys, { recursive: true, force: true });
  });

  it('the gateway names each institution’s reachability as it starts, and starts anyway; SIGTERM ends each within the grace, its store stopped or hung', async () => {
    const [courtPort, gatewayPort, auditPort, nobody] = [await freePort(), await freePort(), await freePort(), await freePort()];
    // Each service reaches the store through a proxy of its own: the court's will refuse (a
    // stopped store), the gateway's hold every byte (a hung one, or a host gone from the network:
    // the case that took 70 s, each write waiting out the driver's timeouts in turn).
    const target = { host: '127.0.0.1', port: storeConfig.port };
    proxies = { court: await startStallingProxy(target), gateway: await startStallingProxy(target) };
    const grace = { SHUTDOWN_GRACE_SECONDS: '3' };
    const court = startServiceProcess('court', {
      LINKAGE_ENV: 'production',
      HOST: '127.0.0.1',
      COURT_PORT: String(courtPort),
      COURT_MONGODB_URI: `mongodb://127.0.0.1:${proxies.court.port}/`,
      ASSERTION_PUBLIC_KEY_FILE: path.join(keys, 'assertion.pem'),
      AUDIT_SIGNING_KEY_FILE: path.join(keys, 'audit_court.pem'),
      ...grace,
    });
    let gateway: ReturnType<typeof startServiceProcess> | null = null;
    try {
      await expect.poll(() => listening(court.lines(), 'court', `http://127.0.0.1:${courtPort}/graphql`), { timeout: 30_000 }).toBe(true);
      // The government and the procuratorate are not running: nothing listens where they should be.
      const urls = { court: `http://127.0.0.1:${courtPort}/graphql`, elsewhere: `http://127.0.0.1:${nobody}/graphql` };
      gateway = startServiceProcess('gateway', {
        KEYS_DIR: inject('keysDir'),
        HOST: '127.0.0.1',
        GATEWAY_PORT: String(gatewayPort),
        AUDIT_PORT: String(auditPort),
        AUDIT_MONGODB_URI: `mongodb://127.0.0.1:${proxies.gateway.port}/`,
        GOVERNMENT_URL: urls.elsewhere,
        COURT_URL: urls.court,
        PROCURATORATE_URL: urls.elsewhere,
        ...grace,
      });
      await expect.poll(() => listening(gateway!.lines(), 'gateway', `http://127.0.0.1:${gatewayPort}/graphql`), { timeout: 30_000 }).toBe(true);
      const startUp = gateway.lines().filter((line) => typeof line === 'object' && line.msg.startsWith('subgraph '));
      const unavailable = (subgraph: string) => ({
        level: 'warn',
        time: expect.any(String),
        service: 'gateway',
        subgraph,
        url: urls.elsewhere,
        reason: 'connection refused',
        msg: 'subgraph unavailable; starting anyway, its fields are null until it answers',
      });
      expect(startUp).toEqual([
        unavailable('government'),
        { level: 'info', time: expect.any(String), service: 'gateway', subgraph: 'court', url: urls.court, msg: 'subgraph reachable' },
        unavailable('procuratorate'),
      ]);
      // A request the gateway logs: its record is written, the checkpoint that signs it is not yet.
      const asked = await fetch(`http://127.0.0.1:${gatewayPort}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(await callerHeaders(principal('partner', ['viewer']), 'STATISTICS')) },
        body: JSON.stringify({ query: '{ __typename }' }),
      });
      expect(asked.status).toBe(200);

      proxies.court.refuse(true);
      proxies.gateway.pause();
      await expect.poll(() => probe(urls.court), { timeout: 30_000, interval: 500 }).toMatchObject({ status: 503 });
      await expect.poll(() => probe(`http://127.0.0.1:${gatewayPort}/graphql`), { timeout: 30_000, interval: 500 }).toMatchObject({ status: 503 });
      const signalled = performance.now();
      court.child.kill('SIGTERM');
      gateway.child.kill('SIGTERM');
      const [courtExit, gatewayExit] = await Promise.all([court.exited, gateway.exited]);
      // A bound, not a benchmark: 3 s of grace, and room for a loaded machine.
      expect(courtExit.at - signalled).toBeLessThan(8000);
      expect(gatewayExit.at - signalled).toBeLessThan(8000);
      // The hung store answers none of the last writes: cut off near the end of the grace (exit 1),
      // saying so. The refused one fails them at once (exit 0: stopped in order) or, once the driver
      // has marked it gone, after its server selection (10 s, so cut off: exit 1) — either within the grace.
      expect(gatewayExit.code).toBe(1);
      expect([0, 1]).toContain(courtExit.code);
      const stopping = (service: string) => ({ level: 'info', time: expect.any(String), service, signal: 'SIGTERM', graceSeconds: 3, msg: 'stopping' });
      expect(court.lines()).toContainEqual(stopping('court'));
      expect(gateway.lines()).toContainEqual(stopping('gateway'));
      expect(gateway.lines()).toContainEqual(
        expect.objectContaining({ level: 'warn', service: 'gateway', msg: "shutdown: the grace is nearly over; closing connections and database clients without waiting (an unsigned log tail is signed by the service's next writer)" }),
      );
      // The court's store refused, the gateway's hung: each said so once, as a warning, naming the dependency.
      const notReady = (lines: (LogLine | string)[]) => lines.filter((line) => typeof line === 'object' && line.msg.startsWith('not ready: '));
      expect(notReady(court.lines())).toContainEqual(expect.objectContaining({ level: 'warn', service: 'court', dependency: 'store', reason: expect.any(String) }));
    } finally {
      court.child.kill('SIGKILL');
      gateway?.child.kill('SIGKILL');
    }
  }, 120_000);
});
