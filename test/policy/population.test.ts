import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../src/errors/index.js';
import {
  createDecider,
  type Decision,
  decide,
  decideAt,
  nationalPack,
  preparePopulation,
  prepareRequests,
} from '../../src/policy/index.js';
import { decisionRequestArb, rulePackArb, worldArb } from '../../src/testing/index.js';
import { AT, actorWith, happyRequest, ICB, ME, PHARMACY, SOMEONE } from './helpers.js';

/** A world, a pack, and requests each drawn for one of the world's actors. */
const populationCaseArb = fc.tuple(worldArb(), rulePackArb()).chain(([world, pack]) =>
  fc.tuple(
    fc.constant(world),
    fc.constant(pack),
    fc.array(
      fc
        .nat(world.actors.length - 1)
        .chain((i) => decisionRequestArb(world, world.actors[i]!.uuid)),
      { minLength: 1, maxLength: 6 },
    ),
  ),
);

const json = (d: Decision) => JSON.parse(JSON.stringify(d));

function validationField(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(ValidationError);
    return (e as ValidationError).field;
  }
  throw new Error('expected a ValidationError');
}

describe('decideAt over a packed population (preparePopulation, prepareRequests)', () => {
  it('ROLE-01..03, SOD-01..06, CARD-03..07 gives exactly the decision of decide(), reasons and sentences included, on random worlds, whatever order actors ask in', () => {
    fc.assert(
      fc.property(populationCaseArb, fc.boolean(), ([world, pack, requests], backwards) => {
        const population = preparePopulation(pack, world.actors);
        const packed = prepareRequests(population, requests);
        const expected = requests.map((request) =>
          world.actors.map((actor) => json(decide({ pack, actor, ...request }))),
        );
        // Twice over every pair, in both orders, so shared decisions made for one actor
        // are checked when another actor reuses them.
        const actors = world.actors.map((_, a) => a);
        const order = backwards ? [...actors].reverse() : actors;
        for (const round of [order, [...order].reverse()]) {
          for (let k = 0; k < requests.length; k++) {
            for (const a of round) {
              expect(json(decideAt(population, a, packed, k))).toEqual(expected[k]![a]);
            }
          }
        }
      }),
      { numRuns: 1500 },
    );
  });

  it('ROLE-01..03, SOD-01..06 decide, createDecider and decideAt give one decision; a decision shared under its key equals one made afresh for that actor alone', () => {
    fc.assert(
      fc.property(populationCaseArb, ([world, pack, requests]) => {
        const population = preparePopulation(pack, world.actors);
        const packed = prepareRequests(population, requests);
        const decider = createDecider(pack);
        const prepared = decider.prepareAll(world.actors);
        const asked = requests.map((r) => decider.request(r));
        for (let k = 0; k < requests.length; k++) {
          for (let a = 0; a < world.actors.length; a++) {
            // structuredClone: new objects, so nothing validated, prepared or decided
            // before is reused: the decision is made for this actor alone.
            const alone = json(
              decide(structuredClone({ pack, actor: world.actors[a]!, ...requests[k]! })),
            );
            expect(json(decideAt(population, a, packed, k))).toEqual(alone);
            expect(json(decider.decide(prepared[a]!, asked[k]!))).toEqual(alone);
            expect(json(decide({ pack, actor: world.actors[a]!, ...requests[k]! }))).toEqual(alone);
          }
        }
      }),
      { numRuns: 400 },
    );
  });

  it('ROLE-02 one request, many actors: each gets their own permit naming where they hold the role', () => {
    const population = preparePopulation(nationalPack, [
      actorWith(['RAA'], ICB),
      actorWith(['RAA'], PHARMACY, {}, SOMEONE),
      actorWith([], ICB, {}, '100000000009'),
    ]);
    const packed = prepareRequests(population, [
      { ...happyRequest('user.change-details'), target: { organisationPath: [PHARMACY, ICB] } },
    ]);
    const [atIcb, atPharmacy, none] = [0, 1, 2].map((a) => decideAt(population, a, packed, 0));
    expect(atIcb!.reasons[0]).toMatchObject({ rule: 'ROLE-02', role: 'RAA', organisation: ICB });
    expect(atPharmacy!.reasons[0]).toMatchObject({ organisation: PHARMACY });
    expect(none!.allowed).toBe(false);
    expect(none!.reasons[0]!.code).toBe('NO_ROLE');
    expect(population.uuidAt(1)).toBe(SOMEONE);
    expect(packed.at(0).request.activity).toBe('user.change-details');
  });

  it('bad input: preparePopulation names the actor and field, once per population', () => {
    expect(
      validationField(() =>
        preparePopulation(nationalPack, [actorWith(['RAA']), { uuid: '12', assignments: [] }]),
      ),
    ).toBe('1.uuid');
    expect(
      validationField(() =>
        preparePopulation(nationalPack, [actorWith(['RAA']), actorWith(['S'])]),
      ),
    ).toBe('1.uuid');
    expect(validationField(() => preparePopulation({ id: 'x' } as never, []))).not.toBe('');
  });

  it('bad input: prepareRequests names the request and field; decideAt refuses bad indexes and foreign requests', () => {
    const population = preparePopulation(nationalPack, [actorWith(['RAA'])]);
    const other = preparePopulation(nationalPack, [actorWith(['RAA'])]);
    expect(
      validationField(() =>
        prepareRequests(population, [
          { activity: 'user.create', at: AT },
          { activity: 'user.teleport' as never, at: AT },
        ]),
      ),
    ).toBe('1.activity');
    expect(validationField(() => prepareRequests({} as never, []))).toBe('population');
    const packed = prepareRequests(population, [{ activity: 'user.create', at: AT }]);
    expect(validationField(() => decideAt(population, 1, packed, 0))).toBe('actor index');
    expect(validationField(() => decideAt(population, 0.5, packed, 0))).toBe('actor index');
    expect(validationField(() => decideAt(population, 0, packed, -1))).toBe('request index');
    expect(validationField(() => decideAt(other, 0, packed, 0))).toBe('requests');
    expect(validationField(() => decideAt(population, 0, {} as never, 0))).toBe('requests');
    expect(validationField(() => population.uuidAt(3))).toBe('actor index');
    expect(decideAt(population, 0, packed, 0).allowed).toBe(true);
    expect(ME).toBe(population.uuidAt(0));
  });
});
