import type * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { describe, expect, it } from 'vitest';
import { isCareIdError, ValidationError } from '../../src/errors/index.js';
import {
  createCertificateAuthority,
  generateSoftwareSigner,
  memoryCaRepository,
  parseCertificate,
} from '../../src/pki/index.js';
import { certificateNotAfter, derivePack, nationalPack } from '../../src/policy/index.js';
import { cardKey, jane, life, makeCa, settings, T0 } from './helpers.js';

const DAY = 86_400_000;
/** KeyUsage bit positions (RFC 5280 §4.2.1.3) as parseCertificate reports them. */
const DIGITAL_SIGNATURE = 1 << 0;
const KEY_CERT_SIGN = 1 << 5;
const CRL_SIGN = 1 << 6;

describe('certificate authority profiles (RFC 5280)', () => {
  it('makes a root and an issuing CA with critical basicConstraints, pathLen, keyUsage, SKI/AKI', async () => {
    const ca = await makeCa();
    const root = parseCertificate(ca.rootCertificate);
    const issuing = parseCertificate(ca.issuingCertificate);
    expect(root.basicConstraints).toEqual({ ca: true, pathLen: 1 });
    expect(issuing.basicConstraints).toEqual({ ca: true, pathLen: 0 });
    for (const c of [root, issuing]) {
      expect(c.extensions.get('2.5.29.19')?.critical).toBe(true);
      expect(c.extensions.get('2.5.29.15')?.critical).toBe(true);
      expect(c.keyUsage).toBe(KEY_CERT_SIGN | CRL_SIGN);
      expect(c.subjectKeyId?.length).toBe(20);
    }
    expect(root.authorityKeyId).toEqual(root.subjectKeyId);
    expect(issuing.authorityKeyId).toEqual(root.subjectKeyId);
    expect(issuing.issuerDer).toEqual(root.subjectDer);
    expect(root.subject.map((a) => [a.type, a.value, a.rdn])).toEqual([
      ['O', 'careid test', 0],
      ['CN', 'careid Test Root CA', 1],
    ]);
  });

  it('makes a delegated OCSP responder certificate with id-kp-OCSPSigning and ocsp-nocheck', async () => {
    const ca = await makeCa();
    const ocsp = parseCertificate(ca.ocspCertificate);
    const issuing = parseCertificate(ca.issuingCertificate);
    expect(ocsp.extendedKeyUsage).toEqual(['1.3.6.1.5.5.7.3.9']);
    expect(ocsp.extensions.has('1.3.6.1.5.5.7.48.1.5')).toBe(true);
    expect(ocsp.issuerDer).toEqual(issuing.subjectDer);
    expect(ocsp.keyUsage).toBe(DIGITAL_SIGNATURE);
    expect(ocsp.basicConstraints).toBeUndefined();
  });

  it('validates settings with zod, naming the field', async () => {
    const e = await createCertificateAuthority({
      settings: { ...settings, crlUrl: 'ftp://nope' },
      now: T0,
    }).catch((x) => x);
    expect(e).toBeInstanceOf(ValidationError);
    expect((e as ValidationError).field).toBe('crlUrl');
  });

  it('reopens a CA from its repository, and refuses a signer that does not hold its key', async () => {
    const repository = memoryCaRepository();
    const rootSigner = await generateSoftwareSigner();
    const issuingSigner = await generateSoftwareSigner();
    const ocspSigner = await generateSoftwareSigner();
    const first = await createCertificateAuthority({
      settings,
      now: T0,
      repository,
      rootSigner,
      issuingSigner,
      ocspSigner,
    });
    const again = await createCertificateAuthority({
      settings,
      now: new Date(T0.getTime() + DAY),
      repository,
      rootSigner,
      issuingSigner,
      ocspSigner,
    });
    expect(again.rootCertificate).toEqual(first.rootCertificate);
    expect(again.issuingCertificate).toEqual(first.issuingCertificate);
    const e = await createCertificateAuthority({ settings, now: T0, repository }).catch((x) => x);
    expect(isCareIdError(e, 'PKI_KEY_MISMATCH')).toBe(true);
  });
});

describe('RA smartcard end-entity profile', () => {
  it('CARD-04 issues until the end the RA gives (national pack: 3 calendar years), from the issuance time, whole seconds', async () => {
    const ca = await makeCa();
    const { csr } = await cardKey();
    const issued = await ca.issue({ csr, holder: jane, now: T0, notAfter: life(T0) });
    const cert = parseCertificate(issued.certificate);
    expect(cert.notBefore.toISOString()).toBe('2026-03-01T09:30:15.000Z');
    expect(cert.notAfter.toISOString()).toBe('2029-03-01T09:30:15.000Z');
    expect(issued.notAfter).toEqual(cert.notAfter);
  });

  it('CARD-04 the life is the pack setting in calendar years: a 2-year pack, and 29 February gives 28 February', async () => {
    const ca = await makeCa(new Date('2026-01-01T00:00:00Z'));
    const twoYears = derivePack(nationalPack, { id: 'two', name: 'two', certificateLifeYears: 2 });
    const issue = async (now: Date, pack = nationalPack) =>
      parseCertificate(
        (
          await ca.issue({
            ...(await cardKey()),
            holder: jane,
            now,
            notAfter: certificateNotAfter(pack, now),
          })
        ).certificate,
      ).notAfter.toISOString();
    expect(await issue(T0, twoYears)).toBe('2028-03-01T09:30:15.000Z');
    expect(await issue(new Date('2028-02-29T10:00:00Z'))).toBe('2031-02-28T10:00:00.000Z');
    // 00:30 BST on 1 June: 1 June 2029 at 00:30 BST.
    expect(await issue(new Date('2026-05-31T23:30:00Z'))).toBe('2029-05-31T23:30:00.000Z');
  });

  it('CARD-04 the CA has no life setting of its own: validityDays in its settings is refused, an end before the start too', async () => {
    await expect(
      createCertificateAuthority({
        settings: { ...settings, validityDays: 730 } as never,
        now: T0,
      }),
    ).rejects.toMatchObject({
      code: 'VALIDATION',
      message: expect.stringMatching(/certificateLifeYears/),
    });
    const ca = await makeCa();
    await expect(
      ca.issue({ ...(await cardKey()), holder: jane, now: T0, notAfter: T0 }),
    ).rejects.toMatchObject({ code: 'VALIDATION', field: 'notAfter' });
  });

  it('ID-05 builds the subject from the holder (CN, serialNumber = UUID, one RDN each), never from the CSR', async () => {
    const ca = await makeCa();
    const signer = await generateSoftwareSigner();
    const { createCsr } = await import('../../src/pki/index.js');
    const csr = await createCsr(signer, {
      commonName: 'Mallory Admin',
      serialNumber: '000000000000',
    });
    const cert = parseCertificate(
      (await ca.issue({ csr, holder: jane, now: T0, notAfter: life(T0) })).certificate,
    );
    expect(cert.subject.map((a) => [a.type, a.value, a.rdn])).toEqual([
      ['CN', 'Jane Doe', 0],
      ['serialNumber', '555123456789', 1],
    ]);
    expect(cert.publicKey.spki).toEqual(signer.publicKey);
  });

  it('writes keyUsage digitalSignature (critical), EKU clientAuth + smartcardLogon, UPN, CRL DP, OCSP AIA, SKI/AKI', async () => {
    const ca = await makeCa();
    const cert = parseCertificate(
      (await ca.issue({ ...(await cardKey()), holder: jane, now: T0, notAfter: life(T0) }))
        .certificate,
    );
    const issuing = parseCertificate(ca.issuingCertificate);
    expect(cert.keyUsage).toBe(DIGITAL_SIGNATURE);
    expect(cert.extensions.get('2.5.29.15')?.critical).toBe(true);
    expect(cert.extendedKeyUsage).toEqual(['1.3.6.1.5.5.7.3.2', '1.3.6.1.4.1.311.20.2.2']);
    expect(cert.upn).toBe('jane.doe@nhs.net');
    expect(cert.crlUrls).toEqual([settings.crlUrl]);
    expect(cert.ocspUrls).toEqual([settings.ocspUrl]);
    expect(cert.authorityKeyId).toEqual(issuing.subjectKeyId);
    expect(cert.subjectKeyId?.length).toBe(20);
    expect(cert.signatureAlgorithm).toEqual({ kind: 'ecdsa', hash: 'SHA-256' });
  });

  it('is read the same way by PKI.js: double-wrapped UPN otherName, single-valued RDNs, extensions parsed', async () => {
    const ca = await makeCa();
    const der = (
      await ca.issue({ ...(await cardKey()), holder: jane, now: T0, notAfter: life(T0) })
    ).certificate;
    const pk = pkijs.Certificate.fromBER(der);
    expect(pk.subject.typesAndValues.map((t) => [t.type, t.value.valueBlock.value])).toEqual([
      ['2.5.4.3', 'Jane Doe'],
      ['2.5.4.5', '555123456789'],
    ]);
    const san = pk.extensions?.find((e) => e.extnID === '2.5.29.17');
    expect(san).toBeDefined();
    const names = (san!.parsedValue as pkijs.AltName).altNames;
    expect(names[0]?.type).toBe(0);
    // PKI.js hands otherName back as a raw [0] { OID, [0] { value } }: the double wrap.
    const other = names[0]?.value as asn1js.Constructed;
    const [typeId, wrapped] = other.valueBlock.value as [
      asn1js.ObjectIdentifier,
      asn1js.Constructed,
    ];
    expect(typeId.valueBlock.toString()).toBe('1.3.6.1.4.1.311.20.2.3');
    expect((wrapped.valueBlock.value[0] as asn1js.Utf8String).valueBlock.value).toBe(
      'jane.doe@nhs.net',
    );
    for (const e of pk.extensions ?? []) expect(e.parsedValue).toBeDefined();
    expect(pk.notAfter.value.getTime()).toBe(parseCertificate(der).notAfter.getTime());
  });

  it('writes UTCTime before 2050 and GeneralizedTime from 2050 (RFC 5280 §4.1.2.5), read back right by PKI.js', async () => {
    const now = new Date('2048-06-01T00:00:00Z');
    const ca = await makeCa(now);
    const der = (await ca.issue({ ...(await cardKey()), holder: jane, now, notAfter: life(now) }))
      .certificate;
    const cert = parseCertificate(der);
    expect(cert.notBefore.toISOString()).toBe('2048-06-01T00:00:00.000Z');
    expect(cert.notAfter.getUTCFullYear()).toBe(2051);
    const hex = Buffer.from(der).toString('hex');
    expect(hex).toContain(`170d${Buffer.from('480601000000Z').toString('hex')}`);
    expect(hex).toContain(`180f${Buffer.from('20510601000000Z').toString('hex').slice(0, 8)}`);
    const pk = pkijs.Certificate.fromBER(der);
    expect(pk.notAfter.type).toBe(1); // GeneralizedTime
    expect(pk.notAfter.value.getUTCFullYear()).toBe(2051);
  });

  it('draws random positive 16-byte serials, all different', async () => {
    const ca = await makeCa();
    const { signer } = await cardKey();
    const serials = new Set<string>();
    for (let i = 0; i < 50; i++) {
      const s = (
        await ca.issue({ publicKey: signer.publicKey, holder: jane, now: T0, notAfter: life(T0) })
      ).serialHex;
      expect(s).toMatch(/^[4-7][0-9a-f]{31}$/);
      serials.add(s);
    }
    expect(serials.size).toBe(50);
  });

  it('validates the holder with zod, naming the field (ID-05 UUID is 12 digits)', async () => {
    const ca = await makeCa();
    const e = await ca
      .issue({
        ...(await cardKey()),
        holder: { ...jane, uuid: '12345' },
        now: T0,
        notAfter: life(T0),
      })
      .catch((x) => x);
    expect(e).toBeInstanceOf(ValidationError);
    expect((e as ValidationError).field).toBe('uuid');
  });

  it('refuses to issue before the issuing CA is valid (PKI_EXPIRED)', async () => {
    const ca = await makeCa();
    const e = await ca
      .issue({
        ...(await cardKey()),
        holder: jane,
        now: new Date(T0.getTime() - DAY),
        notAfter: life(new Date(T0.getTime() - DAY)),
      })
      .catch((x) => x);
    expect(isCareIdError(e, 'PKI_EXPIRED')).toBe(true);
  });

  it('never lets a certificate outlive its issuing CA', async () => {
    const repository = memoryCaRepository();
    const ca = await createCertificateAuthority({
      settings: { ...settings, issuing: { ...settings.issuing, validityDays: 100 } },
      now: T0,
      repository,
    });
    const cert = parseCertificate(
      (await ca.issue({ ...(await cardKey()), holder: jane, now: T0, notAfter: life(T0) }))
        .certificate,
    );
    expect(cert.notAfter).toEqual(parseCertificate(ca.issuingCertificate).notAfter);
  });
});
