import type { z } from 'zod';
import type { IsoDate } from '../../domain/dates.js';
import { newId } from '../../domain/ids.js';
import type { OdsCode } from '../../domain/ods-code.js';
import { type Request, requestSchema } from '../../domain/request.js';
import { endOrRemoveAssignment } from '../../domain/transitions/assignment.js';
import {
  decideRequest,
  openForReview,
  withdrawRequest as withdrawTransition,
} from '../../domain/transitions/request.js';
import type { Uuid } from '../../domain/uuid.js';
import { parseWith } from '../../errors/parse.js';
import { ValidationError } from '../../errors/validation-error.js';
import { compilePack } from '../../policy/compiled-pack.js';
import type { TargetInput } from '../../policy/input.js';
import type { ActivityId } from '../../policy/matrix.js';
import { reason } from '../../policy/reasons.js';
import { NotFoundError } from '../../storage/errors.js';
import { refuse } from '../activity.js';
import {
  type acceptRequestCommandSchema,
  type openRequestCommandSchema,
  raisedRequestSchema,
  type raiseRequestCommandSchema,
  type rejectRequestCommandSchema,
  type withdrawRequestCommandSchema,
} from '../commands.js';
import { allAssignmentsOf, organisationPath } from '../context.js';
import { type EsrRequestPayload, esrRequestPayloadSchema } from '../esr-feed.js';
import type { Change, CommandResult, UseCaseContext, UseCaseOutcome } from '../use-case.js';
import { assignPosition } from './assignments.js';
import { createUser } from './create-user.js';
import { applyPositionChange } from './positions.js';
import {
  applyEsrDetails,
  changeDetails,
  closeUser,
  mustGetUser,
  profileScope,
  reopenUser,
} from './profiles.js';

/** What a request command returns: the request as stored, and what accepting it did. */
export interface RequestResult extends CommandResult {
  readonly type:
    | 'request.raise'
    | 'request.open'
    | 'request.accept'
    | 'request.reject'
    | 'request.withdraw';
  readonly request: Request;
  /** The profile the accepted request created or changed, when it did. */
  readonly user?: Uuid;
}

type RaisedRequest = z.output<typeof raisedRequestSchema>;

/** The result of a command that wrote one request. */
function wrote(
  type: RequestResult['type'],
  stored: Request,
  op: Change['op'],
  decision: CommandResult['decision'],
): RequestResult {
  return {
    type,
    request: stored,
    changed: [{ kind: 'requests', key: stored.id, op, version: stored.version }],
    decision,
  };
}

async function mustGetRequest(ctx: UseCaseContext, id: Request['id']): Promise<Request> {
  const request = await ctx.tx.requests.get(id);
  if (request === undefined) throw new NotFoundError('request', id);
  return request;
}

/** What the request carries, parsed again: stored payloads are data from the past. */
function raisedPayload(request: Request): RaisedRequest {
  const { requesterName: _name, ...payload } = request.payload;
  return parseWith(raisedRequestSchema, payload, `request ${request.id} payload`);
}

function esrPayload(request: Request): EsrRequestPayload {
  return parseWith(esrRequestPayloadSchema, request.payload, `request ${request.id} payload`);
}

/**
 * The activity whose decision governs a request (REQ-02: "a role the matrix allows"): the
 * ESR decisions for ESR requests, otherwise the activity the request asks the RA to do.
 */
export function decidingActivity(request: Request): ActivityId {
  switch (request.kind) {
    case 'esr-create-user':
      return 'request.decide-esr-create';
    case 'esr-modify-user':
      return 'request.decide-esr-modify';
    case 'sponsor-create-user':
      return 'user.create';
    case 'sponsor-activity': {
      const payload = raisedPayload(request);
      return payload.kind === 'sponsor-activity' ? payload.command.type : 'user.change-details';
    }
    case 'position-change':
      return 'position.edit';
    case 'position-assignment':
      return 'assignment.assign';
  }
}

/** The decision target of a request: its organisation, the request (lock) and its subject. */
export async function requestTarget(
  ctx: Pick<UseCaseContext, 'tx'>,
  request: Request,
): Promise<TargetInput> {
  const subject = request.subject ? await ctx.tx.users.get(request.subject) : undefined;
  const scope = subject ? await profileScope(ctx, subject.uuid) : undefined;
  return {
    organisationPath: scope ?? (await organisationPath(ctx.tx, request.organisation)),
    request: {
      id: request.id,
      ...(request.subject ? { subject: request.subject } : {}),
      ...(request.lock ? { lock: request.lock } : {}),
    },
    ...(subject ? { user: { uuid: subject.uuid, status: subject.status } } : {}),
  };
}

/** REQ-02, SOD-05: the decision a reviewer needs to open, accept or reject a request. */
async function authorizeReview(ctx: UseCaseContext, request: Request) {
  return ctx.authorize(
    decidingActivity(request),
    await requestTarget(ctx, request),
    { requestedBy: request.requestedBy },
    'direct',
  );
}

/** The same context, with SOD-05's and SOD-01's facts added to every decision it makes. */
function onBehalfOf(ctx: UseCaseContext, request: Request): UseCaseContext {
  return {
    ...ctx,
    authorize: (activity, target, facts = {}, route) =>
      ctx.authorize(
        activity,
        { ...target, request: { id: request.id, ...(request.lock ? { lock: request.lock } : {}) } },
        {
          ...facts,
          requestedBy: request.requestedBy,
          ...(request.kind === 'sponsor-create-user' && request.requestedBy !== 'ESR'
            ? { sponsoredBy: request.requestedBy }
            : {}),
        },
        route,
      ),
  };
}

/** A sponsor's `*` activity on a user, decided where the user works. */
async function sponsorTarget(
  ctx: UseCaseContext,
  organisation: OdsCode,
  subject: { readonly uuid: Uuid; readonly status: 'open' | 'closed' } | undefined,
): Promise<TargetInput> {
  return {
    organisationPath: await organisationPath(ctx.tx, organisation),
    ...(subject ? { user: { uuid: subject.uuid, status: subject.status } } : {}),
  };
}

async function where(ctx: UseCaseContext, raised: RaisedRequest) {
  switch (raised.kind) {
    case 'sponsor-create-user':
      return { organisation: raised.organisation, subject: undefined };
    case 'sponsor-activity': {
      const user = await mustGetUser(ctx.tx, raised.command.user);
      // ROLE-02: the sponsor acts where the user works; the first organisation of the
      // user's that the sponsor's role covers (or the first, for the denial).
      const places = [
        ...new Set((await allAssignmentsOf(ctx.tx, user.uuid)).map((a) => a.organisation)),
      ];
      for (const place of places) {
        const target = await sponsorTarget(ctx, place, user);
        if (ctx.check(raised.command.type, target, {}, 'via-request').allowed) {
          return { organisation: place, subject: user };
        }
      }
      return { organisation: places[0], subject: user };
    }
    case 'position-change': {
      const position = await ctx.tx.positions.get(raised.position);
      if (!position) throw new NotFoundError('position', raised.position);
      return { organisation: position.organisation, subject: undefined };
    }
    case 'position-assignment': {
      const user = await mustGetUser(ctx.tx, raised.user);
      const position = await ctx.tx.positions.get(raised.position);
      if (!position) throw new NotFoundError('position', raised.position);
      return { organisation: position.organisation, subject: user };
    }
  }
}

/**
 * REQ-01: raises a request. A sponsor's `*` activity is decided on the via-request route
 * (ROLE-03); the other kinds need `request.overview` at the organisation concerned. POS-03:
 * a position change records the requester's name and UUID and its reason.
 *
 * @throws POLICY_DENIED (via the RA), NOT_FOUND for an unknown user or position.
 */
export async function raiseRequest(
  ctx: UseCaseContext,
  command: z.output<typeof raiseRequestCommandSchema>,
): Promise<UseCaseOutcome<RequestResult>> {
  const raised = command.request;
  const requester = await mustGetUser(ctx.tx, ctx.actorUuid);
  const { organisation, subject } = await where(ctx, raised);
  if (organisation === undefined) {
    // Only a sponsor's request about a user can lack an organisation: one with no position,
    // whom no sponsor's scope covers (ROLE-02). A refusal, not bad input.
    const activity = raised.kind === 'sponsor-activity' ? raised.command.type : 'request.overview';
    refuse(
      Object.freeze({
        allowed: false,
        activity,
        route: null,
        reasons: Object.freeze([
          reason('ROLE-02', 'SUBJECT_OUT_OF_SCOPE', 'deny', {
            activity: compilePack(ctx.pack).activities.get(activity)!.action,
            detail: subject?.uuid ?? 'unknown',
          }),
        ]),
        wouldGrant: Object.freeze([]),
      }),
      { activity, ...(subject ? { target: subject.uuid } : {}) },
    );
  }
  const id = newId<Request['id']>('req');
  const decision =
    raised.kind === 'sponsor-activity'
      ? ctx.authorize(
          raised.command.type,
          await sponsorTarget(ctx, organisation, subject),
          {},
          'via-request',
        )
      : ctx.authorize('request.overview', {
          organisationPath: await organisationPath(ctx.tx, organisation),
        });
  const kind = raised.kind;
  const request = parseWith(
    requestSchema,
    {
      id,
      kind,
      state: 'open',
      requestedBy: ctx.actorUuid,
      ...(subject ? { subject: subject.uuid } : {}),
      organisation,
      payload: {
        ...raised,
        requesterName: `${requester.name.given} ${requester.name.family}`,
      },
      ...(command.reason !== undefined ? { reason: command.reason } : {}),
      createdAt: ctx.at,
      version: 0,
    },
    'request',
  );
  const stored = await ctx.tx.requests.insert(request);
  return {
    result: wrote('request.raise', stored, 'insert', decision),
    target: subject?.uuid ?? stored.organisation,
    requestId: stored.id,
    details: { kind, organisation },
  };
}

/**
 * REQ-02: opens a request for review, locking it to the reviewer for the pack's
 * `requestLockMinutes` (15 nationally). SOD-05: never the requester.
 *
 * @throws POLICY_DENIED (via the RA; REQ-02 when another reviewer holds the lock), NOT_FOUND, INVALID_TRANSITION when closed.
 */
export async function openRequest(
  ctx: UseCaseContext,
  command: z.output<typeof openRequestCommandSchema>,
): Promise<UseCaseOutcome<RequestResult>> {
  const request = await mustGetRequest(ctx, command.request);
  const decision = await authorizeReview(ctx, request);
  const { state } = openForReview(request, {
    by: ctx.actorUuid,
    at: ctx.at,
    lockMinutes: ctx.pack.requestLockMinutes,
  });
  const stored = await ctx.tx.requests.update(state);
  return {
    result: wrote('request.open', stored, 'update', decision),
    target: request.subject ?? request.organisation,
    requestId: request.id,
    details: { lockedUntil: stored.lock?.until ?? null },
  };
}

/**
 * REQ-02: rejects a request with its reason. SOD-05: never the requester.
 *
 * @throws POLICY_DENIED (via the RA), NOT_FOUND, INVALID_TRANSITION when closed.
 */
export async function rejectRequest(
  ctx: UseCaseContext,
  command: z.output<typeof rejectRequestCommandSchema>,
): Promise<UseCaseOutcome<RequestResult>> {
  const request = await mustGetRequest(ctx, command.request);
  const decision = await authorizeReview(ctx, request);
  const { state } = decideRequest(request, {
    by: ctx.actorUuid,
    at: ctx.at,
    outcome: 'rejected',
    reason: command.reason,
  });
  const stored = await ctx.tx.requests.update(state);
  return {
    result: wrote('request.reject', stored, 'update', decision),
    target: request.subject ?? request.organisation,
    requestId: request.id,
    details: { kind: request.kind, reason: command.reason },
  };
}

/**
 * REQ-01: the requester withdraws their own open request.
 *
 * @throws POLICY_DENIED (via the RA), NOT_FOUND, INVALID_TRANSITION (closed, or not the requester's).
 */
export async function withdrawRequest(
  ctx: UseCaseContext,
  command: z.output<typeof withdrawRequestCommandSchema>,
): Promise<UseCaseOutcome<RequestResult>> {
  const request = await mustGetRequest(ctx, command.request);
  const decision = ctx.authorize('request.overview', {
    organisationPath: await organisationPath(ctx.tx, request.organisation),
  });
  const { state } = withdrawTransition(request, { by: ctx.actorUuid, at: ctx.at });
  const stored = await ctx.tx.requests.update(state);
  return {
    result: wrote('request.withdraw', stored, 'update', decision),
    target: request.subject ?? request.organisation,
    requestId: request.id,
  };
}

function needsIdentityCheck(
  command: z.output<typeof acceptRequestCommandSchema>,
): NonNullable<typeof command.identityCheck> {
  if (command.identityCheck === undefined) {
    throw new ValidationError('command request.accept', [
      {
        field: 'identityCheck',
        message: 'accepting this request creates a profile: record the identity check (ID-01)',
      },
    ]);
  }
  return command.identityCheck;
}

/**
 * ASG-03: a leaver's assignments at the organisation they left end on the leaving day
 * (those not started by then are removed; those already over stay as they are).
 */
async function endAssignmentsAt(
  ctx: UseCaseContext,
  user: Uuid,
  organisation: OdsCode,
  leftOn: IsoDate,
): Promise<Change[]> {
  const changed: Change[] = [];
  for (const assignment of await allAssignmentsOf(ctx.tx, user)) {
    if (assignment.organisation !== organisation) continue;
    const { state } = endOrRemoveAssignment(assignment, {
      on: leftOn,
      by: ctx.actorUuid,
      at: ctx.at,
    });
    if (state === assignment) continue;
    const stored = await ctx.tx.positionAssignments.update(state);
    changed.push({
      kind: 'positionAssignments',
      key: stored.id,
      op: 'update',
      version: stored.version,
    });
  }
  return changed;
}

/** What carrying out an accepted request did. */
interface Effect {
  readonly changed: readonly Change[];
  readonly decision: CommandResult['decision'];
  readonly user?: Uuid;
  readonly details?: Record<string, unknown>;
}

type SponsorCommand = Extract<RaisedRequest, { kind: 'sponsor-activity' }>['command'];

async function carryOut(
  ctx: UseCaseContext,
  request: Request,
  command: z.output<typeof acceptRequestCommandSchema>,
  review: CommandResult['decision'],
): Promise<Effect> {
  const acting = onBehalfOf(ctx, request);
  if (request.kind === 'esr-create-user' || request.kind === 'esr-modify-user') {
    const esr = esrPayload(request);
    if (esr.kind === 'modify') {
      const outcome = await applyEsrDetails(acting, esr.uuid, esr.changes);
      const ended = esr.leftOn
        ? await endAssignmentsAt(acting, esr.uuid, esr.organisation, esr.leftOn)
        : [];
      return {
        changed: [...outcome.changed, ...ended],
        decision: review,
        user: esr.uuid,
        ...(esr.leftOn ? { details: { leftOn: esr.leftOn, endedAssignments: ended.length } } : {}),
      };
    }
    if (command.match !== undefined) {
      const outcome = await applyEsrDetails(acting, command.match, esr.person, { link: true });
      return { ...outcome, decision: review, user: command.match };
    }
    const created = await createUser(acting, {
      type: 'user.create',
      organisation: esr.organisation,
      name: esr.person.name,
      dateOfBirth: esr.person.dateOfBirth,
      ...(esr.person.niNumber ? { niNumber: esr.person.niNumber } : {}),
      ...(esr.person.contact ? { contact: esr.person.contact } : {}),
      identityCheck: needsIdentityCheck(command),
      ...(command.duplicateOverride ? { duplicateOverride: command.duplicateOverride } : {}),
    });
    const linked = await applyEsrDetails(acting, created.result.uuid, {}, { link: true });
    return {
      changed: [...created.result.changed, ...linked.changed],
      decision: created.result.decision,
      user: created.result.uuid,
    };
  }
  const raised = raisedPayload(request);
  switch (raised.kind) {
    case 'sponsor-create-user': {
      const created = await createUser(acting, {
        type: 'user.create',
        organisation: raised.organisation,
        name: raised.person.name,
        dateOfBirth: raised.person.dateOfBirth,
        ...(raised.person.niNumber ? { niNumber: raised.person.niNumber } : {}),
        ...(raised.person.contact ? { contact: raised.person.contact } : {}),
        identityCheck: needsIdentityCheck(command),
        ...(request.requestedBy !== 'ESR' ? { sponsoredBy: request.requestedBy } : {}),
        ...(command.duplicateOverride ? { duplicateOverride: command.duplicateOverride } : {}),
      });
      const changed = [...created.result.changed];
      if (raised.position !== undefined) {
        const assigned = await assignPosition(acting, {
          type: 'assignment.assign',
          user: created.result.uuid,
          position: raised.position,
          start: raised.start ?? ctx.today,
          locum: false,
        });
        changed.push(...assigned.result.changed);
      }
      return { changed, decision: created.result.decision, user: created.result.uuid };
    }
    case 'sponsor-activity': {
      const handler = {
        'user.change-details': changeDetails,
        'user.close': closeUser,
        'user.reopen': reopenUser,
      }[raised.command.type] as (
        ctx: UseCaseContext,
        command: SponsorCommand,
      ) => ReturnType<typeof changeDetails>;
      const outcome = await handler(acting, raised.command);
      return {
        changed: outcome.result.changed,
        decision: outcome.result.decision,
        user: raised.command.user,
      };
    }
    case 'position-change': {
      const { change, decision } = await applyPositionChange(
        acting,
        raised.position,
        raised.change,
        command.igApproval,
        true,
      );
      return {
        changed: [change],
        decision,
        details: {
          requester: request.payload['requesterName'] ?? null,
          ...(command.igApproval ? { igApproval: command.igApproval } : {}),
        },
      };
    }
    case 'position-assignment': {
      const assigned = await assignPosition(acting, {
        type: 'assignment.assign',
        user: raised.user,
        position: raised.position,
        start: raised.start,
        ...(raised.end !== undefined ? { end: raised.end } : {}),
        locum: false,
      });
      return {
        changed: assigned.result.changed,
        decision: assigned.result.decision,
        user: raised.user,
      };
    }
  }
}

/**
 * REQ-02: accepts a request and carries it out in the same transaction: a sponsor's
 * create-user request becomes a profile (the RA agent records the identity check; SOD-01
 * keeps the sponsor out), an ESR create request a new or matched profile, an ESR modify
 * request the ESR-mastered details (PROF-03), a position change request the change
 * (POS-03, IG approval for sensitive activities), a sponsor's `*` activity that activity.
 * SOD-05: never the requester. Either all of it happens or none.
 *
 * @throws POLICY_DENIED (via the RA), VALIDATION (a missing identity check), NOT_FOUND, INVALID_TRANSITION when closed or locked by another.
 */
export async function acceptRequest(
  ctx: UseCaseContext,
  command: z.output<typeof acceptRequestCommandSchema>,
): Promise<UseCaseOutcome<RequestResult>> {
  const request = await mustGetRequest(ctx, command.request);
  const review = await authorizeReview(ctx, request);
  // Decided first, so a cascade the request triggers (PROF-01 closing open requests) skips it.
  const { state } = decideRequest(request, { by: ctx.actorUuid, at: ctx.at, outcome: 'accepted' });
  const decided = await ctx.tx.requests.update(state);
  const effect = await carryOut(ctx, decided, command, review);
  const subject = effect.user ?? request.subject;
  const stored =
    subject !== undefined && decided.subject === undefined
      ? await ctx.tx.requests.update({ ...decided, subject })
      : decided;
  return {
    result: {
      type: 'request.accept',
      request: stored,
      ...(effect.user ? { user: effect.user } : {}),
      changed: [
        { kind: 'requests', key: stored.id, op: 'update', version: stored.version },
        ...effect.changed,
      ],
      decision: effect.decision,
    },
    target: subject ?? request.organisation,
    requestId: request.id,
    details: { kind: request.kind, ...(effect.details ?? {}) },
  };
}
