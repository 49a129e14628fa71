import { produce } from 'immer';
import type { IsoDate, IsoDateTime } from '../dates.js';
import { InvalidTransitionError } from '../errors.js';
import type { Transition } from '../events.js';
import type { AssignmentId } from '../ids.js';
import type { Uuid } from '../uuid.js';

/** The fields of a position or workgroup assignment that its transitions read and write. */
export interface AssignmentRecord {
  readonly id: AssignmentId;
  readonly start: IsoDate;
  readonly end?: IsoDate | undefined;
  readonly removed?: { readonly at: IsoDateTime; readonly by: Uuid } | undefined;
}

/**
 * ASG-01: edits an assignment's dates. Once it has started (start <= today) only its end
 * can change; the end is always after the start.
 *
 * @throws INVALID_TRANSITION for a removed assignment, a moved start once started, or an end not after the start.
 * @example
 * ```ts
 * editAssignmentDates(a, { end: '2027-03-31' as IsoDate }, today)
 * ```
 */
export function editAssignmentDates<A extends AssignmentRecord>(
  assignment: A,
  change: { readonly start?: IsoDate; readonly end?: IsoDate | null },
  today: IsoDate,
): Transition<A> {
  if (assignment.removed) {
    throw new InvalidTransitionError('ASG-04', `Assignment ${assignment.id} was removed`);
  }
  const started = assignment.start <= today;
  if (change.start !== undefined && change.start !== assignment.start && started) {
    throw new InvalidTransitionError(
      'ASG-01',
      `Assignment ${assignment.id} started on ${assignment.start}; only its end date can be edited`,
    );
  }
  const start = change.start ?? assignment.start;
  const end = change.end === null ? undefined : (change.end ?? assignment.end);
  if (end !== undefined && end <= start) {
    throw new InvalidTransitionError(
      'ASG-01',
      `The end date ${end} must be after the start date ${start}`,
    );
  }
  const state = produce(assignment, (draft: { start: IsoDate; end?: IsoDate | undefined }) => {
    draft.start = start;
    if (end === undefined) delete draft.end;
    else draft.end = end;
  });
  return { state, events: [{ type: 'assignment.dates-changed', id: assignment.id, start, end }] };
}

/**
 * ASG-04: removes an assignment. It stays in the history, marked removed.
 *
 * @throws INVALID_TRANSITION when it is already removed.
 * @example
 * ```ts
 * removeAssignment(a, { by, at })
 * ```
 */
export function removeAssignment<A extends AssignmentRecord>(
  assignment: A,
  context: { readonly by: Uuid; readonly at: IsoDateTime },
): Transition<A> {
  if (assignment.removed) {
    throw new InvalidTransitionError('ASG-04', `Assignment ${assignment.id} is already removed`);
  }
  const state = produce(assignment, (draft: { removed?: { at: IsoDateTime; by: Uuid } }) => {
    draft.removed = { at: context.at, by: context.by };
  });
  return { state, events: [{ type: 'assignment.removed', id: assignment.id }] };
}

/**
 * Ends an assignment on `on` if it is in force, removes it if it has not started, leaves
 * it alone if it has already lapsed (PROF-01, POS-04, ASG-03).
 *
 * @example
 * ```ts
 * endOrRemoveAssignment(a, { on: today, by, at })
 * ```
 */
export function endOrRemoveAssignment<A extends AssignmentRecord>(
  assignment: A,
  context: { readonly on: IsoDate; readonly by: Uuid; readonly at: IsoDateTime },
): Transition<A> {
  if (assignment.removed || (assignment.end !== undefined && assignment.end <= context.on)) {
    return { state: assignment, events: [] };
  }
  if (assignment.start >= context.on) return removeAssignment(assignment, context);
  const state = produce(assignment, (draft: { end?: IsoDate | undefined }) => {
    draft.end = context.on;
  });
  return { state, events: [{ type: 'assignment.ended', id: assignment.id, end: context.on }] };
}
