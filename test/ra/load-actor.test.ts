import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { PositionAssignment } from '../../src/domain/index.js';
import { actorSchema, dorsetPack, nationalPack } from '../../src/policy/index.js';
import { loadActor } from '../../src/ra/context.js';
import { seed, seedAssignment } from '../../src/ra/index.js';
import { memoryStore } from '../../src/storage/index.js';
import { AT, people, positions, seedData } from './fixtures.js';

/*
 * The RA hands the actor it loads to the policy as validated (trustedActorDecider): no
 * parse, no copy. That holds only while the actor is exactly what the actor schema would
 * make of it, every default set. These tests fail the day loadActor leaves a field out.
 */

const positionList = Object.values(positions);
const day = (n: number) =>
  new Date(Date.UTC(2025, 0, 1) + n * 86_400_000).toISOString().slice(0, 10);

const assignmentArb = fc.record({
  position: fc.constantFrom(...positionList),
  startDay: fc.integer({ min: 0, max: 900 }),
  length: fc.option(fc.integer({ min: 1, max: 400 }), { nil: undefined }),
  removed: fc.boolean(),
  locum: fc.boolean(),
});

describe('loadActor builds the actor the policy takes as validated (ROLE-02, CARD-03, ROLE-03)', () => {
  it('ROLE-02 parsing a loaded actor with the actor schema changes nothing, for random assignment histories under the national and dorset packs', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(assignmentArb, { maxLength: 8 }),
        fc.constantFrom(nationalPack, dorsetPack),
        async (history, pack) => {
          const store = memoryStore();
          const assignments: PositionAssignment[] = history.map((h, i) => {
            const record = seedAssignment(
              {
                id: `asg-random-${i}`,
                user: people.trainee,
                position: h.position,
                start: day(h.startDay),
                ...(h.length !== undefined ? { end: day(h.startDay + h.length) } : {}),
              },
              { at: AT, by: people.ram },
            );
            return {
              ...record,
              locum: h.locum,
              ...(h.removed ? { removed: { at: AT, by: people.ram } } : {}),
            } as PositionAssignment;
          });
          await seed(
            store,
            { ...seedData, assignments: [...(seedData.assignments ?? []), ...assignments] },
            { at: AT, by: people.ram },
          );
          const actor = await store.transaction((tx) =>
            loadActor(tx, people.trainee as never, pack),
          );
          expect(actorSchema.parse(actor)).toEqual(actor);
        },
      ),
      { numRuns: 150 },
    );
  });

  it('ROLE-03 CARD-03 the seeded RA manager, agent and sponsor load as their schema parse gives them (sponsor`s assignable list kept)', async () => {
    const store = memoryStore();
    await seed(store, seedData, { at: AT, by: people.ram });
    for (const uuid of [people.ram, people.agent, people.sponsor, people.trainee]) {
      const actor = await store.transaction((tx) => loadActor(tx, uuid as never, dorsetPack));
      expect(actorSchema.parse(actor)).toEqual(actor);
    }
    const sponsor = await store.transaction((tx) =>
      loadActor(tx, people.sponsor as never, nationalPack),
    );
    expect(sponsor.assignments[0]?.assignable).toEqual(['pos-dispenser']);
  });
});
