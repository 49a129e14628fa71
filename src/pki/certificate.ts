import {
  type PublicKeyInfo,
  readPublicKey,
  readSignatureAlgorithm,
  readSignatureBits,
  type SignatureAlgorithmInfo,
  signatureAlgorithmIdentifier,
  verifySignature,
} from './algorithms.js';
import { encodeTime } from './cert-time.js';
import {
  DerCursor,
  decodeOid,
  decodeSmallInt,
  decodeTime,
  decodeUnsigned,
  elementBytes,
  readRoot,
  type Tlv,
  toHex,
  valueBytes,
} from './der-reader.js';
import { bitString, sequence, Tag, tlv, unsignedInteger } from './der-writer.js';
import { type ParsedNameAttribute, readName } from './name.js';
import {
  OID_AD_OCSP,
  OID_AUTHORITY_INFO_ACCESS,
  OID_AUTHORITY_KEY_IDENTIFIER,
  OID_BASIC_CONSTRAINTS,
  OID_CRL_DISTRIBUTION_POINTS,
  OID_EXT_KEY_USAGE,
  OID_KEY_USAGE,
  OID_SUBJECT_ALT_NAME,
  OID_SUBJECT_KEY_IDENTIFIER,
  OID_UPN,
} from './oids.js';
import { malformed } from './pki-error.js';
import type { Signer } from './signer.js';

/** Largest certificate careid reads. */
export const MAX_CERTIFICATE_BYTES = 64 * 1024;

/** `[0] EXPLICIT INTEGER 2`: version v3 (RFC 5280 §4.1.2.1). */
const VERSION_V3 = Uint8Array.of(0xa0, 0x03, Tag.INTEGER, 0x01, 0x02); // [0] { INTEGER 2 }

/** TBSCertificate context tags (RFC 5280 §4.1): version [0], unique IDs [1] [2], extensions [3]. */
const TBS_VERSION = 0xa0;
const TBS_ISSUER_UID = 0x81;
const TBS_SUBJECT_UID = 0x82;
const TBS_EXTENSIONS = 0xa3;
/** DER BOOLEAN TRUE content octet (X.690 §11.1). */
const TRUE_OCTET = 0xff;
/** GeneralName otherName [0] and uniformResourceIdentifier [6] (RFC 5280 §4.2.1.6). */
const GN_OTHER_NAME = 0xa0;
const GN_URI = 0x86;
/** OtherName value [0] EXPLICIT (RFC 5280 §4.2.1.6). */
const OTHER_NAME_VALUE = 0xa0;
/** AuthorityKeyIdentifier keyIdentifier [0] IMPLICIT (RFC 5280 §4.2.1.1). */
const AKI_KEY_ID = 0x80;
/** DistributionPoint distributionPoint [0] and DistributionPointName fullName [0] (§4.2.1.13). */
const DP_NAME = 0xa0;
const DP_FULL_NAME = 0xa0;

/** The parts of a TBSCertificate careid writes (RFC 5280 §4.1). */
export interface CertificateFields {
  /** Serial number magnitude (positive, at most 20 octets, RFC 5280 §4.1.2.2). */
  readonly serial: Uint8Array;
  /** Encoded issuer Name. */
  readonly issuer: Uint8Array;
  readonly notBefore: Date;
  readonly notAfter: Date;
  /** Encoded subject Name. */
  readonly subject: Uint8Array;
  /** DER SubjectPublicKeyInfo. */
  readonly publicKey: Uint8Array;
  /** Encoded Extension elements, in order. */
  readonly extensions: readonly Uint8Array[];
}

/** The DER TBSCertificate for `fields`, signed with `signatureAlgorithm` (an encoded AlgorithmIdentifier). */
export function encodeTbsCertificate(
  signatureAlgorithm: Uint8Array,
  fields: CertificateFields,
): Uint8Array {
  return sequence(
    VERSION_V3,
    unsignedInteger(fields.serial),
    signatureAlgorithm,
    fields.issuer,
    sequence(encodeTime(fields.notBefore), encodeTime(fields.notAfter)),
    fields.subject,
    fields.publicKey,
    tlv(TBS_EXTENSIONS, sequence(...fields.extensions)),
  );
}

/** Signs `tbs` with `signer` and wraps it as a Certificate, CertificateList or CSR (same shape). */
export async function signStructure(
  signer: Signer,
  tbs: Uint8Array,
  signatureAlgorithm: Uint8Array = signatureAlgorithmIdentifier(signer.algorithm),
): Promise<Uint8Array> {
  const signature = await signer.sign(tbs);
  return sequence(tbs, signatureAlgorithm, bitString(signature));
}

/** One extension as found in a certificate. */
export interface ParsedExtension {
  /** Whether the extension is marked critical. */
  readonly critical: boolean;
  /** The extnValue content (the DER inside the OCTET STRING). */
  readonly value: Uint8Array;
}

/** basicConstraints (RFC 5280 §4.2.1.9). */
export interface BasicConstraints {
  /** Whether the subject is a CA. */
  readonly ca: boolean;
  /** Most CA certificates that may follow this one in a path. */
  readonly pathLen?: number;
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
const latin1 = new TextDecoder('latin1');
const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * Parses a DER X.509 v3 certificate strictly (RFC 5280 §4.1) without verifying it.
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
  const root = readRoot(der, WHAT, MAX_CERTIFICATE_BYTES);
  if (root.tag !== Tag.SEQUENCE) throw malformed(WHAT, 'not a SEQUENCE');
  const c = new DerCursor(der, root, WHAT);
  const tbsTlv = c.next(Tag.SEQUENCE);
  const outerAlg = readSignatureAlgorithm(der, c.next(Tag.SEQUENCE), WHAT);
  const signature = readSignatureBits(der, c.next(Tag.BIT_STRING), WHAT);
  c.end();

  const t = c.enter(tbsTlv);
  const version = t.next(TBS_VERSION);
  const vc = t.enter(version);
  if (decodeSmallInt(der, vc.next(Tag.INTEGER), WHAT) !== 2) throw malformed(WHAT, 'not v3');
  vc.end();
  const serial = decodeUnsigned(der, t.next(Tag.INTEGER), WHAT);
  if (serial.length > 20) throw malformed(WHAT, 'serial longer than 20 octets');
  const innerAlg = readSignatureAlgorithm(der, t.next(Tag.SEQUENCE), WHAT);
  if (innerAlg.kind !== outerAlg.kind || innerAlg.hash !== outerAlg.hash) {
    throw malformed(WHAT, 'signature algorithms disagree (RFC 5280 §4.1.1.2)');
  }
  const issuerTlv = t.next(Tag.SEQUENCE);
  const validity = t.enter(t.next(Tag.SEQUENCE));
  const notBefore = decodeTime(der, validity.next(), WHAT);
  const notAfter = decodeTime(der, validity.next(), WHAT);
  validity.end();
  const subjectTlv = t.next(Tag.SEQUENCE);
  const publicKey = readPublicKey(der, t.next(Tag.SEQUENCE));
  t.optional(TBS_ISSUER_UID);
  t.optional(TBS_SUBJECT_UID);
  const extTlv = t.optional(TBS_EXTENSIONS);
  t.end();

  const extensions = new Map<string, ParsedExtension>();
  if (extTlv !== undefined) {
    const wrapper = t.enter(extTlv);
    const list = wrapper.enter(wrapper.next(Tag.SEQUENCE));
    wrapper.end();
    while (!list.atEnd) {
      const e = list.enter(list.next(Tag.SEQUENCE));
      const id = decodeOid(der, e.next(Tag.OID), WHAT);
      const crit = e.optional(Tag.BOOLEAN);
      const critical = crit !== undefined && der[crit.valueStart] === TRUE_OCTET;
      const value = valueBytes(der, e.next(Tag.OCTET_STRING));
      e.end();
      if (extensions.has(id)) throw malformed(WHAT, `extension ${id} appears twice`);
      extensions.set(id, { critical, value });
    }
  }

  return {
    der,
    tbs: elementBytes(der, tbsTlv),
    serialHex: toHex(serial),
    issuerDer: elementBytes(der, issuerTlv),
    subjectDer: elementBytes(der, subjectTlv),
    issuer: readName(der, issuerTlv, WHAT),
    subject: readName(der, subjectTlv, WHAT),
    notBefore,
    notAfter,
    publicKey,
    signatureAlgorithm: outerAlg,
    signature,
    extensions,
    basicConstraints: withValue(extensions.get(OID_BASIC_CONSTRAINTS), readBasicConstraints),
    keyUsage: withValue(extensions.get(OID_KEY_USAGE), readKeyUsage),
    extendedKeyUsage: withValue(extensions.get(OID_EXT_KEY_USAGE), readOidList) ?? [],
    subjectKeyId: withValue(extensions.get(OID_SUBJECT_KEY_IDENTIFIER), readOctets),
    authorityKeyId: withValue(extensions.get(OID_AUTHORITY_KEY_IDENTIFIER), readAkiKeyId),
    upn: withValue(extensions.get(OID_SUBJECT_ALT_NAME), readUpn),
    crlUrls: withValue(extensions.get(OID_CRL_DISTRIBUTION_POINTS), readCrlUrls) ?? [],
    ocspUrls: withValue(extensions.get(OID_AUTHORITY_INFO_ACCESS), readOcspUrls) ?? [],
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

function withValue<T>(
  ext: ParsedExtension | undefined,
  read: (buf: Uint8Array, root: Tlv) => T,
): T | undefined {
  if (ext === undefined) return undefined;
  const root = readRoot(ext.value, 'certificate extension', MAX_CERTIFICATE_BYTES);
  return read(ext.value, root);
}

function readBasicConstraints(buf: Uint8Array, root: Tlv): { ca: boolean; pathLen?: number } {
  const c = new DerCursor(buf, root, WHAT);
  const b = c.optional(Tag.BOOLEAN);
  const ca = b !== undefined && buf[b.valueStart] === TRUE_OCTET;
  const p = c.optional(Tag.INTEGER);
  c.end();
  return p === undefined ? { ca } : { ca, pathLen: decodeSmallInt(buf, p, WHAT) };
}

function readKeyUsage(buf: Uint8Array, root: Tlv): number {
  if (root.tag !== Tag.BIT_STRING || root.end - root.valueStart < 2) {
    throw malformed(WHAT, 'bad keyUsage');
  }
  let bits = 0;
  const bytes = buf.subarray(root.valueStart + 1, Math.min(root.end, root.valueStart + 3));
  bytes.forEach((byte, i) => {
    for (let k = 0; k < 8; k++) if (byte & (0x80 >> k)) bits |= 1 << (i * 8 + k);
  });
  return bits;
}

function readOidList(buf: Uint8Array, root: Tlv): string[] {
  const c = new DerCursor(buf, root, WHAT);
  const out: string[] = [];
  while (!c.atEnd) out.push(decodeOid(buf, c.next(Tag.OID), WHAT));
  return out;
}

function readOctets(buf: Uint8Array, root: Tlv): Uint8Array {
  if (root.tag !== Tag.OCTET_STRING) throw malformed(WHAT, 'bad subjectKeyIdentifier');
  return valueBytes(buf, root);
}

function readAkiKeyId(buf: Uint8Array, root: Tlv): Uint8Array | undefined {
  const c = new DerCursor(buf, root, WHAT);
  const k = c.optional(AKI_KEY_ID);
  return k === undefined ? undefined : valueBytes(buf, k);
}

function readUpn(buf: Uint8Array, root: Tlv): string | undefined {
  const c = new DerCursor(buf, root, WHAT);
  while (!c.atEnd) {
    const gn = c.next();
    if (gn.tag !== GN_OTHER_NAME) continue;
    const o = c.enter(gn);
    const id = decodeOid(buf, o.next(Tag.OID), WHAT);
    const wrapped = o.enter(o.next(OTHER_NAME_VALUE));
    const v = wrapped.next();
    if (id === OID_UPN && v.tag === Tag.UTF8_STRING) {
      try {
        return utf8.decode(valueBytes(buf, v));
      } catch (error) {
        throw malformed(WHAT, 'UPN is not UTF-8', error);
      }
    }
  }
  return undefined;
}

function readUris(buf: Uint8Array, names: DerCursor, out: string[]): void {
  while (!names.atEnd) {
    const gn = names.next();
    if (gn.tag === GN_URI) out.push(latin1.decode(valueBytes(buf, gn)));
  }
}

function readCrlUrls(buf: Uint8Array, root: Tlv): string[] {
  const out: string[] = [];
  const c = new DerCursor(buf, root, WHAT);
  while (!c.atEnd) {
    const dp = c.enter(c.next(Tag.SEQUENCE));
    const name = dp.optional(DP_NAME);
    if (name === undefined) continue;
    const n = dp.enter(name);
    const full = n.optional(DP_FULL_NAME);
    if (full !== undefined) readUris(buf, n.enter(full), out);
  }
  return out;
}

function readOcspUrls(buf: Uint8Array, root: Tlv): string[] {
  const out: string[] = [];
  const c = new DerCursor(buf, root, WHAT);
  while (!c.atEnd) {
    const ad = c.enter(c.next(Tag.SEQUENCE));
    const method = decodeOid(buf, ad.next(Tag.OID), WHAT);
    const loc = ad.next();
    if (method === OID_AD_OCSP && loc.tag === GN_URI) out.push(latin1.decode(valueBytes(buf, loc)));
  }
  return out;
}
