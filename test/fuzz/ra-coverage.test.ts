import { describe, expect, it } from 'vitest';
import { memoryStore } from '../../src/storage/index.js';
import { lifecycleWorld } from '../ra/smartcards/harness.js';
import { entryPointsOf } from './ra-entry-points.js';
import { raGroups } from './ra-groups.js';

describe('issue 13: every RA entry point is fuzzed', () => {
  it('AUD-01 each function the RA offers is in exactly one fuzz group', async () => {
    const { ra } = await lifecycleWorld({ store: memoryStore() });
    const grouped = Object.values(raGroups).flat();
    expect(new Set(grouped).size).toBe(grouped.length);
    expect([...grouped].sort()).toEqual(entryPointsOf(ra).sort());
  });
});
