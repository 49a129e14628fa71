import fc from 'fast-check';
import { describe, it } from 'vitest';
import * as card from '../../src/card/index.js';
import * as pki from '../../src/pki/index.js';
import { functionsOf, fuzzFunction, member } from './modules.js';
import { CASES_PER_ENTRY_POINT, near } from './support.js';

const bytes = fc.uint8Array({ maxLength: 300 });

/** Functions that reach outside the process: fuzzed where their input is parsed instead. */
const OUTSIDE = new Set([
  // Opens a TCP connection to vpcd; its address parser `parseVpcdAddress` is fuzzed.
  'attachToVpcd',
]);

describe('issue 13: any JavaScript value at careid/pki`s and careid/card`s functions', () => {
  it.each(functionsOf(pki))(
    `AUD-01 careid/pki %s: ${CASES_PER_ENTRY_POINT} generated calls, a value or a CareIdError only`,
    (name) => fuzzFunction(`pki.${name}`, member(pki, name), pki, [bytes]),
    300_000,
  );
  it.each(functionsOf(card).filter((name) => !OUTSIDE.has(name)))(
    `AUD-01 careid/card %s: ${CASES_PER_ENTRY_POINT} generated calls, a value or a CareIdError only`,
    (name) => fuzzFunction(`card.${name}`, member(card, name), card, [bytes]),
    300_000,
  );
});

// Created once for the file: each method below is fuzzed on the same CA and the same card.
const ca = await pki.createCertificateAuthority({
  settings: {
    root: { commonName: 'careid Fuzz Root' },
    issuing: { commonName: 'careid Fuzz Issuing' },
    crlUrl: 'http://pki.careid.test/issuing.crl',
    ocspUrl: 'http://ocsp.careid.test/',
  },
  now: new Date('2026-11-22T09:00:00Z'),
  repository: pki.memoryCaRepository(),
});
const session = await card.PivSession.open(card.connectVirtualCard(new card.VirtualPivCard()));

describe('issue 13: any JavaScript value at the certificate authority and a PIV session', () => {
  it.each(functionsOf(ca))(
    `AUD-01 CertificateAuthority.%s: ${CASES_PER_ENTRY_POINT} generated calls, a value or a CareIdError only`,
    (name) => fuzzFunction(`ca.${name}`, member(ca, name), ca, [bytes]),
    300_000,
  );
  it.each(functionsOf(session))(
    `AUD-01 PivSession.%s on a virtual card: ${CASES_PER_ENTRY_POINT} generated calls, a value or a CareIdError only`,
    (name) => fuzzFunction(`session.${name}`, member(session, name), session, [bytes]),
    300_000,
  );
});

/** careid/card's classes: the ways to make one, and the methods of one made. */
const connection = card.connectVirtualCard(new card.VirtualPivCard());
const constructors: Readonly<
  Record<string, [(...args: unknown[]) => unknown, fc.Arbitrary<unknown>]>
> = {
  'PivSession.open': [
    (...args) => card.PivSession.open(...(args as Parameters<typeof card.PivSession.open>)),
    fc.constant(connection),
  ],
  'new ApduTransceiver': [
    (...args) =>
      new card.ApduTransceiver(...(args as ConstructorParameters<typeof card.ApduTransceiver>)),
    fc.constant(connection),
  ],
  'new VirtualPivCard': [
    (...args) =>
      new card.VirtualPivCard(...(args as ConstructorParameters<typeof card.VirtualPivCard>)),
    near({ pin: '246810', puk: '12345678', pinTries: 3, pukTries: 5, serial: 16_000_042 }),
  ],
};
const simulator = new card.VirtualPivCard();
const transceiver = new card.ApduTransceiver(card.connectVirtualCard(new card.VirtualPivCard()));
const command = near({
  cla: 0,
  ins: 0xcb,
  p1: 0x3f,
  p2: 0xff,
  data: Uint8Array.of(0x5c, 1, 0x7e),
  ne: 256,
});

describe('issue 13: any JavaScript value at careid/card`s classes', () => {
  it.each(Object.keys(constructors))(
    `AUD-01 %s: ${CASES_PER_ENTRY_POINT} generated calls, a value or a CareIdError only`,
    (name) => {
      const [make, likely] = constructors[name]!;
      return fuzzFunction(name, make, undefined, [likely]);
    },
    300_000,
  );
  it.each(functionsOf(simulator))(
    `AUD-01 VirtualPivCard.%s: ${CASES_PER_ENTRY_POINT} generated calls, a value or a CareIdError only`,
    (name) => fuzzFunction(`simulator.${name}`, member(simulator, name), simulator, [bytes]),
    300_000,
  );
  it.each(functionsOf(transceiver))(
    `AUD-01 ApduTransceiver.%s on a virtual card: ${CASES_PER_ENTRY_POINT} generated calls, a value or a CareIdError only`,
    (name) =>
      fuzzFunction(`transceiver.${name}`, member(transceiver, name), transceiver, [command]),
    300_000,
  );
});
