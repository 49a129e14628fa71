import type { z } from 'zod';
import { newId } from '../../domain/ids.js';
import { type Position, positionSchema } from '../../domain/position.js';
import { closePosition as closePositionTransition } from '../../domain/transitions/position.js';
import { parseWith } from '../../errors/parse.js';
import { NotFoundError } from '../../storage/errors.js';
import type { closePositionCommandSchema, createPositionCommandSchema } from '../commands.js';
import { allPages, organisationPath } from '../context.js';
import type { Change, CommandResult, UseCaseContext, UseCaseOutcome } from '../use-case.js';

/** What a position command returns: the position as stored. */
export interface PositionResult extends CommandResult {
  readonly type: 'position.create' | 'position.close';
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
    { by: ctx.actorUuid, at: ctx.at },
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
