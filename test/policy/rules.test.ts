import { describe, expect, it } from 'vitest';
import { decide, derivePack, dorsetPack, explain, nationalPack } from '../../src/policy/index.js';
import {
  APPLICANT,
  AT,
  actorWith,
  decideFor,
  happyRequest,
  ICB,
  ME,
  OTHER_ICB,
  PHARMACY,
  rulesOf,
} from './helpers.js';

const raa = actorWith(['RAA']);
const sponsor = actorWith(['S'], PHARMACY, { assignable: ['pos_a'] });

describe('ROLE-01/ROLE-02 who holds a role, where and when', () => {
  it('ROLE-01 a closed profile may do nothing, not even find a user', () => {
    const closed = { ...raa, status: 'closed' as const };
    const d = decideFor(closed, 'user.find');
    expect(d.allowed).toBe(false);
    expect(d.reasons[0]).toMatchObject({ rule: 'ROLE-01', code: 'PROFILE_CLOSED' });
  });

  it("ROLE-02 a role held at an ICB covers its pharmacies (the target's ancestors)", () => {
    const d = decideFor(raa, 'smartcard.unlock');
    expect(d.allowed).toBe(true);
    expect(d.reasons[0]).toMatchObject({ rule: 'ROLE-02', role: 'RAA', organisation: ICB });
  });

  it('ROLE-02 a role held at a pharmacy does not cover its ICB or a sibling', () => {
    const atPharmacy = actorWith(['RAA'], PHARMACY);
    const onIcb = decideFor(atPharmacy, 'smartcard.unlock', (r) => ({
      ...r,
      target: { ...r.target, organisationPath: [ICB] },
    }));
    expect(onIcb.allowed).toBe(false);
    expect(onIcb.reasons[0]).toMatchObject({ rule: 'ROLE-02', code: 'NO_ROLE' });
    expect(onIcb.wouldGrant).toContainEqual({ role: 'RAA', organisation: ICB, route: 'direct' });
    const elsewhere = decideFor(actorWith(['RAA'], OTHER_ICB), 'smartcard.unlock');
    expect(elsewhere.allowed).toBe(false);
  });

  it('ROLE-02/ASG-02 an assignment is active from its start date up to, not including, its end date', () => {
    const dated = (start: string, end?: string) =>
      decideFor(actorWith(['RAA'], ICB, { start, ...(end ? { end } : {}) }), 'smartcard.unlock')
        .allowed;
    expect(dated('2026-11-22')).toBe(true); // starts today
    expect(dated('2026-11-23')).toBe(false); // starts tomorrow
    expect(dated('2026-01-01', '2026-11-23')).toBe(true); // ends tomorrow
    expect(dated('2026-01-01', '2026-11-22')).toBe(false); // ended today
  });

  it('ASG-02 access lapses at read time: the same actor decided on two dates', () => {
    const actor = actorWith(['RAA'], ICB, { end: '2026-12-01' });
    const before = decide({
      actor,
      ...happyRequest('position.find'),
      at: '2026-11-30T23:59:59.000Z',
    });
    const after = decide({
      actor,
      ...happyRequest('position.find'),
      at: '2026-12-01T00:00:00.000Z',
    });
    expect([before.allowed, after.allowed]).toEqual([true, false]);
  });

  it('ROLE-02 a removed assignment grants nothing', () => {
    expect(decideFor(actorWith(['RAA'], ICB, { removed: true }), 'smartcard.unlock').allowed).toBe(
      false,
    );
  });

  it('ROLE-02 denial says which role at which organisation would grant it', () => {
    const d = decideFor(sponsor, 'smartcard.issue');
    expect(d.allowed).toBe(false);
    expect(d.wouldGrant.map((h) => `${h.role}@${h.organisation}`)).toEqual([
      `RAM@${PHARMACY}`,
      `RAAA@${PHARMACY}`,
      `RAA@${PHARMACY}`,
    ]);
    expect(d.reasons[0]?.message).toMatch(/RAM, RAAA, RAA would grant it/);
    expect(explain(d)).toContain('would be granted by: RAM at FA123 or above');
  });
});

describe('SOD separation of duties: forbids beat every permit', () => {
  it("SOD-01 the applicant's sponsor may not create the profile, issue the card or change access as an RA agent", () => {
    const both = actorWith(['RAA', 'S']);
    for (const activity of ['user.create', 'smartcard.issue', 'assignment.assign'] as const) {
      const d = decideFor(both, activity, (r) => ({
        ...r,
        facts: { ...r.facts, sponsoredBy: ME },
      }));
      expect(d.allowed, activity).toBe(false);
      expect(rulesOf(d)).toContain('SOD-01');
    }
  });

  it('SOD-01 the RA agent who checked identity may not act as the sponsor for the same applicant', () => {
    const d = decideFor(sponsor, 'assignment.assign', (r) => ({
      ...r,
      facts: { ...r.facts, identityCheckedBy: ME },
    }));
    expect(d.allowed).toBe(false);
    expect(rulesOf(d)).toEqual(['SOD-01']);
  });

  it('SOD-01 someone else sponsoring leaves the RA agent free', () => {
    const d = decideFor(raa, 'smartcard.issue', (r) => ({
      ...r,
      facts: { ...r.facts, sponsoredBy: APPLICANT },
    }));
    expect(d.allowed).toBe(true);
  });

  it('SOD-02 (dorset) one person holding sponsor and RA agent roles at once is refused; national allows it', () => {
    const both = actorWith(['RAA', 'S']);
    expect(decideFor(both, 'smartcard.unlock', undefined, nationalPack).allowed).toBe(true);
    const d = decideFor(both, 'smartcard.unlock', undefined, dorsetPack);
    expect(d.allowed).toBe(false);
    expect(rulesOf(d)).toEqual(['SOD-02']);
  });

  it('SOD-02 (dorset) the roles held in two assignments count together', () => {
    const actor = {
      uuid: ME,
      assignments: [...actorWith(['RAA']).assignments, ...sponsor.assignments],
    };
    expect(rulesOf(decideFor(actor, 'report.view', undefined, dorsetPack))).toEqual(['SOD-02']);
  });

  it('SOD-02 (dorset) assigning a sponsor position to an RA agent is refused', () => {
    const d = decideFor(
      raa,
      'assignment.assign',
      (r) => ({
        ...r,
        target: {
          ...r.target,
          user: { uuid: APPLICANT, raTraining: true, roles: ['RAA'] },
          position: { id: 'pos_s', organisation: PHARMACY, roles: ['S'] },
        },
      }),
      dorsetPack,
    );
    expect(rulesOf(d)).toEqual(['SOD-02']);
  });

  it('SOD-03 nobody assigns their own positions, unlocks their own card, or decides their own request', () => {
    const ram = actorWith(['RAM']);
    const own = (activity: Parameters<typeof decideFor>[1]) =>
      decideFor(ram, activity, (r) => ({
        ...r,
        target: {
          ...r.target,
          user: { uuid: ME, identityChecked: true, raTraining: true },
          card: {
            serial: '2112345678',
            status: 'locked',
            holder: ME,
            certificatesExpireOn: '2026-12-22',
          },
          request: { subject: ME },
        },
      }));
    for (const activity of [
      'assignment.assign',
      'workgroup.assign',
      'smartcard.unlock',
      'smartcard.renew-before-expiry',
      'request.decide-esr-modify',
      'user.close',
    ] as const) {
      const d = own(activity);
      expect(d.allowed, activity).toBe(false);
      expect(rulesOf(d), activity).toContain('SOD-03');
    }
    // The self-service routes are the exception.
    expect(own('smartcard.self-renew').allowed).toBe(true);
  });

  it('SOD-04 only RAM, RAA(A), RAA and IDC check identity, even when a pack grants profile creation to others', () => {
    const loose = derivePack(nationalPack, {
      id: 'loose',
      name: 'grants LSA profile creation',
      grants: { 'user.create': { LSA: 'direct' } },
    });
    const d = decideFor(actorWith(['LSA']), 'user.create', undefined, loose);
    expect(d.allowed).toBe(false);
    expect(rulesOf(d)).toEqual(['SOD-04']);
    expect(decideFor(actorWith(['IDC']), 'user.create', undefined, loose).allowed).toBe(true);
  });

  it('SOD-05 the requester never accepts or rejects their own request', () => {
    const d = decideFor(raa, 'request.decide-esr-create', (r) => ({
      ...r,
      facts: { ...r.facts, requestedBy: ME },
    }));
    expect(d.allowed).toBe(false);
    expect(d.reasons[0]).toMatchObject({ rule: 'SOD-05', code: 'OWN_REQUEST' });
    const esr = decideFor(raa, 'request.decide-esr-create', (r) => ({
      ...r,
      facts: { ...r.facts, requestedBy: 'ESR' },
    }));
    expect(esr.allowed).toBe(true);
  });

  it('SOD-06 an RA or sponsor position needs the training certificate on record', () => {
    const give = (raTraining: boolean) =>
      decideFor(actorWith(['RAM']), 'assignment.assign', (r) => ({
        ...r,
        target: {
          ...r.target,
          user: { uuid: APPLICANT, raTraining },
          position: { id: 'pos_ra', organisation: PHARMACY, roles: ['RAA'] },
        },
      }));
    expect(give(false).allowed).toBe(false);
    expect(rulesOf(give(false))).toEqual(['SOD-06']);
    expect(give(true).allowed).toBe(true);
  });
});

describe('CARD rules: the decision parts', () => {
  it('CARD-01 a card is issued only after a complete identity check, with the user present', () => {
    expect(
      rulesOf(
        decideFor(raa, 'smartcard.issue', (r) => ({
          ...r,
          target: { ...r.target, user: { uuid: APPLICANT } },
        })),
      ),
    ).toContain('CARD-01');
    expect(rulesOf(decideFor(raa, 'smartcard.issue', (r) => ({ ...r, facts: {} })))).toEqual([
      'CARD-01',
    ]);
  });

  it('ID-03 (dorset) no card without an NI number; national issues without one', () => {
    const noNi = (r: ReturnType<typeof happyRequest>) => ({
      ...r,
      target: { ...r.target, user: { uuid: APPLICANT, identityChecked: true, hasNiNumber: false } },
    });
    expect(decideFor(raa, 'smartcard.issue', noNi, nationalPack).allowed).toBe(true);
    expect(rulesOf(decideFor(raa, 'smartcard.issue', noNi, dorsetPack))).toEqual(['ID-03']);
  });

  it('CARD-03 unlock needs the user present; never remotely', () => {
    const d = decideFor(raa, 'smartcard.unlock', (r) => ({ ...r, facts: { userPresent: false } }));
    expect(d.reasons[0]).toMatchObject({ rule: 'CARD-03', code: 'USER_NOT_PRESENT' });
  });

  it("CARD-03 a locum holds no unlock right at the locum's organisation", () => {
    const locum = actorWith(['LSA'], PHARMACY, { locum: true });
    const d = decideFor(locum, 'smartcard.unlock');
    expect(d.allowed).toBe(false);
    expect(d.reasons[0]).toMatchObject({ rule: 'CARD-03', code: 'LOCUM_NO_UNLOCK' });
    // The locum's position still works for other activities.
    expect(decideFor(locum, 'smartcard.renew-before-expiry').allowed).toBe(true);
  });

  it('CARD-03 self-service unlock needs a verified one-time code and unexpired certificates', () => {
    const me = { uuid: ME, assignments: [] };
    expect(rulesOf(decideFor(me, 'smartcard.self-unlock', (r) => ({ ...r, facts: {} })))).toEqual([
      'CARD-03',
    ]);
    const expired = decideFor(me, 'smartcard.self-unlock', (r) => ({
      ...r,
      target: {
        ...r.target,
        card: {
          serial: '2112345678',
          status: 'locked',
          holder: ME,
          certificatesExpireOn: '2026-11-22',
        },
      },
    }));
    expect(expired.reasons[0]?.code).toBe('CERTIFICATES_EXPIRED');
  });

  it('CARD-02 passcodes are 6 to 8 digits; three wrong tries lock the card (pack settings)', () => {
    expect(nationalPack.passcode).toEqual({ minLength: 6, maxLength: 8, tries: 3 });
  });

  it('CARD-04 certificates last 3 calendar years nationally; a pack may say 2', () => {
    expect(nationalPack.certificateLifeYears).toBe(3);
    expect(dorsetPack.certificateLifeYears).toBe(3);
    expect(
      derivePack(nationalPack, { id: 'two-years', name: 'two', certificateLifeYears: 2 })
        .certificateLifeYears,
    ).toBe(2);
  });

  it('CARD-05 renewal before expiry opens 90 days before expiry, not a day earlier, and closes at expiry', () => {
    const renewOn = (expiry: string) =>
      decideFor(actorWith(['LSA']), 'smartcard.renew-before-expiry', (r) => ({
        ...r,
        target: {
          ...r.target,
          card: {
            serial: '2112345678',
            status: 'issued',
            holder: APPLICANT,
            certificatesExpireOn: expiry,
          },
        },
      }));
    expect(renewOn('2027-02-20').allowed).toBe(true); // exactly 90 days ahead
    expect(renewOn('2027-02-21').reasons[0]?.code).toBe('NOT_IN_RENEWAL_WINDOW');
    expect(renewOn('2026-11-23').allowed).toBe(true);
    expect(renewOn('2026-11-22').reasons[0]?.code).toBe('CERTIFICATES_EXPIRED');
  });

  it('CARD-05 (dorset) at most 3 self-renewals per card; national has no limit', () => {
    const selfRenew = (count: number, pack = dorsetPack) =>
      decideFor(
        { uuid: ME, assignments: [] },
        'smartcard.self-renew',
        (r) => ({
          ...r,
          target: {
            ...r.target,
            card: {
              serial: '2112345678',
              status: 'issued',
              holder: ME,
              certificatesExpireOn: '2026-12-22',
              selfRenewalCount: count,
            },
          },
        }),
        pack,
      );
    expect(selfRenew(2).allowed).toBe(true);
    expect(selfRenew(3).reasons[0]).toMatchObject({ rule: 'CARD-05', code: 'SELF_RENEWAL_LIMIT' });
    expect(selfRenew(3, nationalPack).allowed).toBe(true);
  });

  it('CARD-06 renewal after expiry: RA only, once expired, with the user present', () => {
    expect(decideFor(raa, 'smartcard.renew-after-expiry').allowed).toBe(true);
    expect(decideFor(actorWith(['LSA']), 'smartcard.renew-after-expiry').allowed).toBe(false);
    const notYet = decideFor(raa, 'smartcard.renew-after-expiry', (r) => ({
      ...r,
      target: {
        ...r.target,
        card: {
          serial: '2112345678',
          status: 'issued',
          holder: APPLICANT,
          certificatesExpireOn: '2026-12-01',
        },
      },
    }));
    expect(notYet.reasons[0]?.code).toBe('NOT_EXPIRED');
    const absent = decideFor(raa, 'smartcard.renew-after-expiry', (r) => ({ ...r, facts: {} }));
    expect(absent.reasons[0]).toMatchObject({ rule: 'CARD-06', code: 'USER_NOT_PRESENT' });
  });

  it('CARD-07 cards of series 01 to 05 cannot be renewed by anyone', () => {
    for (const serial of ['0112345678', '0512345678']) {
      const d = decideFor(raa, 'smartcard.renew-before-expiry', (r) => ({
        ...r,
        target: {
          ...r.target,
          card: { serial, status: 'issued', holder: APPLICANT, certificatesExpireOn: '2026-12-22' },
        },
      }));
      expect(rulesOf(d)).toEqual(['CARD-07']);
    }
    const series06 = decideFor(raa, 'smartcard.renew-before-expiry', (r) => ({
      ...r,
      target: {
        ...r.target,
        card: {
          serial: '0612345678',
          status: 'issued',
          holder: APPLICANT,
          certificatesExpireOn: '2026-12-22',
        },
      },
    }));
    expect(series06.allowed).toBe(true);
  });

  it('CARD-10 a cancelled card is never unlocked, renewed or repaired', () => {
    for (const activity of [
      'smartcard.unlock',
      'smartcard.repair',
      'smartcard.renew-before-expiry',
    ] as const) {
      const d = decideFor(raa, activity, (r) => ({
        ...r,
        target: {
          ...r.target,
          card: {
            serial: '2112345678',
            status: 'cancelled',
            holder: APPLICANT,
            certificatesExpireOn: '2026-12-22',
          },
        },
      }));
      expect(rulesOf(d), activity).toEqual(['CARD-10']);
    }
  });
});

describe('Assignments, batches, requests, reports, positions, profiles', () => {
  it('ASG-01 once an assignment has started only its end date can be edited', () => {
    const edit = (start: string, changesStart: boolean) =>
      decideFor(raa, 'assignment.edit-dates', (r) => ({
        ...r,
        target: { ...r.target, assignment: { start } },
        facts: { changesStart },
      }));
    expect(edit('2026-11-22', true).reasons[0]).toMatchObject({
      rule: 'ASG-01',
      code: 'START_LOCKED',
    });
    expect(edit('2026-11-22', false).allowed).toBe(true);
    expect(edit('2026-11-23', true).allowed).toBe(true);
  });

  it('BATCH-01 a batch holds at most the pack limit of UUIDs (100 nationally)', () => {
    const batch = (batchSize: number, pack = nationalPack) =>
      decideFor(
        actorWith(['RAAA']),
        'batch.manage-assignments',
        (r) => ({ ...r, facts: { batchSize } }),
        pack,
      );
    expect(batch(100).allowed).toBe(true);
    expect(batch(101).reasons[0]).toMatchObject({ rule: 'BATCH-01', code: 'BATCH_TOO_LARGE' });
    const small = derivePack(nationalPack, { id: 'small', name: 'small batches', batchLimit: 10 });
    expect(batch(11, small).allowed).toBe(false);
  });

  it('REQ-02 a request under review is locked to its reviewer for the lock period', () => {
    const locked = (by: string, until: string) =>
      decideFor(raa, 'request.decide-esr-modify', (r) => ({
        ...r,
        target: { ...r.target, request: { subject: APPLICANT, lock: { by, until } } },
      }));
    expect(locked(APPLICANT, '2026-11-22T10:05:00.000Z').reasons[0]).toMatchObject({
      rule: 'REQ-02',
    });
    expect(locked(APPLICANT, '2026-11-22T10:00:00.000Z').allowed).toBe(true); // lapsed at this instant
    expect(locked(ME, '2026-11-22T10:05:00.000Z').allowed).toBe(true); // my own lock
  });

  it('REQ-03 a sponsor decides requests only for organisations it holds the sponsor role for', () => {
    const elsewhere = decideFor(actorWith(['S'], 'FA999'), 'request.decide-esr-create');
    expect(elsewhere.allowed).toBe(false);
    expect(decideFor(sponsor, 'request.decide-esr-create').allowed).toBe(true);
  });

  it('REP-02 sponsors see only smartcard and position reports; RA agents see all', () => {
    const view = (actor: typeof sponsor, category: 'smartcard' | 'profile') =>
      decideFor(actor, 'report.view', (r) => ({
        ...r,
        target: { ...r.target, report: { category } },
      }));
    expect(view(sponsor, 'smartcard').allowed).toBe(true);
    expect(view(sponsor, 'profile').reasons[0]).toMatchObject({ rule: 'REP-02' });
    expect(view(raa, 'profile').allowed).toBe(true);
  });

  it('POS-03 adding a sensitive activity needs Information Governance approval first', () => {
    const pack = derivePack(nationalPack, {
      id: 'ig',
      name: 'IG',
      igApprovalActivities: ['B0100'],
    });
    const edit = (igApproved: boolean) =>
      decideFor(
        actorWith(['RAM']),
        'position.edit',
        (r) => ({
          ...r,
          target: {
            ...r.target,
            position: { id: 'pos_a', organisation: PHARMACY, addsActivities: ['B0100'] },
          },
          facts: { igApproved },
        }),
        pack,
      );
    expect(edit(false).reasons[0]).toMatchObject({ rule: 'POS-03', code: 'IG_APPROVAL_NEEDED' });
    expect(edit(true).allowed).toBe(true);
  });

  it("AUTH-02 RA agents issue authenticators on other users' profiles with the user present", () => {
    expect(decideFor(raa, 'authenticator.manage-security-key').allowed).toBe(true);
    expect(
      rulesOf(decideFor(raa, 'authenticator.manage-security-key', (r) => ({ ...r, facts: {} }))),
    ).toEqual(['AUTH-02']);
    expect(decideFor(sponsor, 'authenticator.manage-security-key').allowed).toBe(false);
  });

  it('AUTH-01 every user registers the five kinds on their own profile', () => {
    const me = { uuid: ME, assignments: [] };
    for (const kind of [
      'ipad',
      'ms-authenticator',
      'security-key',
      'windows-hello',
      'nhsnet-connect',
    ]) {
      expect(
        decideFor(me, `authenticator.self-register-${kind}` as Parameters<typeof decideFor>[1])
          .allowed,
      ).toBe(true);
    }
  });

  it('PROF-02 only a closed profile is reopened, and a closed profile gets no new access', () => {
    expect(decideFor(raa, 'user.reopen').allowed).toBe(true);
    expect(
      rulesOf(
        decideFor(raa, 'user.reopen', (r) => ({
          ...r,
          target: { ...r.target, user: { uuid: APPLICANT, status: 'open' } },
        })),
      ),
    ).toEqual(['PROF-02']);
    const closed = decideFor(raa, 'assignment.assign', (r) => ({
      ...r,
      target: { ...r.target, user: { uuid: APPLICANT, status: 'closed' } },
    }));
    expect(rulesOf(closed)).toEqual(['PROF-02']);
  });

  it('ROLE-03 a sponsor raises a request to close a profile; asking for the direct route is refused', () => {
    const viaRequest = decideFor(sponsor, 'user.close');
    expect(viaRequest).toMatchObject({ allowed: true, route: 'via-request' });
    const direct = decideFor(sponsor, 'user.close', (r) => ({ ...r, route: 'direct' }));
    expect(direct.reasons[0]).toMatchObject({ rule: 'ROLE-03', code: 'VIA_REQUEST_ONLY' });
  });

  it('every reason has a rule ID, a stable code and a sentence; a decision serialises to plain JSON', () => {
    const d = decideFor(sponsor, 'smartcard.issue');
    const json = JSON.parse(JSON.stringify(d));
    expect(json.reasons[0]).toEqual({
      rule: 'ROLE-02',
      code: 'NO_ROLE',
      effect: 'deny',
      message: expect.stringMatching(/^No position assignment active on 2026-11-22/),
      organisation: PHARMACY,
    });
    expect(AT).toBe('2026-11-22T10:00:00.000Z');
  });
});
