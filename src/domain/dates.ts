import { z } from 'zod';

const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;

/*
 * Calendar arithmetic on the digits, without Date objects: every date of every command,
 * record and identity check passes through here, and the Date-based forms were 3 % of a
 * `user.create` on SQLite (CPU profile, bench/ra). A test compares them with Date's answers.
 */

/** Days in month `month` (1-12) of `year` (proleptic Gregorian, as Date counts). */
function daysInMonth(year: number, month: number): number {
  if (month === 2) return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28;
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}

/** Whether `value` is `YYYY-MM-DD` naming a real day, in the years 0100 to 9999. */
function isCalendarDate(value: string): boolean {
  if (!ISO_DATE.test(value)) return false;
  const y = Number(value.slice(0, 4));
  const mo = Number(value.slice(5, 7));
  const d = Number(value.slice(8, 10));
  // Years before 100 were refused by the Date-based check (Date.UTC reads them as 19xx).
  return y >= 100 && mo >= 1 && mo <= 12 && d >= 1 && d <= daysInMonth(y, mo);
}

const pad = (n: number, width: number) => String(n).padStart(width, '0');

/** An instant as toISOString writes it (years 0000 to 9999). */
const CANONICAL_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

/**
 * A calendar date, `YYYY-MM-DD`. Assignment dates are calendar dates; ISO strings compare
 * correctly as strings, which keeps the policy engine's date checks cheap.
 */
export const isoDateSchema = z
  .string()
  .refine(isCalendarDate, { message: 'must be a calendar date written YYYY-MM-DD' })
  .brand<'IsoDate'>();

/** A calendar date, `YYYY-MM-DD`. */
export type IsoDate = z.infer<typeof isoDateSchema>;

/**
 * An instant in UTC, ISO 8601 with a `Z` offset, normalised to milliseconds
 * (`2026-11-22T09:30:00.000Z`) so that instants compare and sort correctly as strings.
 */
export const isoDateTimeSchema = z.iso
  .datetime({ offset: false })
  // Text already in careid's form (milliseconds, Z) is kept: what toISOString would give
  // back, without a Date per instant (every record and audit event carries one or two).
  .transform((text) => (CANONICAL_INSTANT.test(text) ? text : new Date(text).toISOString()))
  .brand<'IsoDateTime'>();

/** An instant in UTC, ISO 8601. */
export type IsoDateTime = z.infer<typeof isoDateTimeSchema>;

/**
 * The UTC calendar date of an instant. Rules take dates in their pack's time zone
 * instead: see `dateIn(instant, pack.timeZone)`.
 *
 * @example
 * ```ts
 * dateOf('2026-11-22T23:59:00.000Z' as IsoDateTime) // '2026-11-22'
 * ```
 */
export function dateOf(instant: IsoDateTime | Date): IsoDate {
  const text = typeof instant === 'string' ? instant : instant.toISOString();
  return text.slice(0, 10) as IsoDate;
}

/**
 * The instant as careid writes it.
 *
 * @example
 * ```ts
 * toIsoDateTime(new Date(0)) // '1970-01-01T00:00:00.000Z'
 * ```
 */
export function toIsoDateTime(instant: Date): IsoDateTime {
  return instant.toISOString() as IsoDateTime;
}

/**
 * `date` moved by `days` calendar days (negative moves back).
 *
 * @example
 * ```ts
 * addDays('2026-02-27' as IsoDate, 2) // '2026-03-01'
 * ```
 */
export function addDays(date: IsoDate, days: number): IsoDate {
  const d = new Date(`${date}T00:00:00.000Z`);
  d.setUTCDate(d.getUTCDate() + days);
  return d.toISOString().slice(0, 10) as IsoDate;
}

/**
 * `date` moved by `months` calendar months, clamped to the month's last day.
 *
 * @example
 * ```ts
 * addMonths('2026-08-31' as IsoDate, -6) // '2026-02-28'
 * ```
 */
export function addMonths(date: IsoDate, months: number): IsoDate {
  const months0 = Number(date.slice(0, 4)) * 12 + Number(date.slice(5, 7)) - 1 + months;
  const year = Math.floor(months0 / 12);
  const month = months0 - year * 12 + 1;
  const day = Math.min(Number(date.slice(8, 10)), daysInMonth(year, month));
  return `${pad(year, 4)}-${pad(month, 2)}-${pad(day, 2)}` as IsoDate;
}

/**
 * Whole days from `from` to `to` (positive when `to` is later).
 *
 * @example
 * ```ts
 * daysBetween('2026-01-01' as IsoDate, '2026-01-31' as IsoDate) // 30
 * ```
 */
export function daysBetween(from: IsoDate, to: IsoDate): number {
  return Math.round((Date.parse(to) - Date.parse(from)) / 86_400_000);
}

/**
 * The instant `minutes` after `instant`.
 *
 * @example
 * ```ts
 * addMinutes('2026-11-22T09:00:00.000Z' as IsoDateTime, 15) // '2026-11-22T09:15:00.000Z'
 * ```
 */
export function addMinutes(instant: IsoDateTime, minutes: number): IsoDateTime {
  return new Date(Date.parse(instant) + minutes * 60_000).toISOString() as IsoDateTime;
}
