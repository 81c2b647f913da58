// `npm run audit:verify -- <export.ndjson> [--key <log>=<public-key.pem>]...`
// Checks an export (saved from GET /audit/export, or the auditors' page) offline with the writers'
// public keys: every chain's hashes, sequence and signed checkpoints, and the export as a whole —
// its end line, signed by the gateway, counting every log and covering every byte before it.
// Exits 0 when all verify; 1 naming the first bad sequence number of each chain that does not, or
// what is wrong with the export (no end line: cut short, or the export failed); 2 on bad usage. Without --key, a log's key is the development key in
// KEYS_DIR (audit-<log>.pem); production auditors pass each service's published public key.
import { createPublicKey, type KeyObject } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { verifyExport } from '../audit/index.js';
import { readPublicKey } from '../auth/index.js';
import { loadConfig } from '../config/index.js';

function usage(message: string): never {
  console.error(`audit:verify: ${message}\nusage: npm run audit:verify -- <export.ndjson> [--key <log>=<public-key.pem>]...`);
  process.exit(2);
}

const { values, positionals } = parseArgs({ options: { key: { type: 'string', multiple: true } }, allowPositionals: true, strict: true });
if (positionals.length !== 1) usage('name one export file');
const file = positionals[0] as string;
if (!existsSync(file)) usage(`no such file: ${file}`);

const keys = new Map<string, KeyObject>();
for (const entry of values.key ?? []) {
  const [log, keyFile] = entry.split('=');
  if (!log || !keyFile) usage(`--key takes <log>=<file>, got "${entry}"`);
  keys.set(log, readPublicKey(keyFile));
}
const keysDir = loadConfig().auth.keysDir;
const keyFor = (log: string): KeyObject => {
  const given = keys.get(log);
  if (given) return given;
  const devKey = path.join(keysDir, `audit-${log}.pem`);
  if (!existsSync(devKey)) usage(`no public key for log "${log}": pass --key ${log}=<file>`);
  return createPublicKey(readFileSync(devKey));
};

let verification;
try {
  verification = await verifyExport(readFileSync(file, 'utf8'), keyFor);
} catch (error) {
  usage(`${file}: ${(error as Error).message}`);
}
for (const line of verification.lines) console.log(line);
process.exit(verification.ok ? 0 : 1);
