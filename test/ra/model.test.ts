import fc from 'fast-check';
import { describe, it } from 'vitest';
import type { IsoDateTime } from '../../src/domain/index.js';
import { createRegistrationAuthority, seed } from '../../src/ra/index.js';
import { initialRaModel, raModelCommands, raModelWorld } from '../../src/testing/index.js';
import { storeCases } from './stores.js';

const NOW = new Date('2026-11-22T10:00:00.000Z');
const world = raModelWorld();

/** Runs per adapter: the memory store is cheap, the SQL stores pay a real database each run. */
const runs = { memory: 60, sqlite: 12, postgres: 6 } as const;

for (const storeCase of storeCases) {
  describe.skipIf(storeCase.skip !== undefined)(`RA model run on ${storeCase.name}`, () => {
    it('ROLE-02 SOD-03 PROF-01 ASG-01 ASG-04 BATCH-01 AUD-01: random commands from random actors keep the store equal to the model, denials change nothing, the audit chain verifies', async () => {
      await fc.assert(
        fc.asyncProperty(fc.commands(raModelCommands(world), { maxCommands: 25 }), async (cmds) => {
          const { store, dispose } = await storeCase.create();
          try {
            await seed(store, world.seed, { at: NOW.toISOString() as IsoDateTime, by: 'model' });
            const ra = createRegistrationAuthority({ store, clock: () => NOW });
            await fc.asyncModelRun(
              () => ({ model: initialRaModel(world), real: { ra, store } }),
              cmds,
            );
          } finally {
            await dispose();
          }
        }),
        { numRuns: runs[storeCase.name] },
      );
    }, 120_000);
  });
}
