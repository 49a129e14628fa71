import type { z } from 'zod';
import { type PositionAssignment, positionAssignmentSchema } from '../../domain/assignment.js';
import { InvalidTransitionError } from '../../domain/errors.js';
import { newId } from '../../domain/ids.js';
import type { Position } from '../../domain/position.js';
import { editAssignmentDates, removeAssignment } from '../../domain/transitions/assignment.js';
import type { UserProfile } from '../../domain/user.js';
import { parseWith } from '../../errors/parse.js';
import { ValidationError } from '../../errors/validation-error.js';
import type { TargetInput } from '../../policy/input.js';
import { rolesOfPosition } from '../../policy/position-roles.js';
import { NotFoundError } from '../../storage/errors.js';
import type {
  assignPositionCommandSchema,
  editAssignmentDatesCommandSchema,
  manageMultipleAssignmentsCommandSchema,
  removeAssignmentCommandSchema,
} from '../commands.js';
import { allAssignmentsOf, organisationPath, rolesHeld } from '../context.js';
import type { Change, CommandResult, UseCaseContext, UseCaseOutcome } from '../use-case.js';

/** What an assignment command returns: the assignment as stored. */
export interface AssignmentResult extends CommandResult {
  readonly type: 'assignment.assign' | 'assignment.edit-dates' | 'assignment.remove';
  readonly assignment: PositionAssignment;
}

/** What managing several assignments returns: each assignment as stored, in order. */
export interface MultipleAssignmentsResult extends CommandResult {
  readonly type: 'assignment.manage-multiple';
  readonly assignments: readonly PositionAssignment[];
}

async function mustGet<T>(what: string, key: string, found: Promise<T | undefined>): Promise<T> {
  const record = await found;
  if (record === undefined) throw new NotFoundError(what, key);
  return record;
}

/** The target of an assignment activity: the user, the position and where it sits. */
export async function assignmentTarget(
  ctx: UseCaseContext,
  user: UserProfile,
  position: Position,
  assignment?: PositionAssignment,
): Promise<TargetInput> {
  // Asked for together: one round trip each step on PostgreSQL, not one per read.
  const [path, roles] = await Promise.all([
    organisationPath(ctx.tx, position.organisation),
    rolesHeld(ctx.tx, user.uuid, ctx.today, ctx.pack),
  ]);
  return {
    organisationPath: path,
    user: {
      uuid: user.uuid,
      status: user.status,
      identityChecked: user.identityCheck !== undefined,
      hasNiNumber: user.niNumber !== undefined,
      raTraining: user.trainingCertificates.length > 0,
      roles,
    },
    position: {
      id: position.id,
      organisation: position.organisation,
      roles: rolesOfPosition(position, ctx.pack),
    },
    ...(assignment
      ? {
          assignment: {
            start: assignment.start,
            ...(assignment.end ? { end: assignment.end } : {}),
          },
        }
      : {}),
  };
}

/**
 * Assigns a position (RAM, RAA(A), RAA; a sponsor only for its assignable positions):
 * SOD-02, SOD-03 and SOD-06 are checked by the policy.
 *
 * @throws POLICY_DENIED (via the RA), NOT_FOUND for an unknown user or position, INVALID_TRANSITION for a closed position.
 */
export async function assignPosition(
  ctx: UseCaseContext,
  command: z.output<typeof assignPositionCommandSchema>,
): Promise<UseCaseOutcome<AssignmentResult>> {
  const { tx } = ctx;
  const [user, position] = await Promise.all([
    mustGet('user', command.user, tx.users.get(command.user)),
    mustGet('position', command.position, tx.positions.get(command.position)),
  ]);
  const decision = ctx.authorize(
    'assignment.assign',
    await assignmentTarget(ctx, user, position),
    {},
    'direct',
  );
  if (position.status !== 'open') {
    throw new InvalidTransitionError('POS-04', `Position ${position.id} is closed`);
  }
  const assignment = parseWith(
    positionAssignmentSchema,
    {
      id: newId('asg'),
      user: user.uuid,
      position: position.id,
      organisation: position.organisation,
      start: command.start,
      ...(command.end !== undefined ? { end: command.end } : {}),
      locum: command.locum,
      createdBy: ctx.actorUuid,
      version: 0,
    },
    'assignment',
  );
  const stored = await tx.positionAssignments.insert(assignment);
  return {
    result: {
      type: 'assignment.assign',
      assignment: stored,
      changed: [
        { kind: 'positionAssignments', key: stored.id, op: 'insert', version: stored.version },
      ],
      decision,
    },
    target: user.uuid,
    details: {
      assignment: stored.id,
      position: position.id,
      start: stored.start,
      end: stored.end ?? null,
    },
  };
}

async function loadAssignment(ctx: UseCaseContext, id: string) {
  const assignment = await mustGet('assignment', id, ctx.tx.positionAssignments.get(id as never));
  const user = await mustGet('user', assignment.user, ctx.tx.users.get(assignment.user));
  const position = await mustGet(
    'position',
    assignment.position,
    ctx.tx.positions.get(assignment.position),
  );
  return { assignment, user, position };
}

/**
 * ASG-01: edits an assignment's dates; once started, only the end date.
 *
 * @throws POLICY_DENIED (via the RA), NOT_FOUND, INVALID_TRANSITION.
 */
export async function editDates(
  ctx: UseCaseContext,
  command: z.output<typeof editAssignmentDatesCommandSchema>,
): Promise<UseCaseOutcome<AssignmentResult>> {
  const { assignment, user, position } = await loadAssignment(ctx, command.assignment);
  const changesStart = command.start !== undefined && command.start !== assignment.start;
  const decision = ctx.authorize(
    'assignment.edit-dates',
    await assignmentTarget(ctx, user, position, assignment),
    { changesStart },
    'direct',
  );
  const change = {
    ...(command.start !== undefined ? { start: command.start } : {}),
    ...(command.end !== undefined ? { end: command.end } : {}),
  };
  const { state } = editAssignmentDates(assignment, change, ctx.today);
  const stored = await ctx.tx.positionAssignments.update(state);
  return {
    result: {
      type: 'assignment.edit-dates',
      assignment: stored,
      changed: [
        { kind: 'positionAssignments', key: stored.id, op: 'update', version: stored.version },
      ],
      decision,
    },
    target: user.uuid,
    details: { assignment: stored.id, start: stored.start, end: stored.end ?? null },
  };
}

/**
 * ASG-04: removes an assignment; it stays in the history, marked removed.
 *
 * @throws POLICY_DENIED (via the RA), NOT_FOUND, INVALID_TRANSITION when already removed.
 */
export async function removePositionAssignment(
  ctx: UseCaseContext,
  command: z.output<typeof removeAssignmentCommandSchema>,
): Promise<UseCaseOutcome<AssignmentResult>> {
  const { assignment, user, position } = await loadAssignment(ctx, command.assignment);
  const decision = ctx.authorize(
    'assignment.remove',
    await assignmentTarget(ctx, user, position, assignment),
    {},
    'direct',
  );
  const { state } = removeAssignment(assignment, { by: ctx.actorUuid, at: ctx.at });
  const stored = await ctx.tx.positionAssignments.update(state);
  return {
    result: {
      type: 'assignment.remove',
      assignment: stored,
      changed: [
        { kind: 'positionAssignments', key: stored.id, op: 'update', version: stored.version },
      ],
      decision,
    },
    target: user.uuid,
    details: { assignment: stored.id },
  };
}

/**
 * Manages several position assignments on one profile in one transaction (RAM, RAA(A)):
 * assign, edit dates (ASG-01) and remove (ASG-04), each also decided on its own, so SOD-03,
 * SOD-06 and the rest apply to every change. One refused or invalid change and nothing is
 * written.
 *
 * @throws POLICY_DENIED (via the RA), NOT_FOUND, INVALID_TRANSITION, VALIDATION for a change to another user's assignment.
 */
export async function manageMultipleAssignments(
  ctx: UseCaseContext,
  command: z.output<typeof manageMultipleAssignmentsCommandSchema>,
): Promise<UseCaseOutcome<MultipleAssignmentsResult>> {
  const user = await mustGet('user', command.user, ctx.tx.users.get(command.user));
  const home = (await allAssignmentsOf(ctx.tx, user.uuid))[0]?.organisation;
  const decision = ctx.authorize(
    'assignment.manage-multiple',
    {
      ...(home ? { organisationPath: await organisationPath(ctx.tx, home) } : {}),
      user: { uuid: user.uuid, status: user.status },
    },
    {},
    'direct',
  );
  const assignments: PositionAssignment[] = [];
  const changed: Change[] = [];
  for (const [index, change] of command.changes.entries()) {
    if (change.op !== 'assign') {
      const existing = await ctx.tx.positionAssignments.get(change.assignment);
      if (existing && existing.user !== user.uuid) {
        throw new ValidationError('command assignment.manage-multiple', [
          {
            field: `changes.${index}.assignment`,
            message: `belongs to another user, not ${user.uuid}`,
          },
        ]);
      }
    }
    const { op, ...fields } = change;
    const outcome =
      op === 'assign'
        ? await assignPosition(ctx, {
            type: 'assignment.assign',
            user: user.uuid,
            ...(fields as Omit<typeof change & { op: 'assign' }, 'op'>),
          })
        : op === 'edit-dates'
          ? await editDates(ctx, {
              type: 'assignment.edit-dates',
              ...(fields as Omit<typeof change & { op: 'edit-dates' }, 'op'>),
            })
          : await removePositionAssignment(ctx, {
              type: 'assignment.remove',
              ...(fields as Omit<typeof change & { op: 'remove' }, 'op'>),
            });
    assignments.push(outcome.result.assignment);
    changed.push(...outcome.result.changed);
  }
  return {
    result: { type: 'assignment.manage-multiple', assignments, changed, decision },
    target: user.uuid,
    details: {
      changes: command.changes.map((c) => c.op),
      assignments: assignments.map((a) => a.id),
    },
  };
}
