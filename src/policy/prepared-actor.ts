import type { Actor } from './input.js';
import { dayNumber } from './primitives.js';
import { maskOf } from './roles.js';

export { dayNumber } from './primitives.js';

const PREPARED = Symbol('careid.preparedActor');

/** Ints per assignment in {@link ActorPlan.grants}: organisation id, flags, start day, end day. */
export const GRANT_STRIDE = 4;
/** Flag bit (above the role bits) marking a locum's assignment (CARD-03). */
export const LOCUM_FLAG = 1 << 16;
/** Flag bit marking an assignment that names its position's job role (a pharmacist's, maybe). */
export const JOB_ROLE_FLAG = 1 << 17;
/** The end day of an open-ended assignment. */
export const OPEN_END = 0x7fffffff;

const organisationIds = new Map<string, number>();
const organisationCodes: string[] = [];

/** The small integer careid uses for an ODS code inside the engine; stable within a process. */
export function organisationId(code: string): number {
  let id = organisationIds.get(code);
  if (id === undefined) {
    id = organisationCodes.length;
    organisationIds.set(code, id);
    organisationCodes.push(code);
  }
  return id;
}

/** The ODS code of an id made by {@link organisationId}. */
export function organisationCode(id: number): string {
  return organisationCodes[id] ?? '';
}

/**
 * A validated actor made ready for fast decisions; build it with `Decider.prepare` (or
 * `Decider.prepareAll`). Opaque: only its UUID is public.
 */
export interface PreparedActor {
  /** The actor's UUID (ID-05). */
  readonly uuid: string;
}

/**
 * The engine's view of a prepared actor (internal). Only the assignments that confer an RA
 * role and are not removed are kept (the others can never grant anything), packed into one
 * integer array.
 */
export interface ActorPlan extends PreparedActor {
  readonly open: boolean;
  /** The roles (and locum flag) of every kept assignment, any date, anywhere: a cheap first test. */
  readonly union: number;
  /**
   * Per assignment, four ints: organisation id, role mask | flags, start day, end day.
   * The actor's assignments are `grants[from..to)`; actors prepared together share one array.
   */
  readonly grants: Int32Array;
  readonly from: number;
  readonly to: number;
  /** Per kept assignment (in order), the positions its sponsor role may assign (ROLE-03 `S**`). */
  readonly assignable: readonly (readonly string[])[];
  /** Per kept assignment (in order), its position's job-role code, when given (CARD-03 pharmacists). */
  readonly jobRoles: readonly (string | undefined)[];
}

const NO_GRANTS = new Int32Array(0);
const NONE: readonly (readonly string[])[] = Object.freeze([]);
const NONE_JOB_ROLES: readonly (string | undefined)[] = Object.freeze([]);

/** Whether `value` is an actor prepared by this module (`Decider.prepare`). */
export function isActorPlan(value: unknown): value is ActorPlan {
  return typeof value === 'object' && value !== null && PREPARED in value;
}

function kept(actor: Actor) {
  return actor.assignments.filter(
    (a) => !a.removed && (a.roles.length > 0 || a.jobRole !== undefined),
  );
}

/** Turns one validated actor into its fast form. */
export function prepareValidActor(actor: Actor): ActorPlan {
  return prepareValidActors([actor])[0]!;
}

/**
 * Turns validated actors into their fast form, packing all their assignments into one
 * array so that deciding for many of them stays in the CPU's caches.
 */
export function prepareValidActors(actors: readonly Actor[]): readonly ActorPlan[] {
  const keptByActor = actors.map(kept);
  const total = keptByActor.reduce((n, k) => n + k.length, 0);
  const grants = total === 0 ? NO_GRANTS : new Int32Array(total * GRANT_STRIDE);
  let at = 0;
  return actors.map((actor, index) => {
    const from = at;
    let union = 0;
    let assignable: (readonly string[])[] | undefined;
    let jobRoles: (string | undefined)[] | undefined;
    const assignments = keptByActor[index]!;
    assignments.forEach((a, i) => {
      const flags =
        maskOf(a.roles) |
        (a.locum ? LOCUM_FLAG : 0) |
        (a.jobRole !== undefined ? JOB_ROLE_FLAG : 0);
      grants[at] = organisationId(a.organisation);
      grants[at + 1] = flags;
      grants[at + 2] = dayNumber(a.start);
      grants[at + 3] = a.end === undefined ? OPEN_END : dayNumber(a.end);
      union |= flags;
      at += GRANT_STRIDE;
      if (a.assignable.length > 0) {
        assignable ??= assignments.map(() => [] as readonly string[]);
        assignable[i] = a.assignable;
      }
      if (a.jobRole !== undefined) {
        jobRoles ??= assignments.map(() => undefined);
        jobRoles[i] = a.jobRole;
      }
    });
    const prepared: ActorPlan & { readonly [PREPARED]: true } = {
      [PREPARED]: true,
      uuid: actor.uuid,
      open: actor.status === 'open',
      union,
      grants,
      from,
      to: at,
      assignable: assignable ?? NONE,
      jobRoles: jobRoles ?? NONE_JOB_ROLES,
    };
    return prepared;
  });
}

/** The RA roles an actor holds on a day anywhere, as a bit mask (ROLE-02). */
export function rolesHeldOn(actor: ActorPlan, day: number): number {
  const g = actor.grants;
  let mask = 0;
  for (let i = actor.from; i < actor.to; i += GRANT_STRIDE) {
    if (g[i + 2]! <= day && day < g[i + 3]!) mask |= g[i + 1]!;
  }
  return mask & ~(LOCUM_FLAG | JOB_ROLE_FLAG);
}
