// `npm run bench:import [-- --records 100000 --batch-size 500 --formats ndjson,csv]`: how fast the
// import (issue #13) loads a file into the embedded store, and whether its memory stays flat.
//
// It writes N government AdministrativeAct records (each naming an agency, half of them a party)
// to a temporary NDJSON file and the same as CSV, streamed to disk, never held whole; starts an
// embedded store of its own (FerretDB over PostgreSQL, as `npm start` runs it) in a temporary
// folder; imports the agencies and 300 parties, then times, per format, in a database of its own:
// the first import (all created), a re-import of the same file (all unchanged) and one of a file
// where every tenth record's summary changed (updated). Then a file twice as long, into a fresh
// database, for memory: each import runs in a process of its own (a child of this one), which
// samples process.memoryUsage() every 250 ms; the most the heap and RSS grew over the import are
// printed (when the collector runs decides much of them), and what the import still holds at its
// end, the heap after a full collection (the keys it has seen); then each as a ratio of the long
// file's to the short one's (flat reads ~1, proportional to the file ~2).
//
// Each import runs importFile with the government's types and its localPseudonymizer, as runImport
// does (runImport adds one entry to the institution's log per import, which this leaves out), with
// each collection wrapped to time its calls: the store's share of the time, and the rest (reading,
// validating, comparing), are printed with the CPU of this process's store (FerretDB and
// PostgreSQL, read from /proc) and of the importing process. BENCH_PROFILE=import makes each import
// process write a V8 CPU profile to bench/profiles/.
//
// A benchmark, not a test: it prints figures and fails on nothing but an import that goes wrong.
import { fork, type ChildProcess } from 'node:child_process';
import { createWriteStream, mkdtempSync, rmSync, statSync } from 'node:fs';
import { once } from 'node:events';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { PROJECT_ROOT, loadConfig } from '../../config/index.js';
import { connectDatabase, freePort, startEmbeddedStore, type ImportCollection } from '../../platform/index.js';
import { importFile, institutionImports, localPseudonymizer, type ImportSummary, type ImportType } from '../../subgraphs/index.js';
import { residentIdCheck } from '../../subgraphs/shared/index.js';
import { cpuMsOf, descendantsOf } from './processes.js';

/** A run's order to a child process (BENCH_IMPORT_RUN): one import into one database. */
interface RunSpec {
  uri: string;
  database: string;
  file: string;
  type: string;
  batchSize: number;
  pseudonymKey: string;
}

/** What a child process reports back. */
interface RunResult {
  counts: ImportSummary['counts'];
  rejections: ImportSummary['rejections'];
  seconds: number;
  /** Milliseconds spent waiting for each store call, summed (updates run concurrently: their sum exceeds the wall time). */
  store: Record<string, { calls: number; ms: number }>;
  /** Wall-clock milliseconds with at least one store call in flight. */
  storeWallMs: number;
  cpuMs: number;
  memory: { heapBase: number; heapMax: number; rssBase: number; rssMax: number; samples: number; live: number; liveSamples: number };
}

const SAMPLE_MS = 250;
const MB = 1024 * 1024;
const ENTRY = fileURLToPath(import.meta.url);

// The demo district's agencies an act names (subgraphs/seed/world.ts), with the short name its
// act numbers carry: 示范区自然资决〔2025〕123号.
const AGENCIES = [
  { id: 'AG-NRB', short: '自然资', name: '区自然资源局', nameEn: 'District Natural Resources Bureau', head: '王建国', category: 'LAND_EXPROPRIATION' },
  { id: 'AG-HCB', short: '住建', name: '区住房和城乡建设局', nameEn: 'District Housing and Urban-Rural Development Bureau', head: '陈志强', category: 'HOUSING_DEMOLITION' },
  { id: 'AG-HRS', short: '人社', name: '区人力资源和社会保障局', nameEn: 'District Human Resources and Social Security Bureau', head: '刘芳', category: 'SOCIAL_SECURITY' },
  { id: 'AG-MRB', short: '市监', name: '区市场监督管理局', nameEn: 'District Market Regulation Bureau', head: '黄丽', category: 'MARKET_REGULATION' },
] as const;
const PARTIES = 300;
const TOPICS = ['征地补偿标准', '房屋征收补偿', '工伤认定', '食品安全处罚', '信息公开答复', '行政许可'];
const ACT_COLUMNS = ['number', 'agencyId', 'category', 'decidedAt', 'legalReviewed', 'summary', 'partyIdNumber'] as const;

/** The i-th party's resident ID number (a Nanjing Xuanwu district code, a birthday, a sequence and its GB 11643 check character). */
function partyIdNumber(i: number): string {
  const first17 = `320102${1950 + (i % 50)}${String((i % 12) + 1).padStart(2, '0')}${String((i % 28) + 1).padStart(2, '0')}${String(i).padStart(3, '0')}`;
  return first17 + residentIdCheck(first17);
}

/** The i-th act (1-based; its sequence number is i, unique across agencies and years, so its derived id is its own), every tenth changed when `changed`. */
function act(i: number, changed: boolean): Record<(typeof ACT_COLUMNS)[number], string | boolean | null> {
  const agency = AGENCIES[i % AGENCIES.length] as (typeof AGENCIES)[number];
  const year = 2020 + (i % 6);
  const decided = `${year}-${String((i % 12) + 1).padStart(2, '0')}-${String((i % 28) + 1).padStart(2, '0')}`;
  return {
    number: `示范区${agency.short}决〔${year}〕${i}号`,
    agencyId: agency.id,
    category: agency.category,
    decidedAt: decided,
    legalReviewed: i % 3 !== 0,
    summary: `关于${TOPICS[i % TOPICS.length]}的决定（第${i}号）${changed && i % 10 === 0 ? '，经复查予以更正' : ''}`,
    partyIdNumber: i % 2 === 0 ? partyIdNumber(i % PARTIES) : null,
  };
}

const csvCell = (value: string | boolean | null) => {
  const text = value === null ? '' : String(value);
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
};

/** Writes `count` lines to `file` as they are made, waiting for the disk when the stream's buffer is full. */
async function writeLines(file: string, count: number, line: (i: number) => string, header?: string): Promise<number> {
  const out = createWriteStream(file);
  if (header !== undefined && !out.write(`${header}\n`)) await once(out, 'drain');
  for (let i = 1; i <= count; i++) {
    if (!out.write(`${line(i)}\n`)) await once(out, 'drain');
  }
  out.end();
  await once(out, 'finish');
  return statSync(file).size;
}

async function writeActs(dir: string, name: string, count: number, format: 'ndjson' | 'csv', changed = false): Promise<string> {
  const file = path.join(dir, `${name}.${format}`);
  await (format === 'ndjson'
    ? writeLines(file, count, (i) => {
        const { partyIdNumber: party, ...fields } = act(i, changed);
        return JSON.stringify(party === null ? fields : { ...fields, partyIdNumber: party });
      })
    : writeLines(file, count, (i) => {
        const record = act(i, changed);
        return ACT_COLUMNS.map((column) => csvCell(record[column])).join(',');
      }, ACT_COLUMNS.join(',')));
  return file;
}

// ---------------------------------------------------------------------------------------------
// A child process: one import, timed and sampled.

/** Calls in flight, and since when at least one has been. */
const inFlight = { count: 0, since: 0, wallMs: 0 };

/** The type's collection with every call timed into `store`. */
function timed(type: ImportType, store: RunResult['store']): ImportType {
  const wrap = <A extends unknown[], R>(name: string, call: (...args: A) => Promise<R>) => async (...args: A): Promise<R> => {
    const started = performance.now();
    if (inFlight.count++ === 0) inFlight.since = started;
    try {
      return await call(...args);
    } finally {
      const ended = performance.now();
      if (--inFlight.count === 0) inFlight.wallMs += ended - inFlight.since;
      const entry = (store[`${type.name}.${name}`] ??= { calls: 0, ms: 0 });
      entry.calls++;
      entry.ms += ended - started;
    }
  };
  const c = type.collection;
  const collection: ImportCollection = { keyField: c.keyField, findByKeys: wrap('findByKeys', c.findByKeys), findByIds: wrap('findByIds', c.findByIds), insert: wrap('insert', c.insert), update: wrap('update', c.update) };
  return { ...type, collection };
}

async function runChild(spec: RunSpec): Promise<RunResult> {
  const database = await connectDatabase(spec.uri, spec.database, 'linkage-bench-import');
  try {
    const store: RunResult['store'] = {};
    const types = (await institutionImports('government', database.db)).map((t) => timed(t, store));
    const gc = (globalThis as { gc?: () => void }).gc;
    gc?.();
    gc?.();
    const base = process.memoryUsage();
    const memory = { heapBase: base.heapUsed, heapMax: base.heapUsed, rssBase: base.rss, rssMax: base.rss, samples: 0, live: base.heapUsed, liveSamples: 0 };
    const sample = () => {
      const now = process.memoryUsage();
      memory.heapMax = Math.max(memory.heapMax, now.heapUsed);
      memory.rssMax = Math.max(memory.rssMax, now.rss);
      memory.samples++;
    };
    const timer = setInterval(sample, SAMPLE_MS);
    // What the import holds at its end (the keys it has seen), rather than what the collector has
    // not yet freed: the heap after a full collection once the last batch is written — once, so the
    // samples before it are of the heap as the import leaves it; its time is left out of the timing.
    let gcMs = 0;
    const live = (read: number, total: number) => {
      if (!gc || read < total || memory.liveSamples) return;
      const at = performance.now();
      gc();
      memory.live = process.memoryUsage().heapUsed;
      memory.liveSamples++;
      gcMs += performance.now() - at;
    };
    const cpu = process.cpuUsage();
    const started = performance.now();
    const summary = await importFile({
      file: spec.file,
      types,
      type: spec.type,
      pseudonymize: localPseudonymizer(spec.pseudonymKey),
      actor: { sub: 'bench-data-steward', name: 'Bench data steward', org: 'government', unit: null },
      batchSize: spec.batchSize,
      onProgress: live,
    });
    const seconds = (performance.now() - started - gcMs) / 1000;
    clearInterval(timer);
    sample();
    const used = process.cpuUsage(cpu);
    return { counts: summary.counts, rejections: summary.rejections.slice(0, 5), seconds, store, storeWallMs: inFlight.wallMs, cpuMs: (used.user + used.system) / 1000, memory };
  } finally {
    await database.close();
  }
}

if (process.env.BENCH_IMPORT_RUN) {
  const result = await runChild(JSON.parse(process.env.BENCH_IMPORT_RUN) as RunSpec);
  process.send?.(result);
  process.disconnect?.();
} else {
  await main();
}

// ---------------------------------------------------------------------------------------------
// The parent: files, the store, the runs, the report.

/** Runs one import in a child process; the store's CPU over it from /proc. */
async function runImportProcess(spec: RunSpec): Promise<RunResult & { storeCpuMs: number }> {
  const storeCpu = (exclude: Set<number>) => descendantsOf(process.pid).filter((pid) => !exclude.has(pid)).reduce((sum, pid) => sum + cpuMsOf(pid), 0);
  // BENCH_PROFILE=import: each import process writes a V8 CPU profile to bench/profiles/ (as the other benchmarks' services do).
  const profiled = (process.env.BENCH_PROFILE ?? '').split(',').includes('import');
  const child: ChildProcess = fork(ENTRY, [], {
    execArgv: ['--import', 'tsx', '--expose-gc', ...(profiled ? ['--cpu-prof', `--cpu-prof-dir=${path.join(PROJECT_ROOT, 'bench', 'profiles', `import-${Date.now()}`)}`] : [])],
    env: { ...process.env, BENCH_IMPORT_RUN: JSON.stringify(spec) },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const childPids = () => new Set([child.pid as number, ...descendantsOf(child.pid as number)]);
  const before = storeCpu(childPids());
  const result = await new Promise<RunResult>((resolve, reject) => {
    child.once('message', (message) => resolve(message as RunResult));
    child.once('exit', (code) => reject(new Error(`the import process exited (${code}) before it reported`)));
  });
  const after = storeCpu(childPids());
  await once(child, 'exit');
  if (result.counts.rejected) throw new Error(`${path.basename(spec.file)}: ${result.counts.rejected} rejected, as ${JSON.stringify(result.rejections)}`);
  return { ...result, storeCpuMs: after - before };
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      records: { type: 'string', default: '100000' },
      'batch-size': { type: 'string', default: '500' },
      formats: { type: 'string', default: 'ndjson,csv' },
    },
  });
  const records = Number(values.records);
  const batchSize = Number(values['batch-size']);
  const formats = values.formats.split(',').map((f) => f.trim());
  if (!Number.isInteger(records) || records < 10 || records * 2 > 999_999 || !Number.isInteger(batchSize) || batchSize < 1 || formats.some((f) => f !== 'ndjson' && f !== 'csv')) {
    console.error('npm run bench:import: --records takes 10..499999, --batch-size a positive integer, --formats ndjson and/or csv');
    process.exit(2);
  }

  const dir = mkdtempSync(path.join(os.tmpdir(), 'linkage-bench-import-'));
  const removeDir = () => rmSync(dir, { recursive: true, force: true });
  process.once('exit', removeDir);
  const config = loadConfig({ KEYS_DIR: path.join(dir, 'keys') });
  const pseudonymKey = config.pseudonymKey as string;

  // The agencies and parties the acts name.
  const agencies = path.join(dir, 'agencies.ndjson');
  await writeLines(agencies, AGENCIES.length, (i) => {
    const { short: _short, category: _category, ...agency } = AGENCIES[i - 1] as (typeof AGENCIES)[number];
    return JSON.stringify({ type: 'Agency', ...agency, kind: 'BUREAU' });
  });
  const parties = path.join(dir, 'parties.ndjson');
  await writeLines(parties, PARTIES, (i) => JSON.stringify({ type: 'Party', kind: 'PERSON', idNumber: partyIdNumber(i - 1), name: `当事人${i - 1}` }));
  const files: Record<string, { first: string; changed: string }> = {};
  for (const format of formats) {
    files[format] = { first: await writeActs(dir, `acts-${format}`, records, format as 'ndjson' | 'csv'), changed: await writeActs(dir, `acts-${format}-changed`, records, format as 'ndjson' | 'csv', true) };
  }
  const double = await writeActs(dir, 'acts-double', records * 2, 'ndjson');
  for (const [format, { first }] of Object.entries(files)) console.log(`${format}: ${records.toLocaleString('en')} acts, ${(statSync(first).size / MB).toFixed(1)} MB`);
  console.log(`ndjson ×2: ${(records * 2).toLocaleString('en')} acts, ${(statSync(double).size / MB).toFixed(1)} MB`);

  const store = await startEmbeddedStore({ ...config.embeddedStore, port: await freePort(), dataDir: path.join(dir, 'store') });
  console.log(`embedded store (${store.backend}) ${store.uri}; batch size ${batchSize}; ${os.cpus().length} CPUs, load ${os.loadavg()[0]?.toFixed(2)}\n`);
  try {
    const prepare = async (database: string) => {
      const db = await connectDatabase(store.uri, database, 'linkage-bench-import-setup');
      try {
        const types = await institutionImports('government', db.db);
        for (const file of [agencies, parties]) {
          const summary = await importFile({ file, types, pseudonymize: localPseudonymizer(pseudonymKey), actor: { sub: 'bench', name: 'bench', org: 'government', unit: null } });
          if (summary.counts.rejected || summary.counts.created === 0) throw new Error(`${path.basename(file)}: ${JSON.stringify(summary.counts)} ${JSON.stringify(summary.rejections.slice(0, 3))}`);
        }
      } finally {
        await db.close();
      }
    };
    const rows: { run: string; result: RunResult & { storeCpuMs: number } }[] = [];
    const run = async (name: string, database: string, file: string) => {
      const result = await runImportProcess({ uri: store.uri, database, file, type: 'AdministrativeAct', batchSize, pseudonymKey });
      rows.push({ run: name, result });
      const c = result.counts;
      const calls = Object.entries(result.store)
        .map(([call, s]) => `${call} ${s.calls}× ${(s.ms / 1000).toFixed(1)} s`)
        .join(', ');
      console.log(
        `${name.padEnd(26)} ${Math.round(c.read / result.seconds).toLocaleString('en').padStart(6)} records/s  ` +
          `(${c.read.toLocaleString('en')} read in ${result.seconds.toFixed(1)} s: created ${c.created}, updated ${c.updated}, unchanged ${c.unchanged})`,
      );
      console.log(
        `${''.padEnd(26)} waiting on the store ${(result.storeWallMs / 1000).toFixed(1)} s (${calls}); CPU: importer ${(result.cpuMs / 1000).toFixed(1)} s, store ${(result.storeCpuMs / 1000).toFixed(1)} s`,
      );
      console.log(
        `${''.padEnd(26)} memory growth: heap ${((result.memory.heapMax - result.memory.heapBase) / MB).toFixed(1)} MB (from ${(result.memory.heapBase / MB).toFixed(1)}), ` +
          `RSS ${((result.memory.rssMax - result.memory.rssBase) / MB).toFixed(1)} MB (from ${(result.memory.rssBase / MB).toFixed(1)}), ${result.memory.samples} samples; ` +
          `held at the end (heap after a full GC) ${((result.memory.live - result.memory.heapBase) / MB).toFixed(1)} MB`,
      );
      return result;
    };

    let n = 0;
    for (const format of formats) {
      const database = `bench_import_${++n}`;
      await prepare(database);
      await run(`${format}: first import`, database, (files[format] as { first: string }).first);
      await run(`${format}: re-import`, database, (files[format] as { first: string }).first);
      await run(`${format}: 10% changed`, database, (files[format] as { changed: string }).changed);
    }
    const doubleDb = `bench_import_${++n}`;
    await prepare(doubleDb);
    const long = await run(`ndjson ×2: first import`, doubleDb, double);

    const short = rows.find((r) => r.run === 'ndjson: first import')?.result ?? rows[0]?.result;
    if (short) {
      const growth = (r: RunResult, key: 'heap' | 'rss' | 'live') => (key === 'heap' ? r.memory.heapMax - r.memory.heapBase : key === 'rss' ? r.memory.rssMax - r.memory.rssBase : r.memory.live - r.memory.heapBase);
      const ratio = (key: 'heap' | 'rss' | 'live', name: string) =>
        `${name} ${(growth(long, key) / MB).toFixed(1)} / ${(growth(short, key) / MB).toFixed(1)} MB = ${(growth(long, key) / growth(short, key)).toFixed(2)}×`;
      console.log(`\nmemory growth, file ×2 / file ×1 (first imports): ${ratio('heap', 'max heap')}, ${ratio('rss', 'max RSS')}, ${ratio('live', 'held at the end')}`);
      console.log(`throughput, file ×2 / file ×1: ${Math.round(long.counts.read / long.seconds).toLocaleString('en')} / ${Math.round(short.counts.read / short.seconds).toLocaleString('en')} records/s`);
    }
  } finally {
    await store.stop();
    process.removeListener('exit', removeDir);
    removeDir();
  }
}
