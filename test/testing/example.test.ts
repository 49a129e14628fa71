import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { niNumberSchema } from '../../src/domain/index.js';
import { decide, derivePack, nationalPack } from '../../src/policy/index.js';
import {
  decisionRequestArb,
  niNumberArb,
  orgTreeArb,
  rulePackArb,
  worldArb,
} from '../../src/testing/index.js';

// The example in careid/testing's documentation, run as written: a host property-tests its own pack.
describe('careid/testing: property-testing a host pack', () => {
  const myPack = derivePack(nationalPack, {
    id: 'my-icb',
    name: 'My ICB',
    batchLimit: 50,
    sponsorAgentExclusive: true,
  });

  it('ROLE-01 a closed profile never gains anything, whatever my pack says', () => {
    fc.assert(
      fc.property(
        worldArb().chain((w) => fc.tuple(fc.constant(w), decisionRequestArb(w, w.actors[0]!.uuid))),
        ([world, request]) => {
          const actor = { ...world.actors[0]!, status: 'closed' as const };
          return !decide({ pack: myPack, actor, ...request }).allowed;
        },
      ),
    );
  });

  it('the arbitraries make valid values: NI numbers, org trees with ancestor paths, packs', () => {
    fc.assert(fc.property(niNumberArb(), (ni) => niNumberSchema.safeParse(ni).success));
    fc.assert(
      fc.property(orgTreeArb(), (orgs) => {
        const codes = new Set(orgs.map((o) => o.odsCode));
        expect(codes.size).toBe(orgs.length);
        for (const o of orgs) {
          expect(o.path[0]).toBe(o.odsCode);
          if (o.parent) expect(o.path[1]).toBe(o.parent);
        }
      }),
    );
    fc.assert(
      fc.property(rulePackArb(), (pack) => pack.batchLimit >= 1 && pack.renewalWindowDays === 90),
    );
  });
});
