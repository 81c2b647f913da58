// `npm run import -- <institution> <file> [--type T] [--dry-run] [--strict] [--since <when>|last]`
// loads an institution's records from a file its case system exported (NDJSON or CSV) into its own
// database: validated, upserted by natural key, recorded in its own log. Who runs it is the token's
// principal (IMPORT_TOKEN, or --token; in development a data steward's token is made when none is
// given). The court's and the procuratorate's ID numbers are pseudonymised by the government
// through the gateway, which must be running (npm start).
import path from 'node:path';
import { parseArgs } from 'node:util';
import { ConfigError, SUBGRAPH_NAMES, loadConfig, type SubgraphName } from '../config/index.js';
import { createTokenVerifier, issueDevToken, readPseudonymKey, type Principal } from '../auth/index.js';
import { connectDatabase, serviceFetch } from '../platform/index.js';
import { ImportFailedError, ImportFileError, importRefusal, localPseudonymizer, remotePseudonymizer, runImport, type ImportSummary } from '../subgraphs/index.js';
import { locateStores } from './stack.js';

const USAGE = `usage: npm run import -- <government|court|procuratorate> <file.csv|file.ndjson> [--type <RecordType>] [--dry-run] [--strict] [--since <2025-06-01T00:00:00+08:00|last>] [--feed <name>] [--token <jwt>]`;
/** At most this many rejected records are listed; the counts include every one. */
const LISTED_REJECTIONS = 200;

class UsageError extends Error {}

function parseSince(value: string | undefined): Date | 'last' | undefined {
  if (value === undefined) return undefined;
  if (value === 'last') return 'last';
  const at = /^\d{4}-\d{2}-\d{2}$/.test(value) ? new Date(`${value}T00:00:00+08:00`) : /^\d{4}-\d{2}-\d{2}T.+([+-]\d{2}:\d{2}|Z)$/.test(value) ? new Date(value) : new Date(NaN);
  if (Number.isNaN(at.getTime())) throw new UsageError(`--since must be a day (2025-06-01, district time), a moment with its offset (2025-06-01T00:00:00+08:00) or "last"; got "${value}"`);
  return at;
}

/** A progress bar on a terminal (stderr), at most ten times a second; nothing when output is not a terminal. */
function progressBar(): { update: (read: number, total: number) => void; done: () => void } {
  const started = Date.now();
  let drawn = 0;
  const tty = process.stderr.isTTY === true;
  return {
    update(read, total) {
      if (!tty || Date.now() - drawn < 100) return;
      drawn = Date.now();
      const share = total ? Math.min(1, read / total) : 1;
      const width = 30;
      const filled = Math.round(share * width);
      const rate = read / Math.max(0.001, (Date.now() - started) / 1000);
      process.stderr.write(`\r[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${read.toLocaleString('en')}/${total.toLocaleString('en')} records ${Math.round(share * 100)}% ${Math.round(rate).toLocaleString('en')}/s `);
    },
    done() {
      if (tty && drawn) process.stderr.write('\r\x1b[K');
    },
  };
}

function report(summary: ImportSummary): void {
  const c = summary.counts;
  const seconds = (summary.finishedAt.getTime() - summary.startedAt.getTime()) / 1000;
  const mode = summary.aborted ? 'strict mode: nothing written, the file has errors' : summary.dryRun ? 'dry run: nothing written; this is what an import would do' : `import ${summary.id}`;
  console.log(`${path.basename(summary.file.name)} (${summary.file.format}, ${summary.file.bytes.toLocaleString('en')} bytes, sha256 ${summary.file.sha256}${summary.file.utf8Bom ? ', UTF-8 with a byte-order mark' : ''})`);
  console.log(mode);
  const verb = summary.dryRun || summary.aborted ? 'would be ' : '';
  console.log(
    `  read ${c.read}: ${verb}created ${c.created}, ${verb}updated ${c.updated}, unchanged ${c.unchanged}, rejected ${c.rejected}` +
      (summary.since ? `, skipped ${c.skipped} (changed before ${summary.since.toISOString()})` : '') +
      ` — ${seconds.toFixed(1)} s, ${Math.round(c.read / Math.max(seconds, 0.001)).toLocaleString('en')} records/s`,
  );
  if (summary.types.length) console.log(`  types: ${summary.types.join(', ')}`);
  for (const r of summary.rejections.slice(0, LISTED_REJECTIONS)) {
    console.log(`  line ${r.line}${r.type ? ` (${r.type})` : ''}${r.field ? `, ${r.field}` : ''}: ${r.message}`);
  }
  if (summary.rejections.length > LISTED_REJECTIONS) console.log(`  … and ${summary.rejections.length - LISTED_REJECTIONS} more reasons`);
  if (!summary.dryRun && !summary.aborted && c.rejected > 0 && summary.latestUpdatedAt) {
    console.log(`  the feed's watermark (--since last) was not moved: an increment with rejected records is read again next time`);
  }
}

async function principalOf(name: SubgraphName, token: string | undefined, config: ReturnType<typeof loadConfig>): Promise<{ principal: Principal; token: string }> {
  let jwt = token;
  if (!jwt) {
    if (config.mode === 'production') throw new UsageError('give the token of the person running the import: IMPORT_TOKEN=<jwt> or --token <jwt>');
    jwt = await issueDevToken(config.auth, { sub: `dev-${name}-data_steward`, name: `Development ${name} data steward`, org: name, roles: ['data_steward'], unit: null }, 3600);
    console.error(`(development: importing as dev-${name}-data_steward; give IMPORT_TOKEN to import as someone else)`);
  }
  const principal = await createTokenVerifier(config.auth)(jwt).catch((error: Error) => {
    throw new UsageError(`the token was refused: ${error.message}`);
  });
  const refusal = importRefusal(name, principal);
  if (refusal) throw new UsageError(refusal);
  return { principal, token: jwt };
}

async function main(): Promise<number> {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    strict: true,
    options: {
      type: { type: 'string' },
      'dry-run': { type: 'boolean', default: false },
      strict: { type: 'boolean', default: false },
      since: { type: 'string' },
      feed: { type: 'string' },
      token: { type: 'string' },
    },
  });
  const [institution, file, ...extra] = positionals;
  if (!institution || !file || extra.length) throw new UsageError(USAGE);
  if (!(SUBGRAPH_NAMES as readonly string[]).includes(institution)) throw new UsageError(`"${institution}" is not an institution: one of ${SUBGRAPH_NAMES.join(', ')}`);
  const name = institution as SubgraphName;
  const since = parseSince(values.since);
  const config = loadConfig();
  const { principal, token } = await principalOf(name, values.token ?? process.env.IMPORT_TOKEN, config);
  const pseudonymize =
    name === 'government'
      ? localPseudonymizer(
          readPseudonymKey(config) ??
            (() => {
              throw new ConfigError('PSEUDONYM_KEY', '(or PSEUDONYM_KEY_FILE) is needed for the government to import parties: it holds the district key');
            })(),
        )
      : remotePseudonymizer(config.gatewayUrl, token, undefined, serviceFetch(config.tls.caFile));

  const { locations, embedded } = await locateStores(config, [name], false, true);
  const database = await connectDatabase(locations[name].uri, locations[name].database, `linkage-import-${name}`);
  const bar = progressBar();
  try {
    const summary = await runImport({
      name,
      db: database.db,
      config,
      principal,
      file,
      type: values.type,
      dryRun: values['dry-run'],
      strict: values.strict,
      since,
      feed: values.feed ?? values.type ?? path.basename(file),
      pseudonymize,
      onProgress: bar.update,
    });
    bar.done();
    report(summary);
    return summary.counts.rejected > 0 ? 1 : 0;
  } catch (error) {
    if (!(error instanceof ImportFailedError)) throw error;
    // Stopped part-way: what it wrote is recorded in the institution's log; say what, and why it stopped.
    bar.done();
    report(error.summary);
    console.error(`import: stopped part-way (what is counted above was written, and logged): ${error.message}`);
    return 2;
  } finally {
    bar.done();
    await database.close();
    await embedded?.stop();
  }
}

main().then(
  (code) => process.exit(code),
  (error) => {
    const known = error instanceof ImportFileError || error instanceof UsageError || error instanceof ConfigError;
    console.error(`import: ${known ? error.message : error instanceof Error && error.message.startsWith('Unknown option') ? `${error.message}\n${USAGE}` : String(error?.stack ?? error)}`);
    process.exit(2);
  },
);
