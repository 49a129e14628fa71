import type { PositionAssignment } from './assignment.js';
import { addDays, type IsoDate, type IsoDateTime } from './dates.js';
import type { OdsCode } from './ods-code.js';
import type { Organisation } from './organisation.js';
import type { Request } from './request.js';
import { dateIn, startOfDateIn } from './time-zone.js';
import type { Uuid } from './uuid.js';

/**
 * ASG-03: a leaver's assignments at an organisation still in force when the grace period
 * after the leaving date has passed: the leavers report lists these as overdue. The grace
 * period runs from the start of the leaving date in `timeZone` (the pack's).
 *
 * @example
 * ```ts
 * overdueLeaverAssignments(assignments, { organisation: 'FA123', leftOn, now, graceHours: 24, timeZone: 'Europe/London' })
 * ```
 */
export function overdueLeaverAssignments(
  assignments: readonly PositionAssignment[],
  leaver: {
    readonly organisation: OdsCode;
    readonly leftOn: IsoDate;
    readonly now: IsoDateTime;
    readonly graceHours: number;
    /** The pack's time zone, whose midnight starts the leaving date. */
    readonly timeZone: string;
  },
): readonly PositionAssignment[] {
  const deadline = startOfDateIn(leaver.leftOn, leaver.timeZone) + leaver.graceHours * 3_600_000;
  if (Date.parse(leaver.now) < deadline) return [];
  return assignments.filter(
    (a) =>
      a.organisation === leaver.organisation &&
      a.removed === undefined &&
      (a.end === undefined || a.end > leaver.leftOn),
  );
}

/**
 * REQ-04: whether a request belongs in the default listing: open, or closed on a date (in
 * `timeZone`, the pack's) fewer than `days` days before `today` (after that only in the
 * history).
 *
 * @example
 * ```ts
 * requests.filter((r) => inDefaultListing(r, today, pack.closedRequestListingDays, pack.timeZone))
 * ```
 */
export function inDefaultListing(
  request: Request,
  today: IsoDate,
  days: number,
  timeZone: string,
): boolean {
  if (request.state === 'open') return true;
  const closedOn = dateIn(request.decision?.at ?? request.createdAt, timeZone);
  return closedOn >= addDays(today, -days);
}

/** An organisation short of people acting as sponsor or RA agent (ORG-01). */
export interface OrganisationShortfall {
  readonly odsCode: OdsCode;
  readonly people: number;
  readonly hasSponsor: boolean;
}

/**
 * ORG-01 (dorset): every pharmacy needs a sponsor and `minimum` people acting as sponsor
 * or RA agent; the pharmacies that fall short, for the report. `holders` lists, per
 * person, the pharmacy and whether they act as sponsor or agent there on the day.
 *
 * @example
 * ```ts
 * pharmaciesShortOfSponsors(organisations, holders, 2)
 * ```
 */
export function pharmaciesShortOfSponsors(
  organisations: readonly Organisation[],
  holders: readonly {
    readonly uuid: Uuid;
    readonly organisation: OdsCode;
    readonly sponsor: boolean;
    readonly agent: boolean;
  }[],
  minimum: number,
): readonly OrganisationShortfall[] {
  const short: OrganisationShortfall[] = [];
  for (const org of organisations) {
    if (org.kind !== 'pharmacy' || org.status !== 'open') continue;
    const here = holders.filter((h) => h.organisation === org.odsCode && (h.sponsor || h.agent));
    const people = new Set(here.map((h) => h.uuid)).size;
    const hasSponsor = here.some((h) => h.sponsor);
    if (people < minimum || !hasSponsor) short.push({ odsCode: org.odsCode, people, hasSponsor });
  }
  return short;
}
