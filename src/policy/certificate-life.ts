import { addYearsIn } from '../domain/time-zone.js';
import type { RulePack } from './packs/schema.js';

/**
 * CARD-04: when a card certificate issued at `now` ends: the pack's certificate life in
 * calendar years from the issue date on the pack's clocks, at the same time of day (issued
 * on 29 February, it ends on 28 February). The RA gives this to the CA with every issue
 * and renewal, so the pack is the one setting of certificate life.
 *
 * @example
 * ```ts
 * certificateNotAfter(nationalPack, new Date('2028-02-29T09:00:00Z')) // 2031-02-28T09:00:00.000Z
 * ```
 */
export function certificateNotAfter(pack: RulePack, now: Date): Date {
  return addYearsIn(now, pack.certificateLifeYears, pack.timeZone);
}
