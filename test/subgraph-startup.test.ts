// A subgraph refuses to start on a resolver for a field its schema lacks: @apollo/subgraph would
// skip it silently, and the field (say, after a rename on one side) would always be null.
import { describe, expect, inject, it } from 'vitest';
import { assertionVerifyingKey, createReplayGuard } from '../auth/index.js';
import { connectDatabase } from '../platform/index.js';
import { courtSubgraph } from '../subgraphs/court/index.js';
import { serveSubgraph, unknownResolvers, type ResolverMap } from '../subgraphs/shared/index.js';
import { subgraphTypeDefs } from '../schema/index.js';
import { buildSubgraphSchema } from '@apollo/subgraph';
import { testConfig } from './support/stack.js';

describe('resolvers the schema does not declare', () => {
  it('stop the subgraph from starting, naming each', async () => {
    const database = await connectDatabase(inject('mongoUri'), 'linkage_court', 'test-startup');
    try {
      const definition = await courtSubgraph(database.db);
      const resolvers = {
        ...definition.resolvers,
        AdminCase: { ...(definition.resolvers.AdminCase as object), judgeName: () => 'renamed on one side only' },
        Verdict: { id: () => 'no such type' },
      } as typeof definition.resolvers;
      const starting = serveSubgraph({ ...definition, resolvers }, { listen: { host: '127.0.0.1', port: 0 }, verifyingKey: assertionVerifyingKey(testConfig().auth), replays: await createReplayGuard(database.db) });
      await expect(starting).rejects.toThrow(
        'court: resolver for AdminCase.judgeName, which the schema does not have; resolvers for type Verdict, which the schema does not have',
      );
    } finally {
      await database.close();
    }
  });

  it('finds none in the court’s own resolvers, and names a stray field of a value type', async () => {
    const database = await connectDatabase(inject('mongoUri'), 'linkage_court', 'test-startup');
    try {
      const definition = await courtSubgraph(database.db);
      const schema = buildSubgraphSchema([{ typeDefs: subgraphTypeDefs('court'), resolvers: definition.resolvers }]);
      expect(unknownResolvers(schema, definition.resolvers as ResolverMap<never>)).toEqual([]);
      expect(unknownResolvers(schema, { Hearing: { heldAt: () => null, judge: () => null } })).toEqual(['resolver for Hearing.judge, which the schema does not have']);
    } finally {
      await database.close();
    }
  });
});
