// The import as the people who use it meet it: `npm run import` run by a court clerk against a
// running graph (its output, its exit codes — 0 clean, 1 records rejected, 2 a file or a caller
// refused — and its messages on stderr), and the import as the auditors see it afterwards in the
// court's own log, through the gateway. Over a stack of this file's own databases.
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { issueDevToken, type Principal } from '../auth/index.js';
import { DATABASE_NAMES, PROJECT_ROOT, type Config } from '../config/index.js';
import { connectDatabase, type Database } from '../platform/index.js';
import { remotePseudonymizer, runImport } from '../subgraphs/index.js';
import { callerHeaders, postGraphQL, principal, startTestStack, testConfig, type TestStack } from './support/stack.js';

const TAG = 'import_cli';

function residentId(first17: string): string {
  const sum = [...first17].reduce((acc, digit, i) => acc + Number(digit) * (2 ** (17 - i) % 11), 0);
  return first17 + '10X98765432'[sum % 11];
}
const PERSON = residentId('32010219900315002');

const clerk: Principal = { ...principal('court', ['clerk']), sub: 'clerk-zhou', name: '周书记员' };
const judge = principal('court', ['judge']);
const auditor = principal('audit', ['auditor']);

const HEADER = 'caseNumber,plaintiffIdNumber,defendantId,cause,filedAt,stage,status,judge';
// Year 2031: numbers the demo district does not hold.
const row = (n: number, filedAt = '2031-01-05') => `（2031）苏0102行初${n}号,${PERSON},AG-NRB,OTHER,${filedAt},FIRST_INSTANCE,PENDING,王立新`;
const SAVE_AS_UTF8_FROM_GBK = 'save it as UTF-8 (in Excel or WPS: "CSV UTF-8"; or convert it: iconv -f GB18030 -t UTF-8 in.csv > out.csv)';

interface Run {
  code: number | null;
  stdout: string[];
  stderr: string;
}

describe('npm run import, and the import in the auditors’ view', () => {
  let stack: TestStack;
  let config: Config;
  let court: Database;
  let dir: string;
  const write = (name: string, content: string | Buffer) => {
    const file = path.join(dir, name);
    writeFileSync(file, content);
    return file;
  };

  /**
   * `npx tsx scripts/import.ts <args>` as a clerk at a terminal would run it, with only what the
   * tool reads from the environment: the store, the development keys, the gateway and the token.
   * The tool's store is the test store's `linkage_court` (its database names are fixed), which the
   * seeded suites read: so it is only ever run here as a dry run or to be refused, which write nothing.
   */
  const cli = async (args: string[], who: Principal = clerk): Promise<Run> => {
    const env = {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? os.homedir(),
      MONGODB_URI: inject('mongoUri'),
      KEYS_DIR: inject('keysDir'),
      GATEWAY_URL: stack.gateway!.url,
      IMPORT_TOKEN: await issueDevToken(config.auth, who, 600),
    };
    return new Promise((resolve, reject) => {
      const child = spawn('npx', ['tsx', 'scripts/import.ts', ...args], { cwd: PROJECT_ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
      child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
      child.on('error', reject);
      child.on('close', (code) => resolve({ code, stdout: stdout.split('\n').filter((line) => line !== ''), stderr }));
    });
  };
  const sha256 = (file: string) => createHash('sha256').update(readFileSync(file)).digest('hex');
  const described = (file: string) => `${path.basename(file)} (csv, ${readFileSync(file).length} bytes, sha256 ${sha256(file)})`;
  /** The counts line; its time and rate vary. */
  const countsLine = (counts: string) => expect.stringMatching(new RegExp(`^  read ${counts} — \\d+\\.\\d s, [\\d,]+ records/s$`));

  beforeAll(async () => {
    stack = await startTestStack({ gateway: true, ownDatabases: TAG });
    config = testConfig();
    court = await connectDatabase(inject('mongoUri'), `${DATABASE_NAMES.court}_${TAG}`, 'linkage-import-test');
    dir = mkdtempSync(path.join(os.tmpdir(), 'linkage-import-cli-'));
  }, 180_000);
  afterAll(async () => {
    await court?.close();
    await stack?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  describe('npm run import -- court <file> --type AdminCase --dry-run', () => {
    it('exits 0 on a clean file, saying what it would do', async () => {
      const file = write('clean.csv', `${HEADER}\n${row(1)}\n${row(2)}\n`);
      expect(await cli(['court', file, '--type', 'AdminCase', '--dry-run'])).toEqual({
        code: 0,
        stdout: [described(file), 'dry run: nothing written; this is what an import would do', countsLine('2: would be created 2, would be updated 0, unchanged 0, rejected 0'), '  types: AdminCase'],
        stderr: '',
      });
    }, 60_000);

    it('exits 1 when records are rejected, listing each with its line and field', async () => {
      const file = write('rejections.csv', `${HEADER}\n${row(1)}\n${row(2, '2031-13-01')}\n${row(3).replace('OTHER', 'TAXATION')}\n`);
      expect(await cli(['court', file, '--type', 'AdminCase', '--dry-run'])).toEqual({
        code: 1,
        stdout: [
          described(file),
          'dry run: nothing written; this is what an import would do',
          countsLine('3: would be created 1, would be updated 0, unchanged 0, rejected 2'),
          '  types: AdminCase',
          '  line 3 (AdminCase), filedAt: must be a day as 2025-03-14 (got "2031-13-01")',
          '  line 4 (AdminCase), cause: must be one of LAND_EXPROPRIATION, HOUSING_DEMOLITION, SOCIAL_SECURITY, PUBLIC_SECURITY_PENALTY, MARKET_REGULATION, OTHER',
        ],
        stderr: '',
      });
    }, 60_000);

    it('exits 2 on a file it cannot read (GBK, missing), with the reason on stderr', async () => {
      // （2031）苏0102行初1号 and 王立新 in GBK (from iconv): a spreadsheet saved as "CSV" on Chinese Windows.
      const gbk = Buffer.concat([
        Buffer.from(`${HEADER}\n`),
        Buffer.from('a3a832303331a3a9cbd530313032d0d0b3f531bac5', 'hex'),
        Buffer.from(`,${PERSON},AG-NRB,OTHER,2031-01-05,FIRST_INSTANCE,PENDING,`),
        Buffer.from('cdf5c1a2d0c2', 'hex'),
        Buffer.from('\n'),
      ]);
      expect(new TextDecoder('gb18030').decode(gbk).split('\n')[1]).toBe(row(1));
      const file = write('gbk.csv', gbk);
      expect(await cli(['court', file, '--type', 'AdminCase', '--dry-run'])).toEqual({
        code: 2,
        stdout: [],
        stderr: `import: gbk.csv is not UTF-8: line 2 reads as GBK (GB18030), the encoding Excel uses for CSV on Chinese Windows; ${SAVE_AS_UTF8_FROM_GBK}\n`,
      });
      const missing = path.join(dir, 'no-such-file.csv');
      expect(await cli(['court', missing, '--type', 'AdminCase', '--dry-run'])).toEqual({ code: 2, stdout: [], stderr: `import: ${missing}: no such file\n` });
    }, 60_000);

    it('exits 2 for a caller who may not import into the court (a judge), before reading the file', async () => {
      const file = write('judge.csv', `${HEADER}\n${row(1)}\n`);
      expect(await cli(['court', file, '--type', 'AdminCase', '--dry-run'], judge)).toEqual({
        code: 2,
        stdout: [],
        stderr: `import: importing into the court takes the role clerk or data_steward; ${judge.sub} has judge\n`,
      });
    }, 60_000);
  });

  it('shows the auditors the import in the court’s own log: who ran it, the file’s SHA-256, the counts, the log’s verdict', async () => {
    const OVERVIEW = `{ auditOverview { courtImports(first: 5) { totalCount edges { node { principal { sub } file sha256 created updated unchanged rejected integrity { ok } } } } } }`;
    const asAuditor = async () => postGraphQL(stack.gateway!.url, OVERVIEW, undefined, await callerHeaders(auditor, 'AUDIT'));
    // The demo district's own imports are in the log already (the seed records each file's).
    const before = await asAuditor();
    const earlier = (before.body.data as { auditOverview: { courtImports: { totalCount: number; edges: unknown[] } } }).auditOverview.courtImports;

    const file = write('court-cases.csv', `${HEADER}\n${row(11)}\n${row(12, '2031-02-30')}\n${row(13)}\n`);
    const summary = await runImport({ name: 'court', db: court.db, config, principal: clerk, file, type: 'AdminCase', feed: 'court-cases', pseudonymize: remotePseudonymizer(stack.gateway!.url, await issueDevToken(config.auth, clerk, 600)) });
    expect(summary.counts).toEqual({ read: 3, created: 2, updated: 0, unchanged: 0, rejected: 1, skipped: 0 });

    expect(await asAuditor()).toEqual({
      status: 200,
      body: {
        data: {
          auditOverview: {
            courtImports: {
              totalCount: earlier.totalCount + 1,
              // Newest first: this import, then the ones before it.
              edges: [
                { node: { principal: { sub: clerk.sub }, file: 'court-cases.csv', sha256: sha256(file), created: 2, updated: 0, unchanged: 0, rejected: 1, integrity: { ok: true } } },
                ...earlier.edges.slice(0, 4),
              ],
            },
          },
        },
      },
    });
  });
});
