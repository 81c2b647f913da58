// Fills the three institutions' databases with the demo district: written out as the files each
// institution's case system would export, and loaded through the import path (`npm run import`
// runs the same pipeline), then the linkage work the graph's own flows made (replies,
// consultations, settlement attempts, supervision items, meetings, applications), which no case
// system exports, through each store.
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Db } from 'mongodb';
import { SUBGRAPH_NAMES, type Config, type SubgraphName } from '../../config/index.js';
import { createCourtStore } from '../court/index.js';
import { createGovernmentStore, localPseudonymizer } from '../government/index.js';
import { createProcuratorateStore } from '../procuratorate/index.js';
import { institutionImports, recordImport } from '../imports/index.js';
import { importFile } from '../shared/index.js';
import { generateDemoData, type DemoData, type DemoOptions } from './generate.js';
import { writeDemoImportFiles } from './import-files.js';

export { generateDemoData, type DemoData, type DemoOptions } from './generate.js';
export { writeDemoImportFiles, type DemoImportFile } from './import-files.js';

/** Who the demo district's records were imported by: nobody (an empty sub, which no principal has). */
const DEMO_LOADER = (org: SubgraphName) => ({ sub: '', name: '演示数据', org, unit: null });

/**
 * Seeds the demo district. With `config`, each file's import is recorded in its institution's
 * log as `npm run import` records it (signed with the institution's audit key from config).
 */
export async function seedDemoData(dbs: Record<SubgraphName, Db>, options: DemoOptions, config?: Config): Promise<DemoData> {
  const data = generateDemoData(options);
  const dir = mkdtempSync(path.join(os.tmpdir(), 'linkage-demo-import-'));
  try {
    const files = await writeDemoImportFiles(data, dir);
    // The demo loader holds every store in one process, and so stands in for the government's
    // pseudonymisation call (Query.partyPseudonyms) that `npm run import` makes for the court and
    // the procuratorate: the same key, the same pseudonyms.
    const pseudonymize = localPseudonymizer(options.pseudonymKey);
    const stores = { government: createGovernmentStore(dbs.government), court: createCourtStore(dbs.court), procuratorate: createProcuratorateStore(dbs.procuratorate) };
    for (const name of SUBGRAPH_NAMES) {
      await stores[name].reset();
      const types = await institutionImports(name, dbs[name]);
      for (const { type, file, records } of files[name]) {
        const summary = await importFile({ file, type, types, pseudonymize, actor: DEMO_LOADER(name), batchSize: 1000 });
        const first = summary.rejections[0];
        if (first) throw new Error(`the demo district's ${path.basename(file)} does not import: line ${first.line}, ${first.field ?? 'record'}: ${first.message}`);
        if (summary.counts.created !== records) throw new Error(`the demo district's ${path.basename(file)} made ${summary.counts.created} of its ${records} records`);
        if (config) await recordImport(name, dbs[name], config, summary, { ...DEMO_LOADER(name), roles: [] });
      }
    }
    await stores.government.loadLinkageWork(data.government);
    await stores.court.loadLinkageWork(data.court);
    return data;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** True when any institution's database has no demo data yet (start-up seeds it then). */
export async function needsSeed(dbs: Record<SubgraphName, Db>): Promise<boolean> {
  const empties = await Promise.all([
    createGovernmentStore(dbs.government).isEmpty(),
    createCourtStore(dbs.court).isEmpty(),
    createProcuratorateStore(dbs.procuratorate).isEmpty(),
  ]);
  return empties.some(Boolean);
}
