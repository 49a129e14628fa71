import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  addMonths,
  type IsoDate,
  isoDateSchema,
  isoDateTimeSchema,
} from '../../src/domain/index.js';

/*
 * The calendar arithmetic is done on the digits (no Date objects, for speed). These
 * properties hold it to what Date answers, over the years dates are written in.
 */

/** What the Date-based check answered: `YYYY-MM-DD` naming a real day, years from 100. */
function dateSays(value: string): boolean {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
  if (!m) return false;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const date = new Date(Date.UTC(y, mo - 1, d));
  return date.getUTCFullYear() === y && date.getUTCMonth() === mo - 1 && date.getUTCDate() === d;
}

/** addMonths as Date computes it: the same day-of-month, clamped to the month's last day. */
function dateAddMonths(date: string, months: number): string {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  const target = new Date(Date.UTC(2000, 0, 1));
  target.setUTCFullYear(y, m - 1 + months, 1);
  const last = new Date(target);
  last.setUTCMonth(last.getUTCMonth() + 1, 0);
  target.setUTCDate(Math.min(d, last.getUTCDate()));
  return target.toISOString().slice(0, 10);
}

const digits = (n: number) =>
  fc.integer({ min: 0, max: 10 ** n - 1 }).map((v) => String(v).padStart(n, '0'));
const dateText = fc.tuple(digits(4), digits(2), digits(2)).map(([y, m, d]) => `${y}-${m}-${d}`);
const realDate = fc
  .date({
    min: new Date('0100-01-01T00:00:00Z'),
    max: new Date('9899-12-31T00:00:00Z'),
    noInvalidDate: true,
  })
  .map((d) => d.toISOString().slice(0, 10));

describe('calendar dates (ASG-01, ID-02, CARD-05)', () => {
  it('ASG-01 a date is valid exactly when Date says it names that day (leap years, 31st of short months, month 00 and 13)', () => {
    fc.assert(
      fc.property(fc.oneof(dateText, realDate), (text) => {
        expect(isoDateSchema.safeParse(text).success).toBe(dateSays(text));
      }),
      { numRuns: 20_000 },
    );
    for (const [text, valid] of [
      ['2028-02-29', true],
      ['2026-02-29', false],
      ['2000-02-29', true],
      ['1900-02-29', false],
      ['2026-04-31', false],
      ['2026-00-10', false],
      ['2026-13-01', false],
      ['0050-01-01', false],
      ['2026-1-01', false],
    ] as const) {
      expect(isoDateSchema.safeParse(text).success, text).toBe(valid);
    }
  });

  it('ID-02 CARD-05 addMonths moves by calendar months as Date does, clamped to the last day (31 August - 6 months = 28 February)', () => {
    fc.assert(
      fc.property(realDate, fc.integer({ min: -1200, max: 1200 }), (date, months) => {
        expect(addMonths(date as IsoDate, months)).toBe(dateAddMonths(date, months));
      }),
      { numRuns: 20_000 },
    );
    expect(addMonths('2026-08-31' as IsoDate, -6)).toBe('2026-02-28');
    expect(addMonths('2028-03-31' as IsoDate, -1)).toBe('2028-02-29');
    expect(addMonths('2026-12-15' as IsoDate, 1)).toBe('2027-01-15');
  });

  it('AUD-01 an instant is written as toISOString writes it, whatever its precision (text already in that form kept as is)', () => {
    fc.assert(
      fc.property(
        fc.date({
          min: new Date('0001-01-01T00:00:00Z'),
          max: new Date('9999-12-31T23:59:59Z'),
          noInvalidDate: true,
        }),
        fc.constantFrom('ms', 's', 'us'),
        (date, precision) => {
          const iso = date.toISOString();
          const text =
            precision === 'ms'
              ? iso
              : precision === 's'
                ? `${iso.slice(0, 19)}Z`
                : `${iso.slice(0, 23)}456Z`;
          expect(isoDateTimeSchema.parse(text)).toBe(new Date(text).toISOString());
        },
      ),
      { numRuns: 10_000 },
    );
    expect(isoDateTimeSchema.safeParse('2026-02-30T10:00:00.000Z').success).toBe(false);
  });
});
