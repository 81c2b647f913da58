// The procuratorate subgraph (区检察院): administrative prosecution supervision and procuratorial
// suggestions, over linkage_procuratorate.
import { parse } from 'graphql';
import type { Db } from 'mongodb';
import { readSubgraphSdl } from '../../schema/compose.js';
import { serveSubgraph, type RunningService, type SubgraphDefinition } from '../shared/index.js';
import { createProcuratorateContext, type ProcuratorateContext } from './context.js';
import { resolvers } from './resolvers.js';
import { createProcuratorateStore } from './store.js';

export { createProcuratorateStore, type ProcuratorateStore, type ProcuratorateSeed } from './store.js';

export async function procuratorateSubgraph(db: Db): Promise<SubgraphDefinition<ProcuratorateContext>> {
  const store = createProcuratorateStore(db);
  await store.ensureIndexes();
  return {
    name: 'procuratorate',
    typeDefs: parse(readSubgraphSdl('procuratorate')),
    resolvers,
    context: async () => createProcuratorateContext(store),
  };
}

export async function serveProcuratorate(
  db: Db,
  listen: { host: string; port: number },
  onStop?: () => Promise<void>,
): Promise<RunningService> {
  return serveSubgraph(await procuratorateSubgraph(db), listen, onStop);
}
