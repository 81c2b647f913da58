// Importing an institution's records from its own case system (npm run import, and the demo
// district at every first start): the institution's record types, the import itself, and its
// entry in the institution's own log — who ran it, the file's SHA-256, the counts.
import path from 'node:path';
import type { Db } from 'mongodb';
import type { Config, SubgraphName } from '../../config/index.js';
import { auditSigningKey, principalClaims, type Principal } from '../../auth/index.js';
import { AuditWriter, auditChainName, createAuditLogStore, disclosureEntrySchema, type DisclosureEntry } from '../../audit/index.js';
import { importWatermarks } from '../../platform/index.js';
import { courtImports, createCourtStore } from '../court/index.js';
import { governmentImports, createGovernmentStore } from '../government/index.js';
import { procuratorateImports, createProcuratorateStore } from '../procuratorate/index.js';
import { DISCLOSURE_LOG, DISCLOSURE_LOG_INDEXES, importFile, type ImportOptions, type ImportSummary, type ImportType } from '../shared/index.js';

/**
 * Records an import in the institution's own log: an IMPORT entry (who ran it, the file's name,
 * SHA-256 and size, the counts) on a chain of its own, signed with the institution's audit key.
 */
export async function recordImport(name: SubgraphName, db: Db, config: Config, summary: ImportSummary, principal: Pick<Principal, 'sub' | 'name' | 'org' | 'roles' | 'unit'>): Promise<void> {
  const log = createAuditLogStore<DisclosureEntry>(db, DISCLOSURE_LOG, { majorityWrites: config.audit.majorityWrites });
  await log.ensureIndexes(DISCLOSURE_LOG_INDEXES);
  const writer = new AuditWriter(log, auditChainName(name, summary.id), auditSigningKey(config.auth, config.audit, name), {
    checkpointEvery: 1,
    checkpointSeconds: config.audit.checkpointSeconds,
    validate: (entry) => disclosureEntrySchema.parse(entry),
  });
  await writer.start();
  try {
    await writer.append({
      requestId: summary.id,
      principal: { sub: principal.sub, name: principal.name, org: principal.org, roles: [...principal.roles], unit: principal.unit ?? null },
      purpose: 'CASE_HANDLING',
      verdicts: [],
      records: [],
      entryType: 'IMPORT',
      import: {
        file: path.basename(summary.file.name),
        sha256: summary.file.sha256,
        bytes: summary.file.bytes,
        format: summary.file.format,
        types: summary.types,
        strict: summary.strict,
        since: summary.since,
        counts: summary.counts,
        startedAt: summary.startedAt,
        finishedAt: summary.finishedAt,
        ...(summary.failure ? { failure: summary.failure.slice(0, 1000) } : {}),
      },
    });
  } finally {
    await writer.stop();
  }
}

/** An import stopped part-way: what it wrote is in its summary (and in the institution's log). */
export class ImportFailedError extends Error {
  constructor(readonly summary: ImportSummary) {
    super(summary.failure ?? 'the import failed');
  }
}

/** The principal may not import into the institution (importRefusal says why). */
export class ImportRefusedError extends Error {}

/** Who may run an institution's import: its data steward, and at the court its clerks (立案). */
export const IMPORT_ROLES: Record<SubgraphName, readonly string[]> = {
  government: ['data_steward'],
  court: ['clerk', 'data_steward'],
  procuratorate: ['data_steward'],
};

/** An institution's record types, over its database (its indexes made first: the natural keys are unique). */
export async function institutionImports(name: SubgraphName, db: Db): Promise<ImportType[]> {
  switch (name) {
    case 'government': {
      const store = createGovernmentStore(db);
      await store.ensureIndexes();
      return governmentImports(store);
    }
    case 'court': {
      const store = createCourtStore(db);
      await store.ensureIndexes();
      return courtImports(store);
    }
    case 'procuratorate': {
      const store = createProcuratorateStore(db);
      await store.ensureIndexes();
      return procuratorateImports(store);
    }
  }
}

/** Why a principal may not import into an institution, or null when they may. */
export function importRefusal(name: SubgraphName, principal: Principal): string | null {
  if (principal.org !== name) return `${principal.sub} is of ${principal.org}: only the ${name}'s own people import its records`;
  if (!principal.roles.some((role) => IMPORT_ROLES[name].includes(role))) return `importing into the ${name} takes the role ${IMPORT_ROLES[name].join(' or ')}; ${principal.sub} has ${principal.roles.join(', ') || 'none'}`;
  return null;
}

export interface InstitutionImport extends Omit<ImportOptions, 'types' | 'actor' | 'since'> {
  name: SubgraphName;
  db: Db;
  config: Config;
  principal: Principal;
  /** A moment, or `last`: where the feed's last clean import stopped. */
  since?: Date | 'last';
  /** The feed the watermark is kept under (default: the --type, else the file's name). */
  feed: string;
}

/**
 * Runs one import into an institution and, unless it was a dry run or strict mode refused it,
 * records it in the institution's log (a chain of its own, signed with the institution's key).
 */
export async function runImport(options: InstitutionImport): Promise<ImportSummary> {
  const { name, db, config, principal } = options;
  // The command line checks this before it connects; checked again here, where the import is made.
  const refusal = importRefusal(name, principal);
  if (refusal) throw new ImportRefusedError(refusal);
  const types = await institutionImports(name, db);
  const watermarks = importWatermarks(db);
  const since = options.since === 'last' ? ((await watermarks.get(options.feed)) ?? undefined) : options.since;
  const claims = principalClaims(principal);
  const summary = await importFile({ ...options, since, types, actor: { sub: claims.sub, name: claims.name, org: claims.org, unit: claims.unit ?? null } });
  if (summary.dryRun || summary.aborted) return summary;
  await recordImport(name, db, config, summary, claims);
  if (summary.failure) throw new ImportFailedError(summary);
  if (summary.counts.rejected === 0 && summary.latestUpdatedAt) await watermarks.set(options.feed, summary.latestUpdatedAt, summary.id, summary.finishedAt);
  return summary;
}
