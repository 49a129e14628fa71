import {
  createHash,
  generateKeyPairSync,
  sign as nodeSign,
  verify as nodeVerify,
} from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isCareIdError } from '../../src/errors/index.js';
import { ecdsaDerToRaw, ecdsaRawToDer, encodeDigestInfo } from '../../src/pki/index.js';

describe('signature formats', () => {
  it('turns raw r||s into DER and back for P-256 and P-384 (RFC 3279 §2.2.3)', () => {
    for (const [curve, size] of [
      ['P-256', 32],
      ['P-384', 48],
    ] as const) {
      fc.assert(
        fc.property(fc.uint8Array({ minLength: 2 * size, maxLength: 2 * size }), (raw) => {
          const der = ecdsaRawToDer(raw);
          expect(der[0]).toBe(0x30);
          expect(ecdsaDerToRaw(der, curve)).toEqual(raw);
        }),
      );
    }
  });

  it('agrees with node:crypto on the DER of a real ECDSA signature', () => {
    const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const data = Buffer.from('to be signed');
    const raw = nodeSign('sha256', data, { key: privateKey, dsaEncoding: 'ieee-p1363' });
    const der = ecdsaRawToDer(new Uint8Array(raw));
    // node verifies the DER form only if the conversion is exact
    expect(nodeVerify('sha256', data, publicKey, Buffer.from(der))).toBe(true);
    expect(Buffer.from(der).equals(raw)).toBe(false);
  });

  it('writes minimal positive INTEGERs: a high bit gets a 0x00, leading zeros go', () => {
    const raw = new Uint8Array(64);
    raw[0] = 0x80; // r = 0x80 00.. needs a leading zero
    raw[32] = 0x00;
    raw[63] = 0x01; // s = 1
    expect(Array.from(ecdsaRawToDer(raw).subarray(0, 5))).toEqual([0x30, 0x26, 0x02, 0x21, 0x00]);
    expect(Array.from(ecdsaRawToDer(raw).slice(-3))).toEqual([0x02, 0x01, 0x01]);
  });

  it('refuses malformed signatures with PKI_MALFORMED', () => {
    expect(() => ecdsaRawToDer(new Uint8Array(63))).toThrow(/raw r\|\|s/);
    expect(() => ecdsaRawToDer(new Uint8Array(0))).toThrow();
    const tooLong = ecdsaRawToDer(new Uint8Array(96).fill(0x7f));
    try {
      ecdsaDerToRaw(tooLong, 'P-256');
      expect.unreachable();
    } catch (e) {
      expect(isCareIdError(e, 'PKI_MALFORMED')).toBe(true);
    }
    expect(() => ecdsaDerToRaw(Uint8Array.of(0x30, 0x03, 0x02, 0x01, 0xff), 'P-256')).toThrow(
      /negative/,
    );
  });

  it('encodes DigestInfo exactly as RFC 8017 §9.2 note 1 lists', () => {
    const digest = new Uint8Array(createHash('sha256').update('x').digest());
    const info = encodeDigestInfo('SHA-256', digest);
    const prefix = '3031300d060960864801650304020105000420';
    expect(Buffer.from(info).toString('hex')).toBe(prefix + Buffer.from(digest).toString('hex'));
    const d384 = new Uint8Array(48);
    expect(Buffer.from(encodeDigestInfo('SHA-384', d384)).toString('hex')).toMatch(
      /^3041300d060960864801650304020205000430/,
    );
    const d512 = new Uint8Array(64);
    expect(Buffer.from(encodeDigestInfo('SHA-512', d512)).toString('hex')).toMatch(
      /^3051300d060960864801650304020305000440/,
    );
    expect(() => encodeDigestInfo('SHA-256', new Uint8Array(31))).toThrow(/32 bytes/);
  });
});

describe('the hand-written CRL list (crl-der.ts) agrees with asn1js', () => {
  it('round-trips random serials, times (UTCTime and GeneralizedTime) and reasons, read the same by PKI.js', async () => {
    const asn1js = await import('asn1js');
    const pkijs = await import('pkijs');
    const { signCrl } = await import('../../src/pki/crl.js');
    const { generateSoftwareSigner, parseCrl } = await import('../../src/pki/index.js');
    const { REVOCATION_REASONS } = await import('../../src/pki/revocation-reason.js');
    const signer = await generateSoftwareSigner();
    const issuer = Uint8Array.of(
      0x30,
      0x0d,
      0x31,
      0x0b,
      0x30,
      0x09,
      0x06,
      0x03,
      0x55,
      0x04,
      0x03,
      0x0c,
      0x02,
      0x43,
      0x41,
    );
    const entry = fc.record({
      serialHex: fc
        .uint8Array({ minLength: 1, maxLength: 20 })
        .map((b) =>
          Buffer.from(b)
            .toString('hex')
            .replace(/^(00)+(?=..)/, ''),
        )
        .filter((h) => h !== '00' && !/^0/.test(h)),
      revokedAt: fc
        .integer({ min: Date.UTC(1990, 0, 1) / 1000, max: Date.UTC(2099, 0, 1) / 1000 })
        .map((s) => new Date(s * 1000)),
      reason: fc.constantFrom(...REVOCATION_REASONS),
    });
    await fc.assert(
      fc.asyncProperty(
        fc.uniqueArray(entry, { maxLength: 40, selector: (e) => e.serialHex }),
        async (entries) => {
          const now = new Date('2049-12-31T23:59:59Z');
          const der = await signCrl(signer, {
            issuer,
            authorityKeyId: new Uint8Array(20),
            crlNumber: 7n,
            thisUpdate: now,
            nextUpdate: new Date('2050-01-07T00:00:00Z'),
            entries,
          });
          const mine = parseCrl(der);
          const asn1 = asn1js.fromBER(der);
          expect(asn1.offset).toBe(der.length);
          const theirs = new pkijs.CertificateRevocationList({ schema: asn1.result });
          expect(theirs.nextUpdate?.type).toBe(1); // GeneralizedTime from 2050
          expect(mine.crlNumber).toBe(7n);
          const listed = theirs.revokedCertificates ?? [];
          expect(listed.length).toBe(entries.length);
          entries.forEach((e, i) => {
            expect(mine.revoked.get(e.serialHex)).toEqual({
              revokedAt: e.revokedAt,
              reason: e.reason,
            });
            const serial = Buffer.from(listed[i]!.userCertificate.valueBlock.valueHexView);
            expect(serial.toString('hex').replace(/^00/, '')).toBe(e.serialHex);
            expect(listed[i]!.revocationDate.value.getTime()).toBe(e.revokedAt.getTime());
          });
        },
      ),
      { numRuns: 60 },
    );
  });
});
