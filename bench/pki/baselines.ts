/**
 * The baselines careid is compared with: the same end-entity certificate and the same CRL
 * built the stock way, object by object, with PKI.js used directly (signing with its
 * WebCrypto engine) and with @peculiar/x509.
 */
import './reflect-shim.js';
import type { webcrypto } from 'node:crypto';
import * as x509 from '@peculiar/x509';
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';

/** Everything one end-entity issuance needs, shared by every implementation. */
export interface IssueParams {
  readonly issuerCert: Uint8Array;
  readonly issuerKey: webcrypto.CryptoKey;
  readonly subjectPublicKey: webcrypto.CryptoKey;
  readonly commonName: string;
  readonly uuid: string;
  readonly upn: string;
  readonly notBefore: Date;
  readonly notAfter: Date;
  readonly crlUrl: string;
  readonly ocspUrl: string;
}

function randomSerial(): Uint8Array {
  const s = crypto.getRandomValues(new Uint8Array(16));
  s[0] = (s[0]! & 0x7f) | 0x40;
  return s;
}

/**
 * PKI.js used directly, the way its examples build a certificate (one object per field,
 * then `cert.sign` with the CryptoKey), writing the same certificate careid writes: the
 * subject as two single-valued RDNs and the UPN otherName with one `[0]` (PKI.js's own
 * `toSchema` would write one multi-valued RDN and an extra `[0]`, so both are built with
 * asn1js, as any PKI.js user must).
 */
export async function pkijsIssue(p: IssueParams): Promise<Uint8Array> {
  const issuer = pkijs.Certificate.fromBER(p.issuerCert);
  const cert = new pkijs.Certificate();
  cert.version = 2;
  cert.serialNumber = new asn1js.Integer({ valueHex: randomSerial() });
  cert.issuer = issuer.subject;
  const rdn = (type: string, value: pkijs.AttributeValueType) =>
    new asn1js.Set({ value: [new pkijs.AttributeTypeAndValue({ type, value }).toSchema()] });
  cert.subject = pkijs.RelativeDistinguishedNames.fromBER(
    new asn1js.Sequence({
      value: [
        rdn('2.5.4.3', new asn1js.Utf8String({ value: p.commonName })),
        rdn('2.5.4.5', new asn1js.PrintableString({ value: p.uuid })),
      ],
    }).toBER(),
  );
  cert.notBefore.value = p.notBefore;
  cert.notAfter.value = p.notAfter;
  await cert.subjectPublicKeyInfo.importKey(p.subjectPublicKey);
  const keyUsage = new asn1js.BitString({ valueHex: Uint8Array.of(0x80), unusedBits: 7 });
  const eku = new pkijs.ExtKeyUsage({
    keyPurposes: ['1.3.6.1.5.5.7.3.2', '1.3.6.1.4.1.311.20.2.2'],
  });
  // otherName: PKI.js wants the [0] { type-id, [0] { value } } built by hand.
  const upn = new asn1js.Constructed({
    idBlock: { tagClass: 3, tagNumber: 0 },
    value: [
      new asn1js.ObjectIdentifier({ value: '1.3.6.1.4.1.311.20.2.3' }),
      new asn1js.Constructed({
        idBlock: { tagClass: 3, tagNumber: 0 },
        value: [new asn1js.Utf8String({ value: p.upn })],
      }),
    ],
  });
  const san = new asn1js.Sequence({ value: [upn] });
  const crldp = new pkijs.CRLDistributionPoints({
    distributionPoints: [
      new pkijs.DistributionPoint({
        distributionPoint: [new pkijs.GeneralName({ type: 6, value: p.crlUrl })],
      }),
    ],
  });
  const aia = new pkijs.InfoAccess({
    accessDescriptions: [
      new pkijs.AccessDescription({
        accessMethod: '1.3.6.1.5.5.7.48.1',
        accessLocation: new pkijs.GeneralName({ type: 6, value: p.ocspUrl }),
      }),
    ],
  });
  const spkiBits = cert.subjectPublicKeyInfo.subjectPublicKey.valueBlock.valueHexView;
  const ski = new Uint8Array(await crypto.subtle.digest('SHA-256', spkiBits)).slice(0, 20);
  const issuerSki = issuer.extensions?.find((e) => e.extnID === '2.5.29.14')
    ?.parsedValue as asn1js.OctetString;
  const aki = new pkijs.AuthorityKeyIdentifier({
    keyIdentifier: new asn1js.OctetString({ valueHex: issuerSki.valueBlock.valueHexView }),
  });
  cert.extensions = [
    new pkijs.Extension({ extnID: '2.5.29.15', critical: true, extnValue: keyUsage.toBER(false) }),
    new pkijs.Extension({ extnID: '2.5.29.37', extnValue: eku.toSchema().toBER(false) }),
    new pkijs.Extension({ extnID: '2.5.29.17', extnValue: san.toBER(false) }),
    new pkijs.Extension({ extnID: '2.5.29.31', extnValue: crldp.toSchema().toBER(false) }),
    new pkijs.Extension({ extnID: '1.3.6.1.5.5.7.1.1', extnValue: aia.toSchema().toBER(false) }),
    new pkijs.Extension({
      extnID: '2.5.29.14',
      extnValue: new asn1js.OctetString({ valueHex: ski }).toBER(false),
    }),
    new pkijs.Extension({ extnID: '2.5.29.35', extnValue: aki.toSchema().toBER(false) }),
  ];
  await cert.sign(p.issuerKey, 'SHA-256');
  return new Uint8Array(cert.toSchema(true).toBER(false));
}

/** @peculiar/x509's generator with its extension classes. */
export async function x509Issue(p: IssueParams): Promise<Uint8Array> {
  const issuer = new x509.X509Certificate(p.issuerCert);
  const cert = await x509.X509CertificateGenerator.create({
    serialNumber: Buffer.from(randomSerial()).toString('hex'),
    issuer: issuer.subjectName,
    subject: [{ CN: [p.commonName] }, { '2.5.4.5': [p.uuid] }],
    notBefore: p.notBefore,
    notAfter: p.notAfter,
    publicKey: p.subjectPublicKey,
    signingKey: p.issuerKey,
    signingAlgorithm: { name: 'ECDSA', hash: 'SHA-256' } as EcdsaParams,
    extensions: [
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
      new x509.ExtendedKeyUsageExtension(['1.3.6.1.5.5.7.3.2', '1.3.6.1.4.1.311.20.2.2']),
      new x509.SubjectAlternativeNameExtension([{ type: 'upn', value: p.upn }]),
      new x509.CRLDistributionPointsExtension([p.crlUrl]),
      new x509.AuthorityInfoAccessExtension({ ocsp: [p.ocspUrl] }),
      await x509.SubjectKeyIdentifierExtension.create(p.subjectPublicKey),
      await x509.AuthorityKeyIdentifierExtension.create(issuer),
    ],
  });
  return new Uint8Array(cert.rawData);
}

type EcdsaParams = { name: string; hash: string };

/** One revoked entry for the PKI.js CRL baseline. */
export interface BaselineEntry {
  readonly serial: Uint8Array;
  readonly revokedAt: Date;
  readonly reason: number;
}

/** PKI.js, the way its examples build a CRL: a RevokedCertificate object per entry. */
export async function pkijsCrl(
  issuerCert: Uint8Array,
  issuerKey: webcrypto.CryptoKey,
  entries: readonly BaselineEntry[],
  thisUpdate: Date,
  nextUpdate: Date,
): Promise<Uint8Array> {
  const issuer = pkijs.Certificate.fromBER(issuerCert);
  const crl = new pkijs.CertificateRevocationList();
  crl.version = 1;
  crl.issuer = issuer.subject;
  crl.thisUpdate = new pkijs.Time({ type: 0, value: thisUpdate });
  crl.nextUpdate = new pkijs.Time({ type: 0, value: nextUpdate });
  crl.revokedCertificates = entries.map(
    (e) =>
      new pkijs.RevokedCertificate({
        userCertificate: new asn1js.Integer({ valueHex: e.serial }),
        revocationDate: new pkijs.Time({ type: 0, value: e.revokedAt }),
        crlEntryExtensions: new pkijs.Extensions({
          extensions: [
            new pkijs.Extension({
              extnID: '2.5.29.21',
              extnValue: new asn1js.Enumerated({ value: e.reason }).toBER(false),
            }),
          ],
        }),
      }),
  );
  const issuerSki = issuer.extensions?.find((e) => e.extnID === '2.5.29.14')
    ?.parsedValue as asn1js.OctetString;
  const aki = new pkijs.AuthorityKeyIdentifier({
    keyIdentifier: new asn1js.OctetString({ valueHex: issuerSki.valueBlock.valueHexView }),
  });
  crl.crlExtensions = new pkijs.Extensions({
    extensions: [
      new pkijs.Extension({ extnID: '2.5.29.35', extnValue: aki.toSchema().toBER(false) }),
      new pkijs.Extension({
        extnID: '2.5.29.20',
        extnValue: new asn1js.Integer({ value: 1 }).toBER(false),
      }),
    ],
  });
  await crl.sign(issuerKey, 'SHA-256');
  return new Uint8Array(crl.toSchema(true).toBER(false));
}

/**
 * PKI.js reading a CRL into the same map careid's `parseCrl` returns (serial -> time and
 * reason). asn1js's default cap of 10,000 nodes is lifted, or it refuses past about
 * 1,000 entries.
 */
export function pkijsParseCrl(der: Uint8Array): Map<string, { revokedAt: Date; reason: number }> {
  const asn1 = asn1js.fromBER(der, { maxNodes: 50_000_000, maxContentLength: 64 * 1024 * 1024 });
  if (asn1.offset === -1) throw new Error(asn1.result.error);
  const crl = new pkijs.CertificateRevocationList({ schema: asn1.result });
  const out = new Map<string, { revokedAt: Date; reason: number }>();
  for (const r of crl.revokedCertificates ?? []) {
    const reason = r.crlEntryExtensions?.extensions.find((e) => e.extnID === '2.5.29.21')
      ?.parsedValue as asn1js.Enumerated | undefined;
    out.set(Buffer.from(r.userCertificate.valueBlock.valueHexView).toString('hex'), {
      revokedAt: r.revocationDate.value,
      reason: reason?.valueBlock.valueDec ?? 0,
    });
  }
  return out;
}

/** @peculiar/x509 needs its WebCrypto provider set once. */
export function initBaselines(): void {
  x509.cryptoProvider.set(crypto as unknown as Parameters<typeof x509.cryptoProvider.set>[0]);
}
