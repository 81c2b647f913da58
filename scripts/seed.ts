// `npm run seed`: replaces the three institutions' databases with the demo district
// (deterministic; SEED_SCALE multiplies the volume).
import { ConfigError, loadConfig } from '../config/index.js';
import { seedDemoData } from '../subgraphs/index.js';
import { connectAll, locateStores, requirePseudonymKey } from './stack.js';

try {
  const config = loadConfig();
  const { locations, embedded } = await locateStores(config, undefined, false);
  const { dbs, close } = await connectAll(locations);
  try {
    const data = await seedDemoData(dbs, { scale: config.seedScale, pseudonymKey: requirePseudonymKey(config) }, config);
    console.log(
      `seeded scale ${config.seedScale}: ${data.government.agencies.length} agencies, ${data.government.acts.length} acts, ` +
        `${data.government.reconsiderations.length} reconsiderations, ${data.government.disputes.length} disputes, ` +
        `${data.court.adminCases.length} court cases, ${data.court.enforcementCases.length} enforcement cases, ` +
        `${data.procuratorate.supervisionCases.length} supervision cases`,
    );
    console.log(`a dispute that runs through all three institutions: ${data.showcase.disputeId}`);
  } finally {
    await close();
    await embedded?.stop();
  }
} catch (error) {
  console.error(error instanceof ConfigError ? error.message : error);
  process.exit(1);
}
