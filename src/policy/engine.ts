import type { IsoDate } from '../domain/dates.js';
import type { CompiledActivity, CompiledPack } from './compiled-pack.js';
import { type Condition, type ConditionContext, conditions } from './conditions.js';
import type { DecisionRequest } from './input.js';
import { type ActivityId, type ActivityRow, activityMatrix } from './matrix.js';
import type { PreparedActor, PreparedAssignment } from './prepared-actor.js';
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
  /** The rules that decided: the permit when allowed; every refusal when denied. */
  readonly reasons: readonly Reason[];
  /** When denied for want of a role: the roles that would grant it, and where. */
  readonly wouldGrant: readonly GrantHint[];
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

const NO_HINTS: readonly GrantHint[] = [];

/** The role a permit names when several grant: an RA role before the sponsor role. */
const ROLE_PREFERENCE: readonly RaRole[] = ['RAM', 'RAAA', 'RAA', 'IDC', 'LSA', 'S'];

function preferredRole(mask: number): RaRole {
  for (const role of ROLE_PREFERENCE) if (mask & roleBit[role]) return role;
  throw new RangeError('preferredRole of an empty mask');
}

/** The first assignment (in the actor's order) through which `role` grants by the given route. */
function firstGranting(
  actor: PreparedActor,
  activity: CompiledActivity,
  date: string,
  path: readonly string[] | undefined,
  role: RaRole,
  positionId: string | undefined,
  direct: boolean,
): PreparedAssignment | undefined {
  const bit = roleBit[role];
  const grant = activity.grants[role];
  for (const a of actor.assignments) {
    if ((a.roleMask & bit) === 0 || !isActive(a, date)) continue;
    if (path !== undefined && !path.includes(a.organisation)) continue;
    if (a.locum && activity.id === 'smartcard.unlock') continue;
    if (grant !== 'assignable-only') return a;
    const onList = positionId !== undefined && a.assignable.includes(positionId);
    if (onList === direct) return a;
  }
  return undefined;
}

function isActive(a: PreparedAssignment, date: string): boolean {
  return !a.removed && a.start <= date && (a.end === undefined || date < a.end);
}

function hintsFor(activity: CompiledActivity, organisation: string | undefined): GrantHint[] {
  const hints: GrantHint[] = [];
  for (const role of raRoles) {
    const grant = activity.grants[role];
    if (!grant) continue;
    const route: Route = grant === 'via-request' ? 'via-request' : 'direct';
    hints.push(organisation === undefined ? { role, route } : { role, organisation, route });
  }
  return hints;
}

function describeHints(hints: readonly GrantHint[]): string {
  if (hints.length === 0) return 'no role';
  return hints.map((h) => (h.route === 'direct' ? h.role : `${h.role} (by request)`)).join(', ');
}

/**
 * Decides one request for a prepared actor under a compiled pack. Pure and synchronous:
 * no I/O, no clock (the request carries its instant).
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
  const activity = compiled.activities.get(request.activity)!;
  const row = activity.row;
  const target = request.target;
  const date = request.at.slice(0, 10) as IsoDate;
  const path: readonly string[] | undefined =
    target.organisationPath ??
    (target.organisation !== undefined
      ? [target.organisation]
      : target.position !== undefined
        ? [target.position.organisation]
        : undefined);

  let permit: Reason | undefined;
  let route: Route | null = null;
  let refusal: Reason | undefined;
  let actingRole: RaRole | undefined;

  if (!actor.open) {
    refusal = reason('ROLE-01', 'PROFILE_CLOSED', 'deny', { activity: activity.action });
  } else if (row.allUsers === 'any') {
    permit = reason('ROLE-01', 'ALL_USERS', 'permit', { activity: activity.action });
    route = 'direct';
  } else if (row.allUsers === 'own') {
    const subject = target.user?.uuid ?? target.card?.holder;
    const own =
      subject === actor.uuid &&
      (target.card?.holder === undefined || target.card.holder === actor.uuid);
    if (own) {
      permit = reason('ROLE-01', 'SELF_SERVICE', 'permit', { activity: activity.action });
      route = 'direct';
    } else {
      refusal = reason('ROLE-01', 'NOT_OWN_PROFILE', 'deny', { activity: activity.action });
    }
  } else {
    const positionId = target.position?.id;
    let directFound = 0;
    let requestFound = 0;
    let locum: PreparedAssignment | undefined;
    for (const a of actor.assignments) {
      const matched = a.roleMask & activity.anyMask;
      if (matched === 0 || !isActive(a, date)) continue;
      if (path !== undefined && !path.includes(a.organisation)) continue;
      if (a.locum && request.activity === 'smartcard.unlock') {
        locum ??= a;
        continue;
      }
      const assignable = matched & activity.assignableMask;
      const onList =
        assignable !== 0 && positionId !== undefined && a.assignable.includes(positionId);
      directFound |= (matched & activity.directMask) | (onList ? assignable : 0);
      requestFound |= (matched & activity.viaRequestMask) | (onList ? 0 : assignable);
    }
    if (directFound !== 0) {
      actingRole = preferredRole(directFound);
      const a = firstGranting(actor, activity, date, path, actingRole, positionId, true)!;
      const viaAssignable = activity.grants[actingRole] === 'assignable-only';
      permit = reason(
        viaAssignable ? 'ROLE-03' : 'ROLE-02',
        viaAssignable ? 'ASSIGNABLE_POSITION' : 'ROLE_GRANTS',
        'permit',
        { activity: activity.action, role: actingRole, organisation: a.organisation, date },
      );
      route = request.route === 'via-request' ? 'via-request' : 'direct';
    } else if (requestFound !== 0) {
      actingRole = preferredRole(requestFound);
      const a = firstGranting(actor, activity, date, path, actingRole, positionId, false)!;
      const code =
        activity.grants[actingRole] === 'via-request' ? 'VIA_REQUEST_ONLY' : 'NOT_ASSIGNABLE';
      const params = { activity: activity.action, role: actingRole, organisation: a.organisation };
      if (request.route === 'direct') {
        refusal = reason('ROLE-03', code, 'deny', params);
        actingRole = undefined;
      } else {
        permit = reason('ROLE-03', code, 'permit', params);
        route = 'via-request';
      }
    } else if (locum !== undefined) {
      refusal = reason('CARD-03', 'LOCUM_NO_UNLOCK', 'deny', {
        activity: activity.action,
        organisation: locum.organisation,
      });
    } else {
      const organisation = path?.[0];
      refusal = reason('ROLE-02', 'NO_ROLE', 'deny', {
        activity: activity.action,
        date,
        detail: describeHints(hintsFor(activity, organisation)),
        ...(organisation !== undefined ? { organisation } : {}),
      });
    }
  }

  const applicable = conditionsByActivity.get(request.activity)!;
  let forbids: Reason[] | undefined;
  if (applicable.length > 0) {
    const ctx: ConditionContext = {
      pack: compiled.pack,
      activity,
      date,
      at: request.at,
      actor,
      target,
      facts: request.facts,
      actingRole,
    };
    for (const condition of applicable) {
      const broken = condition.check(ctx);
      if (broken === undefined) continue;
      if (forbids === undefined) forbids = [broken];
      else forbids.push(broken);
    }
  }

  if (permit !== undefined && forbids === undefined) {
    return {
      allowed: true,
      activity: request.activity,
      route,
      reasons: [permit],
      wouldGrant: NO_HINTS,
    };
  }
  const reasons: Reason[] = [];
  if (refusal !== undefined) reasons.push(refusal);
  if (forbids !== undefined) reasons.push(...forbids);
  const wantsRole = refusal !== undefined && refusal.code === 'NO_ROLE';
  return {
    allowed: false,
    activity: request.activity,
    route: null,
    reasons,
    wouldGrant: wantsRole ? hintsFor(activity, path?.[0]) : NO_HINTS,
  };
}
