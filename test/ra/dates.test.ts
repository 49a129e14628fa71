import { describe, expect, it } from 'vitest';
import type { Request } from '../../src/domain/index.js';
import { PolicyDeniedError } from '../../src/policy/index.js';
import { createRegistrationAuthority } from '../../src/ra/index.js';
import { memoryStore, type Store } from '../../src/storage/index.js';
import {
  fixtureAssignment,
  fixtureCertificate,
  fixtureRequest,
} from '../../src/storage/testing/index.js';
import { ICB, PHARMACY, people } from './fixtures.js';
import { readers, seedReadWorld } from './read-fixtures.js';

/*
 * RULES.md "Dates" through the RA: its "today" is the date on the pack's clocks
 * (Europe/London), so at 2026-05-31T23:30Z (00:30 BST) it is 1 June.
 */

const LATE_AGENT = '555000000020';

async function world(): Promise<Store> {
  const store = memoryStore();
  await seedReadWorld(store);
  return store;
}

function raAt(store: Store, instant: string) {
  return createRegistrationAuthority({ store, clock: () => new Date(instant) });
}

describe('RULES.md dates through the RA (Europe/London)', () => {
  it('ROLE-02 an RA agent whose assignment starts 1 June acts at 00:30 BST, not at 23:30 BST the day before', async () => {
    const store = await world();
    await store.transaction(async (tx) => {
      await tx.users.insert({
        ...(await tx.users.get(people.agent as never))!,
        uuid: LATE_AGENT as never,
        version: 0,
      });
      await tx.positionAssignments.insert(
        fixtureAssignment('asg-late', LATE_AGENT, {
          organisation: ICB,
          position: 'pos-raa',
          start: '2026-06-01',
        }),
      );
    });
    await expect(
      raAt(store, '2026-05-31T22:30:00.000Z').reports.list(LATE_AGENT),
    ).rejects.toBeInstanceOf(PolicyDeniedError);
    const reports = await raAt(store, '2026-05-31T23:30:00.000Z').reports.list(LATE_AGENT);
    expect(reports.length).toBeGreaterThan(0);
  });

  it('REP-01 the 7-day horizon ends with the date 7 days on (BST); days left count London dates', async () => {
    const store = await world();
    await store.transaction(async (tx) => {
      // 23:30 BST on 1 July and 00:30 BST on 2 July.
      await tx.certificates.insert(
        fixtureCertificate('d1', readers.rivers, '2026-07-01T22:30:00.000Z'),
      );
      await tx.certificates.insert(
        fixtureCertificate('d2', readers.rivers, '2026-07-01T23:30:00.000Z'),
      );
    });
    // 00:30 BST on 24 June: today is 24 June; 7 days on is 1 July.
    const ra = raAt(store, '2026-06-23T23:30:00.000Z');
    const week = await ra.reports.view(people.agent, {
      report: 'certificates-expiring',
      filters: { days: 7 },
    });
    expect(week.rows.map((r) => [r['serial'], r['daysLeft']])).toEqual([['d1', 7]]);
    const month = await ra.reports.view(people.agent, {
      report: 'certificates-expiring',
      filters: { days: 30 },
    });
    expect(month.rows.map((r) => [r['serial'], r['daysLeft']])).toEqual([
      ['d1', 7],
      ['d2', 8],
    ]);
  });

  it("ASG-03 the leavers' 24 hours run from midnight BST of the leaving date", async () => {
    const store = await world();
    const summerLeaver: Request = {
      ...fixtureRequest('req-summer', {
        kind: 'esr-modify-user',
        organisation: PHARMACY,
        requestedBy: 'ESR',
      }),
      subject: readers.brook as Request['subject'] & string,
      payload: { leftOn: '2026-06-10' },
    };
    await store.transaction((tx) => tx.requests.insert(summerLeaver));
    const overdue = async (instant: string) =>
      (
        await raAt(store, instant).reports.view(people.sponsor, { report: 'leavers-overdue' })
      ).rows.map((r) => [r['request'], r['assignment']]);
    // 10 June starts at 2026-06-09T23:00Z; 24 hours on is 2026-06-10T23:00Z.
    expect(await overdue('2026-06-10T22:59:00.000Z')).toEqual([]);
    expect(await overdue('2026-06-10T23:00:00.000Z')).toEqual([['req-summer', 'asg-brook-now']]);
  });

  it('REQ-04 a request decided at 00:30 BST on 23 July stays listed 30 days later, on 22 August', async () => {
    const store = await world();
    await store.transaction(async (tx) => {
      await tx.requests.insert(
        fixtureRequest('req-july', {
          state: 'accepted',
          organisation: PHARMACY,
          createdAt: '2026-07-20T10:00:00.000Z',
          decidedAt: '2026-07-22T23:30:00.000Z',
        }),
      );
      await tx.requests.insert(
        fixtureRequest('req-july-before', {
          state: 'accepted',
          organisation: PHARMACY,
          createdAt: '2026-07-20T10:00:00.000Z',
          decidedAt: '2026-07-22T22:30:00.000Z',
        }),
      );
    });
    const listed = await raAt(store, '2026-08-22T10:00:00.000Z').requests.list(people.ram);
    const ids = listed.items.map((r) => r.id);
    expect(ids).toContain('req-july');
    expect(ids).not.toContain('req-july-before');
  });

  it('ASG-04 point in time: an assignment removed at 00:30 BST on 1 June was not held on 1 June', async () => {
    const store = await world();
    await store.transaction(async (tx) => {
      await tx.positionAssignments.insert({
        ...fixtureAssignment('asg-gone', readers.newcomer, {
          organisation: PHARMACY,
          position: 'pos-dispenser',
        }),
        removed: { at: '2026-05-31T23:30:00.000Z' as never, by: people.ram as never },
      });
    });
    const ra = raAt(store, '2026-11-22T10:00:00.000Z');
    expect((await ra.accessOn(readers.newcomer, '2026-05-31')).positions).toHaveLength(1);
    expect((await ra.accessOn(readers.newcomer, '2026-06-01')).positions).toHaveLength(0);
  });
});
