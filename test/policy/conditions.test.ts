import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  type ActorFact,
  type ConditionContext,
  conditions,
  decisionRequestSchema,
  raRoles,
} from '../../src/policy/index.js';
import { dayNumber } from '../../src/policy/primitives.js';
import { decisionRequestArb, rulePackArb, worldArb } from '../../src/testing/index.js';

/** A request of a random world under a random pack, validated, with an acting role and facts about the actor. */
const caseArb = fc.tuple(worldArb(), rulePackArb()).chain(([world, pack]) =>
  fc.tuple(
    fc.constant(pack),
    fc.nat(world.actors.length - 1).chain((i) => decisionRequestArb(world, world.actors[i]!.uuid)),
    fc.option(fc.constantFrom(...raRoles), { nil: undefined }),
    fc.boolean(),
    fc.nat(63),
  ),
);

describe('Condition.reads: a decision kept under its key can be shared', () => {
  it('SOD-01..06, REQ-02 every condition reads about the actor only what its reads declares, on random requests', () => {
    fc.assert(
      fc.property(caseArb, ([pack, input, actingRole, isPerson, held]) => {
        const request = decisionRequestSchema.parse(input);
        const date = request.at.slice(0, 10) as ConditionContext['date'];
        for (const condition of conditions) {
          const read = new Set<ActorFact>();
          const ctx: ConditionContext = {
            pack,
            activity: { id: request.activity, action: request.activity },
            date,
            day: dayNumber(date),
            at: request.at,
            target: request.target,
            facts: request.facts,
            actingRole,
            actorIs(field) {
              read.add(field);
              return isPerson;
            },
            rolesHeld() {
              read.add('rolesHeld');
              return held;
            },
          };
          condition.check(ctx);
          const declared = new Set(condition.reads(pack));
          for (const fact of read)
            expect(declared, `${condition.rule} reads ${fact}`).toContain(fact);
        }
      }),
      { numRuns: 1500 },
    );
  });

  it('SOD-02 reads the roles the actor holds only where the pack switches it on', () => {
    const sod02 = conditions.find((c) => c.rule === 'SOD-02')!;
    fc.assert(
      fc.property(rulePackArb(), (pack) => {
        expect(sod02.reads(pack).includes('rolesHeld')).toBe(pack.sponsorAgentExclusive);
      }),
    );
  });
});
