import { dateIn as dateOnClocks, isTimeZone } from '../domain/time-zone.js';
import { ValidationError } from '../errors/validation-error.js';

/** An instant a host may hand in: a Date that holds a time, or text `Date.parse` reads. */
function instantOf(instant: unknown, what: string): string | Date {
  const ok =
    (instant instanceof Date && !Number.isNaN(instant.getTime())) ||
    (typeof instant === 'string' && instant.length <= 64 && !Number.isNaN(Date.parse(instant)));
  if (!ok) {
    throw new ValidationError(what, [
      { field: 'instant', message: 'must be a valid Date or an ISO 8601 instant' },
    ]);
  }
  return instant as string | Date;
}

/**
 * The calendar date (`YYYY-MM-DD`) of an instant on the clocks of `timeZone` (an IANA
 * zone, as a rule pack names it): what the rules mean by "the date" (UK dates in BST and GMT).
 *
 * @throws VALIDATION when the instant is not one or the zone is not an IANA time zone.
 * @example
 * ```ts
 * dateIn('2026-05-31T23:30:00Z', 'Europe/London') // '2026-06-01' (00:30 BST)
 * ```
 */
export function dateIn(instant: string | Date, timeZone: string): string {
  const checked = instantOf(instant, 'dateIn input');
  if (!isTimeZone(timeZone)) {
    throw new ValidationError('dateIn input', [
      { field: 'timeZone', message: 'must be an IANA time zone such as Europe/London' },
    ]);
  }
  return dateOnClocks(checked, timeZone);
}
