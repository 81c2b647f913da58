import { readFileSync } from 'node:fs';
import { parse } from 'graphql';
import { describe, expect, it } from 'vitest';
import { PolicyError } from '../auth/index.js';
import { loadConfig } from '../config/index.js';
import { composeSupergraph, subgraphSdl } from '../schema/index.js';
import { readSubgraphPolicies } from '../subgraphs/index.js';

describe('the committed supergraph', () => {
  const composition = composeSupergraph();

  it('equals a fresh composition of the three subgraph schemas (run `npm run compose` when this fails)', () => {
    expect(readFileSync(loadConfig({}).supergraphPath, 'utf8')).toBe(composition.supergraphSdl);
  });

  it('composes without any hint', () => {
    // Every hint so far was a real inconsistency (e.g. differing descriptions); none is accepted.
    expect(composition.hints).toEqual([]);
  });
});

describe('npm run compose checks every policy as start-up does', () => {
  it('accepts the committed schemas', () => {
    expect(readSubgraphPolicies().map((policy) => policy.owner)).toEqual(['government', 'court', 'procuratorate', 'audit']);
  });

  it('refuses a misspelled class, naming the subgraph and the field', () => {
    const misspelled = (name: Parameters<typeof subgraphSdl>[0]) =>
      parse(name === 'court' ? subgraphSdl(name).replace('judge: String\n    @sharing(class: "CONDITIONAL")', 'judge: String\n    @sharing(class: "CONDTIONAL")') : subgraphSdl(name));
    let refused: unknown;
    try {
      readSubgraphPolicies(misspelled);
    } catch (error) {
      refused = error;
    }
    expect(refused).toBeInstanceOf(PolicyError);
    expect((refused as PolicyError).problems).toEqual(['court: AdminCase.judge: unknown sharing class "CONDTIONAL"']);
  });
});

describe('composition refuses a non-null field that crosses institutions', () => {
  it('names the subgraph, the field and where its type comes from', () => {
    const nonNull = (name: Parameters<typeof subgraphSdl>[0]) =>
      parse(name === 'court' ? subgraphSdl(name).replace('litigationStats(period: Period!): LitigationStats @sharing', 'litigationStats(period: Period!): LitigationStats! @sharing') : subgraphSdl(name));
    expect(() => composeSupergraph(nonNull)).toThrow(
      'composition failed:\n- court: Agency.litigationStats is non-null, but Agency comes from government: make it nullable, or an outage of court nulls the whole Agency',
    );
  });
});
