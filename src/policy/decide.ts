import * as z from 'zod/mini';
import { attempt, type Result } from '../errors/result.js';
import { ValidationError } from '../errors/validation-error.js';
import { ValidatedOnce } from './boundary.js';
import { type CompiledPack, compilePack } from './compiled-pack.js';
import {
  type Decision,
  decidePrepared,
  isPlanFor,
  type PreparedRequest,
  prepareRequest,
  type RequestPlan,
} from './engine.js';
import {
  type Actor,
  type ActorInput,
  activitySchema,
  actorSchema,
  type DecisionRequest,
  type DecisionRequestInput,
  decisionRequestSchema,
  factsSchema,
  instantSchema,
  routeSchema,
  type Target,
  targetSchema,
} from './input.js';
import { type ActivityId, isActivityId } from './matrix.js';
import { nationalPack } from './packs/national.js';
import { toValidPack } from './packs/registry.js';
import type { RulePack } from './packs/schema.js';
import { parseField, parseInput } from './parse.js';
import {
  type ActorPlan,
  isActorPlan,
  type PreparedActor,
  prepareValidActor,
  prepareValidActors,
} from './prepared-actor.js';

/** Everything one decision needs: the pack (national by default), the actor and the request. */
export type DecisionInput = DecisionRequestInput & {
  readonly pack?: RulePack;
  readonly actor: ActorInput;
};

const WHAT = 'decision input';

/** `schema` parsed as the field `field` of a decision input (its errors name `field.…`). */
function part<S extends z.ZodMiniType>(schema: S, field: string) {
  return (input: unknown): z.output<S> => parseField(schema, input, WHAT, field);
}

/** Actors validated and prepared once per object while their data stays the same (internal). */
export const actors = new ValidatedOnce(actorSchema, (input) =>
  prepareValidActor(part(actorSchema, 'actor')(input)),
);
/** A validated target, with the requests prepared on it (by pack, then activity). */
interface TargetEntry {
  readonly target: Target;
  readonly plans: Map<CompiledPack, Map<ActivityId, RequestPlan[]>>;
}
const targets = new ValidatedOnce<TargetEntry>(targetSchema, (input) => ({
  target: part(targetSchema, 'target')(input),
  plans: new Map(),
}));
const facts = new ValidatedOnce(factsSchema, part(factsSchema, 'facts'));
const NO_TARGET: TargetEntry = { target: parseInput(targetSchema, {}, WHAT), plans: new Map() };
const NO_FACTS = parseInput(factsSchema, {}, WHAT);

/** The instants seen lately, validated and normalised (a front end asks at one instant). */
const instants = new Map<unknown, string>();
function instantOf(at: unknown): DecisionRequest['at'] {
  let valid = instants.get(at);
  if (valid === undefined) {
    valid = part(instantSchema, 'at')(at);
    if (instants.size >= 64) instants.clear();
    instants.set(at, valid);
  }
  return valid as DecisionRequest['at'];
}

/** A decision request's parts but the activity, validated (internal). */
export interface RequestParts {
  readonly at: DecisionRequest['at'];
  readonly route: DecisionRequest['route'];
  readonly target: TargetEntry;
  readonly facts: DecisionRequest['facts'];
}

/**
 * Validates a request's parts but the activity, only what was not seen before (internal).
 * `remember: false` validates target and facts without keeping them to recognise later.
 */
export function partsOf(
  input: Omit<DecisionRequestInput, 'activity'>,
  remember = true,
): RequestParts {
  const validate = remember ? 'get' : 'once';
  return {
    at: instantOf(input.at),
    route: input.route === undefined ? undefined : part(routeSchema, 'route')(input.route),
    target: input.target === undefined ? NO_TARGET : targets[validate](input.target),
    facts: input.facts === undefined ? NO_FACTS : facts[validate](input.facts),
  };
}

/** The prepared request of a decision input, validating only what was not seen before (internal). */
export function planOf(
  compiled: CompiledPack,
  input: DecisionRequestInput,
  remember = true,
): RequestPlan {
  const activity = isActivityId(input.activity)
    ? input.activity
    : part(activitySchema, 'activity')(input.activity);
  return planFor(compiled, activity, partsOf(input, remember));
}

/** The prepared request of an activity and validated parts, made once (internal). */
export function planFor(
  compiled: CompiledPack,
  activity: ActivityId,
  { at, route, target, facts: validFacts }: RequestParts,
): RequestPlan {
  let byActivity = target.plans.get(compiled);
  if (byActivity === undefined) {
    byActivity = new Map();
    target.plans.set(compiled, byActivity);
  }
  let made = byActivity.get(activity);
  if (made === undefined) {
    made = [];
    byActivity.set(activity, made);
  }
  for (const plan of made) {
    const r = plan.request;
    if (r.at === at && r.route === route && r.facts === validFacts) return plan;
  }
  const request: DecisionRequest = Object.freeze({
    activity,
    at,
    ...(route === undefined ? {} : { route }),
    target: target.target,
    facts: validFacts,
  });
  const plan = prepareRequest(compiled, request);
  // A front end asks about a target at a few instants; keep the latest few.
  if (made.length >= 8) made.shift();
  made.push(plan);
  return plan;
}

/**
 * Decides whether an actor may perform an activity on a target, and why. Pure and
 * synchronous: no I/O, no clock. Every reason names its rule ID; a denial says what would
 * grant it; separation-of-duties rules beat every permit.
 *
 * The input is validated; an actor, target or facts object passed again holding the same
 * data is not validated again (its data is compared with what was validated), so a front
 * end asking about the same people and targets many times pays for validation once.
 *
 * @throws VALIDATION naming the field: an unknown activity, a malformed UUID, an end before its start, a bad pack.
 * @example
 * ```ts
 * const d = decide({
 *   actor: { uuid: '100000000001', assignments: [{ organisation: 'QVV', roles: ['RAA'], start: '2026-01-01' }] },
 *   activity: 'smartcard.unlock',
 *   at: '2026-11-22T10:00:00.000Z',
 *   target: { organisationPath: ['FA123', 'QVV'], card: { serial: '1234567890', status: 'locked', holder: '100000000002' } },
 *   facts: { userPresent: true },
 * });
 * if (!d.allowed) console.log(d.reasons.map((r) => `${r.rule}: ${r.message}`));
 * ```
 */
export function decide(input: DecisionInput): Decision {
  if (typeof input !== 'object' || input === null) {
    throw new ValidationError(WHAT, [{ field: '', message: 'must be an object' }]);
  }
  const actor = actors.get(input.actor);
  let compiled = national;
  if (input.pack !== undefined || compiled === undefined) {
    compiled = compilePack(packOf(input.pack));
    if (input.pack === undefined) national = compiled;
  }
  return decidePrepared(actor, planOf(compiled, input));
}

let national: CompiledPack | undefined;

/**
 * Decisions for an actor careid built itself from its validated records (the RA's
 * `loadActor`, every field the actor schema would default already set), prepared once:
 * the actor is not validated again, nor copied to be recognised later, which a fresh
 * object per command never is. Targets, facts and instants are validated as `decide()`
 * validates them, without being remembered. Internal: in no barrel. The RA's commands spent 4 to 5 % of their CPU
 * time validating and copying the actor they had just built (CPU profile of
 * `assignment.assign` on SQLite, bench/ra).
 *
 * @throws VALIDATION naming the field of a bad target, facts, instant or activity.
 */
export function trustedActorDecider(
  pack: RulePack,
  actor: Actor,
): (request: DecisionRequestInput) => Decision {
  const compiled = compilePack(packOf(pack));
  const plan = prepareValidActor(actor);
  // The RA's targets and facts are made afresh per command: validated, not remembered.
  return (request) => decidePrepared(plan, planOf(compiled, request, false));
}

/** The pack of a decision input, validated (its errors name `pack.…`) (internal). */
export function packOf(pack: unknown): RulePack {
  if (pack === undefined) return nationalPack;
  try {
    return toValidPack(pack);
  } catch (error) {
    throw error instanceof ValidationError ? error.within('pack', WHAT) : error;
  }
}

/**
 * {@link decide} returning a Result instead of throwing on bad input.
 *
 * @example
 * ```ts
 * const r = safeDecide(input);
 * if (!r.ok) console.error(r.error.field);
 * ```
 */
export function safeDecide(input: DecisionInput): Result<Decision, ValidationError> {
  return attempt(() => decide(input)) as Result<Decision, ValidationError>;
}

/**
 * A decision engine bound to one pack, for hot paths: validate and prepare an actor once,
 * then decide many requests for it.
 */
export interface Decider {
  /** The pack this decider applies. */
  readonly pack: RulePack;
  /**
   * Validates an actor and makes it ready for fast decisions.
   *
   * @throws VALIDATION naming the field.
   */
  prepare(actor: ActorInput): PreparedActor;
  /**
   * Validates and prepares many actors at once, their assignments packed together so that
   * deciding across a whole population stays in the CPU's caches.
   *
   * @throws VALIDATION naming the field, prefixed with the actor's index (`3.uuid`).
   */
  prepareAll(actors: readonly ActorInput[]): readonly PreparedActor[];
  /**
   * Validates a request once, so deciding it again (for many actors) skips validation.
   *
   * @throws VALIDATION naming the field.
   */
  request(input: DecisionRequestInput): PreparedRequest;
  /**
   * Decides one request for a prepared actor. A request made by `request()` is not
   * validated again; any other input is.
   *
   * @throws VALIDATION naming the field of the request, or when `actor` was not made by `prepare`.
   */
  decide(actor: PreparedActor, request: PreparedRequest | DecisionRequestInput): Decision;
}

/** The actor plan behind a prepared actor, or a ValidationError. */
export function actorPlanOf(actor: PreparedActor): ActorPlan {
  if (isActorPlan(actor)) return actor;
  throw new ValidationError('actor', [
    { field: 'actor', message: "must be an actor made by a decider's prepare()" },
  ]);
}

/**
 * Creates a {@link Decider} for a pack (national by default).
 *
 * @throws VALIDATION when the pack is not valid.
 * @example
 * ```ts
 * const decider = createDecider(dorsetPack);
 * const me = decider.prepare(actor);
 * const viewCardReport = decider.request({ activity: 'report.view', at, target: { report: { category: 'smartcard' } } });
 * decider.decide(me, viewCardReport);
 * ```
 */
export function createDecider(pack: RulePack = nationalPack): Decider {
  const compiled = compilePack(toValidPack(pack));
  const requestOf = (input: unknown) =>
    prepareRequest(compiled, parseInput(decisionRequestSchema, input, 'decision request'));
  return {
    pack: compiled.pack,
    prepare(actor) {
      return prepareValidActor(parseInput(actorSchema, actor, 'actor'));
    },
    prepareAll(actors) {
      return prepareValidActors(parseInput(z.array(actorSchema), actors, 'actors'));
    },
    request: requestOf,
    decide(actor, request) {
      const plan = actorPlanOf(actor);
      return decidePrepared(plan, isPlanFor(compiled, request) ? request : requestOf(request));
    },
  };
}
