import type * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import {
  judgePublicKey,
  type PublicKeyInfo,
  readSignatureAlgorithm,
  type SignatureAlgorithmInfo,
  verifySignature,
} from './algorithms.js';
import {
  bytesOf,
  encode,
  fromPkijs,
  readDer,
  signedStructure,
  toHex,
  unsignedInteger,
  unsignedMagnitude,
  wholeByteBits,
} from './asn1.js';
import {
  type BasicConstraints,
  extensionMap,
  type ParsedExtension,
  readKnownExtensions,
} from './extensions.js';
import { nameDer, type ParsedNameAttribute, readName } from './name.js';
import { malformed } from './pki-error.js';
import type { Signer } from './signer.js';
import { certificateTime, readTime } from './time.js';

export type { BasicConstraints, ParsedExtension } from './extensions.js';

/** Largest certificate careid reads. */
export const MAX_CERTIFICATE_BYTES = 64 * 1024;

/** X.509 v3 (RFC 5280 §4.1.2.1): PKI.js numbers versions from 0. */
const VERSION_V3 = 2;

/** The parts of a TBSCertificate careid writes (RFC 5280 §4.1). */
export interface CertificateFields {
  /** Serial number magnitude (positive, at most 20 octets, RFC 5280 §4.1.2.2). */
  readonly serial: Uint8Array;
  /** The issuer Name. */
  readonly issuer: pkijs.RelativeDistinguishedNames;
  readonly notBefore: Date;
  readonly notAfter: Date;
  /** The subject Name. */
  readonly subject: pkijs.RelativeDistinguishedNames;
  /** The subject's SubjectPublicKeyInfo. */
  readonly publicKey: pkijs.PublicKeyInfo;
  /** The extensions, in order. */
  readonly extensions: readonly pkijs.Extension[];
}

/**
 * Builds the TBSCertificate with PKI.js, has `signer` sign its DER, and attaches the
 * signature: the key never leaves the {@link Signer} (a card signs this way too).
 */
export async function signCertificate(
  signer: Signer,
  signatureAlgorithm: pkijs.AlgorithmIdentifier,
  fields: CertificateFields,
): Promise<Uint8Array> {
  const cert = new pkijs.Certificate({
    version: VERSION_V3,
    serialNumber: unsignedInteger(fields.serial),
    signature: signatureAlgorithm,
    issuer: fields.issuer,
    notBefore: certificateTime(fields.notBefore),
    notAfter: certificateTime(fields.notAfter),
    subject: fields.subject,
    subjectPublicKeyInfo: fields.publicKey,
    extensions: [...fields.extensions],
  });
  return signTbs(signer, encode(cert.encodeTBS()), signatureAlgorithm);
}

/** Signs DER to-be-signed bytes and wraps them as a Certificate, CertificateList or CSR. */
export async function signTbs(
  signer: Signer,
  tbs: Uint8Array,
  signatureAlgorithm: pkijs.AlgorithmIdentifier,
): Promise<Uint8Array> {
  const signature = await signer.sign(tbs);
  return signedStructure(tbs, signatureAlgorithm.toSchema(), signature);
}

/** What careid reads out of a certificate. Plain data; `der` is the input itself. */
export interface ParsedCertificate {
  /** The certificate DER as given. */
  readonly der: Uint8Array;
  /** DER of the TBSCertificate, what the signature covers. */
  readonly tbs: Uint8Array;
  /** Serial number as lower-case hex, leading zeros removed. */
  readonly serialHex: string;
  /** Encoded issuer Name. */
  readonly issuerDer: Uint8Array;
  /** Encoded subject Name. */
  readonly subjectDer: Uint8Array;
  /** Subject attributes, in order. */
  readonly subject: readonly ParsedNameAttribute[];
  /** Issuer attributes, in order. */
  readonly issuer: readonly ParsedNameAttribute[];
  /** Start of validity. */
  readonly notBefore: Date;
  /** End of validity. */
  readonly notAfter: Date;
  /** The subject's public key. */
  readonly publicKey: PublicKeyInfo;
  /** How the issuer signed it. */
  readonly signatureAlgorithm: SignatureAlgorithmInfo;
  /** The signature value (X.509 form). */
  readonly signature: Uint8Array;
  /** Every extension by OID. */
  readonly extensions: ReadonlyMap<string, ParsedExtension>;
  /** basicConstraints, when present. */
  readonly basicConstraints: BasicConstraints | undefined;
  /** keyUsage bits, bit `n` set when KeyUsage bit `n` is asserted; undefined when absent. */
  readonly keyUsage: number | undefined;
  /** extendedKeyUsage OIDs (empty when absent). */
  readonly extendedKeyUsage: readonly string[];
  /** subjectKeyIdentifier, if present. */
  readonly subjectKeyId: Uint8Array | undefined;
  /** authorityKeyIdentifier keyIdentifier, if present. */
  readonly authorityKeyId: Uint8Array | undefined;
  /** The UPN otherName in subjectAltName, if any. */
  readonly upn: string | undefined;
  /** CRL distribution point URLs. */
  readonly crlUrls: readonly string[];
  /** OCSP responder URLs from AIA. */
  readonly ocspUrls: readonly string[];
}

const WHAT = 'certificate';

/** Positions in a v3 TBSCertificate (RFC 5280 §4.1): version, serial, signature, issuer, ... */
const TBS_VALIDITY_INDEX = 4;
const TBS_SPKI_INDEX = 6;

/**
 * Parses a DER X.509 v3 certificate with PKI.js (RFC 5280 §4.1) without verifying it;
 * careid adds DER strictness, size and depth limits, the RFC 5280 time form, RDN
 * grouping and its key and algorithm policy.
 *
 * @throws PKI_MALFORMED when the DER is not a certificate.
 * @throws PKI_UNSUPPORTED for SHA-1 or unknown signature or key algorithms.
 * @throws PKI_WEAK_KEY when its key is weak.
 * @example
 * ```ts
 * const { serialHex, upn, notAfter } = parseCertificate(der);
 * ```
 */
export function parseCertificate(der: Uint8Array): ParsedCertificate {
  const schema = readDer(der, WHAT, MAX_CERTIFICATE_BYTES);
  const cert = fromPkijs(WHAT, () => new pkijs.Certificate({ schema }));
  if (cert.version !== VERSION_V3) throw malformed(WHAT, 'not v3');
  const serial = unsignedMagnitude(cert.serialNumber, WHAT);
  if (serial.length > 20) throw malformed(WHAT, 'serial longer than 20 octets');
  const outerAlg = readSignatureAlgorithm(cert.signatureAlgorithm, WHAT);
  const innerAlg = readSignatureAlgorithm(cert.signature, WHAT);
  if (innerAlg.kind !== outerAlg.kind || innerAlg.hash !== outerAlg.hash) {
    throw malformed(WHAT, 'signature algorithms disagree (RFC 5280 §4.1.1.2)');
  }
  // PKI.js keeps only the Date of a Time and no SPKI bytes: careid takes both from the
  // asn1js elements, whose places PKI.js's schema check has just confirmed.
  const tbsParts = ((schema as asn1js.Sequence).valueBlock.value[0] as asn1js.Sequence).valueBlock
    .value;
  const validity = (tbsParts[TBS_VALIDITY_INDEX] as asn1js.Sequence).valueBlock.value;
  const notBefore = readTime(validity[0], WHAT);
  const notAfter = readTime(validity[1], WHAT);
  const spki = (tbsParts[TBS_SPKI_INDEX] as asn1js.Sequence).valueBeforeDecodeView;
  const publicKey = judgePublicKey(cert.subjectPublicKeyInfo, spki);
  const extensions = extensionMap(cert.extensions, WHAT);
  const issuerDer = nameDer(cert.issuer);
  const subjectDer = nameDer(cert.subject);
  return {
    der,
    tbs: bytesOf(cert.tbsView),
    serialHex: toHex(serial),
    issuerDer,
    subjectDer,
    issuer: readName(issuerDer, WHAT),
    subject: readName(subjectDer, WHAT),
    notBefore,
    notAfter,
    publicKey,
    signatureAlgorithm: outerAlg,
    signature: wholeByteBits(cert.signatureValue, WHAT),
    extensions,
    ...readKnownExtensions(extensions, WHAT),
  };
}

/**
 * Whether `cert`'s signature verifies under `issuerKey`.
 *
 * @throws PKI_MALFORMED when the signature cannot be decoded.
 */
export function verifyCertificateSignature(
  cert: ParsedCertificate,
  issuerKey: PublicKeyInfo,
): Promise<boolean> {
  return verifySignature(issuerKey, cert.signatureAlgorithm, cert.signature, cert.tbs);
}
