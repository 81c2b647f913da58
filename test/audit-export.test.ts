// The auditors' export (issue 8): GET /audit/export streams every log — the gateway's, then each
// institution's — as NDJSON from database cursors, ending with the gateway's signed end line;
// `audit:verify` accepts it whole and refuses it edited or cut short; only auditors, for AUDIT,
// get it; every request to it leaves one record, and each institution records the export of its log.
import { createHash, generateKeyPairSync, randomUUID } from 'node:crypto';
import { execFile } from 'node:child_process';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { MongoClient, ObjectId, type CommandStartedEvent } from 'mongodb';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { AuditWriter, GENESIS_HASH, canonical, createAuditLogStore, exportStream, logLines, verifyExport } from '../audit/index.js';
import { AUDIT_DATABASE_NAME, DATABASE_NAMES, PROJECT_ROOT, SUBGRAPH_NAMES, loadConfig } from '../config/index.js';
import { demoData } from './support/seed-options.js';
import { callerHeaders, devAuditKey, postGraphQL, principal, startTestGateway, startTestStack, type TestStack } from './support/stack.js';
import { freePort } from '../platform/index.js';
import type { RunningSubgraph } from '../subgraphs/index.js';

const auditor = principal('audit', ['auditor']);
const LOGS = ['gateway', ...SUBGRAPH_NAMES];
const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

interface Line {
  kind: string;
  log?: string;
  [key: string]: unknown;
}

describe('the auditors’ export, streamed over HTTP', () => {
  let stack: TestStack;
  let client: MongoClient;
  let tmp: string;
  const exportUrl = (query: Record<string, string>) => `${stack.gateway!.url.replace(/\/graphql$/, '/audit/export')}?${new URLSearchParams(query)}`;
  const gatewayRecords = (requestId: string) => client.db(AUDIT_DATABASE_NAME).collection('accessRecords').find({ requestId }, { projection: { _id: 0 } }).toArray();
  const range = () => ({ from: new Date(Date.now() - 3600_000).toISOString(), to: new Date(Date.now() + 60_000).toISOString() });
  const get = async (query: Record<string, string>, headers: Record<string, string>, method = 'GET') => {
    const response = await fetch(exportUrl(query), { method, headers });
    return { response, text: await response.text() };
  };

  beforeAll(async () => {
    stack = await startTestStack({ gateway: true });
    client = await MongoClient.connect(inject('mongoUri'));
    tmp = mkdtempSync(path.join(os.tmpdir(), 'linkage-export-'));
    // A read through all three institutions, so that each has disclosed something in the range.
    const { body } = await postGraphQL(
      stack.gateway!.url,
      `query ReadCase { adminCase(id: "${demoData().showcase.adminCaseId}") { caseNumber judge plaintiff { kind } supervisions { caseNumber } } }`,
      undefined,
      await callerHeaders(principal('court', ['judge']), 'CASE_HANDLING'),
    );
    expect(body.errors).toBeUndefined();
  });
  afterAll(async () => {
    rmSync(tmp, { recursive: true, force: true });
    await client.close();
    await stack.stop();
  });

  let exported: { text: string; requestId: string; from: string; to: string };

  it('streams every log as chunked NDJSON: the gateway’s, then each institution’s, then the signed end line', async () => {
    const { from, to } = range();
    const { response, text } = await get({ from, to }, await callerHeaders(auditor, 'AUDIT'));
    const requestId = response.headers.get('x-request-id')!;
    const headers = Object.fromEntries(['content-type', 'content-disposition', 'transfer-encoding', 'content-length', 'cache-control'].map((h) => [h, response.headers.get(h)]));
    expect({ status: response.status, headers }).toEqual({
      status: 200,
      headers: {
        'content-type': 'application/x-ndjson; charset=utf-8',
        'content-disposition': `attachment; filename="audit-export-${from.slice(0, 19).replace(/:/g, '')}-${to.slice(0, 19).replace(/:/g, '')}.ndjson"`,
        // Sent as it is read: no length known in advance.
        'transfer-encoding': 'chunked',
        'content-length': null,
        'cache-control': 'no-store',
      },
    });
    expect(text.endsWith('\n')).toBe(true);
    const lines = text.slice(0, -1).split('\n').map((line) => JSON.parse(line) as Line);
    const end = lines.at(-1)!;
    const data = lines.slice(0, -1);
    expect(data.every((line) => line.kind === 'record' || line.kind === 'checkpoint')).toBe(true);
    // One section per log, in order, each with records.
    expect(data.map((line) => line.log).filter((log, i, all) => log !== all[i - 1])).toEqual(LOGS);
    const counted = (log: string, kind: string) => data.filter((line) => line.log === log && line.kind === kind).length;
    for (const log of LOGS) expect(counted(log, 'record'), log).toBeGreaterThan(0);
    expect(end).toEqual({
      kind: 'end',
      from,
      to,
      logs: Object.fromEntries(LOGS.map((log) => [log, { records: counted(log, 'record'), checkpoints: counted(log, 'checkpoint') }])),
      requestId,
      signedBy: 'gateway',
      at: expect.any(String),
      digest: sha256(text.slice(0, text.lastIndexOf('\n', text.length - 2) + 1)),
      signature: expect.any(String),
    });
    exported = { text, requestId, from, to };

    // Verified: every chain of every log, and the export whole.
    const verification = await verifyExport(text, devAuditKey);
    const chains = [...new Set(data.map((line) => `${line.log} ${line.chain}`))];
    expect(verification.ok).toBe(true);
    expect(verification.lines.map((line) => line.replace(/: .*$/, ''))).toEqual([...chains.map((chain) => `ok   ${chain}`), `ok   export ${from} to ${to}`]);
    const total = (kind: string) => data.filter((line) => line.kind === kind).length;
    expect(verification.lines.at(-1)).toBe(
      `ok   export ${from} to ${to}: complete, ${LOGS.join(', ')}: ${total('record')} records, ${total('checkpoint')} checkpoints; signed by gateway for request ${requestId}`,
    );

    // And by the command auditors run, as they run it.
    const file = path.join(tmp, 'export.ndjson');
    writeFileSync(file, text);
    const cli = await runVerify(file);
    expect(cli).toEqual({ code: 0, stdout: `${verification.lines.join('\n')}\n`, stderr: '' });
  });

  it('leaves one record of the export in the gateway’s log, and one in each institution’s disclosure log', async () => {
    const { requestId, from, to } = exported;
    const [record, ...more] = await gatewayRecords(requestId);
    expect(more).toEqual([]);
    // Less what every chained record carries, and what varies.
    const { chain, seq, prevHash, hash, at, v, block, durationMs, day, ...entry } = record!;
    expect(entry).toEqual({
      requestId,
      principal: { ...auditor },
      purpose: 'AUDIT',
      operationName: 'auditExport',
      operationHash: null,
      variablesDigest: sha256(canonical({ from, to })),
      fields: LOGS.map((log) => `AuditExport.${log}`),
      denied: [],
      subgraphs: [...SUBGRAPH_NAMES].sort(),
      outcome: 'SERVED',
      code: null,
      httpStatus: 200,
      anyDenied: false,
    });
    expect(Number.isInteger(durationMs) && durationMs >= 0).toBe(true);
    for (const institution of SUBGRAPH_NAMES) {
      const disclosures = await client.db(DATABASE_NAMES[institution]).collection('disclosureRecords').find({ requestId }, { projection: { principal: 1, purpose: 1, verdicts: 1, records: 1, _id: 0 } }).toArray();
      const id = `${from}_${to}`;
      expect(disclosures, institution).toEqual([
        {
          principal: { ...auditor },
          purpose: 'AUDIT',
          verdicts: [{ disclosed: ['checkpoints', 'records'], masked: [], refused: [] }],
          records: [{ key: `AuditExport:${id}`, v: 0 }],
        },
      ]);
    }
  });

  it('a record edited in the file fails verification naming its sequence number, and the export’s digest', async () => {
    const { text } = exported;
    const whole = await verifyExport(text, devAuditKey);
    const lines = text.split('\n');
    // (Parsed: a gateway record may name another log inside it, a witnessed head.)
    const index = lines.map((l) => (l ? (JSON.parse(l) as Line) : null)).findIndex((line) => line?.log === 'court' && line.kind === 'record');
    const edited = JSON.parse(lines[index]!) as Line & { chain: string; seq: number };
    edited.purpose = 'STATISTICS';
    lines[index] = JSON.stringify(edited);
    expect(await verifyExport(lines.join('\n'), devAuditKey)).toEqual({
      ok: false,
      lines: [
        ...whole.lines.slice(0, -1).map((line) => (line.startsWith(`ok   court ${edited.chain}:`) ? `BAD  court ${edited.chain}: first bad sequence number ${edited.seq} (HASH_MISMATCH)` : line)),
        'BAD  export: the file was changed after the export: its digest is not the one the end line signed',
      ],
    });
  });

  it('a file cut short is refused: without its end line, or in the middle of a line', async () => {
    const { text } = exported;
    const whole = await verifyExport(text, devAuditKey);
    const withoutEnd = text.slice(0, text.lastIndexOf('\n', text.length - 2) + 1);
    expect(await verifyExport(withoutEnd, devAuditKey)).toEqual({
      ok: false,
      lines: [...whole.lines.slice(0, -1), 'BAD  export: no end line: the file was cut short, or the export failed before it was complete'],
    });
    const midLine = withoutEnd.slice(0, withoutEnd.length - 10);
    const cut = await verifyExport(midLine, devAuditKey);
    expect({ ok: cut.ok, last: cut.lines.at(-1) }).toEqual({ ok: false, last: 'BAD  export: no end line: the file was cut short, in the middle of a line' });

    const file = path.join(tmp, 'cut.ndjson');
    writeFileSync(file, withoutEnd);
    expect(await runVerify(file)).toEqual({ code: 1, stdout: `${[...whole.lines.slice(0, -1), 'BAD  export: no end line: the file was cut short, or the export failed before it was complete'].join('\n')}\n`, stderr: '' });
  });

  it('refuses anyone but an auditor for AUDIT, and a bad range, with whole error responses — each request logged once', async () => {
    const { from, to } = range();
    const asAuditor = await callerHeaders(auditor, 'AUDIT');
    const error = (code: string, message: string, extra: Record<string, unknown> = {}) => ({ errors: [{ message, extensions: { code, ...extra } }] });
    const cases: { name: string; query: Record<string, string>; headers: Record<string, string>; method?: string; status: number; body: unknown; header?: [string, string] }[] = [
      { name: 'no token', query: { from, to }, headers: { 'x-purpose': 'AUDIT' }, status: 401, body: error('UNAUTHENTICATED', 'A valid bearer token is required'), header: ['www-authenticate', 'Bearer realm="linkage", error="invalid_token"'] },
      {
        name: 'no purpose',
        query: { from, to },
        headers: { authorization: asAuditor.authorization! },
        status: 400,
        body: error('PURPOSE_REQUIRED', 'Declare the purpose of the request in the x-purpose header: one of CASE_HANDLING, DISPUTE_RESOLUTION, SUPERVISION, STATISTICS, AUDIT'),
      },
      { name: 'an auditor, for another purpose', query: { from, to }, headers: await callerHeaders(auditor, 'STATISTICS'), status: 403, body: error('FORBIDDEN', 'Not shared with you: PURPOSE_NOT_ALLOWED', { reason: 'PURPOSE_NOT_ALLOWED' }) },
      { name: 'a judge', query: { from, to }, headers: await callerHeaders(principal('court', ['judge']), 'CASE_HANDLING'), status: 403, body: error('FORBIDDEN', 'Not shared with you: ORG_NOT_ALLOWED', { reason: 'ORG_NOT_ALLOWED' }) },
      { name: 'a partner', query: { from, to }, headers: await callerHeaders(principal('partner', ['viewer']), 'AUDIT'), status: 403, body: error('FORBIDDEN', 'Not shared with you: ORG_NOT_ALLOWED', { reason: 'ORG_NOT_ALLOWED' }) },
      { name: 'no from', query: { to }, headers: asAuditor, status: 400, body: error('BAD_USER_INPUT', 'from is required: an ISO 8601 instant in UTC, e.g. 2025-06-30T08:00:00Z', { argument: 'from' }) },
      { name: 'a from that is no instant', query: { from: 'yesterday', to }, headers: asAuditor, status: 400, body: error('BAD_USER_INPUT', 'from: DateTime must be ISO 8601 in UTC, e.g. 2025-06-30T08:00:00Z', { argument: 'from' }) },
      { name: 'from after to', query: { from: to, to: from }, headers: asAuditor, status: 400, body: error('BAD_USER_INPUT', 'from must be before to', { argument: 'to' }) },
      { name: 'from equal to to', query: { from, to: from }, headers: asAuditor, status: 400, body: error('BAD_USER_INPUT', 'from must be before to', { argument: 'to' }) },
      {
        name: 'over 366 days',
        query: { from: '2024-01-01T00:00:00Z', to: '2025-01-02T00:00:01Z' },
        headers: asAuditor,
        status: 400,
        body: error('BAD_USER_INPUT', 'An export covers at most 366 days: export a longer range in parts', { argument: 'to' }),
      },
      { name: 'a POST', query: { from, to }, headers: asAuditor, method: 'POST', status: 405, body: error('METHOD_NOT_ALLOWED', 'Use GET for /audit/export'), header: ['allow', 'GET'] },
    ];
    for (const probe of cases) {
      const { response, text } = await get(probe.query, probe.headers, probe.method);
      const answer = { name: probe.name, status: response.status, type: response.headers.get('content-type'), body: JSON.parse(text) as unknown, ...(probe.header ? { header: response.headers.get(probe.header[0]) } : {}) };
      expect(answer).toEqual({ name: probe.name, status: probe.status, type: 'application/json; charset=utf-8', body: probe.body, ...(probe.header ? { header: probe.header[1] } : {}) });
      const code = (probe.body as { errors: { extensions: { code: string } }[] }).errors[0]!.extensions.code;
      const logged = (await gatewayRecords(response.headers.get('x-request-id')!)).map((r) => ({ operationName: r.operationName, outcome: r.outcome, code: r.code, httpStatus: r.httpStatus, subgraphs: r.subgraphs }));
      expect(logged, probe.name).toEqual([{ operationName: 'auditExport', outcome: 'REJECTED', code, httpStatus: probe.status, subgraphs: [] }]);
    }
  });

  it('streams from the cursor: its first lines leave before the last batch is read', async () => {
    // A log of 2,500 records (cursor batches hold 1,000), with the driver's commands counted.
    const monitored = await MongoClient.connect(inject('mongoUri'), { monitorCommands: true });
    const db = monitored.db(`linkage_audit_probe_${randomUUID().slice(0, 8)}`);
    try {
      const { privateKey, publicKey } = generateKeyPairSync('ed25519');
      const store = createAuditLogStore<{ requestId: string; note: string }>(db, 'access');
      await store.ensureIndexes();
      const writer = new AuditWriter(store, 'probe/streaming', privateKey, { checkpointEvery: 500, checkpointSeconds: 60 });
      await writer.start();
      await Promise.all(Array.from({ length: 2500 }, (_, i) => writer.append({ requestId: `r-${i}`, note: 'x'.repeat(100) })));
      await writer.stop();
      const getMores: string[] = [];
      monitored.on('commandStarted', (event: CommandStartedEvent) => {
        if (event.commandName === 'getMore') getMores.push(String(event.command.collection));
      });
      const probeRange = { from: new Date(Date.now() - 3600_000), to: new Date(Date.now() + 60_000) };
      const lines = logLines(store, 'probe', probeRange);
      const countLines = (block: string) => block.split('\n').length - 1;
      // The first block of lines is out while the cursor is still in its first batch: no other was asked for.
      const first = await lines.next();
      const atFirstBlock = { lines: countLines(first.value as string), getMores: getMores.length };
      let rest = 0;
      for (let step = await lines.next(); !step.done; step = await lines.next()) rest += countLines(step.value);
      expect({ atFirstBlock, total: atFirstBlock.lines + rest }).toEqual({ atFirstBlock: { lines: expect.any(Number), getMores: 0 }, total: 2505 });
      expect(atFirstBlock.lines).toBeLessThan(1000);
      // Reading the rest took further batches of records.
      expect(getMores.filter((collection) => collection === 'accessRecords').length).toBeGreaterThanOrEqual(2);

      // That log, exported whole, verifies.
      let text = '';
      for await (const block of exportStream(probeRange, [{ log: 'probe', lines: logLines(store, 'probe', probeRange) }], { log: 'probe', key: privateKey, requestId: 'probe' })) text += block;
      expect(await verifyExport(text, () => publicKey)).toEqual({
        ok: true,
        lines: ['ok   probe probe/streaming: 2500 records, seq 1-2500', `ok   export ${probeRange.from.toISOString()} to ${probeRange.to.toISOString()}: complete, probe: 2500 records, 5 checkpoints; signed by probe for request probe`],
      });
    } finally {
      await db.dropDatabase();
      await monitored.close();
    }
  });

  it('a failure in the middle of the stream ends the file with an error line, not an end line, and is recorded as FAILED', async () => {
    // A scripted fault: in a chain of its own that sorts after the court's real one, 400 records
    // (well over one block of lines) and then one the court's export cannot encode (a value that
    // is not plain data). By the time the court's cursor reaches it, the gateway's and the
    // government's sections and the first of the court's lines have left — the response had
    // begun (200, chunked) before the cursor was exhausted — so the court ends its section with an
    // error line, and the gateway its file.
    const courtLog = client.db(DATABASE_NAMES.court).collection('disclosureRecords');
    const poisonChain = 'court/~poison';
    const record = (seq: number) => ({
      _id: `${poisonChain}:${String(seq).padStart(12, '0')}`,
      v: 2,
      chain: poisonChain,
      seq,
      prevHash: GENESIS_HASH,
      hash: GENESIS_HASH,
      at: new Date(),
      requestId: `poison-${seq}`,
      note: 'x'.repeat(200),
    });
    await courtLog.insertMany([...Array.from({ length: 400 }, (_, i) => record(i + 1)), { ...record(401), unencodable: { id: new ObjectId() } }] as never[]);
    try {
      const { from, to } = range();
      const { response, text } = await get({ from, to }, await callerHeaders(auditor, 'AUDIT'));
      const requestId = response.headers.get('x-request-id')!;
      expect({ status: response.status, type: response.headers.get('content-type'), chunked: response.headers.get('transfer-encoding') }).toEqual({
        status: 200,
        type: 'application/x-ndjson; charset=utf-8',
        chunked: 'chunked',
      });
      const lines = text.slice(0, -1).split('\n').map((line) => JSON.parse(line) as Line);
      expect(lines.at(-1)).toEqual({ kind: 'error', code: 'INTERNAL_SERVER_ERROR', message: 'The export failed: this file is incomplete', requestId, log: 'court' });
      const sections = lines.slice(0, -1).map((line) => line.log).filter((log, i, all) => log !== all[i - 1]);
      expect(sections).toEqual(['gateway', 'government', 'court']);
      expect(lines.filter((line) => line.kind === 'end' || (line.chain === poisonChain && Number(line.seq) > 400))).toEqual([]);

      expect((await gatewayRecords(requestId)).map((r) => ({ operationName: r.operationName, outcome: r.outcome, code: r.code, httpStatus: r.httpStatus, subgraphs: r.subgraphs }))).toEqual([
        { operationName: 'auditExport', outcome: 'FAILED', code: 'INTERNAL_SERVER_ERROR', httpStatus: 200, subgraphs: ['court', 'government'] },
      ]);
      const verification = await verifyExport(text, devAuditKey);
      expect({ ok: verification.ok, bad: verification.lines.filter((line) => line.startsWith('BAD  export')) }).toEqual({
        ok: false,
        bad: [
          'BAD  export: the export failed at its source: INTERNAL_SERVER_ERROR (The export failed: this file is incomplete)',
          'BAD  export: no end line: the file was cut short, or the export failed before it was complete',
        ],
      });
    } finally {
      await courtLog.deleteMany({ chain: poisonChain });
    }
  });
});

describe('the auditors’ export, with an institution down', () => {
  // A court that is down or misbehaves at the HTTP level, as a dying or overloaded service does:
  // nothing listens, it answers 503, it never answers, or it begins its section and then drops
  // the connection. (Absent: nothing listens.)
  const behaviours: Record<string, ((res: http.ServerResponse) => void) | null> = {
    'refuses the connection': null,
    'answers 503': (res) => res.writeHead(503, { 'content-type': 'application/json' }).end(JSON.stringify({ errors: [{ message: 'unavailable', extensions: { code: 'SUBGRAPH_UNAVAILABLE' } }] })),
    'does not begin its section within its timeout': () => {},
    'drops the connection in the middle of its section': (res) => {
      res.writeHead(200, { 'content-type': 'application/x-ndjson; charset=utf-8' });
      res.write(`${JSON.stringify({ kind: 'record', log: 'court', chain: 'court/x', seq: 1 })}\n`);
      setTimeout(() => res.socket?.destroy(), 50);
    },
  };
  const startCourt = async (answer: ((res: http.ServerResponse) => void) | null): Promise<{ url: string; close(): Promise<void> }> => {
    if (!answer) return { url: `http://127.0.0.1:${await freePort()}/graphql`, close: async () => {} };
    const server = http.createServer((req, res) => {
      req.resume();
      answer(res);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return {
      url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/graphql`,
      close: async () => {
        server.closeAllConnections();
        await new Promise((resolve) => server.close(resolve));
      },
    };
  };

  it.each(Object.keys(behaviours))('a court that %s: the file ends at it with SUBGRAPH_UNAVAILABLE naming it (as a query says it), and the export is recorded as failed', async (behaviour) => {
    const court = await startCourt(behaviours[behaviour]!);
    const stack = await startTestStack({ subgraphs: ['government', 'procuratorate'] });
    const config = loadConfig({ KEYS_DIR: inject('keysDir'), AUDIT_CHECKPOINT_RECORDS: '5', COURT_TIMEOUT_MS: '500' });
    const gateway = await startTestGateway({ ...stack.subgraphs, court: { url: court.url } as RunningSubgraph }, config);
    const client = await MongoClient.connect(inject('mongoUri'));
    try {
      const from = new Date(Date.now() - 3600_000).toISOString();
      const to = new Date(Date.now() + 60_000).toISOString();
      const response = await fetch(`${gateway.url.replace(/\/graphql$/, '/audit/export')}?${new URLSearchParams({ from, to })}`, { headers: await callerHeaders(auditor, 'AUDIT') });
      const text = await response.text();
      const requestId = response.headers.get('x-request-id')!;
      expect(response.status).toBe(200);
      const lines = text.slice(0, -1).split('\n').map((line) => JSON.parse(line) as Line);
      expect(lines.at(-1)).toEqual({ kind: 'error', code: 'SUBGRAPH_UNAVAILABLE', message: 'The court did not answer: this file is incomplete', requestId, log: 'court' });
      // The sections in their order, and none after the court's: the file stops there.
      const sections = lines.slice(0, -1).map((line) => line.log).filter((log, i, all) => log !== all[i - 1]);
      expect(sections).toEqual(LOGS.filter((log) => sections.includes(log)));
      expect(sections).not.toContain('procuratorate');
      const records = await client.db(AUDIT_DATABASE_NAME).collection('accessRecords').find({ requestId }, { projection: { _id: 0, outcome: 1, code: 1, httpStatus: 1 } }).toArray();
      expect(records).toEqual([{ outcome: 'FAILED', code: 'SUBGRAPH_UNAVAILABLE', httpStatus: 200 }]);
    } finally {
      await client.close();
      await gateway.stop();
      await stack.stop();
      await court.close();
    }
  });
});

/** `npm run audit:verify -- <file>`, with the run's development keys. */
async function runVerify(file: string): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await promisify(execFile)(path.join(PROJECT_ROOT, 'node_modules/.bin/tsx'), ['scripts/audit-verify.ts', file], {
      cwd: PROJECT_ROOT,
      env: { ...process.env, KEYS_DIR: inject('keysDir') },
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code?: number; stdout?: string; stderr?: string };
    return { code: failed.code ?? -1, stdout: failed.stdout ?? '', stderr: failed.stderr ?? '' };
  }
}
