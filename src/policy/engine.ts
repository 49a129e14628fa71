import type { IsoDate } from '../domain/dates.js';
import type { CompiledActivity, CompiledPack } from './compiled-pack.js';
import { type Condition, type ConditionContext, conditions } from './conditions.js';
import type { DecisionRequest } from './input.js';
import { type ActivityId, type ActivityRow, activityMatrix } from './matrix.js';
import type { RulePack } from './packs/schema.js';
import {
  dayNumber,
  GRANT_STRIDE,
  LOCUM_FLAG,
  organisationCode,
  organisationId,
  type PreparedActor,
} from './prepared-actor.js';
import { type Reason, reason } from './reasons.js';
import { type RaRole, raRoles, roleBit } from './roles.js';

/** A way to perform an activity: directly, or by raising a request an RA agent accepts. */
export type Route = 'direct' | 'via-request';

/** What would grant a denied activity: a role, where, and by which route. */
export interface GrantHint {
  readonly role: RaRole;
  /** The organisation (or any above it); absent when the activity has no organisation. */
  readonly organisation?: string;
  readonly route: Route;
}

/**
 * The answer of the policy engine: allowed or not, by which route, and every rule that
 * decided, by rule ID. A denial also says what would grant it.
 */
export interface Decision {
  readonly allowed: boolean;
  readonly activity: ActivityId;
  /** The route that allows it; `null` when denied. */
  readonly route: Route | null;
  /**
   * The rules that decided: the permit when allowed; when denied, the refusal if no role
   * grants it, or every rule that forbids it (separation of duties and conditions beat
   * every permit).
   */
  readonly reasons: readonly Reason[];
  /** When denied for want of a role: the roles that would grant it, and where. */
  readonly wouldGrant: readonly GrantHint[];
}

/**
 * A validated request with what every decision on it needs worked out once: its date,
 * its compiled activity, its scope, the conditions that apply, and the answers that do
 * not depend on the actor.
 */
export interface PreparedRequest {
  readonly request: DecisionRequest;
  readonly compiled: CompiledPack;
  readonly activity: CompiledActivity;
  readonly conditions: readonly Condition[];
  readonly date: IsoDate;
  /** The target organisation and its ancestors (ROLE-02); undefined: no organisation. */
  readonly path: readonly string[] | undefined;
  /** The same path as organisation ids. */
  readonly pathIds: Int32Array | undefined;
  /** The decision date as days since 1970-01-01. */
  readonly day: number;
  /** The decision when nobody's role grants it and no rule forbids. */
  readonly noRole: Decision;
  /** The permit of an all-users row (finding, or self-service on one's own profile). */
  readonly allUsersPermit: Reason | undefined;
  /** The profile a self-service activity acts on, when the target is one person's own (ROLE-01). */
  readonly selfSubject: string | undefined;
  /** The position the target names, if any (ROLE-03 `S**`). */
  readonly positionId: string | undefined;
  /**
   * The answers that do not depend on who asks, made on first use: two refusals, and each
   * allowed decision by (how it was granted, role, organisation, route).
   */
  readonly memo: {
    notOwnProfile?: Decision;
    profileClosed?: Decision;
    allowed?: Map<number, Decision>;
  };
}

const conditionsByActivity = new Map<ActivityId, readonly Condition[]>();
for (const row of activityMatrix as readonly ActivityRow[]) {
  const id = row.id as ActivityId;
  conditionsByActivity.set(
    id,
    conditions.filter((c) =>
      c.activities === 'role-granted' ? row.allUsers === undefined : c.activities.includes(id),
    ),
  );
}

const NO_HINTS: readonly GrantHint[] = Object.freeze([]);

const ROLE_INDEX: Readonly<Record<RaRole, number>> = {
  RAM: 0,
  RAAA: 1,
  RAA: 2,
  S: 3,
  IDC: 4,
  LSA: 5,
};

/** The role a permit names when several grant: an RA role before the sponsor role. */
export const ROLE_PREFERENCE: readonly RaRole[] = ['RAM', 'RAAA', 'RAA', 'IDC', 'LSA', 'S'];

function preferredRole(mask: number): RaRole {
  for (const role of ROLE_PREFERENCE) if (mask & roleBit[role]) return role;
  throw new RangeError('preferredRole of an empty mask');
}

function inPath(pathIds: Int32Array | undefined, organisation: number): boolean {
  if (pathIds === undefined) return true;
  for (let p = 0; p < pathIds.length; p++) if (pathIds[p] === organisation) return true;
  return false;
}

/**
 * The organisation id of the first assignment (in the actor's order) through which `role`
 * grants by the given route: the one a permit names.
 */
function firstGranting(
  actor: PreparedActor,
  prepared: PreparedRequest,
  role: RaRole,
  direct: boolean,
): number {
  const bit = roleBit[role];
  const grant = prepared.activity.grants[role];
  const positionId = prepared.request.target.position?.id;
  const unlock = prepared.activity.id === 'smartcard.unlock';
  const g = actor.grants;
  const day = prepared.day;
  for (let i = actor.from; i < actor.to; i += GRANT_STRIDE) {
    const flags = g[i + 1]!;
    if (
      (flags & bit) === 0 ||
      g[i + 2]! > day ||
      day >= g[i + 3]! ||
      !inPath(prepared.pathIds, g[i]!)
    )
      continue;
    if (flags & LOCUM_FLAG && unlock) continue;
    if (grant !== 'assignable-only') return g[i]!;
    const onList =
      positionId !== undefined &&
      (actor.assignable[(i - actor.from) / GRANT_STRIDE] ?? []).includes(positionId);
    if (onList === direct) return g[i]!;
  }
  throw new RangeError(`no assignment grants ${role}`);
}

function hintsFor(activity: CompiledActivity, organisation: string | undefined): GrantHint[] {
  const hints: GrantHint[] = [];
  for (const role of raRoles) {
    const grant = activity.grants[role];
    if (!grant) continue;
    const route: Route = grant === 'via-request' ? 'via-request' : 'direct';
    hints.push(
      Object.freeze(organisation === undefined ? { role, route } : { role, organisation, route }),
    );
  }
  return hints;
}

function describeHints(hints: readonly GrantHint[]): string {
  if (hints.length === 0) return 'no role';
  return hints.map((h) => (h.route === 'direct' ? h.role : `${h.role} (by request)`)).join(', ');
}

const PREPARED_FOR = Symbol('careid.preparedFor');

/** The one person a target belongs to: its user, and the card's holder if a card is named. */
function selfSubjectOf(target: DecisionRequest['target']): string | undefined {
  const subject = target.user?.uuid ?? target.card?.holder;
  const holder = target.card?.holder;
  return holder === undefined || holder === subject ? subject : undefined;
}

/**
 * Whether `value` is a request prepared under `compiled` by {@link prepareRequest}.
 *
 * @example
 * ```ts
 * if (!isPreparedFor(compiled, request)) request = prepareRequest(compiled, parse(request));
 * ```
 */
export function isPreparedFor(compiled: CompiledPack, value: unknown): value is PreparedRequest {
  return (
    typeof value === 'object' &&
    value !== null &&
    (value as { [PREPARED_FOR]?: CompiledPack })[PREPARED_FOR] === compiled
  );
}

/**
 * Works out, once, everything about a validated request that does not depend on who asks.
 *
 * @example
 * ```ts
 * const prepared = prepareRequest(compilePack(nationalPack), request);
 * ```
 */
export function prepareRequest(compiled: CompiledPack, request: DecisionRequest): PreparedRequest {
  const activity = compiled.activities.get(request.activity)!;
  const target = request.target;
  const date = request.at.slice(0, 10) as IsoDate;
  const path: readonly string[] | undefined =
    target.organisationPath ??
    (target.organisation !== undefined
      ? [target.organisation]
      : target.position !== undefined
        ? [target.position.organisation]
        : undefined);
  const organisation = path?.[0];
  const hints = Object.freeze(hintsFor(activity, organisation));
  const noRoleReason = reason('ROLE-02', 'NO_ROLE', 'deny', {
    activity: activity.action,
    date,
    detail: describeHints(hints),
    ...(organisation !== undefined ? { organisation } : {}),
  });
  const row = activity.row;
  const prepared: PreparedRequest & { readonly [PREPARED_FOR]: CompiledPack } = {
    [PREPARED_FOR]: compiled,
    request,
    compiled,
    activity,
    conditions: conditionsByActivity.get(request.activity)!,
    date,
    path,
    pathIds: path === undefined ? undefined : Int32Array.from(path, organisationId),
    positionId: target.position?.id,
    selfSubject: selfSubjectOf(target),
    memo: {},
    day: dayNumber(date),
    noRole: Object.freeze({
      allowed: false,
      activity: request.activity,
      route: null,
      reasons: Object.freeze([noRoleReason]),
      wouldGrant: hints,
    }),
    allUsersPermit:
      row.allUsers === 'any'
        ? reason('ROLE-01', 'ALL_USERS', 'permit', { activity: activity.action })
        : row.allUsers === 'own'
          ? reason('ROLE-01', 'SELF_SERVICE', 'permit', { activity: activity.action })
          : undefined,
  };
  return prepared;
}

// One scratch context, reused: decisions are synchronous and conditions never re-enter.
const scratch: { -readonly [K in keyof ConditionContext]: ConditionContext[K] } = {
  pack: undefined as unknown as RulePack,
  activity: undefined as unknown as CompiledActivity,
  date: '' as IsoDate,
  day: 0,
  at: '',
  actor: undefined as unknown as PreparedActor,
  target: undefined as unknown as DecisionRequest['target'],
  facts: undefined as unknown as DecisionRequest['facts'],
  actingRole: undefined,
};

function checkConditions(
  prepared: PreparedRequest,
  actor: PreparedActor,
  actingRole: RaRole | undefined,
): Reason[] | undefined {
  const applicable = prepared.conditions;
  if (applicable.length === 0) return undefined;
  const request = prepared.request;
  scratch.pack = prepared.compiled.pack;
  scratch.activity = prepared.activity;
  scratch.date = prepared.date;
  scratch.day = prepared.day;
  scratch.at = request.at;
  scratch.actor = actor;
  scratch.target = request.target;
  scratch.facts = request.facts;
  scratch.actingRole = actingRole;
  let forbids: Reason[] | undefined;
  for (let i = 0; i < applicable.length; i++) {
    const broken = applicable[i]!.check(scratch);
    if (broken === undefined) continue;
    if (forbids === undefined) forbids = [broken];
    else forbids.push(broken);
  }
  return forbids;
}

function denied(prepared: PreparedRequest, reasons: Reason[]): Decision {
  return {
    allowed: false,
    activity: prepared.request.activity,
    route: null,
    reasons,
    wouldGrant: NO_HINTS,
  };
}

function refused(prepared: PreparedRequest, refusal: Reason): Decision {
  return denied(prepared, [refusal]);
}

/** How a permit was granted: by an "All users" row, a role directly, or a role by request. */
enum PermitKind {
  AllUsers = 0,
  Role = 1,
  Request = 2,
}

function permitReason(
  prepared: PreparedRequest,
  kind: PermitKind,
  role: RaRole | undefined,
  organisationId: number,
): Reason {
  if (kind === PermitKind.AllUsers || role === undefined) return prepared.allUsersPermit!;
  const activity = prepared.activity;
  const organisation = organisationCode(organisationId);
  if (kind === PermitKind.Request) {
    const code = activity.grants[role] === 'via-request' ? 'VIA_REQUEST_ONLY' : 'NOT_ASSIGNABLE';
    return reason('ROLE-03', code, 'permit', { activity: activity.action, role, organisation });
  }
  const viaAssignable = activity.grants[role] === 'assignable-only';
  return reason(
    viaAssignable ? 'ROLE-03' : 'ROLE-02',
    viaAssignable ? 'ASSIGNABLE_POSITION' : 'ROLE_GRANTS',
    'permit',
    { activity: activity.action, role, organisation, date: prepared.date },
  );
}

/**
 * A permit stands unless a condition forbids it. The allowed decision depends only on how
 * it was granted, the role, the organisation and the route, so it is made once per
 * prepared request and shared (frozen).
 */
function permitted(
  prepared: PreparedRequest,
  actor: PreparedActor,
  kind: PermitKind,
  route: Route,
  role: RaRole | undefined,
  organisationId: number,
): Decision {
  const forbids = checkConditions(prepared, actor, role);
  if (forbids !== undefined) return denied(prepared, forbids);
  // One small integer per (organisation, role, how granted, route).
  const roleIndex = role === undefined ? 7 : ROLE_INDEX[role];
  const key = ((organisationId * 8 + roleIndex) * 4 + kind) * 2 + (route === 'via-request' ? 1 : 0);
  prepared.memo.allowed ??= new Map();
  const allowed = prepared.memo.allowed;
  let decision = allowed.get(key);
  if (decision === undefined) {
    decision = Object.freeze({
      allowed: true,
      activity: prepared.request.activity,
      route,
      reasons: Object.freeze([permitReason(prepared, kind, role, organisationId)]),
      wouldGrant: NO_HINTS,
    });
    allowed.set(key, decision);
  }
  return decision;
}

/**
 * Decides a prepared request for a prepared actor. Pure and synchronous: no I/O, no
 * clock (the request carries its instant).
 *
 * @example
 * ```ts
 * decidePrepared(actor, prepareRequest(compiled, request))
 * ```
 */
export function decidePrepared(actor: PreparedActor, prepared: PreparedRequest): Decision {
  const activity = prepared.activity;
  const action = activity.action;
  const request = prepared.request;

  if (!actor.open) {
    prepared.memo.profileClosed ??= Object.freeze(
      denied(prepared, [reason('ROLE-01', 'PROFILE_CLOSED', 'deny', { activity: action })]),
    );
    return prepared.memo.profileClosed;
  }
  const allUsers = activity.allUsers;
  if (allUsers === 'any')
    return permitted(prepared, actor, PermitKind.AllUsers, 'direct', undefined, -1);
  if (allUsers === 'own') {
    if (prepared.selfSubject === actor.uuid) {
      return permitted(prepared, actor, PermitKind.AllUsers, 'direct', undefined, -1);
    }
    prepared.memo.notOwnProfile ??= Object.freeze(
      denied(prepared, [reason('ROLE-01', 'NOT_OWN_PROFILE', 'deny', { activity: action })]),
    );
    return prepared.memo.notOwnProfile;
  }

  const day = prepared.day;
  const pathIds = prepared.pathIds;
  const positionId = prepared.positionId;
  const unlock = activity.id === 'smartcard.unlock';
  const anyMask = activity.anyMask;
  const g = actor.grants;
  let directFound = 0;
  let requestFound = 0;
  let locum = -1;
  for (let i = actor.from; i < actor.to; i += GRANT_STRIDE) {
    const flags = g[i + 1]!;
    const matched = flags & anyMask;
    if (matched === 0 || g[i + 2]! > day || day >= g[i + 3]! || !inPath(pathIds, g[i]!)) continue;
    if (flags & LOCUM_FLAG && unlock) {
      if (locum < 0) locum = g[i]!;
      continue;
    }
    const assignable = matched & activity.assignableMask;
    const onList =
      assignable !== 0 &&
      positionId !== undefined &&
      (actor.assignable[(i - actor.from) / GRANT_STRIDE] ?? []).includes(positionId);
    directFound |= (matched & activity.directMask) | (onList ? assignable : 0);
    requestFound |= (matched & activity.viaRequestMask) | (onList ? 0 : assignable);
  }

  if (directFound !== 0) {
    const role = preferredRole(directFound);
    const organisationId = firstGranting(actor, prepared, role, true);
    const route = request.route === 'via-request' ? 'via-request' : 'direct';
    return permitted(prepared, actor, PermitKind.Role, route, role, organisationId);
  }
  if (requestFound !== 0) {
    const role = preferredRole(requestFound);
    const organisationId = firstGranting(actor, prepared, role, false);
    if (request.route === 'direct') {
      const code = activity.grants[role] === 'via-request' ? 'VIA_REQUEST_ONLY' : 'NOT_ASSIGNABLE';
      const organisation = organisationCode(organisationId);
      return refused(
        prepared,
        reason('ROLE-03', code, 'deny', { activity: action, role, organisation }),
      );
    }
    return permitted(prepared, actor, PermitKind.Request, 'via-request', role, organisationId);
  }
  if (locum >= 0) {
    const organisation = organisationCode(locum);
    return refused(
      prepared,
      reason('CARD-03', 'LOCUM_NO_UNLOCK', 'deny', { activity: action, organisation }),
    );
  }
  return prepared.noRole;
}

/**
 * Decides one validated request for a prepared actor under a compiled pack. Pure and
 * synchronous: no I/O, no clock (the request carries its instant).
 *
 * @example
 * ```ts
 * evaluate(compilePack(nationalPack), prepared, request)
 * ```
 */
export function evaluate(
  compiled: CompiledPack,
  actor: PreparedActor,
  request: DecisionRequest,
): Decision {
  return decidePrepared(actor, prepareRequest(compiled, request));
}
