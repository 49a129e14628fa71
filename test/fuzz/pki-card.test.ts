import fc from 'fast-check';
import { describe, it } from 'vitest';
import * as card from '../../src/card/index.js';
import * as pki from '../../src/pki/index.js';
import { functionsOf, fuzzFunction, member } from './modules.js';
import { CASES_PER_ENTRY_POINT } from './support.js';

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
