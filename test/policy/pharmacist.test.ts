import { describe, expect, it } from 'vitest';
import {
  type ActorInput,
  decide,
  derivePack,
  dorsetPack,
  nationalPack,
} from '../../src/policy/index.js';
import { APPLICANT, AT, happyRequest, ICB, ME, PHARMACY } from './helpers.js';

/*
 * The dorset pack's pharmacist rule (dorset-ra-local-policy.txt: "Smartcards can only be
 * unlocked by the RA, sponsor or pharmacist (not locum)"; "Any pharmacist should be able
 * to unlock your smartcard or renew the certificates"): a position whose job role the pack
 * lists as a pharmacist's unlocks and renews the cards of staff at its own pharmacy.
 */

const pharmacist = (extra: Partial<ActorInput['assignments'][number]> = {}): ActorInput => ({
  uuid: ME,
  assignments: [
    { organisation: PHARMACY, roles: [], start: '2026-01-01', jobRole: 'R8003', ...extra },
  ],
});

type CardActivity =
  | 'smartcard.unlock'
  | 'smartcard.renew-before-expiry'
  | 'smartcard.renew-after-expiry'
  | 'smartcard.repair';

function ask(
  actor: ActorInput,
  activity: CardActivity,
  change: { path?: string[]; holder?: string; userPresent?: boolean } = {},
  pack = dorsetPack,
) {
  const r = happyRequest(activity, ME);
  return decide({
    pack,
    actor,
    ...r,
    target: {
      ...r.target,
      organisationPath: change.path ?? [PHARMACY, ICB],
      card: { ...r.target!.card!, holder: change.holder ?? APPLICANT },
      user: { ...r.target!.user!, uuid: change.holder ?? APPLICANT },
    },
    facts: { ...r.facts, userPresent: change.userPresent ?? true },
  });
}

describe('dorset: pharmacists unlock and renew the cards of staff at their own pharmacy', () => {
  it('CARD-03 a pharmacist unlocks a card of staff at the pharmacy; CARD-05 renews it before expiry', () => {
    const unlock = ask(pharmacist(), 'smartcard.unlock');
    expect(unlock.allowed).toBe(true);
    expect(unlock.reasons[0]).toMatchObject({
      rule: 'CARD-03',
      code: 'PHARMACIST_OWN_PHARMACY',
      organisation: PHARMACY,
    });
    const renew = ask(pharmacist(), 'smartcard.renew-before-expiry');
    expect(renew.allowed).toBe(true);
    expect(renew.reasons[0]).toMatchObject({ rule: 'CARD-05', code: 'PHARMACIST_OWN_PHARMACY' });
    expect(dorsetPack.pharmacistJobRoles).toEqual(['R8003']);
  });

  it('CARD-03 never as a locum: a locum pharmacist may not unlock (LOCUM_NO_UNLOCK) nor renew', () => {
    const unlock = ask(pharmacist({ locum: true }), 'smartcard.unlock');
    expect(unlock.allowed).toBe(false);
    expect(unlock.reasons[0]).toMatchObject({ rule: 'CARD-03', code: 'LOCUM_NO_UNLOCK' });
    expect(ask(pharmacist({ locum: true }), 'smartcard.renew-before-expiry').allowed).toBe(false);
  });

  it('CARD-03 only at the own pharmacy: not another pharmacy, and a pharmacist job role above it covers nothing below', () => {
    expect(ask(pharmacist(), 'smartcard.unlock', { path: ['FA999', ICB] }).allowed).toBe(false);
    expect(ask(pharmacist({ organisation: ICB }), 'smartcard.unlock').allowed).toBe(false);
  });

  it('CARD-06/CARD-08 a pharmacist does nothing else to cards: no renewal after expiry, no repair', () => {
    expect(ask(pharmacist(), 'smartcard.renew-after-expiry').allowed).toBe(false);
    expect(ask(pharmacist(), 'smartcard.repair').allowed).toBe(false);
  });

  it("SOD-03/CARD-03 the rule's conditions still hold: not the pharmacist's own card, the user present", () => {
    const own = ask(pharmacist(), 'smartcard.unlock', { holder: ME });
    expect(own.reasons.map((r) => r.rule)).toContain('SOD-03');
    const remote = ask(pharmacist(), 'smartcard.unlock', { userPresent: false });
    expect(remote.reasons[0]).toMatchObject({ rule: 'CARD-03', code: 'USER_NOT_PRESENT' });
  });

  it('ROLE-02 dates: a pharmacist assignment that ends today grants nothing', () => {
    expect(ask(pharmacist({ end: AT.slice(0, 10) }), 'smartcard.unlock').allowed).toBe(false);
  });

  it('the rule is pack data: the national pack has no pharmacist job role; a derived pack names its own', () => {
    expect(ask(pharmacist(), 'smartcard.unlock', {}, nationalPack).allowed).toBe(false);
    const mine = derivePack(nationalPack, {
      id: 'mine',
      name: 'mine',
      pharmacistJobRoles: ['R8001'],
    });
    expect(ask(pharmacist({ jobRole: 'R8001' }), 'smartcard.unlock', {}, mine).allowed).toBe(true);
    expect(ask(pharmacist(), 'smartcard.unlock', {}, mine).allowed).toBe(false);
  });
});
