import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { fromPkijs, readDer } from './asn1.js';
import {
  OID_AD_CA_ISSUERS,
  OID_AD_OCSP,
  OID_AUTHORITY_INFO_ACCESS,
  OID_AUTHORITY_KEY_IDENTIFIER,
  OID_BASIC_CONSTRAINTS,
  OID_CRL_DISTRIBUTION_POINTS,
  OID_EXT_KEY_USAGE,
  OID_KEY_USAGE,
  OID_OCSP_NOCHECK,
  OID_SUBJECT_ALT_NAME,
  OID_SUBJECT_KEY_IDENTIFIER,
  OID_UPN,
} from './oids.js';
import { malformed } from './pki-error.js';

/**
 * The certificate extensions careid writes and reads (RFC 5280 §4.2), built and parsed
 * with PKI.js's extension classes; careid adds what PKI.js leaves to its callers (the
 * DER named-bit keyUsage, the UPN otherName).
 */

/** KeyUsage bits (RFC 5280 §4.2.1.3). */
export const KeyUsageBit = {
  digitalSignature: 0,
  nonRepudiation: 1,
  keyEncipherment: 2,
  dataEncipherment: 3,
  keyAgreement: 4,
  keyCertSign: 5,
  cRLSign: 6,
} as const;

/** GeneralName choices careid uses (RFC 5280 §4.2.1.6). */
const GN_OTHER_NAME = 0;
const GN_URI = 6;
/** The context-specific class in asn1js's numbering. */
const CONTEXT_CLASS = 3;

/** Largest extension value careid reads. */
const MAX_EXTENSION_BYTES = 16 * 1024;

/** One Extension (RFC 5280 §4.1): critical written only when true (DER default FALSE). */
export function extension(
  id: string,
  critical: boolean,
  value: { toBER(sizeOnly?: boolean): ArrayBuffer },
): pkijs.Extension {
  return new pkijs.Extension({ extnID: id, critical, extnValue: value.toBER(false) });
}

/** basicConstraints for a CA, critical, with pathLenConstraint (RFC 5280 §4.2.1.9). */
export function basicConstraintsCa(pathLen: number): pkijs.Extension {
  const value = new pkijs.BasicConstraints({ cA: true, pathLenConstraint: pathLen });
  return extension(OID_BASIC_CONSTRAINTS, true, value.toSchema());
}

/** keyUsage, critical, with the given bits as a DER named-bit BIT STRING (X.690 §11.2.2). */
export function keyUsage(bits: readonly number[]): pkijs.Extension {
  let value = 0;
  for (const b of bits) value |= 0x8000 >> b;
  // DER drops trailing zero bits of a named-bit list and counts them as unused.
  const bytes = value & 0xff ? [value >> 8, value & 0xff] : [value >> 8];
  const last = bytes[bytes.length - 1] ?? 0;
  let unusedBits = 0;
  while (unusedBits < 7 && (last & (1 << unusedBits)) === 0) unusedBits++;
  const bitString = new asn1js.BitString({ valueHex: Uint8Array.from(bytes), unusedBits });
  return extension(OID_KEY_USAGE, true, bitString);
}

/** extendedKeyUsage with the given purposes (RFC 5280 §4.2.1.12). */
export function extendedKeyUsage(purposes: readonly string[], critical = false): pkijs.Extension {
  const value = new pkijs.ExtKeyUsage({ keyPurposes: [...purposes] });
  return extension(OID_EXT_KEY_USAGE, critical, value.toSchema());
}

/** subjectKeyIdentifier (RFC 5280 §4.2.1.2). */
export function subjectKeyIdentifier(keyId: Uint8Array): pkijs.Extension {
  return extension(OID_SUBJECT_KEY_IDENTIFIER, false, new asn1js.OctetString({ valueHex: keyId }));
}

/** authorityKeyIdentifier with keyIdentifier only (RFC 5280 §4.2.1.1). */
export function authorityKeyIdentifier(keyId: Uint8Array): pkijs.Extension {
  const value = new pkijs.AuthorityKeyIdentifier({
    keyIdentifier: new asn1js.OctetString({ valueHex: keyId }),
  });
  return extension(OID_AUTHORITY_KEY_IDENTIFIER, false, value.toSchema());
}

/**
 * subjectAltName with a UPN otherName: `[0] IMPLICIT OtherName { type-id, [0] EXPLICIT
 * UTF8String }` (RFC 5280 §4.2.1.6). PKI.js's GeneralName wraps an otherName value in one
 * more `[0]` than it reads back, so careid builds the GeneralNames with asn1js.
 */
export function subjectAltNameUpn(upn: string): pkijs.Extension {
  const otherName = new asn1js.Constructed({
    idBlock: { tagClass: CONTEXT_CLASS, tagNumber: GN_OTHER_NAME },
    value: [
      new asn1js.ObjectIdentifier({ value: OID_UPN }),
      new asn1js.Constructed({
        idBlock: { tagClass: CONTEXT_CLASS, tagNumber: 0 },
        value: [new asn1js.Utf8String({ value: upn })],
      }),
    ],
  });
  return extension(OID_SUBJECT_ALT_NAME, false, new asn1js.Sequence({ value: [otherName] }));
}

/** cRLDistributionPoints with one full-name URI (RFC 5280 §4.2.1.13). */
export function crlDistributionPoints(url: string): pkijs.Extension {
  const value = new pkijs.CRLDistributionPoints({
    distributionPoints: [
      new pkijs.DistributionPoint({
        distributionPoint: [new pkijs.GeneralName({ type: GN_URI, value: url })],
      }),
    ],
  });
  return extension(OID_CRL_DISTRIBUTION_POINTS, false, value.toSchema());
}

/** authorityInfoAccess with an OCSP URL and optionally a caIssuers URL (RFC 5280 §4.2.2.1). */
export function authorityInfoAccess(ocspUrl: string, caIssuersUrl?: string): pkijs.Extension {
  const access = (method: string, url: string) =>
    new pkijs.AccessDescription({
      accessMethod: method,
      accessLocation: new pkijs.GeneralName({ type: GN_URI, value: url }),
    });
  const accessDescriptions = [access(OID_AD_OCSP, ocspUrl)];
  if (caIssuersUrl !== undefined) accessDescriptions.push(access(OID_AD_CA_ISSUERS, caIssuersUrl));
  const value = new pkijs.InfoAccess({ accessDescriptions });
  return extension(OID_AUTHORITY_INFO_ACCESS, false, value.toSchema());
}

/** id-pkix-ocsp-nocheck on a delegated responder's certificate (RFC 6960 §4.2.2.2.1). */
export function ocspNoCheck(): pkijs.Extension {
  return extension(OID_OCSP_NOCHECK, false, new asn1js.Null());
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

/** The extensions of a certificate by OID, each at most once (RFC 5280 §4.2). */
export function extensionMap(
  extensions: readonly pkijs.Extension[] | undefined,
  what: string,
): ReadonlyMap<string, ParsedExtension> {
  const out = new Map<string, ParsedExtension>();
  for (const e of extensions ?? []) {
    if (out.has(e.extnID)) throw malformed(what, `extension ${e.extnID} appears twice`);
    out.set(e.extnID, { critical: e.critical, value: e.extnValue.valueBlock.valueHexView });
  }
  return out;
}

/** Parses an extension's value with a PKI.js class, if the extension is present. */
function withValue<T>(
  ext: ParsedExtension | undefined,
  what: string,
  read: (schema: asn1js.AsnType) => T,
): T | undefined {
  if (ext === undefined) return undefined;
  const schema = readDer(ext.value, what, MAX_EXTENSION_BYTES);
  return fromPkijs(what, () => read(schema));
}

/** What careid reads out of a certificate's extensions. */
export interface KnownExtensions {
  readonly basicConstraints: BasicConstraints | undefined;
  readonly keyUsage: number | undefined;
  readonly extendedKeyUsage: readonly string[];
  readonly subjectKeyId: Uint8Array | undefined;
  readonly authorityKeyId: Uint8Array | undefined;
  readonly upn: string | undefined;
  readonly crlUrls: readonly string[];
  readonly ocspUrls: readonly string[];
}

/**
 * Reads the extensions careid understands.
 *
 * @throws PKI_MALFORMED when one of them is malformed.
 */
export function readKnownExtensions(
  exts: ReadonlyMap<string, ParsedExtension>,
  what: string,
): KnownExtensions {
  return {
    basicConstraints: withValue(exts.get(OID_BASIC_CONSTRAINTS), what, readBasicConstraints),
    keyUsage: withValue(exts.get(OID_KEY_USAGE), what, (s) => readKeyUsage(s, what)),
    extendedKeyUsage:
      withValue(exts.get(OID_EXT_KEY_USAGE), what, (schema) => [
        ...new pkijs.ExtKeyUsage({ schema }).keyPurposes,
      ]) ?? [],
    subjectKeyId: withValue(exts.get(OID_SUBJECT_KEY_IDENTIFIER), what, (s) => {
      if (!(s instanceof asn1js.OctetString)) throw malformed(what, 'bad subjectKeyIdentifier');
      return s.valueBlock.valueHexView;
    }),
    authorityKeyId: withValue(
      exts.get(OID_AUTHORITY_KEY_IDENTIFIER),
      what,
      (schema) =>
        new pkijs.AuthorityKeyIdentifier({ schema }).keyIdentifier?.valueBlock.valueHexView,
    ),
    upn: withValue(exts.get(OID_SUBJECT_ALT_NAME), what, (s) => readUpn(s, what)),
    crlUrls: withValue(exts.get(OID_CRL_DISTRIBUTION_POINTS), what, readCrlUrls) ?? [],
    ocspUrls: withValue(exts.get(OID_AUTHORITY_INFO_ACCESS), what, readOcspUrls) ?? [],
  };
}

function readBasicConstraints(schema: asn1js.AsnType): BasicConstraints {
  const bc = new pkijs.BasicConstraints({ schema });
  const pathLen = bc.pathLenConstraint;
  if (pathLen === undefined) return { ca: bc.cA };
  // PKI.js gives a number, or the INTEGER itself when it is too large for one.
  if (typeof pathLen !== 'number' || pathLen < 0) throw new TypeError('bad pathLenConstraint');
  return { ca: bc.cA, pathLen };
}

/** keyUsage as a number: bit `n` set when KeyUsage bit `n` is asserted. */
function readKeyUsage(schema: asn1js.AsnType, what: string): number {
  if (!(schema instanceof asn1js.BitString)) throw malformed(what, 'bad keyUsage');
  const bytes = schema.valueBlock.valueHexView;
  if (bytes.length === 0) throw malformed(what, 'bad keyUsage');
  let bits = 0;
  bytes.subarray(0, 2).forEach((byte, i) => {
    for (let k = 0; k < 8; k++) if (byte & (0x80 >> k)) bits |= 1 << (i * 8 + k);
  });
  return bits;
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** The UPN otherName of a subjectAltName; PKI.js hands otherName back as its raw `[0]`. */
function readUpn(schema: asn1js.AsnType, what: string): string | undefined {
  for (const gn of new pkijs.AltName({ schema }).altNames) {
    if (gn.type !== GN_OTHER_NAME) continue;
    const [typeId, wrapped] = (gn.value as asn1js.Constructed).valueBlock.value;
    if (!(typeId instanceof asn1js.ObjectIdentifier) || typeId.valueBlock.toString() !== OID_UPN) {
      continue;
    }
    const inner = (wrapped as asn1js.Constructed | undefined)?.valueBlock.value[0];
    if (!(inner instanceof asn1js.Utf8String)) continue;
    try {
      return utf8.decode(inner.valueBlock.valueHexView);
    } catch (error) {
      throw malformed(what, 'UPN is not UTF-8', error);
    }
  }
  return undefined;
}

function uri(gn: pkijs.GeneralName): string | undefined {
  return gn.type === GN_URI && typeof gn.value === 'string' ? gn.value : undefined;
}

function readCrlUrls(schema: asn1js.AsnType): string[] {
  const out: string[] = [];
  for (const dp of new pkijs.CRLDistributionPoints({ schema }).distributionPoints) {
    const names = dp.distributionPoint;
    if (!Array.isArray(names)) continue; // nameRelativeToCRLIssuer: no URL
    for (const gn of names) {
      const u = uri(gn);
      if (u !== undefined) out.push(u);
    }
  }
  return out;
}

function readOcspUrls(schema: asn1js.AsnType): string[] {
  const out: string[] = [];
  for (const ad of new pkijs.InfoAccess({ schema }).accessDescriptions) {
    const u = ad.accessMethod === OID_AD_OCSP ? uri(ad.accessLocation) : undefined;
    if (u !== undefined) out.push(u);
  }
  return out;
}
