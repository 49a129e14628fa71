import { createHash, createHmac } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { PinIncorrectError } from '../../../src/card/index.js';
import { createCsr, generateSoftwareSigner, parseCrl } from '../../../src/pki/index.js';
import { derivePack, nationalPack } from '../../../src/policy/index.js';
import { createRegistrationAuthority, memoryUnlockCodes } from '../../../src/ra/index.js';
import { people } from '../fixtures.js';
import { storeCases } from '../stores.js';
import {
  auditEvents,
  auditIsClean,
  inspect,
  lifecycleWorld,
  PASSCODE,
  PHOTO,
  stockedCard,
  UNLOCK_CODE_KEY,
} from './harness.js';

const DAY = 86_400_000;

for (const storeCase of storeCases) {
  describe.skipIf(storeCase.skip !== undefined)(`smartcard servicing on ${storeCase.name}`, () => {
    let dispose: (() => Promise<void>) | undefined;
    afterEach(async () => {
      await dispose?.();
      dispose = undefined;
    });

    async function issued(
      options: Parameters<typeof lifecycleWorld>[1] = {},
      cardSerial = 10_000_001,
    ) {
      const made = await storeCase.create();
      dispose = made.dispose;
      const w = await lifecycleWorld(made, options);
      const stocked = await stockedCard(w.ra, cardSerial);
      const result = await w.ra.smartcards.issue(
        people.agent,
        { user: w.holder, passcode: PASSCODE, photo: PHOTO, userPresent: true },
        stocked.reader,
      );
      return { ...w, ...stocked, issued: result };
    }

    async function lockByWrongPasscodes(card: Parameters<typeof inspect>[0]) {
      const { piv } = await inspect(card);
      for (const wrong of ['111111', '222222', '333333']) {
        await expect(piv.verifyPin(wrong)).rejects.toBeDefined();
      }
      expect((await piv.pinStatus()).triesLeft).toBe(0);
    }

    it('CARD-12 issue, renew and unlock hand the card back with its PIN unverified: key 9A needs the passcode again', async () => {
      const w = await issued();
      const unverified = async () => {
        const look = await inspect(w.card);
        expect(look.pin.verified).toBe(false);
        const signer = look.piv.signer({
          publicKey: new Uint8Array(65),
          algorithm: { kind: 'ecdsa', curve: 'P-256', hash: 'SHA-256' },
        });
        await expect(signer.sign(new Uint8Array(32))).rejects.toMatchObject({
          code: 'CARD_SECURITY_STATUS',
        });
      };
      await unverified();
      w.setClock(new Date(Date.parse(w.issued.certificate!.notAfter) - 30 * DAY));
      await w.ra.smartcards.renew(
        people.agent,
        { passcode: PASSCODE, userPresent: true },
        w.reader,
      );
      await unverified();
      await lockByWrongPasscodes(w.card);
      await w.ra.smartcards.unlock(
        people.agent,
        { newPasscode: '13572468', userPresent: true },
        w.reader,
      );
      await unverified();
    });

    it('CARD-12 CARD-02 a blocked PIN read during an operation records the card locked, with an audit record; an RA unlock then opens it', async () => {
      const w = await issued();
      w.setClock(new Date(Date.parse(w.issued.certificate!.notAfter) - 30 * DAY));
      await lockByWrongPasscodes(w.card);
      const stored = () => w.store.transaction((tx) => tx.smartcards.get(w.serial as never));
      expect((await stored())?.status).toBe('issued');
      await expect(
        w.ra.smartcards.renew(people.agent, { passcode: PASSCODE, userPresent: true }, w.reader),
      ).rejects.toMatchObject({ code: 'CARD_BLOCKED' });
      expect((await stored())?.status).toBe('locked');
      const events = await auditEvents(w.store);
      const lock = events.find((e) => e.activity === 'smartcard.lock');
      expect(lock).toMatchObject({
        actor: people.agent,
        target: w.serial,
        reasons: [{ rule: 'CARD-02', code: 'PIN_BLOCKED' }],
        details: { events: ['card.locked'], during: 'smartcard.renew' },
      });
      expect(events.at(-1)).toMatchObject({ activity: 'smartcard.renew', outcome: 'failed' });
      // CARD-02: reports list locked cards.
      const locked = await w.ra.reports.view(people.agent, {
        report: 'card-types',
        filters: { type: 'smartcard', status: 'locked' },
      });
      expect(locked.rows).toEqual([expect.objectContaining({ id: w.serial, status: 'locked' })]);
      const unlocked = await w.ra.smartcards.unlock(
        people.agent,
        { newPasscode: '13572468', userPresent: true },
        w.reader,
      );
      expect(unlocked.card.status).toBe('issued');
    });

    it('CARD-12 the third wrong passcode typed into an operation locks the record too; fewer do not', async () => {
      const w = await issued();
      w.setClock(new Date(Date.parse(w.issued.certificate!.notAfter) - 30 * DAY));
      const stored = () => w.store.transaction((tx) => tx.smartcards.get(w.serial as never));
      for (const [wrong, code, status] of [
        ['11111111', 'CARD_PIN_INCORRECT', 'issued'],
        ['22222222', 'CARD_PIN_INCORRECT', 'issued'],
        ['33333333', 'CARD_BLOCKED', 'locked'],
      ] as const) {
        await expect(
          w.ra.smartcards.renew(people.agent, { passcode: wrong, userPresent: true }, w.reader),
        ).rejects.toMatchObject({ code });
        expect((await stored())?.status).toBe(status);
      }
    });

    it('CARD-02 CARD-03 three wrong passcodes lock the card; the RA unlocks it with the user present typing a new passcode (PUK from the vault, never in the audit)', async () => {
      const w = await issued();
      await lockByWrongPasscodes(w.card);
      await expect(
        w.ra.smartcards.unlock(
          people.agent,
          { newPasscode: '13572468', userPresent: false },
          w.reader,
        ),
      ).rejects.toMatchObject({ code: 'POLICY_DENIED' });
      const result = await w.ra.smartcards.unlock(
        people.agent,
        { newPasscode: '13572468', userPresent: true },
        w.reader,
      );
      expect(result.card.status).toBe('issued');
      await (await inspect(w.card)).piv.verifyPin('13572468');
      const puk = (await w.keyVault.get(w.serial))!.puk;
      expect(await auditIsClean(w.store, ['13572468', puk, PASSCODE])).toEqual({
        ok: true,
        leaked: [],
      });
    });

    it('CARD-03 self-service unlock: a one-time code to the verified email, single use, refused when wrong three times or after 15 minutes; the code never reaches the audit', async () => {
      const w = await issued();
      await lockByWrongPasscodes(w.card);
      const self = w.holder;
      const requested = await w.ra.smartcards.selfUnlock.request(self, {
        serial: w.serial,
        channel: 'email',
      });
      expect(requested.channel).toBe('email');
      expect(w.sent).toHaveLength(1);
      expect(w.sent[0]).toMatchObject({ uuid: self, address: 'alex.rivers@nhs.net' });
      const code = w.sent[0]!.code;
      const wrong = code === '000000' ? '111111' : '000000';
      await expect(
        w.ra.smartcards.selfUnlock.confirm(
          self,
          { code: wrong, newPasscode: '97531864' },
          w.reader,
        ),
      ).rejects.toMatchObject({ code: 'POLICY_DENIED' });
      const done = await w.ra.smartcards.selfUnlock.confirm(
        self,
        { code, newPasscode: '97531864' },
        w.reader,
      );
      expect(done.card.status).toBe('issued');
      await (await inspect(w.card)).piv.verifyPin('97531864');
      // Single use.
      await expect(
        w.ra.smartcards.selfUnlock.confirm(self, { code, newPasscode: '86420975' }, w.reader),
      ).rejects.toMatchObject({ code: 'POLICY_DENIED' });
      // Expired after 15 minutes.
      await w.ra.smartcards.selfUnlock.request(self, { serial: w.serial, channel: 'email' });
      w.setClock(new Date(Date.parse(w.at()) + 15 * 60_000 + 1));
      await expect(
        w.ra.smartcards.selfUnlock.confirm(
          self,
          { code: w.sent[1]!.code, newPasscode: '86420975' },
          w.reader,
        ),
      ).rejects.toMatchObject({ code: 'POLICY_DENIED' });
      // Three wrong codes void it, even the right one afterwards.
      await w.ra.smartcards.selfUnlock.request(self, { serial: w.serial, channel: 'email' });
      const third = w.sent[2]!.code;
      const bad = third === '000000' ? '111111' : '000000';
      for (let i = 0; i < 3; i++) {
        await expect(
          w.ra.smartcards.selfUnlock.confirm(
            self,
            { code: bad, newPasscode: '86420975' },
            w.reader,
          ),
        ).rejects.toMatchObject({ code: 'POLICY_DENIED' });
      }
      await expect(
        w.ra.smartcards.selfUnlock.confirm(
          self,
          { code: third, newPasscode: '86420975' },
          w.reader,
        ),
      ).rejects.toMatchObject({ code: 'POLICY_DENIED' });
      const codes = w.sent.map((m) => m.code);
      expect(await auditIsClean(w.store, [...codes, '97531864', '86420975'])).toEqual({
        ok: true,
        leaked: [],
      });
    });

    it('CARD-03 AUD-02 a shared code store lets another application server confirm the code; only its keyed digest is kept', async () => {
      const shared = memoryUnlockCodes();
      const w = await issued({ unlockCodes: shared });
      await lockByWrongPasscodes(w.card);
      await w.ra.smartcards.selfUnlock.request(w.holder, { serial: w.serial, channel: 'email' });
      const code = w.sent[0]!.code;
      const pending = await shared.get(w.holder);
      expect(JSON.stringify(pending)).not.toContain(code);
      // AUD-02: the stored value is an HMAC under the server key, not a hash anyone can
      // recompute: the unkeyed SHA-256 of the very code does not match it.
      const message = `${w.holder}:${w.serial}:${code}`;
      expect(pending?.digest).not.toBe(createHash('sha256').update(message).digest('hex'));
      expect(pending?.digest).toBe(
        createHmac('sha256', UNLOCK_CODE_KEY).update(message).digest('hex'),
      );
      const options = {
        store: w.store,
        clock: w.clock,
        certificateAuthority: w.ca,
        keyVault: w.keyVault,
        unlockCodes: shared,
      };
      expect(() => createRegistrationAuthority(options)).toThrow(
        expect.objectContaining({ code: 'VALIDATION', field: 'unlockCodeKey' }),
      );
      // A server with another key cannot use the stored value.
      const stranger = createRegistrationAuthority({
        ...options,
        unlockCodeKey: new Uint8Array(32).fill(1),
      });
      await expect(
        stranger.smartcards.selfUnlock.confirm(
          w.holder,
          { code, newPasscode: '97531864' },
          w.reader,
        ),
      ).rejects.toMatchObject({ code: 'POLICY_DENIED' });
      await w.ra.smartcards.selfUnlock.request(w.holder, { serial: w.serial, channel: 'email' });
      const fresh = w.sent[1]!.code;
      const other = createRegistrationAuthority({ ...options, unlockCodeKey: UNLOCK_CODE_KEY });
      const done = await other.smartcards.selfUnlock.confirm(
        w.holder,
        { code: fresh, newPasscode: '97531864' },
        w.reader,
      );
      expect(done.card.status).toBe('issued');
      expect(await shared.get(w.holder)).toBeUndefined();
    });

    it('CARD-03 self-service unlock is refused when the certificates expired, and with no verified mobile', async () => {
      const w = await issued();
      await expect(
        w.ra.smartcards.selfUnlock.request(w.holder, { serial: w.serial, channel: 'mobile' }),
      ).rejects.toMatchObject({ code: 'VALIDATION', field: 'channel' });
      w.setClock(new Date(Date.parse(w.issued.certificate!.notAfter) + DAY));
      const error = await w.ra.smartcards.selfUnlock
        .request(w.holder, { serial: w.serial, channel: 'email' })
        .catch((e: unknown) => e);
      expect(error).toMatchObject({ code: 'POLICY_DENIED' });
      expect(JSON.stringify((error as { decision: unknown }).decision)).toContain('CARD-03');
      expect(w.sent).toHaveLength(0);
    });

    it('CARD-10 cancels a lost card: its certificate revoked as keyCompromise in the same commit, listed on the CRL; never active again', async () => {
      const w = await issued();
      const certificate = w.issued.certificate!.serial;
      const result = await w.ra.smartcards.cancel(people.agent, {
        serial: w.serial,
        reason: 'lost',
      });
      expect(result.card.status).toBe('cancelled');
      expect(result.revoked).toEqual([certificate]);
      const crl = parseCrl(await w.ca.generateCrl({ now: new Date(w.at()) }));
      expect(crl.revoked.get(certificate)?.reason).toBe('keyCompromise');
      expect((await w.ca.status(certificate)).status).toBe('revoked');
      await expect(
        w.ra.smartcards.unlock(
          people.agent,
          { newPasscode: '13572468', userPresent: true },
          w.reader,
        ),
      ).rejects.toMatchObject({ code: 'POLICY_DENIED' });
      await expect(
        w.ra.smartcards.cancel(people.agent, { serial: w.serial, reason: 'stolen' }),
      ).rejects.toMatchObject({ code: 'POLICY_DENIED' });
    });

    it('PROF-01 closing the profile cancels every card and revokes its certificates (on the CRL)', async () => {
      const w = await issued();
      const certificate = w.issued.certificate!.serial;
      await w.ra.users.close(people.agent, { user: w.holder, reason: 'left the NHS' });
      const card = await w.store.transaction((tx) => tx.smartcards.get(w.serial as never));
      expect(card?.status).toBe('cancelled');
      expect(card?.cancelled?.reason).toBe('profile-closed');
      const crl = parseCrl(await w.ca.generateCrl({ now: new Date(w.at()) }));
      expect(crl.revoked.get(certificate)?.reason).toBe('cessationOfOperation');
    });

    it('CARD-05 renews within 90 days of expiry (RA agent, user present): a new key and certificate on the card, the old one superseded', async () => {
      const w = await issued();
      const old = w.issued.certificate!;
      w.setClock(new Date(Date.parse(old.notAfter) - 100 * DAY));
      await expect(
        w.ra.smartcards.renew(people.agent, { passcode: PASSCODE, userPresent: true }, w.reader),
      ).rejects.toMatchObject({ code: 'POLICY_DENIED' });
      w.setClock(new Date(Date.parse(old.notAfter) - 30 * DAY));
      // A wrong passcode fails before anything changes.
      await expect(
        w.ra.smartcards.renew(people.agent, { passcode: '999999', userPresent: true }, w.reader),
      ).rejects.toBeInstanceOf(PinIncorrectError);
      const after = await w.store.transaction((tx) => tx.smartcards.get(w.serial as never));
      expect(after?.status).toBe('issued');
      const renewed = await w.ra.smartcards.renew(
        people.agent,
        { passcode: PASSCODE, userPresent: true },
        w.reader,
      );
      expect(renewed.type).toBe('smartcard.renew-before-expiry');
      expect(renewed.revoked).toEqual([old.serial]);
      expect(renewed.card).toMatchObject({
        status: 'issued',
        renewalCount: 1,
        selfRenewalCount: 0,
      });
      expect((await inspect(w.card)).certificateSerial).toBe(renewed.certificate?.serial);
      const crl = parseCrl(await w.ca.generateCrl({ now: new Date(w.at()) }));
      expect(crl.revoked.get(old.serial)?.reason).toBe('superseded');
    });

    it('CARD-05 self-renewal counts, and the pack limit stops it (then a new card)', async () => {
      const pack = derivePack(nationalPack, {
        id: 'limit-1',
        name: 'one self-renewal',
        selfRenewalLimit: 1,
      });
      const w = await issued({ pack });
      w.setClock(new Date(Date.parse(w.issued.certificate!.notAfter) - 30 * DAY));
      const first = await w.ra.smartcards.renew(w.holder, { passcode: PASSCODE }, w.reader);
      expect(first.type).toBe('smartcard.self-renew');
      expect(first.card.selfRenewalCount).toBe(1);
      w.setClock(new Date(Date.parse(first.certificate!.notAfter) - 30 * DAY));
      const error = await w.ra.smartcards
        .renew(w.holder, { passcode: PASSCODE }, w.reader)
        .catch((e: unknown) => e);
      expect(error).toMatchObject({ code: 'POLICY_DENIED' });
      expect(JSON.stringify((error as { decision: unknown }).decision)).toContain(
        'SELF_RENEWAL_LIMIT',
      );
    });

    it('CARD-06 after expiry only an RA agent renews, with the user present', async () => {
      const w = await issued();
      w.setClock(new Date(Date.parse(w.issued.certificate!.notAfter) + DAY));
      await expect(
        w.ra.smartcards.renew(w.holder, { passcode: PASSCODE }, w.reader),
      ).rejects.toMatchObject({ code: 'POLICY_DENIED' });
      const renewed = await w.ra.smartcards.renew(
        people.agent,
        { passcode: PASSCODE, userPresent: true },
        w.reader,
      );
      expect(renewed.type).toBe('smartcard.renew-after-expiry');
    });

    it('CARD-07 a card of series 05 is not renewed (it is replaced)', async () => {
      const w = await issued({}, 500_000_001);
      expect(w.serial).toBe('0500000001');
      w.setClock(new Date(Date.parse(w.issued.certificate!.notAfter) - 30 * DAY));
      const error = await w.ra.smartcards
        .renew(people.agent, { passcode: PASSCODE, userPresent: true }, w.reader)
        .catch((e: unknown) => e);
      expect(error).toMatchObject({ code: 'POLICY_DENIED' });
      expect(JSON.stringify((error as { decision: unknown }).decision)).toContain('CARD-07');
    });

    it('CARD-08 repair rewrites identity and certificate for the same holder; the old certificate is superseded', async () => {
      const w = await issued();
      const old = w.issued.certificate!.serial;
      const repaired = await w.ra.smartcards.repair(
        people.agent,
        { passcode: '11223344', photo: PHOTO, userPresent: true },
        w.reader,
      );
      expect(repaired.card).toMatchObject({ status: 'issued', holder: w.holder });
      expect(repaired.revoked).toEqual([old]);
      const seen = await inspect(w.card);
      expect(seen.certificateSerial).toBe(repaired.certificate?.serial);
      expect(seen.holder).toBe(w.holder);
      await seen.piv.verifyPin('11223344');
    });

    it('CARD-09 clear revokes the certificates first, wipes the card to the factory state and returns it to stock; it can be issued again', async () => {
      const w = await issued();
      const old = w.issued.certificate!.serial;
      const cleared = await w.ra.smartcards.clear(people.agent, {}, w.reader);
      expect(cleared.card).toMatchObject({ status: 'stock' });
      expect(cleared.card.holder).toBeUndefined();
      expect(cleared.revoked).toEqual([old]);
      const seen = await inspect(w.card);
      expect(seen.certificateSerial).toBeUndefined();
      expect(seen.holder).toBeUndefined();
      await seen.piv.verifyPin('123456'); // factory PIN
      expect(await w.keyVault.get(w.serial)).toBeUndefined();
      const steps = (await auditEvents(w.store))
        .filter((e) => e.activity === 'smartcard.clear')
        .map((e) => [e.details['step'], e.details['revoked']]);
      expect(steps[0]).toEqual(['reserved', [old]]);
      await w.ra.smartcards.issue(
        people.agent,
        { user: w.holder, passcode: PASSCODE, photo: PHOTO, userPresent: true },
        w.reader,
      );
    });

    it('AUD-01 after a crash between the CA and the card, reconcile revokes the certificate on no card (not one still in flight, not one on a card)', async () => {
      const w = await issued();
      // What a crashed issue leaves: the CA issued a certificate; no card record holds it.
      const signer = await generateSoftwareSigner();
      const orphan = await w.ca.issue({
        csr: await createCsr(signer, { commonName: 'Alex Rivers' }),
        holder: { commonName: 'Alex Rivers', uuid: w.holder, upn: `${w.holder}@nhs.net` },
        now: new Date(w.at()),
        notAfter: new Date(Date.parse(w.at()) + 86_400_000),
      });
      await expect(w.ra.smartcards.reconcile(people.sponsor)).rejects.toMatchObject({
        code: 'POLICY_DENIED',
      });
      expect((await w.ra.smartcards.reconcile(people.agent)).revoked).toEqual([]);
      w.setClock(new Date(Date.parse(w.at()) + 16 * 60_000));
      const swept = await w.ra.smartcards.reconcile(people.agent);
      expect(swept.revoked).toEqual([orphan.serialHex]);
      expect((await w.ca.status(w.issued.certificate!.serial)).status).toBe('good');
      const crl = parseCrl(await w.ca.generateCrl({ now: new Date(w.at()) }));
      expect(crl.revoked.get(orphan.serialHex)?.reason).toBe('cessationOfOperation');
      expect((await auditEvents(w.store)).at(-1)).toMatchObject({
        activity: 'smartcard.reconcile',
        outcome: 'compensated',
      });
    });

    it('CARD-10 a replacement is issued locked to the same holder and the old card cancelled; the holder unlocks it in person', async () => {
      const w = await issued();
      // The wrong card in the reader (the old one itself): refused, and nothing is cancelled.
      await expect(
        w.ra.smartcards.replace(
          people.agent,
          { serial: w.serial, reason: 'damaged', photo: PHOTO },
          w.reader,
        ),
      ).rejects.toMatchObject({ code: 'INVALID_TRANSITION' });
      const untouched = await w.store.transaction((tx) => tx.smartcards.get(w.serial as never));
      expect(untouched?.status).toBe('issued');
      const second = await stockedCard(w.ra, 10_000_002);
      const replaced = await w.ra.smartcards.replace(
        people.agent,
        { serial: w.serial, reason: 'damaged', photo: PHOTO },
        second.reader,
      );
      expect(replaced.card).toMatchObject({
        status: 'locked',
        holder: w.holder,
        replaces: w.serial,
      });
      const old = await w.store.transaction((tx) => tx.smartcards.get(w.serial as never));
      expect(old?.status).toBe('cancelled');
      const crl = parseCrl(await w.ca.generateCrl({ now: new Date(w.at()) }));
      expect(crl.revoked.get(w.issued.certificate!.serial)?.reason).toBe('cessationOfOperation');
      expect((await inspect(second.card)).pin.triesLeft).toBe(0);
      const unlocked = await w.ra.smartcards.unlock(
        people.agent,
        { newPasscode: '55667788', userPresent: true },
        second.reader,
      );
      expect(unlocked.card.status).toBe('issued');
      await (await inspect(second.card)).piv.verifyPin('55667788');
    });
  });
}
