// An institution down, slow, or with its store stalled (issue 9, defects 3 and 4): its part of an
// answer comes back null with SUBGRAPH_UNAVAILABLE naming it, the other institutions' parts are
// served, and the request is answered within its deadline (DEADLINE_EXCEEDED past it) — never held
// for as long as the institution stalls. Each subgraph, and the court's store, sits behind a proxy
// that can refuse connections (a stopped service) or hold every byte (a paused process).
import { MongoClient } from 'mongodb';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { AUDIT_DATABASE_NAME, DATABASE_NAMES, SUBGRAPH_NAMES, loadConfig, type SubgraphName } from '../config/index.js';
import type { RunningGateway } from '../gateway/index.js';
import { startSubgraph, type RunningSubgraph } from '../subgraphs/index.js';
import { demoData } from './support/seed-options.js';
import { callerHeaders, principal, startTestGateway } from './support/stack.js';
import { startStallingProxy, type StallingProxy } from './support/tcp-proxy.js';

const PERIOD = { from: '2025-01-01', to: '2025-07-01' };
const BULLETIN = `query Bulletin($period: Period!) { bulletin(period: $period, agencyIds: ["AG-NRB"]) {
  district { name litigationStats(period: $period) { filed lost } enforcementStats(period: $period) { preSettlementRate }
    reconsiderationStats(period: $period) { correctionRate } disputeStats(period: $period) { handled } supervisionStats(period: $period) { opened } }
  agencies { name litigationStats(period: $period) { filed } supervisionStats(period: $period) { opened } }
} }`;
const TIMELINE = `query Timeline($id: ID!) { dispute(id: $id) {
  title agency { name }
  adminCases { caseNumber outcome performance { performed } supervisions { caseNumber } }
  enforcementCases { caseNumber }
  supervisions { caseNumber adminCase { caseNumber } }
} }`;
const CASE = `query Case($id: ID!) { adminCase(id: $id) { caseNumber defendant { name } supervisions { caseNumber } } }`;

type Json = Record<string, any>;
const config = (env: Record<string, string>) => loadConfig({ KEYS_DIR: inject('keysDir'), AUDIT_CHECKPOINT_RECORDS: '5', ...env });

let client: MongoClient;
const subgraphs: Partial<Record<SubgraphName, RunningSubgraph>> = {};
const proxies = {} as Record<SubgraphName, StallingProxy>;
let courtStore: StallingProxy;
/** Institutions behind their proxies: a call to one answers within 1.5 s or its part is null. */
let gateway: RunningGateway;
/** The same, with a request deadline (1 s) shorter than the institutions' timeouts (10 s). */
let hurried: RunningGateway;

async function ask(through: RunningGateway, query: string, variables: Json, who = principal('government', ['linkage_officer']), purpose: 'DISPUTE_RESOLUTION' | 'STATISTICS' | 'CASE_HANDLING' = 'DISPUTE_RESOLUTION') {
  const started = performance.now();
  const response = await fetch(through.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(await callerHeaders(who, purpose)) },
    body: JSON.stringify({ query, variables }),
  });
  const body = (await response.json()) as { data: Json | null; errors?: Json[] };
  return { status: response.status, body, ms: performance.now() - started, requestId: response.headers.get('x-request-id')! };
}

const record = (requestId: string) => client.db(AUDIT_DATABASE_NAME).collection('accessRecords').findOne({ requestId }, { projection: { _id: 0, outcome: 1, code: 1, httpStatus: 1 } });

/**
 * Every error is the one naming `institution` with `code` (there is one per call the plan made to
 * it). `fromSubgraph`: may be raised by the institution itself (its store stalled), which the
 * gateway passes on with the subgraph's name.
 */
function expectOnly(errors: Json[] | undefined, code: string, institution: string, fromSubgraph = false) {
  expect(errors?.length).toBeGreaterThan(0);
  for (const error of errors!) {
    // The gateway may also give up on the institution first (its own timeout): then it names it itself.
    const named = fromSubgraph && error.extensions.serviceName !== undefined;
    expect(error.extensions).toEqual({ code, institution, ...(named ? { serviceName: institution } : {}) });
  }
}

const bulletinOf = (answer: Json) => answer.data!.bulletin;
let full: { timeline: Json; bulletin: Json; adminCase: Json };
const ids = () => {
  const data = demoData();
  return { disputeId: data.showcase.disputeId, adminCaseId: data.showcase.adminCaseId };
};

describe('an institution down or slow: its part null, the others served', () => {
  beforeAll(async () => {
    client = await MongoClient.connect(inject('mongoUri'));
    const store = new URL(inject('mongoUri'));
    courtStore = await startStallingProxy({ host: store.hostname, port: Number(store.port) });
    const settings = { SUBGRAPH_TIMEOUT_MS: '1500', DATABASE_TIMEOUT_MS: '600' };
    for (const name of SUBGRAPH_NAMES) {
      const uri = name === 'court' ? `mongodb://127.0.0.1:${courtStore.port}/` : inject('mongoUri');
      subgraphs[name] = await startSubgraph(name, { config: config(settings), store: { uri, database: DATABASE_NAMES[name] }, listen: { host: '127.0.0.1', port: 0 } });
      const url = new URL(subgraphs[name]!.url);
      proxies[name] = await startStallingProxy({ host: url.hostname, port: Number(url.port) });
    }
    const behindProxies = Object.fromEntries(SUBGRAPH_NAMES.map((name) => [name, { url: `http://127.0.0.1:${proxies[name].port}/graphql` }])) as never;
    gateway = await startTestGateway(behindProxies, config(settings));
    hurried = await startTestGateway(behindProxies, config({ SUBGRAPH_TIMEOUT_MS: '10000', REQUEST_DEADLINE_MS: '1000' }));
    const { disputeId, adminCaseId } = ids();
    full = {
      timeline: (await ask(gateway, TIMELINE, { id: disputeId })).body.data!.dispute,
      bulletin: bulletinOf((await ask(gateway, BULLETIN, { period: PERIOD }, principal('partner', ['viewer']), 'STATISTICS')).body),
      adminCase: (await ask(gateway, CASE, { id: adminCaseId }, principal('court', ['judge']), 'CASE_HANDLING')).body.data!.adminCase,
    };
    // Every part is there when all are up.
    expect(full.timeline.adminCases.length).toBeGreaterThan(0);
    expect(full.timeline.supervisions.length).toBeGreaterThan(0);
    expect(full.bulletin.district.litigationStats).not.toBeNull();
    expect(full.adminCase.defendant).not.toBeNull();
  }, 60_000);

  afterAll(async () => {
    await gateway?.stop();
    await hurried?.stop();
    for (const s of Object.values(subgraphs)) await s.stop();
    for (const proxy of Object.values(proxies)) await proxy.close();
    await courtStore?.close();
    await client.close();
  });

  it('the court down: the government’s and the procuratorate’s parts of the timeline and the bulletin are served', async () => {
    proxies.court.refuse(true);
    try {
      const timeline = await ask(gateway, TIMELINE, { id: ids().disputeId });
      expect(timeline.status).toBe(200);
      expect(timeline.body.data!.dispute).toEqual({
        ...full.timeline,
        adminCases: null,
        enforcementCases: null,
        // The procuratorate names the case; its number was the court's to give.
        supervisions: full.timeline.supervisions.map((s: Json) => ({ ...s, adminCase: { caseNumber: null } })),
      });
      expectOnly(timeline.body.errors, 'SUBGRAPH_UNAVAILABLE', 'court');
      expect(await record(timeline.requestId)).toEqual({ outcome: 'PARTIAL', code: 'SUBGRAPH_UNAVAILABLE', httpStatus: 200 });

      const bulletin = await ask(gateway, BULLETIN, { period: PERIOD }, principal('partner', ['viewer']), 'STATISTICS');
      expect(bulletinOf(bulletin.body)).toEqual({
        district: { ...full.bulletin.district, litigationStats: null, enforcementStats: null },
        agencies: full.bulletin.agencies.map((a: Json) => ({ ...a, litigationStats: null })),
      });
      expectOnly(bulletin.body.errors, 'SUBGRAPH_UNAVAILABLE', 'court');
    } finally {
      proxies.court.refuse(false);
    }
  });

  it('the procuratorate down: the supervisions are null, everything else is served', async () => {
    proxies.procuratorate.refuse(true);
    try {
      const timeline = await ask(gateway, TIMELINE, { id: ids().disputeId });
      expect(timeline.body.data!.dispute).toEqual({
        ...full.timeline,
        adminCases: full.timeline.adminCases.map((c: Json) => ({ ...c, supervisions: null })),
        supervisions: null,
      });
      expectOnly(timeline.body.errors, 'SUBGRAPH_UNAVAILABLE', 'procuratorate');
      const bulletin = await ask(gateway, BULLETIN, { period: PERIOD }, principal('partner', ['viewer']), 'STATISTICS');
      expect(bulletinOf(bulletin.body)).toEqual({
        district: { ...full.bulletin.district, supervisionStats: null },
        agencies: full.bulletin.agencies.map((a: Json) => ({ ...a, supervisionStats: null })),
      });
      expectOnly(bulletin.body.errors, 'SUBGRAPH_UNAVAILABLE', 'procuratorate');
    } finally {
      proxies.procuratorate.refuse(false);
    }
  });

  it('the government down: what hangs off the court’s and the procuratorate’s own records is served', async () => {
    proxies.government.refuse(true);
    try {
      // The timeline and the bulletin start at the government's register: with it down there is nothing to hang the others' parts on.
      const timeline = await ask(gateway, TIMELINE, { id: ids().disputeId });
      expect(timeline.body.data).toEqual({ dispute: null });
      expectOnly(timeline.body.errors, 'SUBGRAPH_UNAVAILABLE', 'government');
      const adminCase = await ask(gateway, CASE, { id: ids().adminCaseId }, principal('court', ['judge']), 'CASE_HANDLING');
      expect(adminCase.body.data!.adminCase).toEqual({ ...full.adminCase, defendant: null });
      expectOnly(adminCase.body.errors, 'SUBGRAPH_UNAVAILABLE', 'government');
    } finally {
      proxies.government.refuse(false);
    }
  });

  it('a court that stops answering: its part null after its timeout, not after it wakes', async () => {
    proxies.court.pause();
    try {
      const bulletin = await ask(gateway, BULLETIN, { period: PERIOD }, principal('partner', ['viewer']), 'STATISTICS');
      expect(bulletinOf(bulletin.body)).toEqual({
        district: { ...full.bulletin.district, litigationStats: null, enforcementStats: null },
        agencies: full.bulletin.agencies.map((a: Json) => ({ ...a, litigationStats: null })),
      });
      expectOnly(bulletin.body.errors, 'SUBGRAPH_UNAVAILABLE', 'court');
      // Bounded by the court's timeout (1.5 s) and the other institutions' work, not by the stall.
      expect(bulletin.ms).toBeLessThan(10_000);
    } finally {
      proxies.court.resume();
    }
  });

  it('the court’s store stalled: the court’s part null and named, the rest served', async () => {
    courtStore.pause();
    try {
      const bulletin = await ask(gateway, BULLETIN, { period: PERIOD }, principal('partner', ['viewer']), 'STATISTICS');
      expect(bulletinOf(bulletin.body)).toEqual({
        district: { ...full.bulletin.district, litigationStats: null, enforcementStats: null },
        agencies: full.bulletin.agencies.map((a: Json) => ({ ...a, litigationStats: null })),
      });
      expectOnly(bulletin.body.errors, 'SUBGRAPH_UNAVAILABLE', 'court', true);
      expect(await record(bulletin.requestId)).toEqual({ outcome: 'PARTIAL', code: 'SUBGRAPH_UNAVAILABLE', httpStatus: 200 });
    } finally {
      courtStore.resume();
    }
  });

  it('past the request’s deadline: answered with what was ready, the rest DEADLINE_EXCEEDED, and logged', async () => {
    proxies.court.pause();
    try {
      const bulletin = await ask(hurried, BULLETIN, { period: PERIOD }, principal('partner', ['viewer']), 'STATISTICS');
      expect(bulletin.status).toBe(200);
      expect(bulletinOf(bulletin.body)).toEqual({
        district: { ...full.bulletin.district, litigationStats: null, enforcementStats: null },
        agencies: full.bulletin.agencies.map((a: Json) => ({ ...a, litigationStats: null })),
      });
      expectOnly(bulletin.body.errors, 'DEADLINE_EXCEEDED', 'court');
      expect(await record(bulletin.requestId)).toEqual({ outcome: 'PARTIAL', code: 'DEADLINE_EXCEEDED', httpStatus: 200 });
    } finally {
      proxies.court.resume();
    }
  });

  it('a client that goes away stops the work it caused: the call to a stalled court is dropped, and logged', async () => {
    proxies.court.pause();
    try {
      const closedBefore = proxies.court.closedByClient;
      const gone = new AbortController();
      const sent = fetch(gateway.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(await callerHeaders(principal('partner', ['viewer']), 'STATISTICS')) },
        body: JSON.stringify({ query: BULLETIN, variables: { period: PERIOD } }),
        signal: gone.signal,
      }).catch((error: Error) => error.name);
      // Once the gateway is waiting on the court (its call reached the proxy, which holds it), the client leaves.
      await expect.poll(() => proxies.court.held, { timeout: 5000 }).toBeGreaterThan(0);
      expect(proxies.court.closedByClient).toBe(closedBefore);
      gone.abort();
      expect(await sent).toBe('AbortError');
      // The gateway drops its call to the court at once, not at the court's timeout (1.5 s here).
      await expect.poll(() => proxies.court.closedByClient, { timeout: 500 }).toBeGreaterThan(closedBefore);
      const logged = await client
        .db(AUDIT_DATABASE_NAME)
        .collection('accessRecords')
        .find({ 'principal.org': 'partner', code: 'CLIENT_CLOSED' })
        .toArray();
      expect(logged.length).toBeGreaterThan(0);
    } finally {
      proxies.court.resume();
    }
  });
});
