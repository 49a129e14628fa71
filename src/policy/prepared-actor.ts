import type { Actor } from './input.js';
import { roleMask } from './roles.js';

const PREPARED = Symbol('careid.preparedActor');

/** Ints per assignment in {@link PreparedActor.grants}: organisation id, flags, start day, end day. */
export const GRANT_STRIDE = 4;
/** Flag bit (above the role bits) marking a locum's assignment (CARD-03). */
export const LOCUM_FLAG = 1 << 16;
/** The end day of an open-ended assignment. */
export const OPEN_END = 0x7fffffff;

const organisationIds = new Map<string, number>();
const organisationCodes: string[] = [];

/**
 * The small integer careid uses for an ODS code in prepared actors and requests; the same
 * code always gets the same id in one process.
 *
 * @example
 * ```ts
 * organisationCode(organisationId('QVV')) // 'QVV'
 * ```
 */
export function organisationId(code: string): number {
  let id = organisationIds.get(code);
  if (id === undefined) {
    id = organisationCodes.length;
    organisationIds.set(code, id);
    organisationCodes.push(code);
  }
  return id;
}

/**
 * The ODS code of an id made by {@link organisationId}.
 *
 * @example
 * ```ts
 * organisationCode(0)
 * ```
 */
export function organisationCode(id: number): string {
  return organisationCodes[id] ?? '';
}

/**
 * Days since 1970-01-01 of a `YYYY-MM-DD` date, so date checks compare integers.
 *
 * @example
 * ```ts
 * dayNumber('1970-01-02') // 1
 * ```
 */
export function dayNumber(date: string): number {
  return Math.floor(
    Date.UTC(+date.slice(0, 4), +date.slice(5, 7) - 1, +date.slice(8, 10)) / 86_400_000,
  );
}

/**
 * A validated actor made ready for fast decisions; build it with `Decider.prepare`. Only
 * the assignments that confer an RA role and are not removed are kept (the others can
 * never grant anything), packed into one integer array.
 */
export interface PreparedActor {
  readonly uuid: string;
  readonly open: boolean;
  /**
   * Per assignment, four ints: organisation id, role mask | flags, start day, end day.
   * The actor's assignments are `grants[from..to)`; a population shares one array.
   */
  readonly grants: Int32Array;
  /** Where the actor's assignments start in `grants`. */
  readonly from: number;
  /** Where they end (exclusive). */
  readonly to: number;
  /** Per kept assignment (in order), the positions its sponsor role may assign (ROLE-03 `S**`). */
  readonly assignable: readonly (readonly string[])[];
}

const NO_GRANTS = new Int32Array(0);
const NONE: readonly (readonly string[])[] = Object.freeze([]);

/**
 * Whether `value` is a prepared actor (made by `Decider.prepare`).
 *
 * @example
 * ```ts
 * isPreparedActor(decider.prepare(actor)) // true
 * ```
 */
export function isPreparedActor(value: unknown): value is PreparedActor {
  return typeof value === 'object' && value !== null && PREPARED in value;
}

/**
 * Turns a validated actor into its fast form.
 *
 * @example
 * ```ts
 * const prepared = prepareValidActor(parseWith(actorSchema, raw, 'actor'));
 * ```
 */
export function prepareValidActor(actor: Actor): PreparedActor {
  return prepareValidActors([actor])[0]!;
}

function kept(actor: Actor) {
  return actor.assignments.filter((a) => !a.removed && a.roles.length > 0);
}

/**
 * Turns validated actors into their fast form, packing all their assignments into one
 * array so that deciding for many of them stays in the CPU's caches.
 *
 * @example
 * ```ts
 * const population = prepareValidActors(actors.map((a) => parseWith(actorSchema, a, 'actor')));
 * ```
 */
export function prepareValidActors(actors: readonly Actor[]): readonly PreparedActor[] {
  const keptByActor = actors.map(kept);
  const total = keptByActor.reduce((n, k) => n + k.length, 0);
  const grants = total === 0 ? NO_GRANTS : new Int32Array(total * GRANT_STRIDE);
  let at = 0;
  return actors.map((actor, index) => {
    const from = at;
    let assignable: (readonly string[])[] | undefined;
    const assignments = keptByActor[index]!;
    assignments.forEach((a, i) => {
      grants[at] = organisationId(a.organisation);
      grants[at + 1] = roleMask(a.roles) | (a.locum ? LOCUM_FLAG : 0);
      grants[at + 2] = dayNumber(a.start);
      grants[at + 3] = a.end === undefined ? OPEN_END : dayNumber(a.end);
      at += GRANT_STRIDE;
      if (a.assignable.length > 0) {
        assignable ??= assignments.map(() => [] as readonly string[]);
        assignable[i] = a.assignable;
      }
    });
    const prepared: PreparedActor & { readonly [PREPARED]: true } = {
      [PREPARED]: true,
      uuid: actor.uuid,
      open: actor.status === 'open',
      grants,
      from,
      to: at,
      assignable: assignable ?? NONE,
    };
    return prepared;
  });
}

/**
 * The roles an actor holds on a day anywhere, as a bit mask (ROLE-02).
 *
 * @example
 * ```ts
 * rolesHeldOn(actor, dayNumber('2026-11-22')) & roleBit.S
 * ```
 */
export function rolesHeldOn(actor: PreparedActor, day: number): number {
  const g = actor.grants;
  let mask = 0;
  for (let i = actor.from; i < actor.to; i += GRANT_STRIDE) {
    if (g[i + 2]! <= day && day < g[i + 3]!) mask |= g[i + 1]!;
  }
  return mask & ~LOCUM_FLAG;
}
