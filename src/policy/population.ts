import { parseWith } from '../errors/parse.js';
import { ValidationError } from '../errors/validation-error.js';
import { type CompiledPack, compilePack } from './compiled-pack.js';
import {
  type Decision,
  decidePrepared,
  type PreparedRequest,
  prepareRequest,
  ROLE_PREFERENCE,
} from './engine.js';
import {
  type ActorInput,
  actorSchema,
  type DecisionRequestInput,
  decisionRequestSchema,
} from './input.js';
import { toValidPack } from './packs/registry.js';
import type { RulePack } from './packs/schema.js';
import {
  GRANT_STRIDE,
  LOCUM_FLAG,
  type PreparedActor,
  prepareValidActors,
} from './prepared-actor.js';
import { raRoles, roleBit } from './roles.js';

/**
 * Many actors validated once and packed into shared typed arrays, for deciding by index
 * with {@link decideAt}. Build it with {@link preparePopulation}.
 */
export interface Population {
  /** The pack every decision on this population applies. */
  readonly pack: RulePack;
  /** How many actors it holds; their indexes are `0 .. size - 1`, in the order given. */
  readonly size: number;
  /**
   * The UUID of the actor at `index`.
   *
   * @throws VALIDATION when `index` is not an actor's index.
   */
  uuidAt(index: number): string;
}

/**
 * Requests validated once and packed for deciding against one {@link Population} with
 * {@link decideAt}. Build them with {@link prepareRequests}.
 */
export interface PreparedRequests {
  /** The population these requests are decided against. */
  readonly population: Population;
  /** How many requests it holds; their indexes are `0 .. size - 1`, in the order given. */
  readonly size: number;
  /**
   * The prepared request at `index`, for `decidePrepared` or to read the validated request.
   *
   * @throws VALIDATION when `index` is not a request's index.
   */
  at(index: number): PreparedRequest;
}

/*
 * An actor is a few columns, so that most decisions read one int about them: `heads`
 * holds, per actor, the union of the roles their assignments confer (any date, anywhere),
 * the open bit and how many assignments beyond the first confer a role. The first such
 * assignment is in `firsts`; the others in `grants`, from `rests`.
 */
/** Set in a head when the profile is open. */
const OPEN_BIT = 1 << 30;
/** Where a head keeps how many assignments beyond the first confer a role (at most 1,000). */
const MORE_SHIFT = 20;
const MORE_MASK = 0x3ff;

/*
 * A request is one line of 16 ints (64 bytes): what a decision on it reads, together.
 * The first int packs the activity's grant masks (6 bits each) and the request's flags.
 */
const REQUEST_STRIDE = 16;
const MASKS = 0;
const DAY = 1;
/** The target path's span in `paths`; -1 when the request names no organisation. */
const PATH_FROM = 2;
const PATH_TO = 3;
/** The population indexes of the people the request names (see `peopleOf`); -1: nobody in it. */
const PEOPLE_AT = 4;
const PEOPLE = 8;
/** The key of the last decision remembered for this request (see `remembered`); -1: none. */
const LAST_KEY = 12;

const ROLE_BITS = 0x3f;
const DIRECT_SHIFT = 6;
const VIA_REQUEST_SHIFT = 12;
const ASSIGNABLE_SHIFT = 18;
/** The activity is granted by roles, or by an "All users" row (anyone's, or one's own). */
const SCOPE_SHIFT = 24;
const SCOPE_BITS = 3 << SCOPE_SHIFT;
const BY_ROLE = 0;
const ANY_USER = 1 << SCOPE_SHIFT;
const OWN_PROFILE = 2 << SCOPE_SHIFT;
/** The activity is `smartcard.unlock`: a locum's grant does not count (CARD-03). */
const UNLOCK = 1 << 26;
/** The request asks for the direct route only. */
const ROUTE_DIRECT = 1 << 27;
/** Some condition applies to the activity, so a permit's decision depends on who the actor is. */
const HAS_CONDITIONS = 1 << 28;
/** `usual` holds the request's usual decision (see `PackedRequests.usual`). */
const USUAL_KNOWN = 1 << 29;

/**
 * The people a request names, compared with the actor: who the self-service target is,
 * then every field a condition compares with `ctx.actor.uuid` (SOD-01, SOD-03, SOD-05,
 * REQ-02). A condition that reads the actor in any other way than these comparisons and
 * `rolesHeldOn` must be added to the decision key of `remembered`.
 */
function peopleOf(request: PreparedRequest): (string | undefined)[] {
  const { target, facts } = request.request;
  return [
    request.selfSubject,
    target.user?.uuid,
    target.card?.holder,
    target.request?.subject,
    target.request?.lock?.by,
    facts.sponsoredBy,
    facts.identityCheckedBy,
    facts.requestedBy,
  ];
}

/**
 * How a decision came about, the low 3 bits of its key. With the role, where in the target
 * path the granting organisation is, which of the request's people the actor is, and the
 * roles the actor holds (when the pack makes SOD-02 look at them), it determines the whole
 * decision, reasons included.
 */
const PROFILE_CLOSED = 1;
const NOT_OWN_PROFILE = 2;
const ALL_USERS_PERMIT = 3;
const ROLE_PERMIT = 4;
const REQUEST_PERMIT = 5;
const ROUTE_REFUSED = 6;
const LOCUM_REFUSED = 7;
const NO_ROLE_INDEX = 7;
/** The place of the granting organisation when there is none. */
const NOWHERE = -1;
/** The place is not worked out yet (several assignments grant). */
const UNKNOWN_PLACE = -2;

/** Per mask of granting roles, the index in `raRoles` of the role a permit names. */
const PREFERRED = Int8Array.from({ length: 64 }, (_, mask) => {
  const role = ROLE_PREFERENCE.find((r) => (mask & roleBit[r]) !== 0);
  return role === undefined ? -1 : raRoles.indexOf(role);
});

const NO_POSITIONS: readonly string[] = Object.freeze([]);

class PackedPopulation implements Population {
  readonly pack: RulePack;
  readonly compiled: CompiledPack;
  readonly size: number;
  /** The prepared actors, read only on the paths that need more than the columns. */
  readonly actors: readonly PreparedActor[];
  /** Per actor: roles held anywhere on any date (and the locum flag), open, how many more. */
  readonly heads: Int32Array;
  /** Per actor, its first assignment conferring a role: organisation id, flags, start, end. */
  readonly firsts: Int32Array;
  /** Per actor, where its other assignments conferring a role start in `grants`. */
  readonly rests: Int32Array;
  /** The actors' second and later assignments conferring a role, four ints each. */
  readonly grants: Int32Array;
  /** Each actor's index by UUID. */
  readonly indexOf: ReadonlyMap<string, number>;
  /** SOD-02 looks at the roles the actor holds, so they are part of the decision key. */
  readonly rolesMatter: boolean;

  constructor(compiled: CompiledPack, actors: readonly PreparedActor[]) {
    this.pack = compiled.pack;
    this.compiled = compiled;
    this.size = actors.length;
    this.actors = actors;
    const more = (actor: PreparedActor) => Math.max(0, (actor.to - actor.from) / GRANT_STRIDE - 1);
    this.heads = new Int32Array(actors.length);
    this.firsts = new Int32Array(actors.length * GRANT_STRIDE);
    this.rests = new Int32Array(actors.length);
    this.grants = new Int32Array(actors.reduce((n, actor) => n + more(actor), 0) * GRANT_STRIDE);
    const indexOf = new Map<string, number>();
    let rest = 0;
    actors.forEach((actor, i) => {
      let head = (actor.open ? OPEN_BIT : 0) | (more(actor) << MORE_SHIFT);
      for (let g = actor.from; g < actor.to; g += GRANT_STRIDE) head |= actor.grants[g + 1]!;
      this.heads[i] = head;
      indexOf.set(actor.uuid, i);
      this.rests[i] = rest;
      if (actor.to > actor.from) {
        this.firsts.set(
          actor.grants.subarray(actor.from, actor.from + GRANT_STRIDE),
          i * GRANT_STRIDE,
        );
        const others = actor.grants.subarray(actor.from + GRANT_STRIDE, actor.to);
        this.grants.set(others, rest);
        rest += others.length;
      }
    });
    this.indexOf = indexOf;
    this.rolesMatter = compiled.pack.sponsorAgentExclusive;
  }

  uuidAt(index: number): string {
    return this.actors[checkIndex(index, this.size, 'actor index')]!.uuid;
  }
}

/** How many assignments conferring an RA role an actor with this head has. */
function grantCount(head: number): number {
  if ((head & ~OPEN_BIT) === 0) return 0;
  return 1 + ((head >>> MORE_SHIFT) & MORE_MASK);
}

class PackedRequests implements PreparedRequests {
  readonly population: PackedPopulation;
  readonly size: number;
  readonly prepared: readonly PreparedRequest[];
  /** Per request, one line of {@link REQUEST_STRIDE} ints. */
  readonly ints: Int32Array;
  /** Every request's target path as organisation ids, back to back. */
  readonly paths: Int32Array;
  /**
   * Per request, the decision most actors get, once known (`USUAL_KNOWN`): for an activity
   * granted by roles, the refusal when no role grants (known from the start); for a
   * self-service one, the refusal of someone else's profile; for an "All users" one with no
   * conditions, its permit. Shared, frozen, and for the first, allocated in request order.
   */
  readonly usual: Decision[];
  /** Per request, the decision whose key is at `LAST_KEY`. */
  readonly lastDecision: Decision[];
  /** Per request, every decision it made, by key; made on first need. */
  readonly decisions: (Map<number, Decision> | undefined)[];

  constructor(population: PackedPopulation, prepared: readonly PreparedRequest[]) {
    this.population = population;
    this.size = prepared.length;
    this.prepared = prepared;
    this.ints = new Int32Array(prepared.length * REQUEST_STRIDE);
    this.paths = new Int32Array(prepared.reduce((n, p) => n + (p.pathIds?.length ?? 0), 0));
    let path = 0;
    prepared.forEach((p, k) => {
      const at = k * REQUEST_STRIDE;
      const activity = p.activity;
      this.ints[at + MASKS] =
        activity.anyMask |
        (activity.directMask << DIRECT_SHIFT) |
        (activity.viaRequestMask << VIA_REQUEST_SHIFT) |
        (activity.assignableMask << ASSIGNABLE_SHIFT) |
        (activity.allUsers === 'any'
          ? ANY_USER
          : activity.allUsers === 'own'
            ? OWN_PROFILE
            : BY_ROLE) |
        (activity.id === 'smartcard.unlock' ? UNLOCK : 0) |
        (p.request.route === 'direct' ? ROUTE_DIRECT : 0) |
        (p.conditions.length > 0 ? HAS_CONDITIONS : 0) |
        (activity.allUsers === undefined ? USUAL_KNOWN : 0);
      this.ints[at + DAY] = p.day;
      if (p.pathIds === undefined) {
        this.ints[at + PATH_FROM] = -1;
        this.ints[at + PATH_TO] = -1;
      } else {
        this.ints[at + PATH_FROM] = path;
        this.paths.set(p.pathIds, path);
        path += p.pathIds.length;
        this.ints[at + PATH_TO] = path;
      }
      peopleOf(p).forEach((uuid, j) => {
        this.ints[at + PEOPLE_AT + j] =
          uuid === undefined ? -1 : (population.indexOf.get(uuid) ?? -1);
      });
      this.ints[at + LAST_KEY] = -1;
    });
    this.usual = prepared.map((p) => shared(p.noRole));
    this.lastDecision = [...this.usual];
    this.decisions = prepared.map(() => undefined);
  }

  at(index: number): PreparedRequest {
    return this.prepared[checkIndex(index, this.size, 'request index')]!;
  }
}

function checkIndex(index: number, size: number, field: string): number {
  if (Number.isInteger(index) && index >= 0 && index < size) return index;
  throw new ValidationError(field, [
    { field, message: `must be an integer from 0 to ${size - 1}, not ${index}` },
  ]);
}

/**
 * Validates actors once (zod) and packs them, with every assignment that confers an RA
 * role, into shared typed arrays, so that deciding across a whole population by index
 * ({@link decideAt}) reads a few contiguous integers per decision.
 *
 * @throws VALIDATION naming the field, prefixed with the actor's index (`3.uuid`, also for a UUID given twice), or the pack's field.
 * @example
 * ```ts
 * const population = preparePopulation(nationalPack, actors);
 * const requests = prepareRequests(population, [{ activity: 'user.create', at, target: { organisationPath: ['FA123', 'QVV'] } }]);
 * decideAt(population, 0, requests, 0).allowed;
 * ```
 */
export function preparePopulation(pack: RulePack, actors: readonly ActorInput[]): Population {
  const compiled = compilePack(toValidPack(pack));
  const valid = parseWith(actorSchema.array(), actors, 'actors');
  // Decisions compare people by index, so each person is in the population once.
  const seen = new Map<string, number>();
  valid.forEach((actor, i) => {
    const first = seen.get(actor.uuid);
    if (first !== undefined) {
      throw new ValidationError('actors', [
        {
          field: `${i}.uuid`,
          message: `is already the UUID of actor ${first}; give each person once`,
        },
      ]);
    }
    seen.set(actor.uuid, i);
  });
  return new PackedPopulation(compiled, prepareValidActors(valid));
}

/**
 * Validates requests once (zod) and packs what every decision on them reads (activity
 * masks, day, target path, the people they name) for {@link decideAt} against `population`.
 *
 * @throws VALIDATION naming the field, prefixed with the request's index (`3.activity`), or when `population` was not made by `preparePopulation`.
 * @example
 * ```ts
 * const requests = prepareRequests(population, [
 *   { activity: 'smartcard.unlock', at: '2026-11-22T10:00:00.000Z', target: { organisationPath: ['FA123', 'QVV'] }, facts: { userPresent: true } },
 * ]);
 * ```
 */
export function prepareRequests(
  population: Population,
  requests: readonly DecisionRequestInput[],
): PreparedRequests {
  if (!(population instanceof PackedPopulation)) {
    throw new ValidationError('population', [
      { field: 'population', message: 'must be made by preparePopulation()' },
    ]);
  }
  const valid = parseWith(decisionRequestSchema.array(), requests, 'decision requests');
  return new PackedRequests(
    population,
    valid.map((request) => prepareRequest(population.compiled, request)),
  );
}

/**
 * Decides request `requestIndex` of `requests` for actor `actorIndex` of `population`:
 * the same {@link Decision}, reasons and all, as `decide()` gives for that actor and
 * request. Pure and synchronous; nothing is validated again beyond the two indexes.
 * Decisions that depend only on the request and how it was granted (a refusal for want of
 * a role, an allow, a forbid) are made once and shared, frozen.
 *
 * @throws VALIDATION when an index is out of range, or `requests` were prepared for another population.
 * @example
 * ```ts
 * const population = preparePopulation(nationalPack, actors);
 * const requests = prepareRequests(population, inputs);
 * for (let a = 0; a < population.size; a++) {
 *   const d = decideAt(population, a, requests, 0);
 *   if (!d.allowed) console.log(population.uuidAt(a), d.reasons[0]?.message);
 * }
 * ```
 */
export function decideAt(
  population: Population,
  actorIndex: number,
  requests: PreparedRequests,
  requestIndex: number,
): Decision {
  // prepareRequests() checked the population is one preparePopulation() made; an object
  // naming it is taken as made by prepareRequests() (`instanceof` here costs a third of a decision).
  if (population == null || requests?.population !== population) {
    throw new ValidationError('requests', [
      { field: 'requests', message: 'must be made by prepareRequests() for this population' },
    ]);
  }
  const packed = requests as PackedRequests;
  const pop = packed.population;
  if (!(Number.isInteger(actorIndex) && actorIndex >= 0 && actorIndex < pop.size)) {
    checkIndex(actorIndex, pop.size, 'actor index');
  }
  if (!(Number.isInteger(requestIndex) && requestIndex >= 0 && requestIndex < packed.size)) {
    checkIndex(requestIndex, packed.size, 'request index');
  }
  // The usual answer, from one int of the actor and one or two of the request: an open
  // profile and an activity granted by roles that no role the actor holds (anywhere, on any
  // date) grants; or someone else's self-service; or an "All users" row with no conditions.
  const r = requestIndex * REQUEST_STRIDE;
  const masks = packed.ints[r + MASKS]!;
  const head = pop.heads[actorIndex]!;
  if ((head & OPEN_BIT) !== 0 && (masks & USUAL_KNOWN) !== 0) {
    const scope = masks & SCOPE_BITS;
    if (
      scope === BY_ROLE
        ? (head & masks & ROLE_BITS) === 0
        : scope === ANY_USER || packed.ints[r + PEOPLE_AT] !== actorIndex
    ) {
      return packed.usual[requestIndex]!;
    }
  }
  return decidePacked(pop, actorIndex, packed, requestIndex, masks, head);
}

function decidePacked(
  pop: PackedPopulation,
  a: number,
  requests: PackedRequests,
  k: number,
  masks: number,
  head: number,
): Decision {
  if ((head & OPEN_BIT) === 0) return remembered(pop, a, requests, k, PROFILE_CLOSED);
  const scope = masks & SCOPE_BITS;
  if (scope === ANY_USER) return allUsers(pop, a, requests, k, masks);
  if (scope === OWN_PROFILE) {
    if (requests.ints[k * REQUEST_STRIDE + PEOPLE_AT] === a) {
      return allUsers(pop, a, requests, k, masks);
    }
    return remembered(pop, a, requests, k, NOT_OWN_PROFILE);
  }
  const q = requests.ints;
  const r = k * REQUEST_STRIDE;
  const anyMask = masks & ROLE_BITS;
  const day = q[r + DAY]!;
  const pathFrom = q[r + PATH_FROM]!;
  const pathTo = q[r + PATH_TO]!;
  const paths = requests.paths;
  const count = grantCount(head);
  const rest = pop.rests[a]! - GRANT_STRIDE;
  let direct = 0;
  let viaRequest = 0;
  let locum = -1;
  let granting = 0;
  let grantPlace = NOWHERE;
  for (let j = 0; j < count; j++) {
    // The first assignment is in `firsts`, the others in `grants`.
    const g = j === 0 ? pop.firsts : pop.grants;
    const i = j === 0 ? a * GRANT_STRIDE : rest + j * GRANT_STRIDE;
    const flags = g[i + 1]!;
    const matched = flags & anyMask;
    if (matched === 0 || g[i + 2]! > day || day >= g[i + 3]!) continue;
    let place = NOWHERE;
    if (pathFrom >= 0) {
      const organisation = g[i]!;
      let p = pathFrom;
      while (p < pathTo && paths[p] !== organisation) p++;
      if (p === pathTo) continue;
      place = p - pathFrom;
    }
    const where = place === NOWHERE ? g[i]! : place;
    if ((flags & LOCUM_FLAG) !== 0 && (masks & UNLOCK) !== 0) {
      if (locum < 0) locum = where;
      continue;
    }
    const assignable = matched & (masks >>> ASSIGNABLE_SHIFT);
    const onList = (assignable & ROLE_BITS) !== 0 && onAssignableList(pop, a, requests, k, j);
    direct |= (matched & (masks >>> DIRECT_SHIFT)) | (onList ? assignable : 0);
    viaRequest |= (matched & (masks >>> VIA_REQUEST_SHIFT)) | (onList ? 0 : assignable);
    // Every role that matched grants, directly or by request.
    granting++;
    grantPlace = where;
  }
  direct &= ROLE_BITS;
  viaRequest &= ROLE_BITS;
  if (direct === 0 && viaRequest === 0 && locum < 0) return requests.usual[k]!;
  // One assignment granted: it is the one the permit names, wherever it is.
  const place = granting === 1 ? grantPlace : UNKNOWN_PLACE;
  return granted(pop, a, requests, k, masks, direct, viaRequest, locum, place);
}

/** ROLE-03 `S**`: whether the actor's assignment `j` (of those conferring a role) lists the request's position. */
function onAssignableList(
  pop: PackedPopulation,
  a: number,
  requests: PackedRequests,
  k: number,
  j: number,
): boolean {
  const positionId = requests.prepared[k]!.positionId;
  if (positionId === undefined) return false;
  return (pop.actors[a]!.assignable[j] ?? NO_POSITIONS).includes(positionId);
}

function allUsers(
  pop: PackedPopulation,
  a: number,
  requests: PackedRequests,
  k: number,
  masks: number,
): Decision {
  const dependsOnActor = (masks & HAS_CONDITIONS) !== 0;
  return remembered(pop, a, requests, k, ALL_USERS_PERMIT, NO_ROLE_INDEX, NOWHERE, dependsOnActor);
}

/** A role grants (directly or by request), or only a locum's assignment matched. */
function granted(
  pop: PackedPopulation,
  a: number,
  requests: PackedRequests,
  k: number,
  masks: number,
  direct: number,
  viaRequest: number,
  locum: number,
  knownPlace: number,
): Decision {
  if (direct === 0 && viaRequest === 0) {
    return remembered(pop, a, requests, k, LOCUM_REFUSED, NO_ROLE_INDEX, locum);
  }
  const roleIndex = PREFERRED[direct !== 0 ? direct : viaRequest]!;
  const place =
    knownPlace !== UNKNOWN_PLACE
      ? knownPlace
      : firstPlace(pop, a, requests, k, masks, 1 << roleIndex, direct !== 0);
  const dependsOnActor = (masks & HAS_CONDITIONS) !== 0;
  if (direct !== 0) {
    return remembered(pop, a, requests, k, ROLE_PERMIT, roleIndex, place, dependsOnActor);
  }
  if ((masks & ROUTE_DIRECT) !== 0) {
    return remembered(pop, a, requests, k, ROUTE_REFUSED, roleIndex, place);
  }
  return remembered(pop, a, requests, k, REQUEST_PERMIT, roleIndex, place, dependsOnActor);
}

/**
 * Where the first assignment (in the actor's order) through which the role `bit` grants by
 * the given route is: the one the engine's permit names (`firstGranting`). Its place in
 * the target path, or its organisation id when the request names no organisation.
 */
function firstPlace(
  pop: PackedPopulation,
  a: number,
  requests: PackedRequests,
  k: number,
  masks: number,
  bit: number,
  direct: boolean,
): number {
  const q = requests.ints;
  const r = k * REQUEST_STRIDE;
  const day = q[r + DAY]!;
  const pathFrom = q[r + PATH_FROM]!;
  const pathTo = q[r + PATH_TO]!;
  const unlock = (masks & UNLOCK) !== 0;
  const assignableOnly = ((masks >>> ASSIGNABLE_SHIFT) & bit) !== 0;
  const paths = requests.paths;
  const count = grantCount(pop.heads[a]!);
  const rest = pop.rests[a]! - GRANT_STRIDE;
  for (let j = 0; j < count; j++) {
    const g = j === 0 ? pop.firsts : pop.grants;
    const i = j === 0 ? a * GRANT_STRIDE : rest + j * GRANT_STRIDE;
    const flags = g[i + 1]!;
    if ((flags & bit) === 0 || g[i + 2]! > day || day >= g[i + 3]!) continue;
    let place = g[i]!;
    if (pathFrom >= 0) {
      let p = pathFrom;
      while (p < pathTo && paths[p] !== place) p++;
      if (p === pathTo) continue;
      place = p - pathFrom;
    }
    if ((flags & LOCUM_FLAG) !== 0 && unlock) continue;
    if (!assignableOnly || onAssignableList(pop, a, requests, k, j) === direct) return place;
  }
  throw new RangeError('no assignment grants the role');
}

/** The RA roles the actor holds on `day` anywhere, as a mask (as `rolesHeldOn`). */
function heldOn(pop: PackedPopulation, a: number, day: number): number {
  const count = grantCount(pop.heads[a]!);
  const rest = pop.rests[a]! - GRANT_STRIDE;
  let mask = 0;
  for (let j = 0; j < count; j++) {
    const g = j === 0 ? pop.firsts : pop.grants;
    const i = j === 0 ? a * GRANT_STRIDE : rest + j * GRANT_STRIDE;
    if (g[i + 2]! <= day && day < g[i + 3]!) mask |= g[i + 1]!;
  }
  return mask & ROLE_BITS;
}

/**
 * The decision for a key, made by the engine for this actor on first need and shared by
 * every actor whose decision has the same key. When conditions apply to a permit, the key
 * also says which of the request's people the actor is and (SOD-02) the roles they hold.
 * `place` is where in the target path the granting organisation is (or its id when the
 * request names no organisation).
 */
function remembered(
  pop: PackedPopulation,
  a: number,
  requests: PackedRequests,
  k: number,
  outcome: number,
  roleIndex = NO_ROLE_INDEX,
  place = NOWHERE,
  dependsOnActor = false,
): Decision {
  const q = requests.ints;
  const r = k * REQUEST_STRIDE;
  let people = 0;
  let held = 0;
  if (dependsOnActor) {
    for (let j = 0; j < PEOPLE; j++) if (q[r + PEOPLE_AT + j] === a) people |= 1 << j;
    if (pop.rolesMatter) held = heldOn(pop, a, q[r + DAY]!);
  }
  // Exact: a place or organisation id is below 2^31, held 6 bits, people 8, role 3, outcome 3.
  const key = ((((place + 1) * 64 + held) * 256 + people) * 8 + roleIndex) * 8 + outcome;
  if (q[r + LAST_KEY] === key) return requests.lastDecision[k]!;
  let known = requests.decisions[k];
  let decision = known?.get(key);
  if (decision === undefined) {
    decision = shared(decidePrepared(pop.actors[a]!, requests.prepared[k]!));
    if (known === undefined) {
      known = new Map();
      requests.decisions[k] = known;
    }
    known.set(key, decision);
  }
  // A self-service refusal, or an "All users" permit no condition looks at, is the same for
  // every actor (but the subject, or a closed profile): it becomes the request's usual one.
  if (
    outcome === NOT_OWN_PROFILE ||
    (outcome === ALL_USERS_PERMIT && (q[r + MASKS]! & (SCOPE_BITS | HAS_CONDITIONS)) === ANY_USER)
  ) {
    requests.usual[k] = decision;
    q[r + MASKS] = q[r + MASKS]! | USUAL_KNOWN;
  }
  // Keys that fit an int32 (a place in the path, the usual case) are remembered in the line.
  if (key <= 0x7fffffff) {
    q[r + LAST_KEY] = key;
    requests.lastDecision[k] = decision;
  }
  return decision;
}

/**
 * A shared, frozen copy of a decision. Every decision `decideAt` returns is made here, so
 * they all have one shape and reading them stays monomorphic for the caller.
 */
function shared(decision: Decision): Decision {
  return Object.freeze({
    allowed: decision.allowed,
    activity: decision.activity,
    route: decision.route,
    reasons: Object.isFrozen(decision.reasons)
      ? decision.reasons
      : Object.freeze([...decision.reasons]),
    wouldGrant: decision.wouldGrant,
  });
}
