import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { z } from 'zod';
import { parseWith } from '../errors/parse.js';
import {
  readSignatureAlgorithm,
  signatureAlgorithmIdentifier,
  verifySignature,
} from './algorithms.js';
import { bytesEqual, bytesOf, compareBytes, encode, fromPkijs, readDer } from './asn1.js';
import {
  type ParsedCertificate,
  parseCertificate,
  verifyCertificateSignature,
} from './certificate.js';
import { KeyUsageBit } from './extensions.js';
import { checkSigner } from './guards.js';
import {
  OID_CMS_CONTENT_TYPE,
  OID_CMS_MESSAGE_DIGEST,
  OID_CMS_SIGNED_DATA,
  OID_KP_PIV_CONTENT_SIGNING,
  OID_PIV_CHUID_SECURITY_OBJECT,
  OID_PIV_SIGNER_DN,
  OID_SHA256,
  OID_SHA384,
  OID_SHA512,
} from './oids.js';
import { malformed, PkiError } from './pki-error.js';
import type { SignatureHash, Signer } from './signer.js';

/**
 * The CHUID's issuer asymmetric signature (SP 800-73-4 Part 1 §3.1.2, FIPS 201-3 §4.2.1):
 * a detached CMS SignedData (RFC 5652) over the CHUID's data elements, signed by a PIV
 * content-signing certificate of careid's issuing CA. Built and read with PKI.js's CMS
 * classes; the signature comes from any {@link Signer}.
 */

/** Largest CHUID signature careid reads (a certificate plus a signature). */
const MAX_CHUID_SIGNATURE_BYTES = 8 * 1024;
/** Largest CHUID content careid signs (SP 800-73-4 Part 1 Table 9: the CHUID is under 3 KiB). */
const MAX_CHUID_CONTENT_BYTES = 4 * 1024;
/** SignedData v3: its eContentType is not id-data (RFC 5652 §5.1). */
const SIGNED_DATA_V3 = 3;
/** SignerInfo v1: the signer is named by issuer and serial number (RFC 5652 §5.3). */
const SIGNER_INFO_V1 = 1;
/** The DER identifier octet of a SET OF (X.690 §8.12), as signed attributes are signed. */
const SET_TAG = 0x31;

const DIGEST_OID: Readonly<Record<SignatureHash, string>> = {
  'SHA-256': OID_SHA256,
  'SHA-384': OID_SHA384,
  'SHA-512': OID_SHA512,
};

const bytes = z.instanceof(Uint8Array);
const signInputSchema = z.object({
  content: bytes.refine((b) => b.length > 0 && b.length <= MAX_CHUID_CONTENT_BYTES, {
    message: `1 to ${MAX_CHUID_CONTENT_BYTES} bytes`,
  }),
  certificate: bytes,
});

/** What {@link signChuid} signs. */
export interface ChuidSignatureInput {
  /**
   * The CHUID's data elements that the signature covers, as they are written on the card:
   * every TLV before tag 3E (FASC-N 30, GUID 34, expiry 35, ...), without 3E and FE.
   */
  readonly content: Uint8Array;
  /** The DER content-signing certificate ({@link CertificateAuthority.issueContentSigner}). */
  readonly certificate: Uint8Array;
  /** The content-signing key: it must hold the certificate's key. */
  readonly signer: Signer;
}

/**
 * Produces the CHUID's issuer asymmetric signature (the value of tag 3E, SP 800-73-4
 * Part 1 §3.1.2): a DER ContentInfo holding a SignedData v3 with detached content of type
 * id-PIV-CHUIDSecurityObject, the content-signing certificate, and one SignerInfo whose
 * signed attributes are content type, message digest and pivSigner-DN (FIPS 201-3
 * §4.2.1). The Signer signs the DER SET of those attributes (RFC 5652 §5.4).
 *
 * @throws VALIDATION when the content is empty or over 4 KiB, the certificate is not bytes
 * or the signer is not a {@link Signer}.
 * @throws PKI_MALFORMED when the certificate cannot be parsed.
 * @throws PKI_KEY_MISMATCH when the signer does not hold the certificate's key.
 * @throws PKI_CHAIN_INVALID when the certificate lacks id-PIV-content-signing.
 * @example
 * ```ts
 * const signer = await generateSoftwareSigner();
 * const { certificate } = await ca.issueContentSigner({ publicKey: signer.publicKey, now });
 * const tag3E = await signChuid({ content: chuidTlvs, certificate, signer });
 * ```
 */
export async function signChuid(input: ChuidSignatureInput): Promise<Uint8Array> {
  const v = parseWith(signInputSchema, input, 'CHUID signature input');
  const signer = input.signer;
  checkSigner(signer, 'CHUID signature input', 'signer');
  const cert = parseCertificate(v.certificate);
  if (!bytesEqual(cert.publicKey.spki, signer.publicKey)) {
    throw new PkiError('PKI_KEY_MISMATCH', 'the signer does not hold the content-signing key');
  }
  checkContentSigner(cert);
  const hash = signer.algorithm.hash;
  const digestAlgorithm = new pkijs.AlgorithmIdentifier({ algorithmId: DIGEST_OID[hash] });
  const digest = new Uint8Array(await crypto.subtle.digest(hash, v.content));
  const pkCert = pkijs.Certificate.fromBER(cert.der);
  const attributes = [
    attribute(
      OID_CMS_CONTENT_TYPE,
      new asn1js.ObjectIdentifier({ value: OID_PIV_CHUID_SECURITY_OBJECT }),
    ),
    attribute(OID_CMS_MESSAGE_DIGEST, new asn1js.OctetString({ valueHex: digest })),
    attribute(OID_PIV_SIGNER_DN, pkCert.subject.toSchema()),
  ];
  // DER orders a SET OF by the encodings of its elements (X.690 §11.6): verifiers
  // re-encode the attributes that way before checking the signature, PKI.js does not sort.
  const sorted = attributes
    .map((a) => ({ a, der: encode(a.toSchema()) }))
    .sort((x, y) => compareBytes(x.der, y.der))
    .map((x) => x.a);
  const signedSet = encode(new asn1js.Set({ value: sorted.map((a) => a.toSchema()) }));
  const signature = await signer.sign(signedSet);
  const signedData = new pkijs.SignedData({
    version: SIGNED_DATA_V3,
    digestAlgorithms: [digestAlgorithm],
    encapContentInfo: new pkijs.EncapsulatedContentInfo({
      eContentType: OID_PIV_CHUID_SECURITY_OBJECT,
    }),
    certificates: [pkCert],
    signerInfos: [
      new pkijs.SignerInfo({
        version: SIGNER_INFO_V1,
        sid: new pkijs.IssuerAndSerialNumber({
          issuer: pkCert.issuer,
          serialNumber: pkCert.serialNumber,
        }),
        digestAlgorithm,
        signedAttrs: new pkijs.SignedAndUnsignedAttributes({ type: 0, attributes: sorted }),
        signatureAlgorithm: signatureAlgorithmIdentifier(signer.algorithm),
        signature: new asn1js.OctetString({ valueHex: signature }),
      }),
    ],
  });
  const contentInfo = new pkijs.ContentInfo({
    contentType: OID_CMS_SIGNED_DATA,
    content: signedData.toSchema(true),
  });
  return encode(contentInfo.toSchema());
}

function attribute(type: string, value: asn1js.BaseBlock): pkijs.Attribute {
  return new pkijs.Attribute({ type, values: [value] });
}

/** Refuses a certificate that is not a content signer (SP 800-73-4, FIPS 201-3 §4.2.1). */
function checkContentSigner(cert: ParsedCertificate): void {
  const signs =
    cert.keyUsage === undefined || (cert.keyUsage & (1 << KeyUsageBit.digitalSignature)) !== 0;
  if (!cert.extendedKeyUsage.includes(OID_KP_PIV_CONTENT_SIGNING) || !signs) {
    throw new PkiError(
      'PKI_CHAIN_INVALID',
      'the certificate is not a PIV content signer (id-PIV-content-signing, digitalSignature)',
    );
  }
}

/** What {@link verifyChuidSignature} checks. */
export interface ChuidVerificationInput {
  /** The CHUID data elements the signature covers (everything before tag 3E). */
  readonly content: Uint8Array;
  /** The value of tag 3E. */
  readonly signature: Uint8Array;
  /** The DER issuing CA certificate the content signer must be issued by. */
  readonly issuer: Uint8Array;
  /** The time to check the content signer's validity at. */
  readonly now: Date;
}

const verifyInputSchema = z.object({
  content: bytes,
  signature: bytes,
  issuer: bytes,
  now: z.date().refine((d) => !Number.isNaN(d.getTime()), 'a valid date'),
});

const WHAT = 'CHUID signature';

/**
 * Verifies a CHUID's issuer asymmetric signature as a PIV relying party does: one signer,
 * detached content of type id-PIV-CHUIDSecurityObject, signed content type, a message
 * digest that matches the content, a pivSigner-DN naming the signer, the embedded
 * certificate a content signer issued by `issuer` and valid at `now`, and the signature.
 * It does not check the issuer's own chain or revocation: {@link validateCertificate}
 * does that.
 *
 * @throws VALIDATION when the input is not of the documented shape.
 * @throws PKI_MALFORMED when the signature is not such a SignedData.
 * @throws PKI_UNSUPPORTED for SHA-1 or an unknown algorithm.
 * @throws PKI_CHAIN_INVALID when the signer is not a content signer of `issuer`.
 * @throws PKI_EXPIRED when the content signer is not valid at `now`.
 * @throws PKI_BAD_SIGNATURE when a digest or signature does not match.
 * @example
 * ```ts
 * const { signer } = await verifyChuidSignature({ content, signature: tag3E,
 *   issuer: ca.issuingCertificate, now: new Date() });
 * ```
 */
export async function verifyChuidSignature(
  input: ChuidVerificationInput,
): Promise<{ readonly signer: ParsedCertificate }> {
  const v = parseWith(verifyInputSchema, input, 'CHUID verification input');
  const issuer = parseCertificate(v.issuer);
  const root = readDer(v.signature, WHAT, MAX_CHUID_SIGNATURE_BYTES);
  const info = fromPkijs(WHAT, () => new pkijs.ContentInfo({ schema: root }));
  if (info.contentType !== OID_CMS_SIGNED_DATA) throw malformed(WHAT, 'not a SignedData');
  const sd = fromPkijs(WHAT, () => new pkijs.SignedData({ schema: info.content }));
  if (sd.version !== SIGNED_DATA_V3) throw malformed(WHAT, 'not a v3 SignedData');
  if (sd.encapContentInfo.eContentType !== OID_PIV_CHUID_SECURITY_OBJECT) {
    throw malformed(WHAT, 'content type is not id-PIV-CHUIDSecurityObject');
  }
  if (sd.encapContentInfo.eContent !== undefined) throw malformed(WHAT, 'content is not detached');
  const [signerInfo, ...moreSigners] = sd.signerInfos;
  const [pkCert, ...moreCerts] = sd.certificates ?? [];
  if (signerInfo === undefined || moreSigners.length > 0) throw malformed(WHAT, 'not one signer');
  if (!(pkCert instanceof pkijs.Certificate) || moreCerts.length > 0) {
    throw malformed(WHAT, 'not one certificate');
  }
  const cert = parseCertificate(encode(pkCert.toSchema()));
  checkContentSigner(cert);
  if (!bytesEqual(cert.issuerDer, issuer.subjectDer)) {
    throw new PkiError('PKI_CHAIN_INVALID', 'the content signer was not issued by this CA');
  }
  if (!(await verifyCertificateSignature(cert, issuer.publicKey))) {
    throw new PkiError('PKI_BAD_SIGNATURE', 'the content signer certificate does not verify');
  }
  if (v.now < cert.notBefore || v.now > cert.notAfter) {
    throw new PkiError('PKI_EXPIRED', 'the content signer certificate is not valid now');
  }
  const sid = signerInfo.sid;
  if (
    !(sid instanceof pkijs.IssuerAndSerialNumber) ||
    !bytesEqual(bytesOf(sid.issuer.valueBeforeDecode), cert.issuerDer) ||
    !bytesEqual(encode(sid.serialNumber), encode(pkCert.serialNumber))
  ) {
    throw malformed(WHAT, 'the signer is not the embedded certificate');
  }
  const algorithm = readSignatureAlgorithm(signerInfo.signatureAlgorithm, WHAT);
  const digestOid = DIGEST_OID[algorithm.hash];
  if (
    signerInfo.digestAlgorithm.algorithmId !== digestOid ||
    !sd.digestAlgorithms.some((a) => a.algorithmId === digestOid)
  ) {
    throw malformed(WHAT, 'digest and signature algorithms disagree');
  }
  const attrs = signerInfo.signedAttrs;
  if (attrs === undefined) throw malformed(WHAT, 'no signed attributes');
  const value = (type: string): asn1js.BaseBlock => {
    const found = attrs.attributes.filter((a) => a.type === type);
    const only = found[0]?.values;
    if (found.length !== 1 || only?.length !== 1) throw malformed(WHAT, `attribute ${type}`);
    return only[0] as asn1js.BaseBlock;
  };
  const contentType = value(OID_CMS_CONTENT_TYPE);
  if (
    !(contentType instanceof asn1js.ObjectIdentifier) ||
    contentType.valueBlock.toString() !== OID_PIV_CHUID_SECURITY_OBJECT
  ) {
    throw malformed(WHAT, 'signed content type is not id-PIV-CHUIDSecurityObject');
  }
  const digest = value(OID_CMS_MESSAGE_DIGEST);
  const expected = new Uint8Array(await crypto.subtle.digest(algorithm.hash, v.content));
  if (
    !(digest instanceof asn1js.OctetString) ||
    !bytesEqual(digest.valueBlock.valueHexView, expected)
  ) {
    throw new PkiError('PKI_BAD_SIGNATURE', 'the CHUID content does not match its message digest');
  }
  if (!bytesEqual(encode(value(OID_PIV_SIGNER_DN)), cert.subjectDer)) {
    throw malformed(WHAT, 'pivSigner-DN does not name the signer');
  }
  // What was signed: the signed attributes as received, with the SET OF tag (RFC 5652 §5.4).
  const signed = bytesOf(attrs.encodedValue).slice();
  signed[0] = SET_TAG;
  const signature = signerInfo.signature.valueBlock.valueHexView;
  if (!(await verifySignature(cert.publicKey, algorithm, signature, signed))) {
    throw new PkiError('PKI_BAD_SIGNATURE', 'the CHUID signature does not verify');
  }
  return { signer: cert };
}
