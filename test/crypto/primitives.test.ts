// The libraries that replaced Node's crypto in what the root reaches, checked against
// Node's own crypto (OpenSSL) and published known answers: same bytes, same formats.
import {
  createCipheriv,
  createDecipheriv,
  createHash,
  createHmac,
  createPublicKey,
  generateKeyPairSync,
  randomBytes as nodeRandomBytes,
} from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeTlv, encodeTlv, findTlv } from '../../src/card/apdu/tlv.js';
import { CardProtocolError } from '../../src/card/errors.js';
import { PivTag } from '../../src/card/piv/constants.js';
import { managementCipher } from '../../src/card/piv/management-key.js';
import { publicKeyTemplateToSpki } from '../../src/card/piv/public-key.js';
import { publicKeyTemplate } from '../../src/card/sim/public-key-template.js';
import {
  fromBase64,
  fromHex,
  latin1Bytes,
  latin1Text,
  toBase64,
  toBase64Url,
  toHex,
} from '../../src/crypto/encoding.js';
import { constantTimeEqual, constantTimeEqualText } from '../../src/crypto/equal.js';
import { hmacSha256Hex, sha2, sha256Hex } from '../../src/crypto/hash.js';
import { randomBytes, randomDigits, randomInt } from '../../src/crypto/random.js';
import { openEnvelope, sealEnvelope } from '../../src/ra/smartcards/sealed-envelope.js';
import { decodeCursor, encodeCursor } from '../../src/storage/paging.js';

const bytes = (min: number, max: number) => fc.uint8Array({ minLength: min, maxLength: max });
const NODE_ECB = {
  '3DES': 'des-ede3',
  'AES-128': 'aes-128-ecb',
  'AES-192': 'aes-192-ecb',
  'AES-256': 'aes-256-ecb',
} as const;
const SIZES = {
  '3DES': { key: 24, block: 8 },
  'AES-128': { key: 16, block: 16 },
  'AES-192': { key: 24, block: 16 },
  'AES-256': { key: 32, block: 16 },
} as const;

function nodeEcb(
  algorithm: keyof typeof NODE_ECB,
  key: Uint8Array,
  block: Uint8Array,
  encrypt: boolean,
) {
  const cipher = encrypt
    ? createCipheriv(NODE_ECB[algorithm], key, null)
    : createDecipheriv(NODE_ECB[algorithm], key, null);
  cipher.setAutoPadding(false);
  return new Uint8Array(Buffer.concat([cipher.update(block), cipher.final()]));
}

describe('hashes and MACs (@noble/hashes) against Node and known answers', () => {
  it('AUD-01 the audit chain hash: SHA-256 of UTF-8 text, as Node hashes it (FIPS 180-4 answers too)', () => {
    expect(sha256Hex('')).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
    expect(sha256Hex('abc')).toBe(
      'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad',
    );
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 600 }), (text) => {
        expect(sha256Hex(text)).toBe(createHash('sha256').update(text, 'utf8').digest('hex'));
      }),
      { numRuns: 300 },
    );
  });

  it('SHA-384 and SHA-512 of bytes (what the card signs) as Node computes them', () => {
    fc.assert(
      fc.property(bytes(0, 300), (data) => {
        for (const [name, node] of [
          ['SHA-256', 'sha256'],
          ['SHA-384', 'sha384'],
          ['SHA-512', 'sha512'],
        ] as const) {
          expect(toHex(sha2(name, data))).toBe(createHash(node).update(data).digest('hex'));
        }
      }),
      { numRuns: 100 },
    );
  });

  it('AUD-02 AUD-03 HMAC-SHA-256 (checkpoints, one-time code digests) as Node computes it (RFC 4231 case 2 too)', () => {
    expect(hmacSha256Hex(new TextEncoder().encode('Jefe'), 'what do ya want for nothing?')).toBe(
      '5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843',
    );
    fc.assert(
      fc.property(bytes(1, 100), fc.string({ maxLength: 200 }), (key, text) => {
        expect(hmacSha256Hex(key, text)).toBe(createHmac('sha256', key).update(text).digest('hex'));
      }),
      { numRuns: 200 },
    );
  });

  it('compares in constant time: equal only for the same bytes, unequal for different lengths', () => {
    expect(constantTimeEqual(Uint8Array.of(1, 2), Uint8Array.of(1, 2))).toBe(true);
    expect(constantTimeEqual(Uint8Array.of(1, 2), Uint8Array.of(1, 3))).toBe(false);
    expect(constantTimeEqual(Uint8Array.of(1, 2), Uint8Array.of(1, 2, 0))).toBe(false);
    // A stored digest of another length is a wrong code, not a crash (timingSafeEqual threw).
    expect(constantTimeEqualText('ab'.repeat(32), 'ab')).toBe(false);
    expect(constantTimeEqualText('é', 'é')).toBe(true);
  });
});

describe('PIV management-key ciphers (des.js, @noble/ciphers) against Node and known answers', () => {
  it('3DES (SP 800-67 example) and AES-128 (FIPS 197 C.1) known answers', () => {
    const desKey = fromHex('0123456789ABCDEF23456789ABCDEF01456789ABCDEF0123');
    const desBlock = latin1Bytes('The qufc');
    expect(toHex(managementCipher('3DES', desKey, desBlock, 'encrypt'))).toBe('a826fd8ce53b855f');
    const aesKey = fromHex('000102030405060708090a0b0c0d0e0f');
    const aesBlock = fromHex('00112233445566778899aabbccddeeff');
    const aesOut = managementCipher('AES-128', aesKey, aesBlock, 'encrypt');
    expect(toHex(aesOut)).toBe('69c4e0d86a7b0430d8cdb78070b4c55a');
    expect(managementCipher('AES-128', aesKey, aesOut, 'decrypt')).toEqual(aesBlock);
  });

  it('9B authentication blocks: every algorithm encrypts and decrypts one block as OpenSSL does', () => {
    const algorithm = fc.constantFrom('3DES', 'AES-128', 'AES-192', 'AES-256' as const);
    fc.assert(
      fc.property(
        algorithm.chain((a) =>
          fc.tuple(
            fc.constant(a),
            bytes(SIZES[a].key, SIZES[a].key),
            bytes(SIZES[a].block, SIZES[a].block),
          ),
        ),
        ([a, key, block]) => {
          expect(managementCipher(a, key, block, 'encrypt')).toEqual(nodeEcb(a, key, block, true));
          expect(managementCipher(a, key, block, 'decrypt')).toEqual(nodeEcb(a, key, block, false));
        },
      ),
      { numRuns: 200 },
    );
  });

  it('a key or block of the wrong length is a ValidationError, before any cipher runs', () => {
    expect(() =>
      managementCipher('3DES', new Uint8Array(16), new Uint8Array(8), 'encrypt'),
    ).toThrow(/3DES needs 24 bytes, got 16/);
    expect(() =>
      managementCipher('AES-256', new Uint8Array(32), new Uint8Array(8), 'encrypt'),
    ).toThrow(/AES-256 blocks are 16 bytes, got 8/);
  });
});

describe('sealed envelopes (AES-256-GCM by @noble/ciphers) against Node', () => {
  it('AUD-02 an envelope sealed here opens with Node, and one sealed by Node (the earlier careid) opens here', () => {
    fc.assert(
      fc.property(bytes(32, 32), bytes(0, 300), bytes(0, 40), (key, plain, aad) => {
        const sealed = sealEnvelope(key, plain, aad);
        const decipher = createDecipheriv('aes-256-gcm', key, sealed.subarray(1, 13));
        decipher.setAAD(aad);
        decipher.setAuthTag(sealed.subarray(13, 29));
        expect(
          new Uint8Array(Buffer.concat([decipher.update(sealed.subarray(29)), decipher.final()])),
        ).toEqual(plain);
        // The format of careid before this change: 1, nonce, tag, ciphertext, by Node.
        const nonce = nodeRandomBytes(12);
        const cipher = createCipheriv('aes-256-gcm', key, nonce);
        cipher.setAAD(aad);
        const body = Buffer.concat([cipher.update(plain), cipher.final()]);
        const old = Buffer.concat([Buffer.of(1), nonce, cipher.getAuthTag(), body]);
        expect(openEnvelope(key, old, aad)).toEqual(plain);
      }),
      { numRuns: 100 },
    );
  });

  it('an envelope under another key or purpose, or altered, does not open; a foreign format is named', () => {
    const key = randomBytes(32);
    const sealed = sealEnvelope(key, latin1Bytes('secret'), latin1Bytes('0612345678'));
    expect(openEnvelope(randomBytes(32), sealed, latin1Bytes('0612345678'))).toBe('key');
    expect(openEnvelope(key, sealed, latin1Bytes('0612345679'))).toBe('key');
    const altered = Uint8Array.from(sealed);
    altered[altered.length - 1]! ^= 1;
    expect(openEnvelope(key, altered, latin1Bytes('0612345678'))).toBe('key');
    expect(
      openEnvelope(key, Uint8Array.of(2, ...sealed.subarray(1)), latin1Bytes('0612345678')),
    ).toBe('format');
    expect(openEnvelope(key, sealed.subarray(0, 20), latin1Bytes('0612345678'))).toBe('format');
  });
});

describe('public key templates to SPKI (Web Crypto) against Node', () => {
  it('EC P-256, P-384 and RSA-2048 templates give the DER SPKI Node exports', async () => {
    for (const [algorithm, pair] of [
      ['P-256', generateKeyPairSync('ec', { namedCurve: 'P-256' })],
      ['P-384', generateKeyPairSync('ec', { namedCurve: 'P-384' })],
      ['RSA-2048', generateKeyPairSync('rsa', { modulusLength: 2048 })],
    ] as const) {
      const template = findTlv(decodeTlv(publicKeyTemplate(pair.publicKey)), PivTag.PUBLIC_KEY)!;
      const spki = await publicKeyTemplateToSpki(template, algorithm);
      expect(toHex(spki)).toBe(
        pair.publicKey.export({ type: 'spki', format: 'der' }).toString('hex'),
      );
      expect(
        createPublicKey({ key: Buffer.from(spki), format: 'der', type: 'spki' }).asymmetricKeyType,
      ).toBe(algorithm === 'RSA-2048' ? 'rsa' : 'ec');
    }
  });

  it('a point not on the curve is a CardProtocolError', async () => {
    const point = Uint8Array.of(4, ...new Uint8Array(32).fill(1), ...new Uint8Array(32).fill(2));
    const template = encodeTlv(PivTag.ECC_POINT, point);
    await expect(publicKeyTemplateToSpki(template, 'P-256')).rejects.toThrow(CardProtocolError);
    await expect(publicKeyTemplateToSpki(template, 'P-256')).rejects.toThrow(
      /invalid P-256 public key/,
    );
  });
});

describe('byte encodings and randomness without Node', () => {
  it('hex, base64, base64url and latin1 give what Node Buffer gives', () => {
    fc.assert(
      fc.property(bytes(0, 200), (data) => {
        const buffer = Buffer.from(data);
        expect(toHex(data)).toBe(buffer.toString('hex'));
        expect(fromHex(buffer.toString('hex').toUpperCase())).toEqual(data);
        expect(toBase64(data)).toBe(buffer.toString('base64'));
        expect(toBase64Url(data)).toBe(buffer.toString('base64url'));
        expect(fromBase64(buffer.toString('base64'))).toEqual(data);
        expect(fromBase64(buffer.toString('base64url'))).toEqual(data);
        expect(latin1Text(data)).toBe(buffer.toString('latin1'));
        expect(latin1Bytes(buffer.toString('latin1'))).toEqual(data);
      }),
      { numRuns: 300 },
    );
    // A lone last character carries no byte: dropped, as Buffer drops it.
    expect(fromBase64('AQIDB')).toEqual(new Uint8Array(Buffer.from('AQIDB', 'base64')));
    expect(fromHex('abc')).toEqual(Uint8Array.of(0x0a, 0xbc));
  });

  it('page cursors are the same text as before (base64url JSON) and read back', () => {
    fc.assert(
      fc.property(
        fc.array(fc.oneof(fc.string(), fc.integer()), { minLength: 1, maxLength: 4 }),
        (key) => {
          const cursor = encodeCursor(key);
          expect(cursor).toBe(Buffer.from(JSON.stringify(key), 'utf8').toString('base64url'));
          expect(decodeCursor(cursor, key.length)).toEqual(key);
        },
      ),
      { numRuns: 200 },
    );
    expect(() => decodeCursor('%%%', 1)).toThrow(/is not a cursor/);
  });

  it('ID-05 CARD-01 CARD-03 random integers, digits and bytes come from Web Crypto: in range, every value reached', () => {
    const draws = Array.from({ length: 5000 }, () => randomInt(10));
    expect(new Set(draws)).toEqual(new Set([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]));
    expect(() => randomInt(0)).toThrow(RangeError);
    expect(() => randomInt(2 ** 48 + 1)).toThrow(RangeError);
    // Drawn from a pool refilled every 512 draws: 10,000 draws across 20 refills reach
    // every one of 1,000 values (a pool handed out twice, or a word reused, would not).
    const wide = Array.from({ length: 10_000 }, () => randomInt(1000));
    expect(new Set(wide).size).toBeGreaterThanOrEqual(995);
    expect(new Set(Array.from({ length: 3000 }, () => randomInt(2 ** 48))).size).toBe(3000);
    expect(randomDigits(8)).toMatch(/^\d{8}$/);
    const big = randomBytes(70_000);
    expect(big.length).toBe(70_000);
    // Past the 65,536 bytes one getRandomValues call fills, the bytes are still random.
    expect(new Set(big.subarray(65_536)).size).toBeGreaterThan(200);
  });
});
