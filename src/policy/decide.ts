import { z } from 'zod';
import { parseWith } from '../errors/parse.js';
import { attempt, type Result } from '../errors/result.js';
import { ValidationError } from '../errors/validation-error.js';
import { compilePack } from './compiled-pack.js';
import {
  type Decision,
  decidePrepared,
  evaluate,
  isPreparedFor,
  type PreparedRequest,
  prepareRequest,
} from './engine.js';
import {
  type ActorInput,
  actorSchema,
  type DecisionRequestInput,
  decisionRequestSchema,
} from './input.js';
import { nationalPack } from './packs/national.js';
import { toValidPack } from './packs/registry.js';
import type { RulePack } from './packs/schema.js';
import {
  isPreparedActor,
  type PreparedActor,
  prepareValidActor,
  prepareValidActors,
} from './prepared-actor.js';

/** Everything one decision needs: the pack (national by default), the actor and the request. */
export type DecisionInput = DecisionRequestInput & {
  readonly pack?: RulePack;
  readonly actor: ActorInput;
};

const decisionInputSchema = z.object({ actor: actorSchema, pack: z.unknown().optional() }).loose();

/**
 * Decides whether an actor may perform an activity on a target, and why. Pure and
 * synchronous: no I/O, no clock. Every reason names its rule ID; a denial says what would
 * grant it; separation-of-duties rules beat every permit.
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
  const { actor, pack } = parseWith(decisionInputSchema, input, 'decision input');
  const request = parseWith(decisionRequestSchema, input, 'decision input');
  return evaluate(compilePack(packOf(pack)), prepareValidActor(actor), request);
}

function packOf(pack: unknown): RulePack {
  if (pack === undefined) return nationalPack;
  try {
    return toValidPack(pack);
  } catch (error) {
    throw error instanceof ValidationError ? error.within('pack', 'decision input') : error;
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
  return {
    pack: compiled.pack,
    prepare(actor) {
      return prepareValidActor(parseWith(actorSchema, actor, 'actor'));
    },
    prepareAll(actors) {
      return prepareValidActors(parseWith(actorSchema.array(), actors, 'actors'));
    },
    request(input) {
      return prepareRequest(compiled, parseWith(decisionRequestSchema, input, 'decision request'));
    },
    decide(actor, request) {
      if (!isPreparedActor(actor)) {
        throw new ValidationError('actor', [
          { field: 'actor', message: "must be an actor made by this decider's prepare()" },
        ]);
      }
      if (isPreparedFor(compiled, request)) return decidePrepared(actor, request);
      return evaluate(
        compiled,
        actor,
        parseWith(decisionRequestSchema, request, 'decision request'),
      );
    },
  };
}
