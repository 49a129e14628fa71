import { describe, expect, it } from 'vitest';
import type { Request } from '../../src/domain/index.js';
import { ValidationError } from '../../src/errors/index.js';
import { PolicyDeniedError } from '../../src/policy/index.js';
import { createRegistrationAuthority } from '../../src/ra/index.js';
import { memoryStore, type Store } from '../../src/storage/index.js';
import {
  fixtureAssignment,
  fixtureCertificate,
  fixtureRequest,
} from '../../src/storage/testing/index.js';
import { applicant, goodCheck, ICB, PHARMACY, people } from './fixtures.js';
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

/** An RA agent at the ICB whose assignment starts on `start`. */
async function agentFrom(store: Store, start: string) {
  await store.transaction(async (tx) => {
    await tx.users.insert({
      ...(await tx.users.get(people.agent as never))!,
      uuid: LATE_AGENT as never,
      version: 0,
    });
    await tx.positionAssignments.insert(
      fixtureAssignment('asg-late', LATE_AGENT, { organisation: ICB, position: 'pos-raa', start }),
    );
  });
}

/** Whether the agent of {@link agentFrom} may list the reports at `instant`. */
const actsAt = (store: Store, instant: string) =>
  raAt(store, instant)
    .reports.list(LATE_AGENT)
    .then(
      () => true,
      (e: unknown) => {
        if (e instanceof PolicyDeniedError) return false;
        throw e;
      },
    );

/** The serials and days left of the 7-day certificate report at `instant`. */
async function weekAhead(store: Store, instant: string) {
  const week = await raAt(store, instant).reports.view(people.agent, {
    report: 'certificates-expiring',
    filters: { days: 7 },
  });
  return week.rows.map((r) => [r['serial'], r['daysLeft']]);
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

  it('ROLE-02 at 23:30 GMT it is still the same date: an assignment starting 1 December is not in force at 2026-11-30T23:30Z', async () => {
    const store = await world();
    await agentFrom(store, '2026-12-01');
    expect(await actsAt(store, '2026-11-30T23:30:00.000Z')).toBe(false);
    expect(await actsAt(store, '2026-12-01T00:00:00.000Z')).toBe(true);
  });

  it('ROLE-02 the March clock change: an assignment starting 30 March is in force from 00:00 BST (2026-03-29T23:00Z)', async () => {
    const store = await world();
    await agentFrom(store, '2026-03-30');
    expect(await actsAt(store, '2026-03-29T22:59:00.000Z')).toBe(false);
    expect(await actsAt(store, '2026-03-29T23:00:00.000Z')).toBe(true);
  });

  it('ROLE-02 the October clock change: an assignment starting 26 October is in force from 00:00 GMT, not an hour before', async () => {
    const store = await world();
    await agentFrom(store, '2026-10-26');
    expect(await actsAt(store, '2026-10-25T23:30:00.000Z')).toBe(false); // 23:30 GMT on the 25th
    expect(await actsAt(store, '2026-10-26T00:00:00.000Z')).toBe(true);
  });

  it('REP-01 the October clock change: at 00:30 BST on 25 October the 7-day horizon ends with 1 November (GMT)', async () => {
    const store = await world();
    await store.transaction(async (tx) => {
      await tx.certificates.insert(
        fixtureCertificate('0c1', readers.rivers, '2026-11-01T23:30:00.000Z'),
      );
      await tx.certificates.insert(
        fixtureCertificate('0c2', readers.rivers, '2026-11-02T00:00:00.000Z'),
      );
      await tx.certificates.insert(
        fixtureCertificate('0c3', readers.rivers, '2026-10-31T23:30:00.000Z'),
      );
    });
    // 2026-10-24T23:30Z is 00:30 BST on 25 October: today is the 25th, 7 days on is 1 November.
    expect(await weekAhead(store, '2026-10-24T23:30:00.000Z')).toEqual([
      ['0c3', 6],
      ['0c1', 7],
    ]);
  });

  it('REP-01 the leap day: at 00:30 GMT on 22 February 2028 the 7-day horizon ends with 29 February', async () => {
    const store = await world();
    await store.transaction(async (tx) => {
      await tx.certificates.insert(
        fixtureCertificate('0d1', readers.rivers, '2028-02-29T23:30:00.000Z'),
      );
      await tx.certificates.insert(
        fixtureCertificate('0d2', readers.rivers, '2028-03-01T00:00:00.000Z'),
      );
    });
    expect(await weekAhead(store, '2028-02-22T00:30:00.000Z')).toEqual([['0d1', 7]]);
  });

  it("ASG-03 the leavers' 24 hours across both clock changes: from 00:00 GMT on 29 March, from 00:00 BST on 25 October", async () => {
    const store = await world();
    const leaver = (id: string, leftOn: string): Request => ({
      ...fixtureRequest(id, {
        kind: 'esr-modify-user',
        organisation: PHARMACY,
        requestedBy: 'ESR',
      }),
      subject: readers.brook as Request['subject'] & string,
      payload: { leftOn },
    });
    const overdue = async (instant: string) =>
      new Set(
        (
          await raAt(store, instant).reports.view(people.sponsor, { report: 'leavers-overdue' })
        ).rows.map((r) => r['request']),
      );
    await store.transaction((tx) => tx.requests.insert(leaver('req-march', '2026-03-29')));
    expect(await overdue('2026-03-29T23:59:00.000Z')).toEqual(new Set());
    expect(await overdue('2026-03-30T00:00:00.000Z')).toEqual(new Set(['req-march']));
    const october = await world();
    await october.transaction((tx) => tx.requests.insert(leaver('req-october', '2026-10-25')));
    const overdueOctober = async (instant: string) =>
      new Set(
        (
          await raAt(october, instant).reports.view(people.sponsor, { report: 'leavers-overdue' })
        ).rows.map((r) => r['request']),
      );
    expect(await overdueOctober('2026-10-25T22:59:00.000Z')).toEqual(new Set());
    expect(await overdueOctober('2026-10-25T23:00:00.000Z')).toEqual(new Set(['req-october']));
  });

  it('ID-02 at 00:30 BST on 1 June a proof of address dated 1 June is not in the future; at 23:30 GMT on 30 November one dated 1 December is', async () => {
    const create = (store: Store, instant: string, issuedOn: string, niNumber: string) =>
      raAt(store, instant).users.create(people.agent, {
        ...applicant,
        name: { given: 'Sunny', family: 'Summers' },
        dateOfBirth: '1990-06-01',
        niNumber,
        identityCheck: {
          ...goodCheck,
          documents: goodCheck.documents.map((d) =>
            d.kind === 'proof-of-address' ? { ...d, issuedOn } : d,
          ),
        },
      });
    const summer = await world();
    await expect(
      create(summer, '2026-05-31T23:30:00.000Z', '2026-06-01', 'JG103759A'),
    ).resolves.toMatchObject({ uuid: expect.stringMatching(/^\d{12}$/) });
    const winter = await world();
    const refused = await create(
      winter,
      '2026-11-30T23:30:00.000Z',
      '2026-12-01',
      'CE123456A',
    ).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(ValidationError);
    expect((refused as ValidationError).message).toMatch(/ID-02|after today \(2026-11-30\)/);
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
