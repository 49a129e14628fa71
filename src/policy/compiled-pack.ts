import {
  type ActorFact,
  type Condition,
  conditions,
  type PersonField,
  personAt,
} from './conditions.js';
import { activitySchema } from './input.js';
import {
  type ActivityId,
  type ActivityRow,
  type AllUsersScope,
  activityMatrix,
  type Grant,
} from './matrix.js';
import { toValidPack } from './packs/registry.js';
import type { RulePack } from './packs/schema.js';
import { parseInput } from './parse.js';
import { type RaRole, raRoles, roleBit } from './roles.js';

/** One activity with its grants as bit masks, after the pack's changes. */
export interface CompiledActivity {
  readonly id: ActivityId;
  readonly row: ActivityRow;
  /** The activity as a sentence says it ("unlock a smartcard"). */
  readonly action: string;
  readonly grants: Readonly<Partial<Record<RaRole, Grant>>>;
  /** The row's "All users" scope, copied here so the hot path reads one object shape. */
  readonly allUsers: AllUsersScope | undefined;
  readonly anyMask: number;
  readonly directMask: number;
  readonly viaRequestMask: number;
  readonly assignableMask: number;
  /** The conditions that apply to it (`Condition.activities`). */
  readonly conditions: readonly Condition[];
  /** What each of them reads about the actor under this pack (`Condition.reads`). */
  readonly readsOf: ReadonlyMap<Condition, readonly ActorFact[]>;
  /** The person fields they read, in a fixed order: the bits of a decision key. */
  readonly people: readonly PersonField[];
  /** How to read each person field of a request. */
  readonly personAt: typeof personAt;
  /** Whether a condition reads the roles the actor holds (then they are part of a decision key). */
  readonly readsRoles: boolean;
}

/** A rule pack made ready for fast decisions. */
export interface CompiledPack {
  readonly pack: RulePack;
  readonly activities: ReadonlyMap<ActivityId, CompiledActivity>;
}

const cache = new WeakMap<RulePack, CompiledPack>();
const PERSON_FIELDS = Object.keys(personAt) as PersonField[];

function actionOf(row: ActivityRow): string {
  return row.action ?? row.title.charAt(0).toLowerCase() + row.title.slice(1);
}

/**
 * The grants of one activity under a pack: the matrix row with the pack's changes.
 *
 * @throws VALIDATION for an unknown activity or a pack that is not valid.
 *
 * @example
 * ```ts
 * effectiveGrants(dorsetPack, 'user.create') // { RAM: 'direct', RAAA: 'direct', RAA: 'direct' }
 * ```
 */
export function effectiveGrants(
  pack: RulePack,
  id: ActivityId,
): Readonly<Partial<Record<RaRole, Grant>>> {
  const row = activityMatrix.find((r) => r.id === id);
  if (row === undefined) parseInput(activitySchema, id, 'activity');
  const changes = toValidPack(pack).grants[id];
  if (!changes) return (row as ActivityRow).roles;
  const grants: Partial<Record<RaRole, Grant>> = { ...(row as ActivityRow).roles };
  for (const role of raRoles) {
    const change = changes[role];
    if (change === null) delete grants[role];
    else if (change !== undefined) grants[role] = change;
  }
  return grants;
}

/**
 * Compiles a pack once (cached per pack object): every activity's grants as bit masks.
 *
 * @example
 * ```ts
 * const compiled = compilePack(nationalPack);
 * ```
 */
export function compilePack(pack: RulePack): CompiledPack {
  const cached = cache.get(pack);
  if (cached) return cached;
  const activities = new Map<ActivityId, CompiledActivity>();
  for (const row of activityMatrix as readonly ActivityRow[]) {
    const id = row.id as ActivityId;
    const grants = effectiveGrants(pack, id);
    let anyMask = 0;
    let directMask = 0;
    let viaRequestMask = 0;
    let assignableMask = 0;
    for (const role of raRoles) {
      const grant = grants[role];
      if (!grant) continue;
      anyMask |= roleBit[role];
      if (grant === 'direct') directMask |= roleBit[role];
      else if (grant === 'via-request') viaRequestMask |= roleBit[role];
      else assignableMask |= roleBit[role];
    }
    const applicable = conditions.filter((c) =>
      c.activities === 'role-granted' ? row.allUsers === undefined : c.activities.includes(id),
    );
    const readsOf = new Map(applicable.map((c) => [c, c.reads(pack)] as const));
    const facts = new Set([...readsOf.values()].flat());
    activities.set(id, {
      id,
      row,
      action: actionOf(row),
      grants,
      allUsers: row.allUsers,
      anyMask,
      directMask,
      viaRequestMask,
      assignableMask,
      conditions: applicable,
      readsOf,
      people: PERSON_FIELDS.filter((field) => facts.has(field)),
      personAt,
      readsRoles: facts.has('rolesHeld'),
    });
  }
  const compiled = { pack, activities };
  cache.set(pack, compiled);
  return compiled;
}
