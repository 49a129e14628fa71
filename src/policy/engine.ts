import type { IsoDate } from '../domain/dates.js';
import { dateIn } from '../domain/time-zone.js';
import type { CompiledActivity, CompiledPack } from './compiled-pack.js';
import type { ConditionContext } from './conditions.js';
import type { DecisionRequest } from './input.js';
import type { ActivityId } from './matrix.js';
import {
  type ActorPlan,
  dayNumber,
  GRANT_STRIDE,
  JOB_ROLE_FLAG,
  LOCUM_FLAG,
  organisationCode,
  organisationId,
  rolesHeldOn,
} from './prepared-actor.js';
import { type Reason, reason } from './reasons.js';
import { type RaRole, raRoles, roleBit } from './roles.js';

/*
 * The decision core: every entry point (`decide`, `Decider.decide`, `decideAt`, `whatCan`)
 * decides with `decidePrepared` below, one grant scan for one prepared actor and one
 * prepared request. The scan finds how the actor is granted (the outcome, the role, where);
 * the decision is then made from that and from the facts about the actor that the
 * applicable conditions declare they read (`Condition.reads`), never from the actor
 * itself, so it is kept per request under a key of exactly those and shared, frozen, by
 * every actor with the same key.
 */

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
 * A validated request made ready for deciding it for many actors; build it with
 * `Decider.request` (or `prepareRequests`). Opaque but for the validated request.
 */
export interface PreparedRequest {
  /** The validated request (defaults filled in). */
  readonly request: DecisionRequest;
}

/** The engine's view of a prepared request (internal): what every decision on it reads. */
export interface RequestPlan extends PreparedRequest {
  readonly compiled: CompiledPack;
  readonly activity: CompiledActivity;
  readonly date: IsoDate;
  /** The decision date as days since 1970-01-01. */
  readonly day: number;
  /** The target organisation and its ancestors as organisation ids; undefined: no organisation. */
  readonly pathIds: Int32Array | undefined;
  /** The position the target names, if any (ROLE-03 `S**`). */
  readonly positionId: string | undefined;
  /** The profile a self-service activity acts on, when the target is one person's own (ROLE-01). */
  readonly selfSubject: string | undefined;
  /** The people named at the person fields the conditions read, in `compiled` order. */
  readonly people: readonly (string | undefined)[];
  /** The decision when nobody's role grants it and no rule forbids. */
  readonly noRole: Decision;
  /** Whether the pack's pharmacist rule may grant it (CARD-03/CARD-05, dorset). */
  readonly pharmacist: boolean;
  /** Decisions made, by key (see `keyOf`), and the last one found, for a cheap repeat. */
  readonly memo: Map<number, Decision>;
  lastKey: number;
  lastDecision: Decision | undefined;
}

const PLAN = Symbol('careid.preparedRequest');

/** Whether `value` is a request prepared under `compiled`. */
export function isPlanFor(compiled: CompiledPack, value: unknown): value is RequestPlan {
  return (
    typeof value === 'object' &&
    value !== null &&
    (value as { [PLAN]?: CompiledPack })[PLAN] === compiled
  );
}

const NO_HINTS: readonly GrantHint[] = Object.freeze([]);

/** The role a permit names when several grant: an RA role before the sponsor role. */
const ROLE_PREFERENCE: readonly RaRole[] = ['RAM', 'RAAA', 'RAA', 'IDC', 'LSA', 'S'];

/** Per mask of granting roles, the index in `raRoles` of the role a permit names. */
const PREFERRED = Int8Array.from({ length: 64 }, (_, mask) => {
  const role = ROLE_PREFERENCE.find((r) => (mask & roleBit[r]) !== 0);
  return role === undefined ? -1 : raRoles.indexOf(role);
});

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

/** The one person a target belongs to: its user, and the card's holder if a card is named. */
function selfSubjectOf(target: DecisionRequest['target']): string | undefined {
  const subject = target.user?.uuid ?? target.card?.holder;
  const holder = target.card?.holder;
  return holder === undefined || holder === subject ? subject : undefined;
}

/** Every decision is made here, so all have one shape (monomorphic reads for the caller). */
function decision(
  allowed: boolean,
  activity: ActivityId,
  route: Route | null,
  reasons: readonly Reason[],
  wouldGrant: readonly GrantHint[],
): Decision {
  return Object.freeze({ allowed, activity, route, reasons: Object.freeze(reasons), wouldGrant });
}

/** Works out, once, everything about a validated request that does not depend on who asks. */
export function prepareRequest(compiled: CompiledPack, request: DecisionRequest): RequestPlan {
  const activity = compiled.activities.get(request.activity)!;
  const target = request.target;
  // RULES.md "Dates": the decision date is the instant's date in the pack's time zone.
  const date = dateIn(request.at, compiled.pack.timeZone) as IsoDate;
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
  const plan: RequestPlan & { readonly [PLAN]: CompiledPack } = {
    [PLAN]: compiled,
    request,
    compiled,
    activity,
    date,
    day: dayNumber(date),
    pathIds: path === undefined ? undefined : Int32Array.from(path, organisationId),
    positionId: target.position?.id,
    selfSubject: selfSubjectOf(target),
    people: activity.people.map((field) => activity.personAt[field]!(target, request.facts)),
    noRole: decision(false, request.activity, null, [noRoleReason], hints),
    pharmacist:
      compiled.pack.pharmacistJobRoles.length > 0 &&
      PHARMACIST_ACTIVITIES.includes(request.activity) &&
      path !== undefined,
    memo: new Map(),
    lastKey: -1,
    lastDecision: undefined,
  };
  return plan;
}

/*
 * How a decision came about, the low 3 bits of its key. With the role, where the granting
 * organisation is, and the facts the conditions read about the actor, it determines the
 * whole decision, reasons included.
 */
const PROFILE_CLOSED = 1;
const NOT_OWN_PROFILE = 2;
const ALL_USERS_PERMIT = 3;
const ROLE_PERMIT = 4;
const REQUEST_PERMIT = 5;
const ROUTE_REFUSED = 6;
const LOCUM_REFUSED = 7;
const PHARMACIST_PERMIT = 8;

/** CARD-03/CARD-05 (pack rule, dorset): what a pharmacist does for staff at the pharmacy. */
const PHARMACIST_ACTIVITIES: readonly ActivityId[] = [
  'smartcard.unlock',
  'smartcard.renew-before-expiry',
];
/** The role index of a key when no role is involved. */
const NO_ROLE = 7;
/** The place of a key when no organisation is involved. */
const NOWHERE = -1;

/*
 * The grant scan keeps, per role, where the first assignment granting it (directly, or by
 * request) is; entries are read only for roles found in this decision, so they need no reset.
 */
const firstDirect = new Int32Array(8);
const firstRequest = new Int32Array(8);

/**
 * Decides a prepared request for a prepared actor: the one grant scan, then the decision
 * kept under its key. Pure and synchronous: no I/O, no clock (the request carries its instant).
 */
export function decidePrepared(actor: ActorPlan, plan: RequestPlan): Decision {
  if (!actor.open) return keyed(plan, actor, PROFILE_CLOSED, NO_ROLE, NOWHERE);
  const activity = plan.activity;
  const allUsers = activity.allUsers;
  if (allUsers !== undefined) {
    if (allUsers === 'own' && plan.selfSubject !== actor.uuid) {
      return keyed(plan, actor, NOT_OWN_PROFILE, NO_ROLE, NOWHERE);
    }
    return keyed(plan, actor, ALL_USERS_PERMIT, NO_ROLE, NOWHERE);
  }
  // Most actors hold no role (anywhere, on any date) that grants the activity.
  if ((actor.union & activity.anyMask) === 0) {
    return plan.pharmacist && (actor.union & JOB_ROLE_FLAG) !== 0
      ? (pharmacistGrant(actor, plan) ?? plan.noRole)
      : plan.noRole;
  }

  const day = plan.day;
  const pathIds = plan.pathIds;
  const unlock = activity.id === 'smartcard.unlock';
  const anyMask = activity.anyMask;
  const assignableMask = activity.assignableMask;
  const g = actor.grants;
  let direct = 0;
  let viaRequest = 0;
  let locum = NOWHERE;
  for (let i = actor.from; i < actor.to; i += GRANT_STRIDE) {
    const flags = g[i + 1]!;
    const matched = flags & anyMask;
    if (matched === 0 || g[i + 2]! > day || day >= g[i + 3]!) continue;
    // Where the assignment's organisation is in the target path (its id if no path).
    let place = g[i]!;
    if (pathIds !== undefined) {
      let p = 0;
      while (p < pathIds.length && pathIds[p] !== place) p++;
      if (p === pathIds.length) continue;
      place = p;
    }
    if ((flags & LOCUM_FLAG) !== 0 && unlock) {
      if (locum === NOWHERE) locum = place;
      continue;
    }
    const assignable = matched & assignableMask;
    const onList =
      assignable !== 0 &&
      plan.positionId !== undefined &&
      (actor.assignable[(i - actor.from) / GRANT_STRIDE] ?? []).includes(plan.positionId);
    const d = (matched & activity.directMask) | (onList ? assignable : 0);
    const r = (matched & activity.viaRequestMask) | (onList ? 0 : assignable);
    for (let bits = d & ~direct; bits !== 0; bits &= bits - 1) {
      firstDirect[31 - Math.clz32(bits & -bits)] = place;
    }
    for (let bits = r & ~viaRequest; bits !== 0; bits &= bits - 1) {
      firstRequest[31 - Math.clz32(bits & -bits)] = place;
    }
    direct |= d;
    viaRequest |= r;
  }

  if (direct !== 0) {
    const role = PREFERRED[direct]!;
    return keyed(plan, actor, ROLE_PERMIT, role, firstDirect[role]!);
  }
  if (viaRequest !== 0) {
    const role = PREFERRED[viaRequest]!;
    const outcome = plan.request.route === 'direct' ? ROUTE_REFUSED : REQUEST_PERMIT;
    return keyed(plan, actor, outcome, role, firstRequest[role]!);
  }
  const pharmacist =
    plan.pharmacist && (actor.union & JOB_ROLE_FLAG) !== 0
      ? pharmacistGrant(actor, plan)
      : undefined;
  if (pharmacist !== undefined) return pharmacist;
  if (locum !== NOWHERE) return keyed(plan, actor, LOCUM_REFUSED, NO_ROLE, locum);
  return plan.noRole;
}

/**
 * CARD-03/CARD-05 (the pack's pharmacist rule): an assignment to a position whose job role
 * the pack lists as a pharmacist's, in force on the day, at the target's own organisation
 * (the pharmacy itself, not an organisation above it) grants unlock and renewal before
 * expiry; never as a locum (unlock refused as CARD-03 says, renewal not granted).
 */
function pharmacistGrant(actor: ActorPlan, plan: RequestPlan): Decision | undefined {
  const own = plan.pathIds![0];
  const jobRoles = plan.compiled.pack.pharmacistJobRoles;
  const g = actor.grants;
  const day = plan.day;
  let locum = false;
  for (let i = actor.from, k = 0; i < actor.to; i += GRANT_STRIDE, k++) {
    const flags = g[i + 1]!;
    if ((flags & JOB_ROLE_FLAG) === 0 || g[i] !== own || g[i + 2]! > day || day >= g[i + 3]!) {
      continue;
    }
    const jobRole = actor.jobRoles[k];
    if (jobRole === undefined || !jobRoles.includes(jobRole)) continue;
    if ((flags & LOCUM_FLAG) !== 0) {
      locum = true;
      continue;
    }
    return keyed(plan, actor, PHARMACIST_PERMIT, NO_ROLE, 0);
  }
  return locum && plan.activity.id === 'smartcard.unlock'
    ? keyed(plan, actor, LOCUM_REFUSED, NO_ROLE, 0)
    : undefined;
}

/**
 * The decision for an outcome, kept under its key. Where conditions apply to a permit, the
 * key also holds the facts about the actor that they declare they read (which of the
 * request's people the actor is; the roles held, when a condition reads them).
 */
function keyed(
  plan: RequestPlan,
  actor: ActorPlan,
  outcome: number,
  role: number,
  place: number,
): Decision {
  let people = 0;
  let held = 0;
  const activity = plan.activity;
  if (
    (outcome === ROLE_PERMIT ||
      outcome === REQUEST_PERMIT ||
      outcome === ALL_USERS_PERMIT ||
      outcome === PHARMACIST_PERMIT) &&
    activity.conditions.length > 0
  ) {
    const named = plan.people;
    for (let j = 0; j < named.length; j++) if (named[j] === actor.uuid) people |= 1 << j;
    if (activity.readsRoles) held = rolesHeldOn(actor, plan.day) & 0x3f;
  }
  // Exact in a double: place < 2^31, held 6 bits, people 7, role 3, outcome 4.
  const key = ((((place + 1) * 64 + held) * 128 + people) * 8 + role) * 16 + outcome;
  if (key === plan.lastKey) return plan.lastDecision!;
  let made = plan.memo.get(key);
  if (made === undefined) {
    made = make(plan, outcome, role, place, people, held);
    plan.memo.set(key, made);
  }
  plan.lastKey = key;
  plan.lastDecision = made;
  return made;
}

/** The organisation id at a place of the target path (or the id itself when there is no path). */
function organisationAt(plan: RequestPlan, place: number): string {
  return organisationCode(plan.pathIds === undefined ? place : plan.pathIds[place]!);
}

/** A role and an organisation as reason parameters, leaving out the absent ones. */
function where(role: RaRole | undefined, organisation: string | undefined) {
  return {
    ...(role !== undefined ? { role } : {}),
    ...(organisation !== undefined ? { organisation } : {}),
  };
}

/** Makes the decision of a key: from the request and the key alone, never the actor. */
function make(
  plan: RequestPlan,
  outcome: number,
  roleIndex: number,
  place: number,
  people: number,
  held: number,
): Decision {
  const activity = plan.activity;
  const action = activity.action;
  const id = plan.request.activity;
  const role = roleIndex === NO_ROLE ? undefined : raRoles[roleIndex]!;
  const organisation = place === NOWHERE ? undefined : organisationAt(plan, place);
  switch (outcome) {
    case PROFILE_CLOSED:
      return decision(
        false,
        id,
        null,
        [reason('ROLE-01', 'PROFILE_CLOSED', 'deny', { activity: action })],
        NO_HINTS,
      );
    case NOT_OWN_PROFILE:
      return decision(
        false,
        id,
        null,
        [reason('ROLE-01', 'NOT_OWN_PROFILE', 'deny', { activity: action })],
        NO_HINTS,
      );
    case LOCUM_REFUSED:
      return decision(
        false,
        id,
        null,
        [
          reason('CARD-03', 'LOCUM_NO_UNLOCK', 'deny', {
            activity: action,
            ...where(undefined, organisation),
          }),
        ],
        NO_HINTS,
      );
    case ROUTE_REFUSED: {
      const code = activity.grants[role!] === 'via-request' ? 'VIA_REQUEST_ONLY' : 'NOT_ASSIGNABLE';
      return decision(
        false,
        id,
        null,
        [reason('ROLE-03', code, 'deny', { activity: action, ...where(role, organisation) })],
        NO_HINTS,
      );
    }
  }
  const forbids = checkConditions(plan, role, people, held);
  if (forbids.length > 0) return decision(false, id, null, forbids, NO_HINTS);
  let permit: Reason;
  let route: Route = 'direct';
  if (outcome === ALL_USERS_PERMIT) {
    permit =
      activity.allUsers === 'any'
        ? reason('ROLE-01', 'ALL_USERS', 'permit', { activity: action })
        : reason('ROLE-01', 'SELF_SERVICE', 'permit', { activity: action });
  } else if (outcome === PHARMACIST_PERMIT) {
    permit = reason(
      activity.id === 'smartcard.unlock' ? 'CARD-03' : 'CARD-05',
      'PHARMACIST_OWN_PHARMACY',
      'permit',
      { activity: action, ...where(undefined, organisation), date: plan.date },
    );
  } else if (outcome === REQUEST_PERMIT) {
    route = 'via-request';
    const code = activity.grants[role!] === 'via-request' ? 'VIA_REQUEST_ONLY' : 'NOT_ASSIGNABLE';
    permit = reason('ROLE-03', code, 'permit', { activity: action, ...where(role, organisation) });
  } else {
    route = plan.request.route === 'via-request' ? 'via-request' : 'direct';
    const viaAssignable = activity.grants[role!] === 'assignable-only';
    permit = reason(
      viaAssignable ? 'ROLE-03' : 'ROLE-02',
      viaAssignable ? 'ASSIGNABLE_POSITION' : 'ROLE_GRANTS',
      'permit',
      { activity: action, ...where(role, organisation), date: plan.date },
    );
  }
  return decision(true, id, route, [permit], NO_HINTS);
}

/** Runs the conditions that apply, seeing the actor only through the key's facts. */
function checkConditions(
  plan: RequestPlan,
  actingRole: RaRole | undefined,
  people: number,
  held: number,
): Reason[] {
  const activity = plan.activity;
  const request = plan.request;
  const forbids: Reason[] = [];
  for (const condition of activity.conditions) {
    const reads = activity.readsOf.get(condition)!;
    const ctx: ConditionContext = {
      pack: plan.compiled.pack,
      activity,
      date: plan.date,
      day: plan.day,
      at: request.at,
      target: request.target,
      facts: request.facts,
      actingRole,
      actorIs(field) {
        const j = activity.people.indexOf(field);
        if (j < 0 || !reads.includes(field)) {
          throw new Error(`${condition.rule} reads ${field} without declaring it in reads`);
        }
        return (people & (1 << j)) !== 0;
      },
      rolesHeld() {
        if (!reads.includes('rolesHeld')) {
          throw new Error(`${condition.rule} reads rolesHeld without declaring it in reads`);
        }
        return held;
      },
    };
    const broken = condition.check(ctx);
    if (broken !== undefined) forbids.push(broken);
  }
  return forbids;
}
