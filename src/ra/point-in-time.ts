import type { PositionAssignment } from '../domain/assignment.js';
import type { IsoDate } from '../domain/dates.js';
import { dateIn } from '../domain/time-zone.js';
import type { Uuid } from '../domain/uuid.js';
import type { RulePack } from '../policy/packs/schema.js';
import { rolesOfPosition } from '../policy/position-roles.js';
import type { RaRole } from '../policy/roles.js';
import { NotFoundError } from '../storage/errors.js';
import type { StoreTx } from '../storage/ports.js';
import { allAssignmentsOf } from './context.js';

/** What a user held on a date: positions (with their organisations) and RA roles. */
export interface AccessOnDate {
  readonly uuid: Uuid;
  readonly date: IsoDate;
  readonly positions: readonly {
    readonly assignment: string;
    readonly position: string;
    readonly organisation: string;
    readonly roles: readonly RaRole[];
  }[];
  readonly roles: readonly RaRole[];
}

/**
 * Whether an assignment was in force on a past date: within its dates, and not yet
 * removed then (a removal ends it from the day it was made, ASG-04).
 */
function wasActiveOn(a: PositionAssignment, date: IsoDate, timeZone: string): boolean {
  if (a.start > date || (a.end !== undefined && date >= a.end)) return false;
  return a.removed === undefined || date < dateIn(a.removed.at, timeZone);
}

/**
 * ASG-02/ASG-04: the positions and RA roles a user held on a date, from the stored
 * history (removed and expired assignments included).
 *
 * @throws NOT_FOUND for an unknown user.
 * @example
 * ```ts
 * await store.transaction((tx) => accessOn(tx, uuid, '2026-06-01' as IsoDate, nationalPack))
 * ```
 */
export async function accessOn(
  tx: StoreTx,
  uuid: Uuid,
  date: IsoDate,
  pack: RulePack,
): Promise<AccessOnDate> {
  if ((await tx.users.get(uuid)) === undefined) throw new NotFoundError('user', uuid);
  const positions = [];
  const roles = new Set<RaRole>();
  for (const a of await allAssignmentsOf(tx, uuid)) {
    if (!wasActiveOn(a, date, pack.timeZone)) continue;
    const position = await tx.positions.get(a.position);
    const held = position ? rolesOfPosition(position, pack) : [];
    for (const r of held) roles.add(r);
    positions.push({
      assignment: a.id,
      position: a.position,
      organisation: a.organisation,
      roles: held,
    });
  }
  return { uuid, date, positions, roles: [...roles] };
}
