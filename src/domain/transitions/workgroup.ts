import { produce } from 'immer';
import type { WorkgroupAssignment } from '../assignment.js';
import type { IsoDate, IsoDateTime } from '../dates.js';
import { InvalidTransitionError } from '../errors.js';
import type { DomainEvent, Transition } from '../events.js';
import type { Uuid } from '../uuid.js';
import type { Workgroup } from '../workgroup.js';
import { endOrRemoveAssignment } from './assignment.js';

/** A workgroup with its assignments. */
export interface WorkgroupWorld {
  readonly workgroup: Workgroup;
  readonly assignments: readonly WorkgroupAssignment[];
}

/**
 * WG-01: closes a workgroup. It needs an explicit confirmation and records how the
 * closure was approved; its assignments end.
 *
 * @throws INVALID_TRANSITION without the confirmation or an approval, or when already closed.
 * @example
 * ```ts
 * closeWorkgroup(world, { by, at, today, confirm: true, approval: 'RAM approval, ticket 4411' })
 * ```
 */
export function closeWorkgroup(
  world: WorkgroupWorld,
  context: {
    readonly by: Uuid;
    readonly at: IsoDateTime;
    /** The date of `at` in the pack's time zone: running assignments end on it. */
    readonly today: IsoDate;
    readonly confirm: boolean;
    readonly approval: string;
  },
): Transition<WorkgroupWorld> {
  const { workgroup } = world;
  if (workgroup.status === 'closed') {
    throw new InvalidTransitionError('WG-01', `Workgroup ${workgroup.id} is already closed`);
  }
  if (context.confirm !== true) {
    throw new InvalidTransitionError(
      'WG-01',
      `Closing workgroup ${workgroup.id} needs an explicit confirmation`,
    );
  }
  if (!context.approval.trim()) {
    throw new InvalidTransitionError('WG-01', 'Closing a workgroup records how it was approved');
  }
  const events: DomainEvent[] = [];
  const ending = { on: context.today, by: context.by, at: context.at };
  const assignments = world.assignments.map((a) => {
    const t = endOrRemoveAssignment(a, ending);
    events.push(...t.events);
    return t.state;
  });
  const state = produce(workgroup, (draft) => {
    draft.status = 'closed';
    draft.closed = { at: context.at, by: context.by, approval: context.approval.trim() };
  });
  return { state: { workgroup: state, assignments }, events };
}
