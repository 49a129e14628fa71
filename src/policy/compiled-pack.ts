import {
  type ActivityId,
  type ActivityRow,
  type AllUsersScope,
  activityMatrix,
  type Grant,
} from './matrix.js';
import type { RulePack } from './packs/schema.js';
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
}

/** A rule pack made ready for fast decisions. */
export interface CompiledPack {
  readonly pack: RulePack;
  readonly activities: ReadonlyMap<ActivityId, CompiledActivity>;
}

const cache = new WeakMap<RulePack, CompiledPack>();

function actionOf(row: ActivityRow): string {
  return row.action ?? row.title.charAt(0).toLowerCase() + row.title.slice(1);
}

/**
 * The grants of one activity under a pack: the matrix row with the pack's changes.
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
  const row = activityMatrix.find((r) => r.id === id) as ActivityRow;
  const changes = pack.grants[id];
  if (!changes) return row.roles;
  const grants: Partial<Record<RaRole, Grant>> = { ...row.roles };
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
    });
  }
  const compiled = { pack, activities };
  cache.set(pack, compiled);
  return compiled;
}
