import type { IsoDate } from '../domain/dates.js';
import type { Actor } from './input.js';
import { roleMask } from './roles.js';

/** One actor assignment with its roles as a bit mask. */
export interface PreparedAssignment {
  readonly organisation: string;
  readonly roleMask: number;
  readonly start: IsoDate;
  readonly end: IsoDate | undefined;
  readonly removed: boolean;
  readonly assignable: readonly string[];
  readonly locum: boolean;
  readonly position: string | undefined;
}

/** A validated actor made ready for fast decisions; build it with `Decider.prepare`. */
export interface PreparedActor {
  readonly uuid: string;
  readonly open: boolean;
  readonly assignments: readonly PreparedAssignment[];
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
  return {
    uuid: actor.uuid,
    open: actor.status === 'open',
    assignments: actor.assignments.map((a) => ({
      organisation: a.organisation,
      roleMask: roleMask(a.roles),
      start: a.start,
      end: a.end,
      removed: a.removed,
      assignable: a.assignable,
      locum: a.locum,
      position: a.position,
    })),
  };
}

/**
 * The roles an actor holds on a date anywhere, as a bit mask (ROLE-02).
 *
 * @example
 * ```ts
 * rolesHeldOn(actor, today) & roleBit.S
 * ```
 */
export function rolesHeldOn(actor: PreparedActor, date: string): number {
  let mask = 0;
  for (const a of actor.assignments) {
    if (!a.removed && a.start <= date && (a.end === undefined || date < a.end)) mask |= a.roleMask;
  }
  return mask;
}
