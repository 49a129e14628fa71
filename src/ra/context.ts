import { isActiveOn } from '../domain/assignment.js';
import type { IsoDate } from '../domain/dates.js';
import type { PositionId } from '../domain/ids.js';
import type { OdsCode } from '../domain/ods-code.js';
import type { Position } from '../domain/position.js';
import type { Uuid } from '../domain/uuid.js';
import type { Actor } from '../policy/input.js';
import type { RulePack } from '../policy/packs/schema.js';
import { rolesOfPosition } from '../policy/position-roles.js';
import type { RaRole } from '../policy/roles.js';
import type { Page, PageRequest } from '../storage/paging.js';
import type { StoreTx } from '../storage/ports.js';
import { UnknownActorError } from './errors.js';

const ALL = { limit: 500 } as const;

/**
 * An organisation and its ancestors, nearest first (ROLE-02 scope); just the code when it
 * is not on record.
 *
 * @example
 * ```ts
 * await organisationPath(tx, 'FA123' as OdsCode) // ['FA123', 'QVV']
 * ```
 */
export async function organisationPath(tx: StoreTx, odsCode: OdsCode): Promise<OdsCode[]> {
  if (tx.organisations.ancestors !== undefined) {
    // One read for the whole chain (one round trip on PostgreSQL, not one per level).
    const chain = await tx.organisations.ancestors(odsCode);
    if (chain.length === 0) return [odsCode];
    const path = chain.map((o) => o.odsCode);
    // A parent code not on record still ends the path, as the walk below gives it.
    const parent = chain[chain.length - 1]?.parent;
    if (parent !== undefined && !path.includes(parent) && path.length < 32) path.push(parent);
    return path;
  }
  const path: OdsCode[] = [];
  let next: OdsCode | undefined = odsCode;
  while (next !== undefined && !path.includes(next) && path.length < 32) {
    path.push(next);
    next = (await tx.organisations.get(next))?.parent;
  }
  return path;
}

/**
 * Every item of a paged query, page after page.
 *
 * @example
 * ```ts
 * const all = await allPages((page) => tx.positionAssignments.historyForUser(uuid, page));
 * ```
 */
export async function allPages<T>(query: (page: PageRequest) => Promise<Page<T>>): Promise<T[]> {
  const all: T[] = [];
  let page = await query(ALL);
  all.push(...page.items);
  while (page.nextCursor !== undefined) {
    page = await query({ ...ALL, cursor: page.nextCursor });
    all.push(...page.items);
  }
  return all;
}

/**
 * Every position assignment of a user, history included (decisions read dates, ASG-02).
 *
 * @example
 * ```ts
 * const assignments = await allAssignmentsOf(tx, uuid);
 * ```
 */
export function allAssignmentsOf(tx: StoreTx, user: Uuid) {
  return allPages((page) => tx.positionAssignments.historyForUser(user, page));
}

/**
 * The actor as the policy engine sees them: their profile's state and every position
 * assignment with the RA roles its position confers under the pack. Every field the actor
 * schema would default is set, so the policy takes it as validated (a test checks that
 * parsing it changes nothing).
 *
 * @throws NOT_FOUND ({@link UnknownActorError}) when no profile has the UUID.
 * @example
 * ```ts
 * const actor = await loadActor(tx, uuid, pack);
 * ```
 */
export async function loadActor(tx: StoreTx, uuid: Uuid, pack: RulePack): Promise<Actor> {
  // Independent reads asked for together: a store that can (PostgreSQL) sends them as one
  // message, one round trip instead of one each.
  const [profile, history, held] = await Promise.all([
    tx.users.get(uuid),
    allAssignmentsOf(tx, uuid),
    tx.positions.heldBy?.(uuid),
  ]);
  if (!profile) throw new UnknownActorError(uuid);
  const positions = new Map((held ?? []).map((p) => [p.id, p]));
  // Without heldBy (or for a position it did not list), each position is read by id.
  const missing = history.filter((a) => !positions.has(a.position));
  for (const [id, p] of await positionsOf(tx, missing)) positions.set(id, p);
  const assignments = [];
  for (const a of history) {
    const position = positions.get(a.position);
    const roles = position ? rolesOfPosition(position, pack) : [];
    // A pharmacist position (its job role is pack data) grants card care at its pharmacy.
    const pharmacist = position !== undefined && pack.pharmacistJobRoles.includes(position.jobRole);
    if (roles.length === 0 && !pharmacist) continue;
    assignments.push({
      organisation: a.organisation,
      roles,
      start: a.start,
      ...(a.end !== undefined ? { end: a.end } : {}),
      removed: a.removed !== undefined,
      assignable: roles.includes('S') ? (position?.assignable ?? []) : [],
      locum: a.locum,
      position: a.position,
      ...(pharmacist ? { jobRole: position.jobRole } : {}),
    });
  }
  return { uuid, status: profile.status, assignments };
}

/**
 * The RA roles a user holds on a date (SOD-02 looks at the target's roles).
 *
 * @example
 * ```ts
 * await rolesHeld(tx, uuid, today, pack)
 * ```
 */
export async function rolesHeld(
  tx: StoreTx,
  uuid: Uuid,
  date: IsoDate,
  pack: RulePack,
): Promise<RaRole[]> {
  const roles = new Set<RaRole>();
  const active = (await tx.positionAssignments.activeForUser(uuid, date)).filter((a) =>
    isActiveOn(a, date),
  );
  const positions = await positionsOf(tx, active);
  for (const a of active) {
    const position = positions.get(a.position);
    if (position) for (const r of rolesOfPosition(position, pack)) roles.add(r);
  }
  return [...roles];
}

/** The positions of some assignments, each read once, the reads asked for together. */
async function positionsOf(
  tx: StoreTx,
  assignments: readonly { readonly position: PositionId }[],
): Promise<Map<PositionId, Position>> {
  const ids = [...new Set(assignments.map((a) => a.position))];
  const found = await Promise.all(ids.map((id) => tx.positions.get(id)));
  const byId = new Map<PositionId, Position>();
  for (const position of found) if (position !== undefined) byId.set(position.id, position);
  return byId;
}
