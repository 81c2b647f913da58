// Fills the three institutions' databases with the demo district, each through its own store.
import type { Db } from 'mongodb';
import type { SubgraphName } from '../../config/index.js';
import { createCourtStore } from '../court/index.js';
import { createGovernmentStore } from '../government/index.js';
import { createProcuratorateStore } from '../procuratorate/index.js';
import { generateDemoData, type DemoData, type DemoOptions } from './generate.js';

export { generateDemoData, type DemoData, type DemoOptions } from './generate.js';

export async function seedDemoData(dbs: Record<SubgraphName, Db>, options: DemoOptions): Promise<DemoData> {
  const data = generateDemoData(options);
  await createGovernmentStore(dbs.government).replaceAll(data.government);
  await createCourtStore(dbs.court).replaceAll(data.court);
  await createProcuratorateStore(dbs.procuratorate).replaceAll(data.procuratorate);
  return data;
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
