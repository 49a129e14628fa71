import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  type ActorInput,
  type DecisionInput,
  decide,
  type RulePack,
} from '../../src/policy/index.js';
import {
  actorAssignmentArb,
  decisionRequestArb,
  rulePackArb,
  type World,
  worldArb,
} from '../../src/testing/index.js';
import { referenceDecide } from './reference.js';

const SOD = /^SOD-/;

/** A world, a pack, an actor of the world and a request by that actor. */
const caseArb = fc
  .tuple(worldArb(), rulePackArb())
  .chain(([world, pack]) =>
    fc
      .nat(world.actors.length - 1)
      .chain((i) =>
        fc.tuple(
          fc.constant(world),
          fc.constant(pack),
          fc.constant(world.actors[i]!),
          decisionRequestArb(world, world.actors[i]!.uuid),
        ),
      ),
  );

type Case = [World, RulePack, ActorInput, Omit<DecisionInput, 'actor' | 'pack'>];

const run = ([, pack, actor, request]: Case) => decide({ pack, actor, ...request });
const isActive = (a: ActorInput['assignments'][number], date: string) =>
  !a.removed && a.start <= date && (a.end === undefined || date < a.end);

describe('decide() properties on random worlds (fast-check)', () => {
  it('ROLE-03 agrees with a naive reference interpreter of the matrix and the rules', () => {
    fc.assert(
      fc.property(caseArb, (c) => {
        const [, pack, actor, request] = c;
        const ours = run(c);
        const reference = referenceDecide(pack, actor as never, request);
        expect({ allowed: ours.allowed, route: ours.route }).toEqual({
          allowed: reference.allowed,
          route: reference.route,
        });
        if (!ours.allowed)
          expect([...new Set(ours.reasons.map((r) => r.rule))].sort()).toEqual(reference.rules);
      }),
      { numRuns: 3000 },
    );
  });

  it('ROLE-02 adding an assignment never removes a permission, unless separation of duties forbids the mix (SOD-01, SOD-02)', () => {
    fc.assert(
      fc.property(
        caseArb.chain((c) => fc.tuple(fc.constant(c), actorAssignmentArb(c[0].organisations))),
        ([c, extra]) => {
          const before = run(c);
          if (!before.allowed) return;
          const [world, pack, actor, request] = c;
          const more = { ...actor, assignments: [...actor.assignments, extra] };
          const after = run([world, pack, more, request]);
          if (after.allowed) return;
          expect(after.reasons.every((r) => r.rule === 'SOD-01' || r.rule === 'SOD-02')).toBe(true);
        },
      ),
      { numRuns: 2000 },
    );
  });

  it('ROLE-02 an actor never gains rights outside the organisations they hold roles in', () => {
    fc.assert(
      fc.property(caseArb, (c) => {
        const d = run(c);
        const [, , actor, request] = c;
        const path = request.target?.organisationPath;
        const byRole = d.reasons[0]?.rule === 'ROLE-02' || d.reasons[0]?.rule === 'ROLE-03';
        if (!d.allowed || !byRole || path === undefined) return;
        const date = request.at.slice(0, 10);
        expect(
          actor.assignments.some((a) => isActive(a, date) && path.includes(a.organisation)),
        ).toBe(true);
      }),
      { numRuns: 2000 },
    );
  });

  it('SOD-01..SOD-06 no separation-of-duties rule is ever beaten by a permit', () => {
    fc.assert(
      fc.property(caseArb, (c) => {
        const [, pack, actor, request] = c;
        const broken = referenceDecide(pack, actor as never, request).rules.filter((r) =>
          SOD.test(r),
        );
        const d = run(c);
        if (broken.length === 0) return;
        expect(d.allowed).toBe(false);
        for (const rule of broken) expect(d.reasons.map((r) => r.rule)).toContain(rule);
      }),
      { numRuns: 3000 },
    );
  });

  it("ROLE-02 every allow's reasons are sound: the actor holds that role there, on that date", () => {
    fc.assert(
      fc.property(caseArb, (c) => {
        const d = run(c);
        if (!d.allowed) return;
        const [, , actor, request] = c;
        const date = request.at.slice(0, 10);
        expect(d.reasons).toHaveLength(1);
        const permit = d.reasons[0]!;
        expect(permit.effect).toBe('permit');
        if (permit.role === undefined) {
          expect(['ALL_USERS', 'SELF_SERVICE']).toContain(permit.code);
          return;
        }
        const holds = actor.assignments.some(
          (a) =>
            isActive(a, date) &&
            a.organisation === permit.organisation &&
            a.roles.includes(permit.role!),
        );
        expect(holds).toBe(true);
        const path = request.target?.organisationPath;
        if (path) expect(path).toContain(permit.organisation);
      }),
      { numRuns: 2000 },
    );
  });

  it('ROLE-01 a closed profile is never allowed anything', () => {
    fc.assert(
      fc.property(caseArb, ([world, pack, actor, request]) => {
        expect(run([world, pack, { ...actor, status: 'closed' }, request]).allowed).toBe(false);
      }),
      { numRuns: 500 },
    );
  });
});
