import { produce } from 'immer';
import type { PositionAssignment } from '../assignment.js';
import { dateOf, type IsoDateTime } from '../dates.js';
import { InvalidTransitionError } from '../errors.js';
import type { DomainEvent, Transition } from '../events.js';
import type { Position } from '../position.js';
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
 * const { state } = closePosition({ position, assignments }, { by, at });
 * ```
 */
export function closePosition(
  world: PositionWorld,
  context: { readonly by: Uuid; readonly at: IsoDateTime },
): Transition<PositionWorld> {
  if (world.position.status === 'closed') {
    throw new InvalidTransitionError('POS-04', `Position ${world.position.id} is already closed`);
  }
  const events: DomainEvent[] = [];
  const ending = { on: dateOf(context.at), by: context.by, at: context.at };
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
