import type { z } from 'zod';
import { type WorkgroupAssignment, workgroupAssignmentSchema } from '../../domain/assignment.js';
import { InvalidTransitionError } from '../../domain/errors.js';
import { newId } from '../../domain/ids.js';
import { editAssignmentDates, removeAssignment } from '../../domain/transitions/assignment.js';
import { closeWorkgroup as closeWorkgroupTransition } from '../../domain/transitions/workgroup.js';
import type { UserProfile } from '../../domain/user.js';
import { type Workgroup, workgroupSchema } from '../../domain/workgroup.js';
import { parseWith } from '../../errors/parse.js';
import type { TargetInput } from '../../policy/input.js';
import type { ActivityId } from '../../policy/matrix.js';
import { NotFoundError } from '../../storage/errors.js';
import type {
  assignWorkgroupCommandSchema,
  closeWorkgroupCommandSchema,
  createWorkgroupCommandSchema,
  editWorkgroupDatesCommandSchema,
  removeWorkgroupAssignmentCommandSchema,
} from '../commands.js';
import { allPages, organisationPath } from '../context.js';
import type { Change, CommandResult, UseCaseContext, UseCaseOutcome } from '../use-case.js';

/** What a workgroup command returns: the workgroup, or the assignment, as stored. */
export interface WorkgroupResult extends CommandResult {
  readonly type:
    | 'workgroup.create'
    | 'workgroup.close'
    | 'workgroup.assign'
    | 'workgroup.edit-dates'
    | 'workgroup.remove';
  readonly workgroup?: Workgroup;
  readonly assignment?: WorkgroupAssignment;
}

async function mustGet<T>(kind: string, key: string, found: Promise<T | undefined>): Promise<T> {
  const record = await found;
  if (record === undefined) throw new NotFoundError(kind, key);
  return record;
}

const userTarget = (user: UserProfile) => ({ uuid: user.uuid, status: user.status });

async function workgroupTarget(
  ctx: UseCaseContext,
  workgroup: Workgroup,
  user?: UserProfile,
): Promise<TargetInput> {
  return {
    organisationPath: await organisationPath(ctx.tx, workgroup.organisation),
    ...(user ? { user: userTarget(user) } : {}),
  };
}

/**
 * WG-01: creates a workgroup at an organisation (RAM, RAA(A)).
 *
 * @throws POLICY_DENIED (via the RA).
 */
export async function createWorkgroup(
  ctx: UseCaseContext,
  command: z.output<typeof createWorkgroupCommandSchema>,
): Promise<UseCaseOutcome<WorkgroupResult>> {
  const decision = ctx.authorize('workgroup.create', {
    organisationPath: await organisationPath(ctx.tx, command.organisation),
  });
  const workgroup = parseWith(
    workgroupSchema,
    {
      id: newId('wg'),
      name: command.name,
      organisation: command.organisation,
      status: 'open',
      version: 0,
    },
    'workgroup',
  );
  const stored = await ctx.tx.workgroups.insert(workgroup);
  return {
    result: {
      type: 'workgroup.create',
      workgroup: stored,
      changed: [{ kind: 'workgroups', key: stored.id, op: 'insert', version: stored.version }],
      decision,
    },
    target: stored.id,
  };
}

/**
 * WG-01: assigns a workgroup directly to a user; SOD-03 refuses one's own profile.
 *
 * @throws POLICY_DENIED (via the RA), NOT_FOUND, INVALID_TRANSITION for a closed workgroup.
 */
export async function assignWorkgroup(
  ctx: UseCaseContext,
  command: z.output<typeof assignWorkgroupCommandSchema>,
): Promise<UseCaseOutcome<WorkgroupResult>> {
  const workgroup = await mustGet(
    'workgroup',
    command.workgroup,
    ctx.tx.workgroups.get(command.workgroup),
  );
  const user = await mustGet('user', command.user, ctx.tx.users.get(command.user));
  const decision = ctx.authorize('workgroup.assign', await workgroupTarget(ctx, workgroup, user));
  if (workgroup.status !== 'open')
    throw new InvalidTransitionError('WG-01', `Workgroup ${workgroup.id} is closed`);
  const assignment = parseWith(
    workgroupAssignmentSchema,
    {
      id: newId('wga'),
      user: user.uuid,
      workgroup: workgroup.id,
      start: command.start,
      ...(command.end !== undefined ? { end: command.end } : {}),
      createdBy: ctx.actorUuid,
      version: 0,
    },
    'workgroup assignment',
  );
  const stored = await ctx.tx.workgroupAssignments.insert(assignment);
  return {
    result: {
      type: 'workgroup.assign',
      assignment: stored,
      changed: [
        { kind: 'workgroupAssignments', key: stored.id, op: 'insert', version: stored.version },
      ],
      decision,
    },
    target: user.uuid,
    details: { workgroup: workgroup.id, assignment: stored.id },
  };
}

async function changeAssignment(
  ctx: UseCaseContext,
  id: WorkgroupAssignment['id'],
  activity: ActivityId,
  change: (a: WorkgroupAssignment) => {
    facts: { changesStart?: boolean };
    next: () => WorkgroupAssignment;
  },
  type: 'workgroup.edit-dates' | 'workgroup.remove',
): Promise<UseCaseOutcome<WorkgroupResult>> {
  const assignment = await mustGet('workgroup assignment', id, ctx.tx.workgroupAssignments.get(id));
  const workgroup = await mustGet(
    'workgroup',
    assignment.workgroup,
    ctx.tx.workgroups.get(assignment.workgroup),
  );
  const user = await mustGet('user', assignment.user, ctx.tx.users.get(assignment.user));
  const { facts, next } = change(assignment);
  const target = {
    ...(await workgroupTarget(ctx, workgroup, user)),
    assignment: { start: assignment.start },
  };
  const decision = ctx.authorize(activity, target, facts);
  const stored = await ctx.tx.workgroupAssignments.update(next());
  return {
    result: {
      type,
      assignment: stored,
      changed: [
        { kind: 'workgroupAssignments', key: stored.id, op: 'update', version: stored.version },
      ],
      decision,
    },
    target: user.uuid,
    details: { assignment: stored.id },
  };
}

/**
 * WG-01/ASG-01: edits a workgroup assignment's dates; once started, only the end.
 *
 * @throws POLICY_DENIED (via the RA), NOT_FOUND, INVALID_TRANSITION.
 */
export function editWorkgroupDates(
  ctx: UseCaseContext,
  command: z.output<typeof editWorkgroupDatesCommandSchema>,
): Promise<UseCaseOutcome<WorkgroupResult>> {
  return changeAssignment(
    ctx,
    command.assignment,
    'workgroup.edit-dates',
    (a) => ({
      facts: { changesStart: command.start !== undefined && command.start !== a.start },
      next: () =>
        editAssignmentDates(
          a,
          {
            ...(command.start !== undefined ? { start: command.start } : {}),
            ...(command.end !== undefined ? { end: command.end } : {}),
          },
          ctx.today,
        ).state,
    }),
    'workgroup.edit-dates',
  );
}

/**
 * WG-01/ASG-04: removes a workgroup assignment; it stays in the history.
 *
 * @throws POLICY_DENIED (via the RA), NOT_FOUND, INVALID_TRANSITION when already removed.
 */
export function removeWorkgroupAssignment(
  ctx: UseCaseContext,
  command: z.output<typeof removeWorkgroupAssignmentCommandSchema>,
): Promise<UseCaseOutcome<WorkgroupResult>> {
  return changeAssignment(
    ctx,
    command.assignment,
    'workgroup.remove',
    (a) => ({
      facts: {},
      next: () => removeAssignment(a, { by: ctx.actorUuid, at: ctx.at }).state,
    }),
    'workgroup.remove',
  );
}

/**
 * WG-01: closes a workgroup with an explicit confirmation and its approval; its
 * assignments end.
 *
 * @throws POLICY_DENIED (via the RA), NOT_FOUND, INVALID_TRANSITION without confirmation or when closed.
 */
export async function closeWorkgroup(
  ctx: UseCaseContext,
  command: z.output<typeof closeWorkgroupCommandSchema>,
): Promise<UseCaseOutcome<WorkgroupResult>> {
  const { tx } = ctx;
  const workgroup = await mustGet(
    'workgroup',
    command.workgroup,
    tx.workgroups.get(command.workgroup),
  );
  const decision = ctx.authorize('workgroup.close', await workgroupTarget(ctx, workgroup));
  const assignments = await allPages((page) =>
    tx.workgroupAssignments.forWorkgroup(workgroup.id, page),
  );
  const { state } = closeWorkgroupTransition(
    { workgroup, assignments },
    {
      by: ctx.actorUuid,
      at: ctx.at,
      today: ctx.today,
      confirm: command.confirm,
      approval: command.approval,
    },
  );
  const stored = await tx.workgroups.update(state.workgroup);
  const changed: Change[] = [
    { kind: 'workgroups', key: stored.id, op: 'update', version: stored.version },
  ];
  for (let i = 0; i < assignments.length; i++) {
    if (state.assignments[i] === assignments[i]) continue;
    const a = await tx.workgroupAssignments.update(state.assignments[i]!);
    changed.push({ kind: 'workgroupAssignments', key: a.id, op: 'update', version: a.version });
  }
  return {
    result: { type: 'workgroup.close', workgroup: stored, changed, decision },
    target: stored.id,
    details: { approval: command.approval },
  };
}
