import { describe, expect, it } from 'vitest';
import {
  dorsetPack,
  nationalPack,
  PolicyDeniedError,
  type RulePack,
} from '../../../src/policy/index.js';
import { memoryStore } from '../../../src/storage/index.js';
import { fixtureAssignment } from '../../../src/storage/testing/index.js';
import { PHARMACY, people, applicantWithNiDocument as withNiDocument } from '../fixtures.js';
import { inspect, lifecycleWorld, PASSCODE, PHOTO, stockedCard } from './harness.js';

/*
 * Dorset: "Smartcards can only be unlocked by the RA, sponsor or pharmacist (not locum)".
 * Through the RA: the pharmacist's position (pos-pharmacist, job role R8003, no RA role)
 * unlocks a card of staff at the same pharmacy.
 */

const PHARMACIST = '555000000030';

async function lockedCardWithPharmacist(pack: RulePack, locum = false) {
  const w = await lifecycleWorld({ store: memoryStore() }, { pack, applicant: withNiDocument });
  await w.store.transaction(async (tx) => {
    const agent = await tx.users.get(people.agent as never);
    await tx.users.insert({ ...agent!, uuid: PHARMACIST as never, version: 0 });
    await tx.positionAssignments.insert({
      ...fixtureAssignment('asg-pharmacist', PHARMACIST, {
        organisation: PHARMACY,
        position: 'pos-pharmacist',
      }),
      ...(locum ? { locum: true } : {}),
    });
  });
  const { card, reader } = await stockedCard(w.ra);
  await w.ra.smartcards.issue(
    people.agent,
    { user: w.holder, passcode: PASSCODE, photo: PHOTO, userPresent: true },
    reader,
  );
  const { piv } = await inspect(card);
  for (const wrong of ['111111', '222222', '333333']) await piv.verifyPin(wrong).catch(() => 0);
  return { w, card, reader };
}

describe('dorset pharmacists through the RA', () => {
  it('CARD-03 a pharmacist unlocks the card of staff at the own pharmacy, the user present', async () => {
    const { w, reader } = await lockedCardWithPharmacist(dorsetPack);
    const result = await w.ra.smartcards.unlock(
      PHARMACIST,
      { newPasscode: '13572468', userPresent: true },
      reader,
    );
    expect(result.card.status).toBe('issued');
    expect(result.decision.reasons[0]).toMatchObject({
      rule: 'CARD-03',
      code: 'PHARMACIST_OWN_PHARMACY',
    });
  });

  it('CARD-05 a pharmacist renews before expiry the card of staff at the own pharmacy, never as a locum', async () => {
    const renewWithin90Days = async (locum: boolean) => {
      const { w, reader } = await lockedCardWithPharmacist(dorsetPack, locum);
      // An RA agent unlocks it first; then, 30 days before its certificates end, the pharmacist renews.
      await w.ra.smartcards.unlock(
        people.agent,
        { newPasscode: PASSCODE, userPresent: true },
        reader,
      );
      w.setClock(new Date(Date.parse('2029-11-22T10:00:00.000Z') - 30 * 86_400_000));
      return w.ra.smartcards.renew(PHARMACIST, { passcode: PASSCODE, userPresent: true }, reader);
    };
    const renewed = await renewWithin90Days(false);
    expect(renewed.certificate?.notAfter).toBe('2032-10-23T10:00:00.000Z');
    expect(renewed.decision.reasons[0]).toMatchObject({
      rule: 'CARD-05',
      code: 'PHARMACIST_OWN_PHARMACY',
    });
    await expect(renewWithin90Days(true)).rejects.toBeInstanceOf(PolicyDeniedError);
  });

  it('CARD-03 not as a locum, and not under the national pack', async () => {
    const locum = await lockedCardWithPharmacist(dorsetPack, true);
    await expect(
      locum.w.ra.smartcards.unlock(
        PHARMACIST,
        { newPasscode: '13572468', userPresent: true },
        locum.reader,
      ),
    ).rejects.toBeInstanceOf(PolicyDeniedError);
    const national = await lockedCardWithPharmacist(nationalPack);
    await expect(
      national.w.ra.smartcards.unlock(
        PHARMACIST,
        { newPasscode: '13572468', userPresent: true },
        national.reader,
      ),
    ).rejects.toBeInstanceOf(PolicyDeniedError);
  });
});
