import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../src/errors/index.js';
import {
  assertAllowed,
  createDecider,
  decide,
  derivePack,
  diffPacks,
  dorsetPack,
  nationalPack,
  PolicyDeniedError,
  rolesOfPosition,
  safeDecide,
  toValidPack,
  whatCan,
} from '../../src/policy/index.js';
import { decisionRequestArb, worldArb } from '../../src/testing/index.js';
import { AT, actorWith, happyRequest, ICB, PHARMACY } from './helpers.js';

const raa = actorWith(['RAA']);

function validationField(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(ValidationError);
    return (e as ValidationError).field;
  }
  throw new Error('expected a ValidationError');
}

describe('bad input: a ValidationError naming the field, never an exception from inside', () => {
  it('an unknown activity', () => {
    expect(
      validationField(() => decide({ actor: raa, activity: 'user.teleport' as never, at: AT })),
    ).toBe('activity');
  });

  it('a malformed UUID or NI-shaped garbage in the actor', () => {
    expect(
      validationField(() =>
        decide({ actor: { uuid: '12345', assignments: [] }, activity: 'user.find', at: AT }),
      ),
    ).toBe('actor.uuid');
    expect(
      validationField(() =>
        decide({
          ...happyRequest('smartcard.unlock'),
          actor: raa,
          facts: { sponsoredBy: 'AB123456C' },
        }),
      ),
    ).toBe('facts.sponsoredBy');
  });

  it('an end date before its start', () => {
    const actor = actorWith(['RAA'], ICB, { start: '2026-06-01', end: '2026-05-01' });
    expect(validationField(() => decide({ actor, activity: 'user.find', at: AT }))).toBe(
      'actor.assignments.0.end',
    );
  });

  it('a pack with a negative limit', () => {
    expect(
      validationField(() => derivePack(nationalPack, { id: 'bad', name: 'bad', batchLimit: -1 })),
    ).toBe('batchLimit');
    expect(validationField(() => toValidPack({ ...nationalPack, selfRenewalLimit: -2 }))).toBe(
      'selfRenewalLimit',
    );
    expect(
      validationField(() =>
        decide({
          pack: { ...nationalPack, renewalWindowDays: 0 },
          actor: raa,
          activity: 'user.find',
          at: AT,
        }),
      ),
    ).toBe('pack.renewalWindowDays');
  });

  it('a pack granting an unknown activity', () => {
    expect(
      validationField(() =>
        derivePack(nationalPack, {
          id: 'bad',
          name: 'bad',
          grants: { 'user.teleport': { RAM: 'direct' } } as never,
        }),
      ),
    ).toBe('grants.user.teleport');
  });

  it('a decision instant that is not ISO 8601 UTC', () => {
    expect(
      validationField(() => decide({ actor: raa, activity: 'user.find', at: '22/11/2026' })),
    ).toBe('at');
  });

  it('safeDecide returns the error instead of throwing', () => {
    const r = safeDecide({ actor: raa, activity: 'user.find', at: 'yesterday' });
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error.code).toBe('VALIDATION');
  });

  it('ROLE-02 an actor, target or facts object decided before is validated again once its data changes', () => {
    const actor = structuredClone(raa) as unknown as {
      uuid: string;
      assignments: { roles: string[] }[];
    };
    const request = structuredClone(happyRequest('smartcard.unlock')) as {
      target: { card: { holder: string } };
      facts: { userPresent: boolean };
    };
    const ask = () => decide({ actor, ...request } as never);
    expect(ask().allowed).toBe(true);
    actor.uuid = '12';
    expect(validationField(ask)).toBe('actor.uuid');
    actor.uuid = '100000000001';
    expect(ask().allowed).toBe(true);
    actor.assignments[0]!.roles = ['IDC'];
    expect(ask().reasons[0]!.code).toBe('NO_ROLE');
    actor.assignments[0]!.roles = ['RAA'];
    request.target.card.holder = 'AB123456C';
    expect(validationField(ask)).toBe('target.card.holder');
    request.target.card.holder = '100000000001';
    expect(ask().reasons.map((r) => r.rule)).toContain('SOD-03');
    request.target.card.holder = '100000000002';
    request.facts.userPresent = false;
    expect(ask().reasons.map((r) => r.code)).toContain('USER_NOT_PRESENT');
  });

  it('random garbage never escapes as anything but a ValidationError', () => {
    fc.assert(
      fc.property(fc.anything(), fc.anything(), (actor, target) => {
        const r = safeDecide({ actor, activity: 'user.find', at: AT, target } as never);
        if (!r.ok) expect(r.error).toBeInstanceOf(ValidationError);
      }),
    );
  });
});

describe('the Decider, whatCan, explain, diffPacks', () => {
  it('a Decider validates a request once and decides it for many actors', () => {
    const decider = createDecider(dorsetPack);
    const request = decider.request(happyRequest('smartcard.unlock'));
    expect(decider.decide(decider.prepare(raa), request).allowed).toBe(true);
    expect(decider.decide(decider.prepare(actorWith(['IDC'])), request).allowed).toBe(false);
    expect(() =>
      decider.decide(
        { uuid: '100000000001', open: true, grants: new Int32Array(0) } as never,
        request,
      ),
    ).toThrow(ValidationError);
  });

  it('actors prepared together decide exactly as actors prepared one by one', () => {
    const decider = createDecider(dorsetPack);
    fc.assert(
      fc.property(
        worldArb().chain((w) => fc.tuple(fc.constant(w), decisionRequestArb(w, w.actors[0]!.uuid))),
        ([world, request]) => {
          const together = decider.prepareAll(world.actors);
          const prepared = decider.request(request);
          world.actors.forEach((actor, i) => {
            const alone = decider.decide(decider.prepare(actor), prepared);
            expect(JSON.stringify(decider.decide(together[i]!, prepared))).toBe(
              JSON.stringify(alone),
            );
          });
        },
      ),
      { numRuns: 200 },
    );
    expect(() => decider.prepareAll([raa, { uuid: 'x', assignments: [] }])).toThrow(
      expect.objectContaining({ field: '1.uuid' }),
    );
  });

  it('decisions agree whichever entry point is used', () => {
    const decider = createDecider(nationalPack);
    fc.assert(
      fc.property(
        worldArb().chain((w) => fc.tuple(fc.constant(w), decisionRequestArb(w, w.actors[0]!.uuid))),
        ([world, request]) => {
          const actor = world.actors[0]!;
          const a = decide({ actor, ...request });
          const b = decider.decide(decider.prepare(actor), decider.request(request));
          expect(JSON.stringify(b)).toBe(JSON.stringify(a));
        },
      ),
      { numRuns: 300 },
    );
  });

  it('whatCan lists what a sponsor may do at its pharmacy, with routes, for front ends', () => {
    const sponsor = actorWith(['S'], PHARMACY, { assignable: ['pos_a'] });
    const caps = whatCan(sponsor, { organisationPath: [PHARMACY, ICB] }, { at: AT });
    const byActivity = Object.fromEntries(caps.map((c) => [c.activity, c.route]));
    expect(byActivity['user.close']).toBe('via-request');
    expect(byActivity['report.view']).toBe('direct');
    expect(byActivity['smartcard.issue']).toBeUndefined();
    expect(
      whatCan(sponsor, { organisationPath: ['FA999'] }, { at: AT }).map((c) => c.activity),
    ).toEqual(['user.find', 'organisation.find']);
  });

  it('whatCan refuses bad input with a ValidationError naming the field', () => {
    const sponsor = actorWith(['S'], PHARMACY);
    expect(
      validationField(() =>
        whatCan(sponsor, {}, { at: AT, activities: ['user.find', 'user.teleport' as never] }),
      ),
    ).toBe('activities.1');
    expect(validationField(() => whatCan(sponsor, {}, { at: 'now' }))).toBe('at');
    expect(validationField(() => whatCan({ uuid: '1', assignments: [] }, {}, { at: AT }))).toBe(
      'actor.uuid',
    );
    expect(validationField(() => whatCan(sponsor, { organisationPath: [] }, { at: AT }))).toBe(
      'target.organisationPath',
    );
  });

  it('assertAllowed throws a PolicyDeniedError carrying the decision', () => {
    const d = decide({ actor: actorWith(['IDC']), ...happyRequest('smartcard.issue') });
    try {
      assertAllowed(d);
      throw new Error('expected a denial');
    } catch (e) {
      expect(e).toBeInstanceOf(PolicyDeniedError);
      expect((e as PolicyDeniedError).code).toBe('POLICY_DENIED');
      expect((e as PolicyDeniedError).rules).toEqual(['ROLE-02']);
      expect((e as PolicyDeniedError).decision).toBe(d);
    }
  });

  it('diffPacks: national to dorset, IDC loses profile creation; the switches and numbers that change', () => {
    const diff = diffPacks(nationalPack, dorsetPack);
    expect(diff.grants).toEqual([
      { activity: 'user.create', role: 'IDC', from: 'direct', to: null },
    ]);
    expect(diff.settings.map((s) => s.setting).sort()).toEqual(
      [
        'certificateSubject',
        'id',
        'name',
        'niNumberRequired',
        'pharmacistJobRoles',
        'pharmacyMinimumSponsorsOrAgents',
        'selfRenewalLimit',
        'sponsorAgentExclusive',
      ].sort(),
    );
    expect(diffPacks(dorsetPack, dorsetPack)).toEqual({ grants: [], settings: [] });
  });

  it('ROLE-01 rolesOfPosition maps RBAC codes to RA roles through the pack', () => {
    expect(
      rolesOfPosition({ jobRole: 'R5090', activities: ['B1300'] } as never, nationalPack),
    ).toEqual(['RAA', 'S']);
    expect(rolesOfPosition({ jobRole: 'R8000', activities: [] } as never, nationalPack)).toEqual(
      [],
    );
  });
});
