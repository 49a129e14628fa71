import { produce } from 'immer';
import type { PositionAssignment } from '../assignment.js';
import type { IsoDate, IsoDateTime } from '../dates.js';
import { InvalidTransitionError } from '../errors.js';
import type { DomainEvent, Transition } from '../events.js';
import type { WorkgroupId } from '../ids.js';
import type { Position } from '../position.js';
import { type ActivityCode, type JobRoleCode, SPONSOR_ACTIVITY_CODE } from '../rbac-codes.js';
import type { Uuid } from '../uuid.js';
import { endOrRemoveAssignment } from './assignment.js';

/** A position with the assignments POS-04 ends when it closes. */
export interface PositionWorld {
  readonly position: Position;
  readonly assignments: readonly PositionAssignment[];
}

/**
 * POS-04: closes a position and ends its assignments (those not yet started are removed).
 *
 * @throws INVALID_TRANSITION when the position is already closed.
 * @example
 * ```ts
 * const { state } = closePosition({ position, assignments }, { by, at, today });
 * ```
 */
export function closePosition(
  world: PositionWorld,
  context: {
    readonly by: Uuid;
    readonly at: IsoDateTime;
    /** The date of `at` in the pack's time zone: running assignments end on it. */
    readonly today: IsoDate;
  },
): Transition<PositionWorld> {
  if (world.position.status === 'closed') {
    throw new InvalidTransitionError('POS-04', `Position ${world.position.id} is already closed`);
  }
  const events: DomainEvent[] = [];
  const ending = { on: context.today, by: context.by, at: context.at };
  const assignments = world.assignments.map((a) => {
    const t = endOrRemoveAssignment(a, ending);
    events.push(...t.events);
    return t.state;
  });
  const position = produce(world.position, (draft) => {
    draft.status = 'closed';
    draft.closedAt = context.at;
  });
  return { state: { position, assignments }, events };
}

/** POS-03: what a change does to a position. */
export interface PositionChange {
  readonly name?: string | undefined;
  readonly jobRole?: JobRoleCode | undefined;
  readonly addActivities?: readonly ActivityCode[] | undefined;
  readonly removeActivities?: readonly ActivityCode[] | undefined;
  readonly workgroups?: readonly WorkgroupId[] | undefined;
}

/**
 * POS-03: applies a change to an open position: a new name or job role, activities added
 * or removed, the workgroups replaced. Removing B1300 from a position that still carries an
 * assignable list is refused (POS-01): empty the list first.
 *
 * @throws INVALID_TRANSITION when the position is closed, or the change would break POS-01.
 * @example
 * ```ts
 * const { state } = changePosition(position, { addActivities: ['B0360' as ActivityCode] });
 * ```
 */
export function changePosition(position: Position, change: PositionChange): Transition<Position> {
  if (position.status === 'closed') {
    throw new InvalidTransitionError('POS-04', `Position ${position.id} is closed`);
  }
  const removing = new Set(change.removeActivities ?? []);
  if (removing.has(SPONSOR_ACTIVITY_CODE) && position.assignable.length > 0) {
    throw new InvalidTransitionError(
      'POS-01',
      `Position ${position.id} still carries an assignable list; empty it before removing ${SPONSOR_ACTIVITY_CODE}`,
    );
  }
  const activities = [
    ...position.activities.filter((code) => !removing.has(code)),
    ...(change.addActivities ?? []).filter((code) => !position.activities.includes(code)),
  ];
  const state = produce(position, (draft) => {
    if (change.name !== undefined) draft.name = change.name;
    if (change.jobRole !== undefined) draft.jobRole = change.jobRole;
    draft.activities = [...new Set(activities)];
    if (change.workgroups !== undefined) draft.workgroups = [...change.workgroups];
  });
  return { state, events: [{ type: 'position.changed', id: position.id }] };
}

/**
 * POS-01: replaces a sponsor position's assignable list; only a position with B1300
 * carries one, and it never lists itself.
 *
 * @throws INVALID_TRANSITION when the position is closed, lacks B1300, or lists itself.
 * @example
 * ```ts
 * const { state } = setAssignable(sponsorPosition, ['pos-dispenser' as PositionId]);
 * ```
 */
export function setAssignable(
  position: Position,
  assignable: readonly Position['id'][],
): Transition<Position> {
  if (position.status === 'closed') {
    throw new InvalidTransitionError('POS-04', `Position ${position.id} is closed`);
  }
  if (assignable.length > 0 && !position.activities.includes(SPONSOR_ACTIVITY_CODE)) {
    throw new InvalidTransitionError(
      'POS-01',
      `Position ${position.id} does not include ${SPONSOR_ACTIVITY_CODE}, so it cannot carry an assignable list`,
    );
  }
  if (assignable.includes(position.id)) {
    throw new InvalidTransitionError('POS-01', `Position ${position.id} cannot assign itself`);
  }
  const state = produce(position, (draft) => {
    draft.assignable = [...new Set(assignable)];
  });
  return { state, events: [{ type: 'position.changed', id: position.id }] };
}
