/*
 * Calendar dates of instants in a rule pack's time zone (RULES.md, "Dates"): instants are
 * UTC; "the date" a rule speaks of is the date on a clock in the pack's zone
 * (Europe/London: 00:30 BST on 1 June is 2026-05-31T23:30Z). Built on Intl.DateTimeFormat,
 * which every runtime careid supports (Node and browsers) carries with the IANA database,
 * so no dependency and nothing for the browser bundle of careid/policy. No zod here: the
 * policy imports this file.
 */

/** A calendar date, `YYYY-MM-DD` (the domain's `IsoDate` without its brand). */
type DateText = string;

const formatters = new Map<string, Intl.DateTimeFormat>();

/** One formatter per zone (making one costs ~50 µs; using one ~1 µs). */
function formatterFor(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (f === undefined) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    formatters.set(timeZone, f);
  }
  return f;
}

/** The wall-clock fields in `timeZone` at `epochMs` (milliseconds dropped). */
function wallClock(epochMs: number, timeZone: string) {
  const fields = { year: 0, month: 0, day: 0, hour: 0, minute: 0, second: 0 };
  for (const part of formatterFor(timeZone).formatToParts(epochMs)) {
    if (part.type in fields) fields[part.type as keyof typeof fields] = Number(part.value);
  }
  return fields;
}

/** How far the zone's clocks are ahead of UTC at `epochMs`, in milliseconds. */
function offsetAt(epochMs: number, timeZone: string): number {
  const w = wallClock(epochMs, timeZone);
  const asUtc = Date.UTC(w.year, w.month - 1, w.day, w.hour, w.minute, w.second);
  return asUtc - (epochMs - (((epochMs % 1000) + 1000) % 1000));
}

/**
 * The instant at which the wall clock of `timeZone` shows the fields of `wall` (read as
 * UTC milliseconds). A wall time the clocks skip (the spring gap) maps to the instant just
 * after the gap; one they show twice (the autumn hour) to the first.
 */
function instantOfWallTime(wall: number, timeZone: string): number {
  const first = wall - offsetAt(wall, timeZone);
  const second = wall - offsetAt(first, timeZone);
  if (first === second) return first;
  // Two candidates: the offset changed between them. Take the earlier that shows `wall`,
  // else (a gap) the later.
  const earlier = Math.min(first, second);
  const later = Math.max(first, second);
  return earlier + offsetAt(earlier, timeZone) === wall ? earlier : later;
}

const two = (n: number) => (n < 10 ? `0${n}` : String(n));
const four = (n: number) => String(n).padStart(4, '0');

/** Recent answers of {@link dateIn}, by zone then instant (a run asks about few instants). */
const dates = new Map<string, Map<string | number, DateText>>();

/**
 * Whether `timeZone` is a time zone this runtime knows (an IANA name such as
 * `Europe/London`, or `UTC`).
 *
 * @example
 * ```ts
 * isTimeZone('Europe/London') // true
 * isTimeZone('Mars/Olympus') // false
 * ```
 */
export function isTimeZone(timeZone: string): boolean {
  if (typeof timeZone !== 'string' || timeZone.length === 0 || timeZone.length > 64) return false;
  try {
    formatterFor(timeZone);
    return true;
  } catch {
    return false;
  }
}

/**
 * The calendar date of an instant on the clocks of `timeZone`.
 *
 * @throws RangeError for a zone the runtime does not know (packs validate theirs).
 * @example
 * ```ts
 * dateIn('2026-05-31T23:30:00.000Z', 'Europe/London') // '2026-06-01' (00:30 BST)
 * dateIn('2026-12-31T23:30:00.000Z', 'Europe/London') // '2026-12-31' (23:30 GMT)
 * ```
 */
export function dateIn(instant: string | Date, timeZone: string): DateText {
  const key = typeof instant === 'string' ? instant : instant.getTime();
  let byInstant = dates.get(timeZone);
  const known = byInstant?.get(key);
  if (known !== undefined) return known;
  const ms = typeof instant === 'string' ? Date.parse(instant) : instant.getTime();
  const w = wallClock(ms, timeZone);
  const date = `${four(w.year)}-${two(w.month)}-${two(w.day)}`;
  if (byInstant === undefined) {
    byInstant = new Map();
    dates.set(timeZone, byInstant);
  }
  if (byInstant.size >= 256) byInstant.clear();
  byInstant.set(key, date);
  return date;
}

/**
 * The instant a calendar date begins on the clocks of `timeZone` (its local midnight), as
 * milliseconds since the epoch: where a rule counts from "the date" to an instant.
 *
 * @example
 * ```ts
 * new Date(startOfDateIn('2026-06-01', 'Europe/London')).toISOString() // '2026-05-31T23:00:00.000Z'
 * ```
 */
export function startOfDateIn(date: string, timeZone: string): number {
  const wall = Date.UTC(+date.slice(0, 4), +date.slice(5, 7) - 1, +date.slice(8, 10));
  return instantOfWallTime(wall, timeZone);
}

/**
 * The instant `years` calendar years after `instant` on the clocks of `timeZone`: the same
 * wall-clock time on the same day of the month, 29 February becoming 28 February in a
 * year without one (CARD-04).
 *
 * @example
 * ```ts
 * addYearsIn(new Date('2028-02-29T10:00:00Z'), 3, 'Europe/London').toISOString() // '2031-02-28T10:00:00.000Z'
 * ```
 */
export function addYearsIn(instant: Date, years: number, timeZone: string): Date {
  const ms = instant.getTime();
  const w = wallClock(ms, timeZone);
  const year = w.year + years;
  const lastDay = new Date(Date.UTC(year, w.month, 0)).getUTCDate();
  const wall = Date.UTC(
    year,
    w.month - 1,
    Math.min(w.day, lastDay),
    w.hour,
    w.minute,
    w.second,
    ((ms % 1000) + 1000) % 1000,
  );
  return new Date(instantOfWallTime(wall, timeZone));
}
