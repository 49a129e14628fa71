import { describe, expect, it } from 'vitest';
import { addYearsIn, dateIn, startOfDateIn } from '../../src/domain/time-zone.js';
import { ValidationError } from '../../src/errors/validation-error.js';
import { derivePack, dorsetPack, nationalPack } from '../../src/policy/index.js';
import { actorWith, decideFor, ICB } from './helpers.js';

/*
 * RULES.md "Dates": a rule's date is the date on the pack's clocks (Europe/London for the
 * national and dorset packs); instants stay UTC. 2026's clocks go forward at 01:00 UTC on
 * Sunday 29 March and back at 01:00 UTC on Sunday 25 October.
 */

/** Whether an RAA whose assignment has these dates may unlock a card at `at`. */
const unlockAt = (at: string, start: string, end?: string, pack = nationalPack) =>
  decideFor(
    actorWith(['RAA'], ICB, { start, ...(end ? { end } : {}) }),
    'smartcard.unlock',
    (r) => ({ ...r, at }),
    pack,
  ).allowed;

describe('RULES.md dates: the pack time zone', () => {
  it('the national and dorset packs name Europe/London; a pack zone is validated as IANA', () => {
    expect(nationalPack.timeZone).toBe('Europe/London');
    expect(dorsetPack.timeZone).toBe('Europe/London');
    expect(derivePack(nationalPack, { id: 'utc', name: 'UTC', timeZone: 'UTC' }).timeZone).toBe(
      'UTC',
    );
    let error: unknown;
    try {
      derivePack(nationalPack, { id: 'mars', name: 'Mars', timeZone: 'Mars/Olympus' });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).issues[0]).toMatchObject({ field: 'timeZone' });
    expect((error as ValidationError).message).toMatch(/IANA time zone/);
  });

  it('dateIn, startOfDateIn and addYearsIn follow both 2026 clock changes and the leap day', () => {
    const z = 'Europe/London';
    expect(dateIn('2026-03-29T00:59:59.000Z', z)).toBe('2026-03-29');
    expect(dateIn('2026-03-29T23:00:00.000Z', z)).toBe('2026-03-30');
    expect(dateIn('2026-03-28T23:30:00.000Z', z)).toBe('2026-03-28');
    expect(dateIn('2026-10-24T23:00:00.000Z', z)).toBe('2026-10-25');
    expect(dateIn('2026-10-25T23:30:00.000Z', z)).toBe('2026-10-25');
    expect(new Date(startOfDateIn('2026-03-30', z)).toISOString()).toBe('2026-03-29T23:00:00.000Z');
    expect(new Date(startOfDateIn('2026-10-26', z)).toISOString()).toBe('2026-10-26T00:00:00.000Z');
    expect(dateIn('2028-02-28T23:30:00.000Z', z)).toBe('2028-02-28');
    expect(addYearsIn(new Date('2028-02-29T09:00:00Z'), 3, z).toISOString()).toBe(
      '2031-02-28T09:00:00.000Z',
    );
    // 00:30 BST on 1 June 2026 plus 3 years is 00:30 BST on 1 June 2029.
    expect(addYearsIn(new Date('2026-05-31T23:30:00Z'), 3, z).toISOString()).toBe(
      '2029-05-31T23:30:00.000Z',
    );
  });
});

describe('ROLE-02/ASG-02 assignment dates in Europe/London', () => {
  it('ROLE-02 an assignment starting 1 June is in force at 00:30 BST (2026-05-31T23:30Z), not at 23:59 BST the day before', () => {
    expect(unlockAt('2026-05-31T23:30:00.000Z', '2026-06-01')).toBe(true);
    expect(unlockAt('2026-05-31T22:59:59.000Z', '2026-06-01')).toBe(false);
    // A pack in UTC reads the same instant as 31 May.
    const utc = derivePack(nationalPack, { id: 'utc', name: 'UTC', timeZone: 'UTC' });
    expect(unlockAt('2026-05-31T23:30:00.000Z', '2026-06-01', undefined, utc)).toBe(false);
  });

  it('ASG-02 at 23:30 GMT an assignment ending the next day is still in force', () => {
    expect(unlockAt('2026-11-30T23:30:00.000Z', '2026-01-01', '2026-12-01')).toBe(true);
    expect(unlockAt('2026-12-01T00:00:00.000Z', '2026-01-01', '2026-12-01')).toBe(false);
  });

  it('ROLE-02 the March clock change: midnight of 30 March is 23:00 UTC on the 29th', () => {
    expect(unlockAt('2026-03-28T23:30:00.000Z', '2026-03-29')).toBe(false); // 23:30 GMT, 28th
    expect(unlockAt('2026-03-29T00:00:00.000Z', '2026-03-29')).toBe(true); // 00:00 GMT, 29th
    expect(unlockAt('2026-03-29T22:59:59.000Z', '2026-03-30')).toBe(false); // 23:59 BST, 29th
    expect(unlockAt('2026-03-29T23:00:00.000Z', '2026-03-30')).toBe(true); // 00:00 BST, 30th
  });

  it('ROLE-02 the October clock change: 25 October starts at 23:00 UTC on the 24th, 26 October at 00:00 UTC', () => {
    expect(unlockAt('2026-10-24T22:59:59.000Z', '2026-10-25')).toBe(false);
    expect(unlockAt('2026-10-24T23:00:00.000Z', '2026-10-25')).toBe(true);
    expect(unlockAt('2026-10-25T23:59:59.000Z', '2026-10-26')).toBe(false); // 23:59 GMT, 25th
    expect(unlockAt('2026-10-26T00:00:00.000Z', '2026-10-26')).toBe(true);
  });

  it('ROLE-02 the leap day: an assignment starting 29 February 2028', () => {
    expect(unlockAt('2028-02-28T23:59:59.000Z', '2028-02-29')).toBe(false);
    expect(unlockAt('2028-02-29T00:00:00.000Z', '2028-02-29')).toBe(true);
    expect(unlockAt('2028-02-29T23:59:59.000Z', '2026-01-01', '2028-03-01')).toBe(true);
  });

  it('ASG-01 an assignment starting 1 June has started at 00:30 BST: its start is locked', () => {
    const edit = (at: string) =>
      decideFor(actorWith(['RAA']), 'assignment.edit-dates', (r) => ({
        ...r,
        at,
        target: { ...r.target, assignment: { start: '2026-06-01' } },
        facts: { ...r.facts, changesStart: true },
      }));
    expect(edit('2026-05-31T22:30:00.000Z').allowed).toBe(true);
    const locked = edit('2026-05-31T23:30:00.000Z');
    expect(locked.allowed).toBe(false);
    expect(locked.reasons[0]).toMatchObject({ rule: 'ASG-01', code: 'START_LOCKED' });
  });
});

describe('CARD-05/CARD-06 expiry dates in Europe/London', () => {
  const renew =
    (activity: 'smartcard.renew-before-expiry' | 'smartcard.renew-after-expiry') =>
    (at: string, expiresOn: string) =>
      decideFor(actorWith(['RAA']), activity, (r) => ({
        ...r,
        at,
        target: {
          ...r.target,
          card: { serial: '2112345678', status: 'issued', certificatesExpireOn: expiresOn },
        },
      }));
  const beforeExpiry = renew('smartcard.renew-before-expiry');
  const afterExpiry = renew('smartcard.renew-after-expiry');

  it('CARD-05 the 90-day window before a leap-day expiry opens on 1 December 2027 (GMT)', () => {
    const early = beforeExpiry('2027-11-30T23:30:00.000Z', '2028-02-29');
    expect(early.reasons[0]).toMatchObject({ rule: 'CARD-05', code: 'NOT_IN_RENEWAL_WINDOW' });
    expect(beforeExpiry('2027-12-01T00:00:00.000Z', '2028-02-29').allowed).toBe(true);
  });

  it('CARD-05/CARD-06 certificates expiring on 1 June have expired at 00:30 BST that day', () => {
    expect(beforeExpiry('2026-05-31T22:30:00.000Z', '2026-06-01').allowed).toBe(true);
    const expired = beforeExpiry('2026-05-31T23:30:00.000Z', '2026-06-01');
    expect(expired.reasons[0]).toMatchObject({ rule: 'CARD-05', code: 'CERTIFICATES_EXPIRED' });
    expect(afterExpiry('2026-05-31T23:30:00.000Z', '2026-06-01').allowed).toBe(true);
    expect(afterExpiry('2026-05-31T22:30:00.000Z', '2026-06-01').reasons[0]).toMatchObject({
      rule: 'CARD-06',
      code: 'NOT_EXPIRED',
    });
  });
});
