import {
  constants,
  generateKeyPairSync,
  type KeyObject,
  sign as nodeSign,
  privateEncrypt,
  type webcrypto,
} from 'node:crypto';
import * as pkijs from 'pkijs';
import { describe, expect, it } from 'vitest';
import { isCareIdError, ValidationError } from '../../src/errors/index.js';
import {
  createCsr,
  ecdsaRawToDer,
  encodeDigestInfo,
  generateSoftwareSigner,
  parseCsr,
  parsePublicKey,
  type Signer,
  softwareSigner,
} from '../../src/pki/index.js';

async function expectCode(p: Promise<unknown> | (() => unknown), code: string): Promise<void> {
  try {
    await (typeof p === 'function' ? p() : p);
  } catch (e) {
    expect(isCareIdError(e)).toBe(true);
    expect((e as { code: string }).code).toBe(code);
    return;
  }
  expect.unreachable(`expected ${code}`);
}

/** A signer that behaves like a PIV card: it signs a prepared block with a raw key operation. */
function cardLikeSigner(kind: 'rsa' | 'ec'): Signer {
  if (kind === 'rsa') {
    const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    return {
      algorithm: { kind: 'rsa-pkcs1', modulusBits: 2048, hash: 'SHA-256' },
      publicKey: new Uint8Array(publicKey.export({ type: 'spki', format: 'der' })),
      async sign(data) {
        const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', data));
        // The card pads and exponentiates; the host supplies the DigestInfo (RFC 8017 §9.2).
        const info = encodeDigestInfo('SHA-256', digest);
        return new Uint8Array(
          privateEncrypt({ key: privateKey, padding: constants.RSA_PKCS1_PADDING }, info),
        );
      },
    };
  }
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  return {
    algorithm: { kind: 'ecdsa', curve: 'P-256', hash: 'SHA-256' },
    publicKey: new Uint8Array(publicKey.export({ type: 'spki', format: 'der' })),
    async sign(data) {
      // A card returns r||s; the port's contract is the DER form.
      const raw = nodeSign('sha256', data, { key: privateKey, dsaEncoding: 'ieee-p1363' });
      return ecdsaRawToDer(new Uint8Array(raw));
    },
  };
}

describe('software signer', () => {
  it.each([
    [{ kind: 'ecdsa', curve: 'P-256' }, 'P-256'],
    [{ kind: 'ecdsa', curve: 'P-384' }, 'P-384'],
    [{ kind: 'rsa-pkcs1', modulusBits: 2048 }, 2048],
    [{ kind: 'rsa-pkcs1', modulusBits: 3072 }, 3072],
  ] as const)('makes a working %o signer whose CSR verifies', async (spec, size) => {
    const signer = await generateSoftwareSigner(spec);
    const key = parsePublicKey(signer.publicKey);
    expect(key.kind === 'ecdsa' ? key.curve : key.modulusBits).toBe(size);
    const csr = await parseCsr(
      await createCsr(signer, { commonName: 'A', serialNumber: '555123456789' }),
    );
    expect(csr.subject.map((a) => [a.type, a.value, a.rdn])).toEqual([
      ['CN', 'A', 0],
      ['serialNumber', '555123456789', 1],
    ]);
    expect(csr.signatureAlgorithm.hash).toBe(
      spec.kind === 'ecdsa' && spec.curve === 'P-384' ? 'SHA-384' : 'SHA-256',
    );
  });

  it('wraps an existing WebCrypto key pair and refuses weak ones', async () => {
    const pair = (await crypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-384' }, false, [
      'sign',
      'verify',
    ])) as webcrypto.CryptoKeyPair;
    expect((await softwareSigner(pair)).algorithm).toEqual({
      kind: 'ecdsa',
      curve: 'P-384',
      hash: 'SHA-384',
    });
    const p521 = (await crypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-521' }, false, [
      'sign',
      'verify',
    ])) as webcrypto.CryptoKeyPair;
    await expectCode(softwareSigner(p521), 'PKI_WEAK_KEY');
    const rsa1024 = (await crypto.subtle.generateKey(
      {
        name: 'RSASSA-PKCS1-v1_5',
        modulusLength: 1024,
        publicExponent: Uint8Array.of(1, 0, 1),
        hash: 'SHA-256',
      },
      false,
      ['sign', 'verify'],
    )) as webcrypto.CryptoKeyPair;
    await expectCode(softwareSigner(rsa1024), 'PKI_WEAK_KEY');
  });

  it('AUD-02 a software signer exposes no private key: only its algorithm, public key and sign()', async () => {
    const signer = await generateSoftwareSigner();
    expect(Object.keys(signer).sort()).toEqual(['algorithm', 'publicKey', 'sign']);
    expect(Object.isFrozen(signer)).toBe(true);
    expect(JSON.stringify(signer)).not.toMatch(/private|pkcs8|"d"/i);
  });

  it('validates its spec with zod, naming the field', async () => {
    const e = await generateSoftwareSigner({ kind: 'ecdsa', curve: 'P-521' } as never).catch(
      (x) => x,
    );
    expect(e).toBeInstanceOf(ValidationError);
    expect((e as ValidationError).field).toBe('curve');
  });
});

describe('CSR (PKCS#10)', () => {
  it.each(['rsa', 'ec'] as const)(
    'builds a CSR through a card-like %s signer (raw ECDSA / DigestInfo)',
    async (kind) => {
      const signer = cardLikeSigner(kind);
      const der = await createCsr(signer, { commonName: 'Card holder' });
      const parsed = await parseCsr(der);
      expect(parsed.publicKey.spki).toEqual(signer.publicKey);
      // PKI.js agrees that the signature verifies.
      const pk = pkijs.CertificationRequest.fromBER(der);
      expect(await pk.verify()).toBe(true);
    },
  );

  it('rejects a CSR whose signature does not verify (PKI_BAD_SIGNATURE)', async () => {
    const signer = await generateSoftwareSigner();
    const der = await createCsr(signer, { commonName: 'Jane' });
    const tampered = der.slice();
    // Change one byte of the subject: the info no longer matches its signature.
    const at = Buffer.from(tampered).indexOf(Buffer.from('Jane'));
    tampered[at] = 'K'.charCodeAt(0);
    await expectCode(parseCsr(tampered), 'PKI_BAD_SIGNATURE');
  });

  it('rejects weak keys: RSA-1024 and secp256k1 (PKI_WEAK_KEY)', async () => {
    for (const [type, opts, hash] of [
      ['rsa', { modulusLength: 1024 }, 'sha256'],
      ['ec', { namedCurve: 'secp256k1' }, 'sha256'],
    ] as const) {
      const { privateKey, publicKey } = generateKeyPairSync(
        type as 'rsa',
        opts as never,
      ) as unknown as {
        privateKey: KeyObject;
        publicKey: KeyObject;
      };
      const fake: Signer = {
        algorithm:
          type === 'rsa'
            ? { kind: 'rsa-pkcs1', modulusBits: 2048, hash: 'SHA-256' }
            : { kind: 'ecdsa', curve: 'P-256', hash: 'SHA-256' },
        publicKey: new Uint8Array(publicKey.export({ type: 'spki', format: 'der' })),
        async sign(data) {
          return new Uint8Array(nodeSign(hash, data, privateKey));
        },
      };
      // careid refuses to even build it, and refuses to accept one built elsewhere.
      await expectCode(createCsr(fake), 'PKI_WEAK_KEY');
      const spkiOnly = fake.publicKey;
      await expectCode(() => parsePublicKey(spkiOnly), 'PKI_WEAK_KEY');
    }
  });

  it('rejects a SHA-1 signed CSR made by openssl (PKI_UNSUPPORTED)', async () => {
    const { execFileSync } = await import('node:child_process');
    const der = execFileSync(
      'openssl',
      [
        'req',
        '-new',
        '-newkey',
        'ec',
        '-pkeyopt',
        'ec_paramgen_curve:P-256',
        '-nodes',
        '-keyout',
        '/dev/null',
        '-subj',
        '/CN=sha1',
        '-sha1',
        '-outform',
        'DER',
      ],
      { stdio: ['ignore', 'pipe', 'ignore'] },
    );
    await expectCode(parseCsr(new Uint8Array(der)), 'PKI_UNSUPPORTED');
  });

  it('rejects RSA-1024 and secp256k1 CSRs made by openssl (PKI_WEAK_KEY), accepts RSA-2048', async () => {
    const { execFileSync } = await import('node:child_process');
    const make = (newkey: readonly string[]) =>
      new Uint8Array(
        execFileSync(
          'openssl',
          [
            'req',
            '-new',
            ...newkey,
            '-nodes',
            '-keyout',
            '/dev/null',
            '-subj',
            '/CN=x',
            '-sha256',
            '-outform',
            'DER',
          ],
          { stdio: ['ignore', 'pipe', 'ignore'] },
        ),
      );
    await expectCode(parseCsr(make(['-newkey', 'rsa:1024'])), 'PKI_WEAK_KEY');
    await expectCode(
      parseCsr(make(['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:secp256k1'])),
      'PKI_WEAK_KEY',
    );
    expect((await parseCsr(make(['-newkey', 'rsa:2048']))).publicKey.kind).toBe('rsa');
  });

  it('reads multi-valued RDNs without losing their grouping (PKI.js flattens them)', async () => {
    const { execFileSync } = await import('node:child_process');
    const der = new Uint8Array(
      execFileSync(
        'openssl',
        [
          'req',
          '-new',
          '-newkey',
          'ec',
          '-pkeyopt',
          'ec_paramgen_curve:P-256',
          '-nodes',
          '-keyout',
          '/dev/null',
          '-multivalue-rdn',
          '-subj',
          '/O=NHS/CN=Jane Doe+serialNumber=555123456789',
          '-sha256',
          '-outform',
          'DER',
        ],
        { stdio: ['ignore', 'pipe', 'ignore'] },
      ),
    );
    const csr = await parseCsr(der);
    // The two attributes of the second RDN share its index (DER sorts them inside the SET).
    expect(csr.subject.map((a) => [a.type, a.value, a.rdn])).toEqual([
      ['O', 'NHS', 0],
      ['CN', 'Jane Doe', 1],
      ['serialNumber', '555123456789', 1],
    ]);
  });

  it('rejects truncated, oversized and non-DER input with PKI_MALFORMED', async () => {
    const der = await createCsr(await generateSoftwareSigner());
    await expectCode(parseCsr(der.subarray(0, der.length - 1)), 'PKI_MALFORMED');
    await expectCode(parseCsr(new Uint8Array(20_000).fill(0x30)), 'PKI_MALFORMED');
    await expectCode(parseCsr(new Uint8Array(0)), 'PKI_MALFORMED');
    await expectCode(parseCsr('not bytes' as never), 'PKI_MALFORMED');
    const indefinite = Uint8Array.of(0x30, 0x80, 0x00, 0x00);
    await expectCode(parseCsr(indefinite), 'PKI_MALFORMED');
  });
});
