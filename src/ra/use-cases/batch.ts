import type { z } from 'zod';
import { type PositionAssignment, positionAssignmentSchema } from '../../domain/assignment.js';
import { InvalidTransitionError } from '../../domain/errors.js';
import { newId } from '../../domain/ids.js';
import { endOrRemoveAssignment, removeAssignment } from '../../domain/transitions/assignment.js';
import { type Uuid, uuidSchema } from '../../domain/uuid.js';
import { parseWith } from '../../errors/parse.js';
import { ValidationError } from '../../errors/validation-error.js';
import type { Reason } from '../../policy/reasons.js';
import { NotFoundError } from '../../storage/errors.js';
import type { batchAssignmentsCommandSchema } from '../commands.js';
import { allPages, organisationPath } from '../context.js';
import type { Change, CommandResult, UseCaseContext, UseCaseOutcome } from '../use-case.js';
import { assignmentTarget } from './assignments.js';

/** What a batch did (or, in a dry run, would do) to one UUID. */
export interface BatchItem {
  readonly uuid: string;
  /**
   * `unmatched`: no such profile (or not a UUID); `denied`: the policy refused it, with
   * reasons; `unchanged`: nothing to do; `changed`: done (in a dry run: would be done).
   */
  readonly outcome: 'unmatched' | 'denied' | 'unchanged' | 'changed';
  readonly message: string;
  readonly reasons?: readonly Pick<Reason, 'rule' | 'code' | 'message'>[];
  /** The assignment created or changed. */
  readonly assignment?: PositionAssignment['id'];
}

/** BATCH-01: the result of a batch run, item by item, in the order given. */
export interface BatchResult extends CommandResult {
  readonly type: 'batch.assignments';
  readonly dryRun: boolean;
  readonly items: readonly BatchItem[];
  readonly counts: Readonly<Record<BatchItem['outcome'], number>>;
}

type BatchCommand = z.output<typeof batchAssignmentsCommandSchema>;

/**
 * BATCH-01: assigns, ends or removes one position's assignment for up to the pack's
 * `batchLimit` UUIDs in one transaction. Each UUID is matched and decided on its own
 * (SOD-03, SOD-06 per user); unmatched and denied ones are reported and skipped. A dry run
 * decides and reports exactly the same, and writes nothing.
 *
 * @throws VALIDATION (more UUIDs than the pack allows), POLICY_DENIED (via the RA, for the batch as a whole), NOT_FOUND for an unknown position, INVALID_TRANSITION for a closed one.
 */
export async function batchAssignments(
  ctx: UseCaseContext,
  command: BatchCommand,
): Promise<UseCaseOutcome<BatchResult>> {
  if (command.uuids.length > ctx.pack.batchLimit) {
    throw new ValidationError('command batch.assignments', [
      {
        field: 'uuids',
        message: `lists ${command.uuids.length} UUIDs; a batch takes at most ${ctx.pack.batchLimit} (BATCH-01): split it`,
      },
    ]);
  }
  const { tx } = ctx;
  const position = await tx.positions.get(command.position);
  if (position === undefined) throw new NotFoundError('position', command.position);
  const batchSize = command.uuids.length;
  const decision = ctx.authorize(
    'batch.manage-assignments',
    {
      organisationPath: await organisationPath(tx, position.organisation),
      position: { id: position.id, organisation: position.organisation },
    },
    { batchSize },
  );
  if (command.action === 'assign' && position.status !== 'open') {
    throw new InvalidTransitionError('POS-04', `Position ${position.id} is closed`);
  }

  const items: BatchItem[] = [];
  const changed: Change[] = [];
  const seen = new Set<string>();
  for (const [index, raw] of command.uuids.entries()) {
    const item = await batchItem(ctx, command, position, raw, seen);
    items.push(item.item);
    changed.push(...item.changed);
    ctx.progress?.(index + 1, command.uuids.length);
  }
  const counts = { unmatched: 0, denied: 0, unchanged: 0, changed: 0 };
  for (const item of items) counts[item.outcome]++;
  return {
    result: {
      type: 'batch.assignments',
      dryRun: command.dryRun,
      items,
      counts,
      changed,
      decision,
    },
    target: position.id,
    details: {
      action: command.action,
      dryRun: command.dryRun,
      ...counts,
      denied: items.filter((i) => i.outcome === 'denied').map((i) => i.uuid),
      unmatched: items.filter((i) => i.outcome === 'unmatched').map((i) => i.uuid),
    },
  };
}

async function batchItem(
  ctx: UseCaseContext,
  command: BatchCommand,
  position: Parameters<typeof assignmentTarget>[2],
  raw: string,
  seen: Set<string>,
): Promise<{ item: BatchItem; changed: Change[] }> {
  const none = (outcome: BatchItem['outcome'], message: string, extra = {}) => ({
    item: { uuid: raw, outcome, message, ...extra },
    changed: [],
  });
  const parsed = uuidSchema.safeParse(raw);
  if (!parsed.success) return none('unmatched', 'not a UUID (12 digits)');
  const uuid = parsed.data as Uuid;
  if (seen.has(uuid)) return none('unchanged', 'listed twice; done once');
  seen.add(uuid);
  const user = await ctx.tx.users.get(uuid);
  if (user === undefined) return none('unmatched', 'no profile has this UUID');

  const mine = (
    await allPages((page) => ctx.tx.positionAssignments.historyForUser(uuid, page))
  ).filter((a) => a.position === position.id && a.removed === undefined);
  const target = await assignmentTarget(ctx, user, position);
  const decision = ctx.check(
    'batch.manage-assignments',
    // Ending or removing gives no role, so SOD-02 and SOD-06 (about what a position gives) stay out.
    command.action === 'assign' || target.position === undefined
      ? target
      : { ...target, position: { ...target.position, roles: [] } },
    { batchSize: command.uuids.length },
  );
  if (!decision.allowed) {
    return none('denied', decision.reasons[0]?.message ?? 'refused', {
      reasons: decision.reasons.map((r) => ({ rule: r.rule, code: r.code, message: r.message })),
    });
  }
  const write = async (next: PositionAssignment, op: 'insert' | 'update') => {
    if (command.dryRun) return [];
    const stored =
      op === 'insert'
        ? await ctx.tx.positionAssignments.insert(next)
        : await ctx.tx.positionAssignments.update(next);
    return [{ kind: 'positionAssignments' as const, key: stored.id, op, version: stored.version }];
  };

  switch (command.action) {
    case 'assign': {
      const start = command.start!;
      const overlapping = mine.find(
        (a) =>
          (a.end === undefined || a.end > start) &&
          (command.end === undefined || a.start < command.end),
      );
      if (overlapping) {
        return none('unchanged', `already holds the position (assignment ${overlapping.id})`, {
          assignment: overlapping.id,
        });
      }
      const assignment = parseWith(
        positionAssignmentSchema,
        {
          id: newId('asg'),
          user: uuid,
          position: position.id,
          organisation: position.organisation,
          start,
          ...(command.end !== undefined ? { end: command.end } : {}),
          locum: false,
          createdBy: ctx.actorUuid,
          version: 0,
        },
        'assignment',
      );
      return {
        item: {
          uuid,
          outcome: 'changed',
          message: `assigned from ${start}`,
          assignment: assignment.id,
        },
        changed: await write(assignment, 'insert'),
      };
    }
    case 'end': {
      const on = command.end!;
      const changed: Change[] = [];
      let touched: PositionAssignment | undefined;
      for (const a of mine) {
        const { state } = endOrRemoveAssignment(a, { on, by: ctx.actorUuid, at: ctx.at });
        if (state === a) continue;
        touched = state;
        changed.push(...(await write(state, 'update')));
      }
      return touched
        ? {
            item: { uuid, outcome: 'changed', message: `ends on ${on}`, assignment: touched.id },
            changed,
          }
        : none('unchanged', `holds no assignment of ${position.id} running past ${on}`);
    }
    case 'remove': {
      const changed: Change[] = [];
      for (const a of mine) {
        changed.push(
          ...(await write(removeAssignment(a, { by: ctx.actorUuid, at: ctx.at }).state, 'update')),
        );
      }
      return mine.length > 0
        ? {
            item: {
              uuid,
              outcome: 'changed',
              message: `removed ${mine.length} assignment(s)`,
              assignment: mine[0]!.id,
            },
            changed,
          }
        : none('unchanged', `holds no assignment of ${position.id}`);
    }
  }
}
