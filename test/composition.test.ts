import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../config/index.js';
import { composeSupergraph } from '../schema/index.js';

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
