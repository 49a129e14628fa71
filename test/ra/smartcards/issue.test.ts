import { afterEach, describe, expect, it } from 'vitest';
import { DEFAULT_MANAGEMENT_KEY, PivObject, VirtualPivCard } from '../../../src/card/index.js';
import { PolicyDeniedError } from '../../../src/policy/index.js';
import { createRegistrationAuthority } from '../../../src/ra/index.js';
import { people } from '../fixtures.js';
import { storeCases } from '../stores.js';
import { expectAgreement } from './faults.js';
import {
  auditEvents,
  auditIsClean,
  inspect,
  lifecycleWorld,
  PASSCODE,
  PHOTO,
  stockedCard,
  virtualReader,
} from './harness.js';

for (const storeCase of storeCases) {
  describe.skipIf(storeCase.skip !== undefined)(`smartcard issue on ${storeCase.name}`, () => {
    let dispose: (() => Promise<void>) | undefined;
    afterEach(async () => {
      await dispose?.();
      dispose = undefined;
    });
    async function world() {
      const made = await storeCase.create();
      dispose = made.dispose;
      return lifecycleWorld(made);
    }

    it('CARD-03 card operations over a lasting store refuse to start without a vault the host keeps: the PUK an RA unlock needs must outlive a restart', async () => {
      const w = await world();
      const build = () =>
        createRegistrationAuthority({ store: w.store, certificateAuthority: w.ca });
      if (storeCase.name === 'memory') {
        expect(build).not.toThrow();
      } else {
        expect(build).toThrow(expect.objectContaining({ code: 'VALIDATION', field: 'keyVault' }));
      }
      expect(() => createRegistrationAuthority({ store: w.store })).not.toThrow();
    });

    it('CARD-01 CARD-02 CARD-11 issues the blank card: key and CSR on the card, certificate, CHUID with the UUID, photo, fresh PUK and management key, the user sets the passcode; records only what the card holds', async () => {
      const w = await world();
      const { card, reader, serial } = await stockedCard(w.ra);
      const result = await w.ra.smartcards.issue(
        people.agent,
        { user: w.holder, passcode: PASSCODE, photo: PHOTO, userPresent: true },
        reader,
      );
      expect(result.card).toMatchObject({ serial, status: 'issued', holder: w.holder });
      expect(result.decision.allowed).toBe(true);
      const seen = await inspect(card);
      expect(seen.certificateSerial).toBe(result.certificate?.serial);
      expect(seen.holder).toBe(w.holder);
      await seen.piv.verifyPin(PASSCODE);
      expect(await seen.piv.readObject(PivObject.FACIAL_IMAGE)).toEqual(
        new Uint8Array(Buffer.from(PHOTO, 'base64')),
      );
      // CARD-11: no other personal data: no printed information, no fingerprints.
      expect(await seen.piv.tryReadObject(PivObject.PRINTED_INFORMATION)).toBeUndefined();
      expect(await seen.piv.tryReadObject(PivObject.FINGERPRINTS)).toBeUndefined();
      // The factory management key and PUK no longer open the card; the vault's do.
      // (the card now holds an AES-256 key, so a 3DES attempt is refused as unsupported)
      await expect(seen.piv.authenticate(DEFAULT_MANAGEMENT_KEY)).rejects.toMatchObject({
        code: expect.stringMatching(/^CARD_(AUTHENTICATION|UNSUPPORTED)$/),
      });
      await expect(seen.piv.changePuk('12345678', '87654321')).rejects.toMatchObject({
        code: 'CARD_PIN_INCORRECT',
      });
      const secrets = await w.keyVault.get(serial);
      expect(secrets?.puk).toMatch(/^\d{8}$/);
      await seen.piv.authenticate(secrets!.managementKey, secrets!.managementAlgorithm);
      // The certificate record is linked to the card: one source of truth for its status.
      const certs = await w.store.transaction((tx) => tx.certificates.byCard(serial));
      expect(certs.map((c) => [c.serial, c.status, c.holder])).toEqual([
        [result.certificate?.serial, 'active', w.holder],
      ]);
      expect(result.card).not.toHaveProperty('certificates');
      const clean = await auditIsClean(w.store, [PASSCODE, secrets!.puk]);
      expect(clean).toEqual({ ok: true, leaked: [] });
      const trail = (await auditEvents(w.store)).filter((e) => e.activity === 'smartcard.issue');
      expect(trail.map((e) => e.details['step'])).toEqual(['reserved', 'finalised']);
    });

    it('CARD-01 refuses when the user is not present: audited, nothing written, the card untouched', async () => {
      const w = await world();
      const { card, reader, serial } = await stockedCard(w.ra);
      const attempt = w.ra.smartcards.issue(
        people.agent,
        { user: w.holder, passcode: PASSCODE, photo: PHOTO, userPresent: false },
        reader,
      );
      await expect(attempt).rejects.toBeInstanceOf(PolicyDeniedError);
      await expect(attempt).rejects.toMatchObject({ code: 'POLICY_DENIED' });
      const record = await w.store.transaction((tx) => tx.smartcards.get(serial as never));
      expect(record?.status).toBe('stock');
      expect((await inspect(card)).certificateSerial).toBeUndefined();
      expect((await auditEvents(w.store)).at(-1)).toMatchObject({
        activity: 'smartcard.issue',
        outcome: 'denied',
      });
    });

    it('CARD-02 refuses a passcode that is not 6 to 8 digits with a ValidationError that never echoes it (AUD-02)', async () => {
      const w = await world();
      const { reader } = await stockedCard(w.ra);
      const error = await w.ra.smartcards
        .issue(
          people.agent,
          { user: w.holder, passcode: '12345', photo: PHOTO, userPresent: true },
          reader,
        )
        .catch((e: unknown) => e);
      expect(error).toMatchObject({ code: 'VALIDATION', field: 'passcode' });
      expect(String((error as Error).message)).not.toContain('12345');
      expect((await auditIsClean(w.store, ['12345'])).leaked).toEqual([]);
    });

    it('CARD-01 a sponsor may not issue; an RA agent may, and a card is issued once (not stock any more)', async () => {
      const w = await world();
      const { reader } = await stockedCard(w.ra);
      const input = { user: w.holder, passcode: PASSCODE, photo: PHOTO, userPresent: true };
      await expect(w.ra.smartcards.issue(people.sponsor, input, reader)).rejects.toMatchObject({
        code: 'POLICY_DENIED',
      });
      await w.ra.smartcards.issue(people.agent, input, reader);
      await expect(w.ra.smartcards.issue(people.agent, input, reader)).rejects.toMatchObject({
        code: 'INVALID_TRANSITION',
      });
    });

    it('CARD-01 AUD-01 four cards issued at once at four desks: every one committed with its audit, the chain verifies, store, CA and cards agree', async () => {
      const w = await world();
      const cards = new Map<string, VirtualPivCard>();
      const readers = [];
      for (let i = 0; i < 4; i++) {
        const card = new VirtualPivCard({ serial: 60_000_001 + i });
        cards.set(String(60_000_001 + i).padStart(10, '0'), card);
        const reader = virtualReader(card, `desk ${i}`);
        await w.ra.smartcards.stock(people.agent, {}, reader);
        readers.push(reader);
      }
      const results = await Promise.all(
        readers.map((reader) =>
          w.ra.smartcards.issue(
            people.agent,
            { user: w.holder, passcode: PASSCODE, photo: PHOTO, userPresent: true },
            reader,
          ),
        ),
      );
      expect(results.map((r) => r.card.status)).toEqual(['issued', 'issued', 'issued', 'issued']);
      await expectAgreement(w.store, w.holder, cards);
    });
  });
}
