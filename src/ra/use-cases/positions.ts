import type { z } from 'zod';
import { InvalidTransitionError } from '../../domain/errors.js';
import { newId } from '../../domain/ids.js';
import { type Position, positionSchema } from '../../domain/position.js';
import {
  changePosition,
  closePosition as closePositionTransition,
  type PositionChange,
  setAssignable,
} from '../../domain/transitions/position.js';
import { parseWith } from '../../errors/parse.js';
import { NotFoundError } from '../../storage/errors.js';
import type {
  closePositionCommandSchema,
  copyPositionCommandSchema,
  createPositionCommandSchema,
  editPositionCommandSchema,
  setAssignableCommandSchema,
} from '../commands.js';
import { allPages, organisationPath } from '../context.js';
import type { Change, CommandResult, UseCaseContext, UseCaseOutcome } from '../use-case.js';

/** What a position command returns: the position as stored. */
export interface PositionResult extends CommandResult {
  readonly type:
    | 'position.create'
    | 'position.close'
    | 'position.copy'
    | 'position.edit'
    | 'position.manage-assignable'
    | 'request.accept';
  readonly position: Position;
}

/**
 * POS-01/POS-02: creates a position at an organisation with its job role, activities,
 * workgroups and (for sponsor positions only) assignable list, recording how it was
 * approved. A sensitive activity needs Information Governance approval first (POS-03).
 *
 * @throws POLICY_DENIED (via the RA), VALIDATION (an assignable list without B1300).
 */
export async function createPosition(
  ctx: UseCaseContext,
  command: z.output<typeof createPositionCommandSchema>,
): Promise<UseCaseOutcome<PositionResult>> {
  const id = newId<Position['id']>('pos');
  const decision = ctx.authorize(
    'position.create',
    {
      organisationPath: await organisationPath(ctx.tx, command.organisation),
      position: { id, organisation: command.organisation, addsActivities: command.activities },
    },
    { igApproved: command.approval.method === 'information-governance' },
  );
  const position = parseWith(
    positionSchema,
    {
      id,
      name: command.name,
      organisation: command.organisation,
      jobRole: command.jobRole,
      activities: command.activities,
      workgroups: command.workgroups,
      assignable: command.assignable,
      approval: { ...command.approval, approvedBy: command.approval.approvedBy, at: ctx.at },
      status: 'open',
      version: 0,
    },
    'position',
  );
  const stored = await ctx.tx.positions.insert(position);
  return {
    result: {
      type: 'position.create',
      position: stored,
      changed: [{ kind: 'positions', key: stored.id, op: 'insert', version: stored.version }],
      decision,
    },
    target: stored.id,
    details: {
      organisation: stored.organisation,
      jobRole: stored.jobRole,
      activities: [...stored.activities],
    },
  };
}

/**
 * POS-04: closes a position and ends its assignments (those not yet started are removed).
 *
 * @throws POLICY_DENIED (via the RA), NOT_FOUND, INVALID_TRANSITION when already closed.
 */
export async function closePosition(
  ctx: UseCaseContext,
  command: z.output<typeof closePositionCommandSchema>,
): Promise<UseCaseOutcome<PositionResult>> {
  const { tx } = ctx;
  const position = await tx.positions.get(command.position);
  if (position === undefined) throw new NotFoundError('position', command.position);
  const decision = ctx.authorize('position.close', {
    organisationPath: await organisationPath(tx, position.organisation),
    position: { id: position.id, organisation: position.organisation },
  });
  const assignments = await allPages((page) =>
    tx.positionAssignments.forPosition(position.id, page),
  );
  const { state } = closePositionTransition(
    { position, assignments },
    { by: ctx.actorUuid, at: ctx.at, today: ctx.today },
  );
  const stored = await tx.positions.update(state.position);
  const changed: Change[] = [
    { kind: 'positions', key: stored.id, op: 'update', version: stored.version },
  ];
  for (let i = 0; i < assignments.length; i++) {
    if (state.assignments[i] === assignments[i]) continue;
    const a = await tx.positionAssignments.update(state.assignments[i]!);
    changed.push({ kind: 'positionAssignments', key: a.id, op: 'update', version: a.version });
  }
  return {
    result: { type: 'position.close', position: stored, changed, decision },
    target: stored.id,
    details: { reason: command.reason, endedAssignments: changed.length - 1 },
  };
}

async function mustGetPosition(ctx: UseCaseContext, id: Position['id']): Promise<Position> {
  const position = await ctx.tx.positions.get(id);
  if (position === undefined) throw new NotFoundError('position', id);
  return position;
}

/**
 * POS-02: copies a position (job role, activities, workgroups, assignable list) under a new
 * name, at the same or another organisation, recording how the copy was approved. Copying a
 * sensitive activity needs the same Information Governance approval as adding it (POS-03).
 *
 * @throws POLICY_DENIED (via the RA), NOT_FOUND for an unknown position.
 */
export async function copyPosition(
  ctx: UseCaseContext,
  command: z.output<typeof copyPositionCommandSchema>,
): Promise<UseCaseOutcome<PositionResult>> {
  const source = await mustGetPosition(ctx, command.position);
  const organisation = command.organisation ?? source.organisation;
  const id = newId<Position['id']>('pos');
  const decision = ctx.authorize(
    'position.copy',
    {
      organisationPath: await organisationPath(ctx.tx, organisation),
      position: { id, organisation, addsActivities: source.activities },
    },
    { igApproved: command.approval.method === 'information-governance' },
  );
  const copy = parseWith(
    positionSchema,
    {
      ...source,
      id,
      name: command.name,
      organisation,
      approval: { ...command.approval, at: ctx.at },
      status: 'open',
      version: 0,
    },
    'position',
  );
  const stored = await ctx.tx.positions.insert(copy);
  return {
    result: {
      type: 'position.copy',
      position: stored,
      changed: [{ kind: 'positions', key: stored.id, op: 'insert', version: stored.version }],
      decision,
    },
    target: stored.id,
    details: { copiedFrom: source.id, organisation },
  };
}

/**
 * POS-03: applies a change to a position, deciding `position.edit` (RAM, RAA(A); only a RAM
 * when it comes from a position change request); an added sensitive activity needs
 * Information Governance approval first. Shared by the direct edit
 * and by accepting a position change request.
 *
 * @throws POLICY_DENIED (via the RA), NOT_FOUND, INVALID_TRANSITION (closed position, POS-01).
 */
export async function applyPositionChange(
  ctx: UseCaseContext,
  id: Position['id'],
  change: PositionChange,
  igApproval: string | undefined,
  /** POS-03: the change comes from a position change request, which an RA Manager assesses. */
  fromRequest = false,
): Promise<{ position: Position; change: Change; decision: CommandResult['decision'] }> {
  const position = await mustGetPosition(ctx, id);
  const decision = ctx.authorize(
    'position.edit',
    {
      organisationPath: await organisationPath(ctx.tx, position.organisation),
      position: {
        id: position.id,
        organisation: position.organisation,
        addsActivities: (change.addActivities ?? []).filter(
          (code) => !position.activities.includes(code),
        ),
      },
    },
    { igApproved: igApproval !== undefined, positionChangeRequest: fromRequest },
  );
  const { state } = changePosition(position, change);
  const stored = await ctx.tx.positions.update(parseWith(positionSchema, state, 'position'));
  return {
    position: stored,
    change: { kind: 'positions', key: stored.id, op: 'update', version: stored.version },
    decision,
  };
}

/**
 * POS-03: edits a position directly (RAM, RAA(A)).
 *
 * @throws POLICY_DENIED (via the RA), NOT_FOUND, INVALID_TRANSITION (closed position, POS-01).
 */
export async function editPosition(
  ctx: UseCaseContext,
  command: z.output<typeof editPositionCommandSchema>,
): Promise<UseCaseOutcome<PositionResult>> {
  const { position, change, decision } = await applyPositionChange(
    ctx,
    command.position,
    command.change,
    command.igApproval,
  );
  return {
    result: { type: 'position.edit', position, changed: [change], decision },
    target: position.id,
    details: {
      change: { ...command.change },
      ...(command.igApproval ? { igApproval: command.igApproval } : {}),
    },
  };
}

/**
 * POS-01: sets the positions a sponsor position may assign (RAM, RAA(A)); every listed
 * position must exist and be open.
 *
 * @throws POLICY_DENIED (via the RA), NOT_FOUND, INVALID_TRANSITION (no B1300, closed).
 */
export async function manageAssignable(
  ctx: UseCaseContext,
  command: z.output<typeof setAssignableCommandSchema>,
): Promise<UseCaseOutcome<PositionResult>> {
  const position = await mustGetPosition(ctx, command.position);
  const decision = ctx.authorize('position.manage-assignable', {
    organisationPath: await organisationPath(ctx.tx, position.organisation),
    position: { id: position.id, organisation: position.organisation },
  });
  for (const id of command.assignable) {
    const listed = await mustGetPosition(ctx, id);
    if (listed.status !== 'open') {
      throw new InvalidTransitionError(
        'POS-04',
        `Position ${id} is closed; it cannot be assignable`,
      );
    }
  }
  const { state } = setAssignable(position, command.assignable);
  const stored = await ctx.tx.positions.update(state);
  return {
    result: {
      type: 'position.manage-assignable',
      position: stored,
      changed: [{ kind: 'positions', key: stored.id, op: 'update', version: stored.version }],
      decision,
    },
    target: stored.id,
    details: { assignable: [...stored.assignable] },
  };
}
