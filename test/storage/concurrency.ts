import { expect } from 'vitest';
import type { AssignmentId, IsoDate, Uuid } from '../../src/domain/index.js';
import { isCareIdError } from '../../src/errors/index.js';
import { ConflictError, type Store, verifyAudit } from '../../src/storage/index.js';
import { fixtureAssignment, fixtureEvent, fixtureUser } from '../../src/storage/testing/index.js';

const USER = '100000000001' as Uuid;
const SHARED = 'shared' as AssignmentId;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * 8 writers, alternating between two stores on the same database, race on one user's
 * assignments: each inserts its own assignment and edits the shared one from the version
 * it read, retrying on CONFLICT. Every write either lands or fails with ConflictError, no
 * update is lost (the shared record's version counts every landed edit) and the audit
 * chain verifies.
 */
export async function eightConcurrentWriters(
  stores: readonly [Store, Store],
): Promise<{ conflicts: number }> {
  const [first] = stores;
  await first.transaction(async (tx) => {
    await tx.users.insert(fixtureUser(USER));
    await tx.positionAssignments.insert(fixtureAssignment(SHARED, USER, { start: '2026-01-01' }));
    await tx.audit.append(fixtureEvent('setup', USER));
  });
  let conflicts = 0;
  const landed: number[] = [];
  const writer = async (n: number) => {
    const store = stores[n % 2] as Store;
    // Its own assignment: nobody else writes it, but on PostgreSQL the audit head is shared,
    // so even this write may lose a race (CONFLICT) and is then written again.
    for (let attempt = 0; ; attempt++) {
      try {
        await store.transaction(async (tx) => {
          await tx.positionAssignments.insert(
            fixtureAssignment(`own_${n}`, USER, { start: '2026-02-01' }),
          );
          await tx.audit.append(fixtureEvent('assignment.assign', `own_${n}`));
        });
        break;
      } catch (error) {
        if (!(error instanceof ConflictError) || attempt >= 50) throw error;
        conflicts++;
      }
    }
    for (let attempt = 0; attempt < 50; attempt++) {
      const read = await store.transaction((tx) => tx.positionAssignments.get(SHARED));
      await sleep(Math.random() * 5);
      try {
        await store.transaction(async (tx) => {
          await tx.positionAssignments.update({
            ...read!,
            end: `2027-01-${String(n + 1).padStart(2, '0')}` as IsoDate,
          });
          await tx.audit.append(fixtureEvent('assignment.edit-dates', SHARED, { writer: n }));
        });
        landed.push(n);
        return;
      } catch (error) {
        if (!isCareIdError(error, 'CONFLICT')) throw error;
        expect(error).toBeInstanceOf(ConflictError);
        conflicts++;
      }
    }
    throw new Error(`writer ${n} never landed`);
  };
  await Promise.all(Array.from({ length: 8 }, (_, n) => writer(n)));
  expect(landed.sort()).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
  const [shared, active, log] = await first.transaction(async (tx) => [
    await tx.positionAssignments.get(SHARED),
    await tx.positionAssignments.activeForUser(USER, '2026-03-01' as IsoDate),
    await tx.audit.read({ limit: 1000 }),
  ]);
  // No lost update: each landed edit moved the version on by exactly one.
  expect(shared?.version).toBe(8);
  // The shared record holds the edit of the writer whose audit record came last.
  const edits = log.items.filter((r) => r.event.activity === 'assignment.edit-dates');
  const lastWriter = edits.at(-1)?.event.details['writer'] as number;
  expect(shared?.end).toBe(`2027-01-${String(lastWriter + 1).padStart(2, '0')}`);
  expect(active.map((a) => a.id).sort()).toEqual(
    ['shared', ...Array.from({ length: 8 }, (_, n) => `own_${n}`)].sort(),
  );
  expect(edits.map((r) => r.event.details['writer']).sort()).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
  expect(await verifyAudit(first)).toMatchObject({ ok: true, count: 17 });
  expect(await verifyAudit(stores[1])).toMatchObject({ ok: true, count: 17 });
  return { conflicts };
}
