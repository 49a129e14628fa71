import { afterEach, describe, expect, it } from 'vitest';
import { type UserProfile, userProfileSchema } from '../../src/domain/index.js';
import { PolicyDeniedError } from '../../src/policy/index.js';
import { createRegistrationAuthority, seed } from '../../src/ra/index.js';
import { type Store, verifyAudit } from '../../src/storage/index.js';
import { AT, NOW, PHARMACY, people, seedData } from './fixtures.js';
import { storeCases } from './stores.js';

const staff = (i: number): UserProfile =>
  userProfileSchema.parse({
    uuid: String(700_000_000_000 + i),
    name: { given: 'Batch', family: `Member${i}` },
    dateOfBirth: '1985-01-01',
    contact: {},
    status: 'open',
    createdAt: AT,
    createdBy: people.ram,
    version: 0,
  });
const batchUsers = Array.from({ length: 95 }, (_, i) => staff(i));
/** 95 profiles, 3 unknown UUIDs, one malformed, and the actor's own UUID: 100 in all. */
const hundred = [
  ...batchUsers.map((u) => u.uuid),
  '800000000001',
  '800000000002',
  '800000000003',
  'not-a-uuid',
  people.ram,
];

async function lastAudit(store: Store) {
  const page = await store.transaction((tx) => tx.audit.read({ limit: 1000 }));
  return page.items.at(-1)?.event;
}

async function historyCount(store: Store) {
  let count = 0;
  for (const u of batchUsers.slice(0, 10)) {
    const page = await store.transaction((tx) => tx.positionAssignments.historyForUser(u.uuid));
    count += page.items.length;
  }
  return count;
}

for (const storeCase of storeCases) {
  describe.skipIf(storeCase.skip !== undefined)(
    `Positions and batches on ${storeCase.name}${storeCase.skip ? ` (skipped: ${storeCase.skip})` : ''}`,
    () => {
      let dispose: (() => Promise<void>) | undefined;
      afterEach(async () => {
        await dispose?.();
        dispose = undefined;
      });

      async function setUp() {
        const made = await storeCase.create();
        dispose = made.dispose;
        await seed(
          made.store,
          { ...seedData, users: [...(seedData.users ?? []), ...batchUsers] },
          { at: AT, by: 'test-seed' },
        );
        return {
          store: made.store,
          ra: createRegistrationAuthority({ store: made.store, clock: () => NOW }),
        };
      }

      it('BATCH-01 a batch of 100 UUIDs is previewed item by item without writing, then applied with progress', async () => {
        const { store, ra } = await setUp();
        const input = {
          action: 'assign' as const,
          position: 'pos-dispenser',
          uuids: hundred,
          start: '2026-12-01',
        };
        const preview = await ra.batch.preview(people.ram, input);
        expect(preview.dryRun).toBe(true);
        expect(preview.items).toHaveLength(100);
        expect(preview.counts).toEqual({ changed: 95, unmatched: 4, denied: 1, unchanged: 0 });
        expect(preview.items[98]).toMatchObject({ uuid: 'not-a-uuid', outcome: 'unmatched' });
        expect(preview.items[99]).toMatchObject({ uuid: people.ram, outcome: 'denied' });
        expect(preview.items[99]?.reasons?.map((r) => r.rule)).toContain('SOD-03');
        expect(preview.changed).toEqual([]);
        expect(await historyCount(store)).toBe(0);

        const progress: [number, number][] = [];
        const applied = await ra.batch.apply(people.ram, input, {
          onProgress: (done, total) => progress.push([done, total]),
        });
        expect(applied.dryRun).toBe(false);
        expect(applied.items.map((i) => [i.uuid, i.outcome])).toEqual(
          preview.items.map((i) => [i.uuid, i.outcome]),
        );
        expect(applied.changed).toHaveLength(95);
        expect(progress.at(-1)).toEqual([100, 100]);
        expect(progress.filter(([, total]) => total === 100).length).toBeGreaterThanOrEqual(100);
        expect(await historyCount(store)).toBe(10);

        const again = await ra.batch.preview(people.ram, input);
        expect(again.counts).toMatchObject({ changed: 0, unchanged: 95 });

        const ended = await ra.batch.apply(people.ram, {
          action: 'end',
          position: 'pos-dispenser',
          uuids: batchUsers.slice(0, 5).map((u) => u.uuid),
          end: '2027-01-01',
        });
        expect(ended.counts).toMatchObject({ changed: 5 });
        const first = await store.transaction((tx) =>
          tx.positionAssignments.historyForUser(batchUsers[0]!.uuid),
        );
        expect(first.items[0]).toMatchObject({ start: '2026-12-01', end: '2027-01-01' });
        expect(await verifyAudit(store)).toMatchObject({ ok: true });
      });

      it('BATCH-01 more UUIDs than the pack allows is a ValidationError naming uuids; nothing is written, the attempt is audited', async () => {
        const { store, ra } = await setUp();
        const tooMany = [...hundred, '800000000004'];
        await expect(
          ra.batch.apply(people.ram, {
            action: 'assign',
            position: 'pos-dispenser',
            uuids: tooMany,
            start: '2026-12-01',
          }),
        ).rejects.toMatchObject({ code: 'VALIDATION', field: 'uuids' });
        expect(await historyCount(store)).toBe(0);
        expect(await lastAudit(store)).toMatchObject({
          activity: 'batch.assignments',
          outcome: 'failed',
        });
      });

      it('BATCH-01 an RA agent may not run batches (RAM, RAA(A) only): denied and audited', async () => {
        const { store, ra } = await setUp();
        await expect(
          ra.batch.preview(people.agent, {
            action: 'assign',
            position: 'pos-dispenser',
            uuids: hundred.slice(0, 3),
            start: '2026-12-01',
          }),
        ).rejects.toBeInstanceOf(PolicyDeniedError);
        expect(await lastAudit(store)).toMatchObject({
          activity: 'batch.assignments',
          outcome: 'denied',
        });
      });

      it('POS-02 a RAM copies a position under a new name, recording its approval', async () => {
        const { store, ra } = await setUp();
        const copy = await ra.positions.copy(people.ram, {
          position: 'pos-sponsor',
          name: 'Sponsor (weekend)',
          approval: { method: 'local-policy', approvedBy: [people.ram] },
        });
        expect(copy.position).toMatchObject({
          name: 'Sponsor (weekend)',
          organisation: PHARMACY,
          jobRole: 'R8003',
          activities: ['B1300'],
          assignable: ['pos-dispenser'],
          approval: { method: 'local-policy', approvedBy: [people.ram], at: AT },
        });
        expect(copy.position.id).not.toBe('pos-sponsor');
        const stored = await store.transaction((tx) => tx.positions.get(copy.position.id));
        expect(stored?.version).toBe(0);
      });

      it('POS-03 a RAM edits a position; an RA agent may not; removing B1300 while an assignable list remains is refused (POS-01)', async () => {
        const { ra } = await setUp();
        const edited = await ra.positions.edit(people.ram, {
          position: 'pos-dispenser',
          change: { name: 'Dispenser', addActivities: ['B0360'] },
        });
        expect(edited.position).toMatchObject({ name: 'Dispenser', activities: ['B0360'] });
        await expect(
          ra.positions.edit(people.agent, {
            position: 'pos-dispenser',
            change: { name: 'Nope' },
          }),
        ).rejects.toBeInstanceOf(PolicyDeniedError);
        await expect(
          ra.positions.edit(people.ram, {
            position: 'pos-sponsor',
            change: { removeActivities: ['B1300'] },
          }),
        ).rejects.toMatchObject({ code: 'INVALID_TRANSITION', rule: 'POS-01' });
      });

      it('POS-01 ROLE-03 the assignable list is managed by a RAM, only on B1300 positions, and decides what a sponsor may assign', async () => {
        const { ra } = await setUp();
        const target = batchUsers[0]!.uuid;
        await expect(
          ra.assignments.assign(people.sponsor, {
            user: target,
            position: 'pos-pharmacist',
            start: '2026-12-01',
          }),
        ).rejects.toBeInstanceOf(PolicyDeniedError);
        await expect(
          ra.positions.manageAssignable(people.ram, {
            position: 'pos-dispenser',
            assignable: ['pos-pharmacist'],
          }),
        ).rejects.toMatchObject({ code: 'INVALID_TRANSITION', rule: 'POS-01' });
        const set = await ra.positions.manageAssignable(people.ram, {
          position: 'pos-sponsor',
          assignable: ['pos-dispenser', 'pos-pharmacist'],
        });
        expect(set.position.assignable).toEqual(['pos-dispenser', 'pos-pharmacist']);
        const assigned = await ra.assignments.assign(people.sponsor, {
          user: target,
          position: 'pos-pharmacist',
          start: '2026-12-01',
        });
        expect(assigned.assignment.organisation).toBe(PHARMACY);
        await expect(
          ra.positions.manageAssignable(people.ram, {
            position: 'pos-sponsor',
            assignable: ['pos-unknown'],
          }),
        ).rejects.toMatchObject({ code: 'NOT_FOUND' });
      });

      it('ASG-01 ASG-04 a RAM manages several assignments on one profile at once; one refused change and none is written', async () => {
        const { store, ra } = await setUp();
        const target = batchUsers[1]!.uuid;
        const first = await ra.assignments.assign(people.ram, {
          user: target,
          position: 'pos-dispenser',
          start: '2026-01-01',
        });
        const done = await ra.assignments.manageMultiple(people.ram, {
          user: target,
          changes: [
            { op: 'edit-dates', assignment: first.assignment.id, end: '2026-12-31' },
            { op: 'assign', position: 'pos-pharmacist', start: '2027-01-01' },
          ],
        });
        expect(done.assignments.map((a) => [a.position, a.start, a.end ?? null])).toEqual([
          ['pos-dispenser', '2026-01-01', '2026-12-31'],
          ['pos-pharmacist', '2027-01-01', null],
        ]);
        const before = await store.transaction((tx) =>
          tx.positionAssignments.historyForUser(target),
        );
        await expect(
          ra.assignments.manageMultiple(people.ram, {
            user: target,
            changes: [
              { op: 'remove', assignment: done.assignments[1]!.id },
              { op: 'edit-dates', assignment: first.assignment.id, start: '2026-02-01' },
            ],
          }),
        ).rejects.toBeInstanceOf(PolicyDeniedError);
        const after = await store.transaction((tx) =>
          tx.positionAssignments.historyForUser(target),
        );
        expect(after.items).toEqual(before.items);
        await expect(
          ra.assignments.manageMultiple(people.agent, {
            user: target,
            changes: [{ op: 'remove', assignment: first.assignment.id }],
          }),
        ).rejects.toBeInstanceOf(PolicyDeniedError);
      });

      it('SOD-06 BATCH-01 a batch may end an RA position for a user with no training record (only giving one needs it)', async () => {
        const { store, ra } = await setUp();
        const untrained = batchUsers[1]!.uuid; // staff(1): no training certificate
        const refused = await ra.batch.preview(people.ram, {
          action: 'assign',
          position: 'pos-sponsor',
          uuids: [untrained],
          start: '2026-12-01',
        });
        expect(refused.items[0]?.reasons?.map((r) => r.rule)).toContain('SOD-06');
        await store.transaction((tx) =>
          tx.positionAssignments.insert({
            id: 'asg-legacy-sponsor',
            user: untrained,
            position: 'pos-sponsor',
            organisation: PHARMACY,
            start: '2025-01-01',
            locum: false,
            createdBy: people.ram,
            version: 0,
          } as never),
        );
        const ended = await ra.batch.apply(people.ram, {
          action: 'end',
          position: 'pos-sponsor',
          uuids: [untrained],
          end: '2026-11-30',
        });
        expect(ended.items[0]).toMatchObject({
          outcome: 'changed',
          assignment: 'asg-legacy-sponsor',
        });
      });
    },
  );
}
