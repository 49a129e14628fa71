import { createPublicKey, verify } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  CardAuthenticationError,
  CardBlockedError,
  CardNotFoundError,
  DEFAULT_MANAGEMENT_KEY,
  decodeTlv,
  holderGuid,
  holderOfGuid,
  type ManagementKeyAlgorithm,
  NON_FEDERAL_FASCN,
  PinIncorrectError,
  PivObject,
  SecurityStatusError,
} from '../../src/card/index.js';
import { ValidationError } from '../../src/errors/index.js';
import { createCsr, parseCsr } from '../../src/pki/index.js';
import type { SignerAlgorithm } from '../../src/pki/signer.js';
import { freshSession, selfSignedCertificate } from './helpers.js';

const nodeHash = (h: string) => h.replace('-', '').toLowerCase();

describe('PivSession against the in-process VirtualPivCard', () => {
  it('SELECT answers the PIV application property template', async () => {
    const { piv } = await freshSession();
    const app = await piv.select();
    expect(app.label).toBe('careid virtual PIV');
    expect(Buffer.from(app.aid).toString('hex')).toBe('000010000100');
  });

  it('CARD-11 GET CHALLENGE answers as a card does (the PIV profile relying parties accept): Ne fresh random bytes, P1-P2 other than 0000 refused', async () => {
    const { piv, card } = await freshSession();
    const a = await piv.challenge(8);
    const b = await piv.challenge(8);
    expect(a).toHaveLength(8);
    expect(Buffer.from(a).equals(Buffer.from(b))).toBe(false);
    expect(await piv.challenge(256)).toHaveLength(256);
    await expect(piv.challenge(0)).rejects.toBeInstanceOf(ValidationError);
    await expect(piv.challenge(257)).rejects.toBeInstanceOf(ValidationError);
    // Raw APDUs: 00 84 00 00 08 answers 8 bytes and 9000; P1=01 is 6A86; no Le is 6700.
    const raw = (hex: string) =>
      Buffer.from(card.transmit(Buffer.from(hex, 'hex')) ?? []).toString('hex');
    expect(raw('0084000008')).toMatch(/^[0-9a-f]{16}9000$/);
    expect(raw('0084010008')).toBe('6a86');
    expect(raw('00840000')).toBe('6700');
  });

  it('CARD-02 three wrong PINs block the PIN; the empty VERIFY reads the tries left', async () => {
    const { piv } = await freshSession();
    expect(await piv.pinStatus()).toEqual({ verified: false, triesLeft: 3 });
    await expect(piv.verifyPin('000000')).rejects.toMatchObject({
      code: 'CARD_PIN_INCORRECT',
      triesLeft: 2,
    });
    await expect(piv.verifyPin('000000')).rejects.toBeInstanceOf(PinIncorrectError);
    expect((await piv.pinStatus()).triesLeft).toBe(1);
    await expect(piv.verifyPin('000000')).rejects.toBeInstanceOf(CardBlockedError);
    // Even the right PIN is refused once blocked.
    await expect(piv.verifyPin('123456')).rejects.toBeInstanceOf(CardBlockedError);
    expect(await piv.pinStatus()).toEqual({ verified: false, triesLeft: 0 });
  });

  it('CARD-02 a right PIN resets the counter', async () => {
    const { piv } = await freshSession();
    await expect(piv.verifyPin('000000')).rejects.toBeInstanceOf(PinIncorrectError);
    await piv.verifyPin('123456');
    expect(await piv.pinStatus()).toEqual({ verified: true, triesLeft: undefined });
    const { card } = await freshSession();
    expect(card.pinTriesLeft).toBe(3);
  });

  it('CARD-02 passcodes that are not 6 to 8 digits are refused before anything is sent', async () => {
    const { piv } = await freshSession();
    const before = piv.apduCount;
    for (const bad of ['12345', '123456789', 'abcdef', '12 456']) {
      await expect(piv.verifyPin(bad)).rejects.toBeInstanceOf(ValidationError);
      await expect(piv.changePin('123456', bad)).rejects.toBeInstanceOf(ValidationError);
    }
    expect(piv.apduCount).toBe(before);
  });

  it('changes the PIN and the PUK (CHANGE REFERENCE DATA)', async () => {
    const { piv, card } = await freshSession();
    await piv.changePin('123456', '87654321');
    await expect(piv.verifyPin('123456')).rejects.toBeInstanceOf(PinIncorrectError);
    await piv.verifyPin('87654321');
    await expect(piv.changePin('000000', '111111')).rejects.toMatchObject({ triesLeft: 2 });
    await piv.changePuk('12345678', '11223344');
    await expect(piv.changePuk('12345678', '11223344')).rejects.toMatchObject({
      code: 'CARD_PIN_INCORRECT',
    });
    expect(card.pukTriesLeft).toBe(2);
    expect(await piv.pukTriesLeft()).toBe(2);
  });

  it('CARD-03 unblock: RESET RETRY COUNTER with the PUK sets the new passcode', async () => {
    const { piv } = await freshSession();
    for (let i = 0; i < 3; i += 1) await piv.verifyPin('000000').catch(() => {});
    await expect(piv.verifyPin('123456')).rejects.toBeInstanceOf(CardBlockedError);
    await expect(piv.unblockPin('00000000', '246810')).rejects.toMatchObject({ triesLeft: 2 });
    await piv.unblockPin('12345678', '246810');
    expect((await piv.pinStatus()).triesLeft).toBe(3);
    await piv.verifyPin('246810');
  });

  it('three wrong PUKs block the PUK; a blocked PIN then stays blocked', async () => {
    const { piv } = await freshSession();
    for (let i = 0; i < 3; i += 1) await piv.verifyPin('000000').catch(() => {});
    for (let i = 0; i < 3; i += 1) await piv.unblockPin('00000000', '246810').catch(() => {});
    await expect(piv.unblockPin('12345678', '246810')).rejects.toBeInstanceOf(CardBlockedError);
    expect(await piv.pukTriesLeft()).toBe(0);
  });

  for (const algorithm of ['3DES', 'AES-128', 'AES-192', 'AES-256'] as ManagementKeyAlgorithm[]) {
    it(`management-key mutual authentication with ${algorithm}`, async () => {
      const length = { '3DES': 24, 'AES-128': 16, 'AES-192': 24, 'AES-256': 32 }[algorithm];
      const key = new Uint8Array(length).map((_, i) => (i * 7 + 3) & 0xff);
      const { piv } = await freshSession({ managementKey: key, managementAlgorithm: algorithm });
      await expect(
        piv.writeObject(PivObject.FACIAL_IMAGE, Uint8Array.of(1)),
      ).rejects.toBeInstanceOf(SecurityStatusError);
      const wrong = key.map((b) => b ^ 0x02); // not bit 0: DES ignores parity bits
      await expect(piv.authenticate(wrong, algorithm)).rejects.toBeInstanceOf(
        CardAuthenticationError,
      );
      const before = piv.apduCount;
      await piv.authenticate(key, algorithm);
      expect(piv.apduCount - before).toBe(2);
      await piv.writeObject(PivObject.FACIAL_IMAGE, Uint8Array.of(1));
    });
  }

  it('refuses a management key of the wrong length without sending it', async () => {
    const { piv } = await freshSession();
    await expect(piv.authenticate(new Uint8Array(16), '3DES')).rejects.toBeInstanceOf(
      ValidationError,
    );
  });

  const algorithms: readonly [string, SignerAlgorithm][] = [
    ['P-256', { kind: 'ecdsa', curve: 'P-256', hash: 'SHA-256' }],
    ['P-384', { kind: 'ecdsa', curve: 'P-384', hash: 'SHA-384' }],
    ['RSA-2048', { kind: 'rsa-pkcs1', modulusBits: 2048, hash: 'SHA-256' }],
  ];
  for (const [name, algorithm] of algorithms) {
    it(`generates a ${name} key on the card and its 9A Signer signs in X.509 form`, async () => {
      const { piv } = await freshSession();
      await piv.authenticate(DEFAULT_MANAGEMENT_KEY);
      const spki = await piv.generateKey(0x9a, name as 'P-256');
      const key = createPublicKey({ key: Buffer.from(spki), format: 'der', type: 'spki' });
      expect(key.asymmetricKeyType).toBe(name === 'RSA-2048' ? 'rsa' : 'ec');
      const signer = piv.signer({ publicKey: spki, algorithm });
      const message = Buffer.from('CertificationRequestInfo to be signed');
      await expect(signer.sign(message)).rejects.toBeInstanceOf(SecurityStatusError);
      await piv.verifyPin('123456');
      const signature = await signer.sign(message);
      expect(verify(nodeHash(algorithm.hash), message, key, signature)).toBe(true);
      expect(verify(nodeHash(algorithm.hash), Buffer.from('other'), key, signature)).toBe(false);
    });
  }

  it('a P-256 key signs a SHA-384 message digest truncated to the field size', async () => {
    const { piv } = await freshSession();
    await piv.authenticate(DEFAULT_MANAGEMENT_KEY);
    const spki = await piv.generateKey(0x9c, 'P-256');
    const signer = piv.signer({
      publicKey: spki,
      slot: 0x9c,
      pin: '123456',
      algorithm: { kind: 'ecdsa', curve: 'P-256', hash: 'SHA-384' },
    });
    const message = Buffer.from('hello');
    const key = createPublicKey({ key: Buffer.from(spki), format: 'der', type: 'spki' });
    expect(verify('sha384', message, key, await signer.sign(message))).toBe(true);
    // 9C is PIN-always: the signer's own VERIFY makes a second signature work too.
    expect(verify('sha384', message, key, await signer.sign(message))).toBe(true);
  });

  it('signing with an empty slot is CARD_NOT_FOUND', async () => {
    const { piv } = await freshSession();
    await piv.verifyPin('123456');
    await expect(piv.generalAuthenticate(0x9a, 'P-256', new Uint8Array(32))).rejects.toBeInstanceOf(
      CardNotFoundError,
    );
  });

  it('CARD-11 writes and reads the CHUID (holder UUID), CCC, discovery, printed information and photo', async () => {
    const { piv } = await freshSession();
    expect(await piv.readChuid()).toBeUndefined();
    await piv.authenticate(DEFAULT_MANAGEMENT_KEY);
    const guid = holderGuid('555123456789');
    await piv.writeChuid({ fascn: NON_FEDERAL_FASCN, guid, expiry: '20291231' });
    const chuid = await piv.readChuid();
    expect(chuid).toEqual({ fascn: NON_FEDERAL_FASCN, guid, expiry: '20291231' });
    expect(holderOfGuid(chuid!.guid)).toBe('555123456789');
    expect(holderOfGuid('3f2504e0-4f89-11d3-9a0c-0305e82c3301')).toBeUndefined();
    expect(() => holderGuid('12345')).toThrow(/12 digits/);
    const ccc = Uint8Array.of(0xf0, 0x01, 0x21, 0xf1, 0x01, 0x21);
    await piv.writeObject(PivObject.CCC, ccc);
    expect(await piv.readObject(PivObject.CCC)).toEqual(ccc);
    const discovery = await piv.readObject(PivObject.DISCOVERY);
    expect(decodeTlv(discovery).map((t) => t.tag)).toEqual([0x4f, 0x5f2f]);
    await piv.writeObject(PivObject.DISCOVERY, discovery);
    const photo = new Uint8Array(2000).map((_, i) => i & 0xff);
    await piv.writeObject(PivObject.FACIAL_IMAGE, photo);
    await piv.writeObject(PivObject.PRINTED_INFORMATION, Uint8Array.of(0x01, 0x01, 0x41));
    // The photo and printed information need the PIN (SP 800-73-4 Part 1 Table 3).
    await expect(piv.readObject(PivObject.FACIAL_IMAGE)).rejects.toBeInstanceOf(
      SecurityStatusError,
    );
    await piv.verifyPin('123456');
    expect(await piv.readObject(PivObject.FACIAL_IMAGE)).toEqual(photo);
    expect(await piv.readObject(PivObject.PRINTED_INFORMATION)).toEqual(
      Uint8Array.of(0x01, 0x01, 0x41),
    );
    await expect(piv.readObject(PivObject.KEY_HISTORY)).rejects.toBeInstanceOf(CardNotFoundError);
  });

  it('CARD-11 names a two-byte object tag in two bytes (5C 02 7F 61), as a card needs it', async () => {
    const { piv, log } = await freshSession();
    await piv.authenticate(DEFAULT_MANAGEMENT_KEY);
    const template = Uint8Array.of(0x02, 0x01, 0x01);
    await piv.writeObject(PivObject.BIOMETRIC_GROUP_TEMPLATE, template);
    expect(log.at(-1)!.command).toMatch(/^00DB3FFF 095C027F615303020101$/);
    expect(await piv.readObject(PivObject.BIOMETRIC_GROUP_TEMPLATE)).toEqual(template);
    expect(log.at(-1)!.command).toMatch(/^00CB3FFF 045C027F61/);
  });

  it('writes, reads and deletes the certificate containers, chaining long objects', async () => {
    const { piv, log } = await freshSession();
    await piv.authenticate(DEFAULT_MANAGEMENT_KEY);
    const der = selfSignedCertificate('careid test');
    for (const slot of [0x9a, 0x9c, 0x9d, 0x9e] as const) {
      await piv.writeCertificate(slot, der);
      expect(await piv.readCertificate(slot)).toEqual(der);
    }
    const big = new Uint8Array(1500).fill(0x30);
    const before = log.length;
    await piv.writeCertificate(0x9a, big);
    // 1500 + container and tag list overhead = 1514 bytes: six pieces of at most 255.
    expect(log.length - before).toBe(6);
    expect(log.slice(before, -1).every((e) => e.command.startsWith('10DB3FFF'))).toBe(true);
    const readStart = log.length;
    expect(await piv.readCertificate(0x9a)).toEqual(big);
    // GET DATA + GET RESPONSE for the rest of a 1500+ byte object.
    expect(log.length - readStart).toBe(6);
    await piv.deleteCertificate(0x9a);
    expect(await piv.readCertificate(0x9a)).toBeUndefined();
  });

  it('extended length sends a long object in one APDU', async () => {
    const { piv, log } = await freshSession({}, true);
    await piv.authenticate(DEFAULT_MANAGEMENT_KEY);
    const before = log.length;
    await piv.writeCertificate(0x9a, new Uint8Array(1500));
    expect(log.length - before).toBe(1);
    expect(await piv.readCertificate(0x9a)).toHaveLength(1500);
    expect(log.length - before).toBe(2);
  });

  it('factory reset restores the default PIN, PUK, management key and empties the card', async () => {
    const { piv, card } = await freshSession();
    await piv.authenticate(DEFAULT_MANAGEMENT_KEY);
    await piv.generateKey(0x9a, 'P-256');
    await piv.writeCertificate(0x9a, Uint8Array.of(1, 2, 3));
    await piv.changePin('123456', '999999');
    card.factoryReset();
    expect(await piv.readCertificate(0x9a)).toBeUndefined();
    await piv.verifyPin('123456');
    await expect(piv.generalAuthenticate(0x9a, 'P-256', new Uint8Array(32))).rejects.toBeInstanceOf(
      CardNotFoundError,
    );
    await piv.authenticate(DEFAULT_MANAGEMENT_KEY);
  });

  it('the vendor RESET works only when the PIN and PUK are both blocked', async () => {
    const { piv, card } = await freshSession();
    const reset = Uint8Array.of(0x00, 0xfb, 0x00, 0x00);
    expect(card.transmit(reset)).toEqual(Uint8Array.of(0x69, 0x85));
    for (let i = 0; i < 3; i += 1) await piv.verifyPin('000000').catch(() => {});
    for (let i = 0; i < 3; i += 1) await piv.unblockPin('00000000', '111111').catch(() => {});
    expect(card.transmit(reset)).toEqual(Uint8Array.of(0x90, 0x00));
    expect(card.pinTriesLeft).toBe(3);
  });
});

describe('the 9A Signer through the PKI layer', () => {
  const cases: readonly [string, SignerAlgorithm][] = [
    ['P-256', { kind: 'ecdsa', curve: 'P-256', hash: 'SHA-256' }],
    ['RSA-2048', { kind: 'rsa-pkcs1', modulusBits: 2048, hash: 'SHA-256' }],
  ];
  for (const [name, algorithm] of cases) {
    it(`a CSR signed on the card (${name}) passes careid's own CSR verification`, async () => {
      const { piv } = await freshSession();
      await piv.authenticate(DEFAULT_MANAGEMENT_KEY);
      const publicKey = await piv.generateKey(0x9a, name as 'P-256');
      const signer = piv.signer({ publicKey, algorithm, pin: '123456' });
      const csr = await createCsr(signer, { commonName: 'Jane Doe', serialNumber: '555123456789' });
      const parsed = await parseCsr(csr);
      expect(parsed.der).toEqual(csr);
    });
  }
});
