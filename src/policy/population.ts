import * as z from 'zod/mini';
import { ValidationError } from '../errors/validation-error.js';
import { type CompiledPack, compilePack } from './compiled-pack.js';
import {
  type Decision,
  decidePrepared,
  type PreparedRequest,
  prepareRequest,
  type RequestPlan,
} from './engine.js';
import {
  type ActorInput,
  actorSchema,
  type DecisionRequestInput,
  decisionRequestSchema,
} from './input.js';
import { toValidPack } from './packs/registry.js';
import type { RulePack } from './packs/schema.js';
import { parseInput } from './parse.js';
import { type ActorPlan, prepareValidActors } from './prepared-actor.js';

/**
 * Many actors validated once and packed together, for deciding by index with
 * {@link decideAt}. Build it with {@link preparePopulation}.
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
 * Requests validated once and prepared for deciding against one {@link Population} with
 * {@link decideAt}. Build them with {@link prepareRequests}.
 */
export interface PreparedRequests {
  /** The population these requests are decided against. */
  readonly population: Population;
  /** How many requests it holds; their indexes are `0 .. size - 1`, in the order given. */
  readonly size: number;
  /**
   * The prepared request at `index` (to read the validated request).
   *
   * @throws VALIDATION when `index` is not a request's index.
   */
  at(index: number): PreparedRequest;
}

class PreparedPopulation implements Population {
  readonly pack: RulePack;
  readonly compiled: CompiledPack;
  readonly size: number;
  readonly actors: readonly ActorPlan[];

  constructor(compiled: CompiledPack, actors: readonly ActorPlan[]) {
    this.pack = compiled.pack;
    this.compiled = compiled;
    this.size = actors.length;
    this.actors = actors;
  }

  uuidAt(index: number): string {
    return this.actors[checkIndex(index, this.size, 'actor index')]!.uuid;
  }
}

class RequestTable implements PreparedRequests {
  readonly population: PreparedPopulation;
  readonly size: number;
  readonly plans: readonly RequestPlan[];

  constructor(population: PreparedPopulation, plans: readonly RequestPlan[]) {
    this.population = population;
    this.size = plans.length;
    this.plans = plans;
  }

  at(index: number): PreparedRequest {
    return this.plans[checkIndex(index, this.size, 'request index')]!;
  }
}

function checkIndex(index: number, size: number, field: string): number {
  if (Number.isInteger(index) && index >= 0 && index < size) return index;
  throw new ValidationError(field, [
    { field, message: `must be an integer from 0 to ${size - 1}, not ${index}` },
  ]);
}

/**
 * Validates actors once and prepares them, their assignments packed into one array, so
 * that deciding across a whole population by index ({@link decideAt}) stays in the CPU's
 * caches.
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
  const valid = parseInput(z.array(actorSchema), actors, 'actors');
  // An index names one person: each person is in the population once.
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
  return new PreparedPopulation(compiled, prepareValidActors(valid));
}

/**
 * Validates requests once and prepares them for {@link decideAt} against `population`.
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
  if (!(population instanceof PreparedPopulation)) {
    throw new ValidationError('population', [
      { field: 'population', message: 'must be made by preparePopulation()' },
    ]);
  }
  const valid = parseInput(z.array(decisionRequestSchema), requests, 'decision requests');
  return new RequestTable(
    population,
    valid.map((request) => prepareRequest(population.compiled, request)),
  );
}

/**
 * Decides request `requestIndex` of `requests` for actor `actorIndex` of `population`:
 * the same {@link Decision}, reasons and all, as `decide()` gives for that actor and
 * request (it is the same decision core). Pure and synchronous; nothing is validated again
 * beyond the two indexes. Decisions are shared and frozen.
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
  // naming it is taken as made by prepareRequests().
  if (population == null || requests?.population !== population) {
    throw new ValidationError('requests', [
      { field: 'requests', message: 'must be made by prepareRequests() for this population' },
    ]);
  }
  const table = requests as RequestTable;
  const actor = table.population.actors[actorIndex];
  const plan = table.plans[requestIndex];
  if (actor === undefined || !Number.isInteger(actorIndex)) {
    checkIndex(actorIndex, table.population.size, 'actor index');
  }
  if (plan === undefined || !Number.isInteger(requestIndex)) {
    checkIndex(requestIndex, table.size, 'request index');
  }
  return decidePrepared(actor!, plan!);
}
