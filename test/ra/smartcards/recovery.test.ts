/**
 * The recovery step against an operation still in flight (the crash harness in test/crash
 * covers the dead ones): an operation held at one APDU while `reconcile` runs is left
 * alone until its reservation is older than `olderThanMinutes`; once reconcile has taken
 * it for a crashed one, the operation cannot record the card as holding a revoked
 * certificate, and running it again completes. And the vault keeps what opens the card.
 */
import { describe, expect, it } from 'vitest';
import {
  connectVirtualCard,
  DEFAULT_MANAGEMENT_KEY,
  PivSession,
  type VirtualPivCard,
} from '../../../src/card/index.js';
import { parseCrl } from '../../../src/pki/index.js';
import { aesGcmKeyVault, type CardReader } from '../../../src/ra/index.js';
import { FACTORY_PUK } from '../../../src/ra/smartcards/card-steps.js';
import { memoryStore } from '../../../src/storage/index.js';
import { people } from '../fixtures.js';
import { lifecycleWorld, PASSCODE, PHOTO, stockedCard } from './harness.js';

const DAY = 86_400_000;
const MINUTE = 60_000;
/** PUT DATA: the certificate written to the card (after the CA issued it). */
const PUT_DATA = 0xdb;
/** RESET RETRY COUNTER: the wipe spending the PUK's tries. */
const RESET_RETRY_COUNTER = 0x2c;

/** A reader that holds the first APDU with instruction `ins` until released. */
function heldReader(card: VirtualPivCard, ins: number) {
  let release: () => void = () => undefined;
  let reached: () => void = () => undefined;
  const gate = new Promise<void>((resolve) => {
    release = resolve;
  });
  const held = new Promise<void>((resolve) => {
    reached = resolve;
  });
  let holding = true;
  const reader: CardReader = {
    name: 'held reader',
    connect: async () => {
      const connection = connectVirtualCard(card);
      return {
        atr: connection.atr,
        close: () => connection.close(),
        transmit: async (apdu: Uint8Array) => {
          if (holding && apdu[1] === ins) {
            holding = false;
            reached();
            await gate;
          }
          return connection.transmit(apdu);
        },
      };
    },
  };
  return { reader, held, release };
}

async function issuedWorld() {
  const w = await lifecycleWorld({ store: memoryStore() });
  const stocked = await stockedCard(w.ra);
  const result = await w.ra.smartcards.issue(
    people.agent,
    { user: w.holder, passcode: PASSCODE, photo: PHOTO, userPresent: true },
    stocked.reader,
  );
  return { ...w, ...stocked, issued: result };
}

const active = (w: Awaited<ReturnType<typeof issuedWorld>>) =>
  w.store.transaction(async (tx) =>
    (await tx.certificates.byHolder(w.holder)).filter((c) => c.status === 'active'),
  );

describe('the recovery step and operations in flight', () => {
  it('CARD-05 a renewal in flight is left alone; once older than olderThanMinutes reconcile revokes both certificates (the old one superseded), the renewal cannot finalise, and running it again completes', async () => {
    const w = await issuedWorld();
    w.setClock(new Date(Date.parse(w.issued.certificate?.notAfter as string) - 30 * DAY));
    const old = w.issued.certificate?.serial as string;
    const { reader, held, release } = heldReader(w.card, PUT_DATA);
    const renewing = w.ra.smartcards
      .renew(people.agent, { passcode: PASSCODE, userPresent: true }, reader)
      .then(
        () => undefined,
        (e: unknown) => e,
      );
    await held; // the new key is in 9A and the CA issued its certificate
    expect((await w.ra.smartcards.reconcile(people.agent)).revoked).toEqual([]);
    w.setClock(new Date(w.clock().getTime() + 16 * MINUTE));
    const swept = await w.ra.smartcards.reconcile(people.agent);
    expect(swept.revoked).toHaveLength(2);
    expect(swept.revoked).toContain(old);
    expect(swept.cards).toEqual([w.serial]);
    const crl = parseCrl(await w.ca.generateCrl({ now: w.clock() }));
    expect(crl.revoked.get(old)?.reason).toBe('superseded');
    release();
    expect(await renewing).toMatchObject({ code: 'INVALID_TRANSITION', rule: 'CARD-05' });
    expect(await active(w)).toEqual([]);
    const card = await w.store.transaction((tx) => tx.smartcards.get(w.serial as never));
    expect(card).toMatchObject({ status: 'needs-repair', reservation: { operation: 'renewal' } });
    const again = await w.ra.smartcards.renew(
      people.agent,
      { passcode: PASSCODE, userPresent: true },
      w.reader,
    );
    expect(again.card.status).toBe('issued');
    expect(again.card.reservation).toBeUndefined();
    expect((await active(w)).map((c) => c.serial)).toEqual([again.certificate?.serial]);
  });

  it('CARD-05 a renewal whose process died after the key changed resumes without a reconcile: the old certificate, still active, is superseded when the new one is on the card', async () => {
    const w = await issuedWorld();
    w.setClock(new Date(Date.parse(w.issued.certificate?.notAfter as string) - 30 * DAY));
    const old = w.issued.certificate?.serial as string;
    const { reader, held } = heldReader(w.card, PUT_DATA);
    // Never released: what a dead process leaves (reserved, new key in 9A, old certificate active).
    void w.ra.smartcards.renew(people.agent, { passcode: PASSCODE, userPresent: true }, reader);
    await held;
    w.card.pull();
    w.card.insert();
    const again = await w.ra.smartcards.renew(
      people.agent,
      { passcode: PASSCODE, userPresent: true },
      w.reader,
    );
    expect(again.revoked).toEqual([old]);
    expect(again.card).toMatchObject({ status: 'issued', renewalCount: 1 });
    expect((await w.ca.status(old)).status).toBe('revoked');
  });

  it('CARD-01 an issue reconcile took for a crashed one cannot finalise: the card is wiped back to stock and the issue runs again', async () => {
    const w = await lifecycleWorld({ store: memoryStore() });
    const stocked = await stockedCard(w.ra);
    const { reader, held, release } = heldReader(stocked.card, PUT_DATA);
    const input = { user: w.holder, passcode: PASSCODE, photo: PHOTO, userPresent: true };
    const issuing = w.ra.smartcards.issue(people.agent, input, reader).then(
      () => undefined,
      (e: unknown) => e,
    );
    await held;
    expect((await w.ra.smartcards.reconcile(people.agent)).revoked).toEqual([]);
    w.setClock(new Date(w.clock().getTime() + 16 * MINUTE));
    expect((await w.ra.smartcards.reconcile(people.agent)).revoked).toHaveLength(1);
    release();
    expect(await issuing).toMatchObject({ code: 'INVALID_TRANSITION', rule: 'CARD-01' });
    const card = await w.store.transaction((tx) => tx.smartcards.get(stocked.serial as never));
    expect(card?.status).toBe('stock');
    expect(await w.keyVault.get(stocked.serial as never)).toBeUndefined();
    const again = await w.ra.smartcards.issue(people.agent, input, stocked.reader);
    expect(again.card.status).toBe('issued');
  });

  it('CARD-08 AUD-02 while a repair wipes the card, the vault still holds the secrets the card has; once it has the new ones, only those', async () => {
    const w = await issuedWorld();
    const before = await w.keyVault.get(w.serial as never);
    const { reader, held, release } = heldReader(w.card, RESET_RETRY_COUNTER);
    const repairing = w.ra.smartcards.repair(
      people.agent,
      { passcode: '11223344', photo: PHOTO, userPresent: true },
      reader,
    );
    await held; // mid-wipe: the card still has its old management key and PUK
    const during = await w.keyVault.get(w.serial as never);
    expect(during?.managementKey).toEqual(DEFAULT_MANAGEMENT_KEY);
    expect(during?.previous?.map((s) => s.puk)).toContain(before?.puk);
    const piv = await PivSession.open(connectVirtualCard(w.card));
    const old = during?.previous?.find((s) => s.puk === before?.puk);
    await piv.authenticate(old?.managementKey as Uint8Array, old?.managementAlgorithm);
    release();
    await repairing;
    const after = await w.keyVault.get(w.serial as never);
    expect(after?.previous).toBeUndefined();
    expect(after?.puk).not.toBe(before?.puk);
    expect(after?.puk).not.toBe(FACTORY_PUK);
  });

  it('AUD-02 the AES-GCM vault keeps the secrets kept for a card sealed with the current ones', async () => {
    const vault = aesGcmKeyVault({ key: new Uint8Array(32).fill(3) });
    const secrets = {
      managementKey: new Uint8Array(32).fill(1),
      managementAlgorithm: 'AES-256' as const,
      puk: '11112222',
      previous: [
        {
          managementKey: DEFAULT_MANAGEMENT_KEY,
          managementAlgorithm: '3DES' as const,
          puk: FACTORY_PUK,
        },
      ],
    };
    await vault.put('0010000001' as never, secrets);
    expect(await vault.get('0010000001' as never)).toEqual(secrets);
    const { previous: _previous, ...current } = secrets;
    await vault.put('0010000001' as never, current);
    expect(await vault.get('0010000001' as never)).toEqual(current);
  });
});
