import { addYearsIn } from '../domain/time-zone.js';
import { ValidationError } from '../errors/validation-error.js';
import { toValidPack } from './packs/registry.js';
import type { RulePack } from './packs/schema.js';

/**
 * CARD-04: when a card certificate issued at `now` ends: the pack's certificate life in
 * calendar years from the issue date on the pack's clocks, at the same time of day (issued
 * on 29 February, it ends on 28 February). The RA gives this to the CA with every issue
 * and renewal, so the pack is the one setting of certificate life.
 *
 * @throws VALIDATION when the pack is not valid or `now` is not a valid Date.
 * @example
 * ```ts
 * certificateNotAfter(nationalPack, new Date('2028-02-29T09:00:00Z')) // 2031-02-28T09:00:00.000Z
 * ```
 */
export function certificateNotAfter(pack: RulePack, now: Date): Date {
  const valid = toValidPack(pack);
  // Years 1 to 9999: the calendar arithmetic beyond them leaves the Date range.
  const year = now instanceof Date ? now.getUTCFullYear() : Number.NaN;
  if (!(year >= 1 && year <= 9999)) {
    throw new ValidationError('certificateNotAfter input', [
      { field: 'now', message: 'must be a valid Date in the years 1 to 9999' },
    ]);
  }
  return addYearsIn(now, valid.certificateLifeYears, valid.timeZone);
}
