import {
  DER_NULL,
  DER_TRUE,
  explicit,
  ia5String,
  octetString,
  oid,
  retag,
  sequence,
  smallInteger,
  Tag,
  tlv,
  utf8String,
} from './der-writer.js';
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

/** GeneralName tags (RFC 5280 §4.2.1.6): otherName [0], URI [6], both IMPLICIT. */
const GN_OTHER_NAME = 0xa0;
const GN_URI = 0x86;
/** AuthorityKeyIdentifier keyIdentifier [0] IMPLICIT (RFC 5280 §4.2.1.1). */
const AKI_KEY_ID = 0x80;

/** One Extension (RFC 5280 §4.1): critical written only when true (DER default FALSE). */
export function extension(id: string, critical: boolean, value: Uint8Array): Uint8Array {
  return critical
    ? sequence(oid(id), DER_TRUE, octetString(value))
    : sequence(oid(id), octetString(value));
}

/** basicConstraints for a CA, critical, with pathLenConstraint (RFC 5280 §4.2.1.9). */
export function basicConstraintsCa(pathLen: number): Uint8Array {
  return extension(OID_BASIC_CONSTRAINTS, true, sequence(DER_TRUE, smallInteger(pathLen)));
}

/** keyUsage, critical, with the given bits as a DER named-bit BIT STRING (X.690 §11.2.2). */
export function keyUsage(bits: readonly number[]): Uint8Array {
  let value = 0;
  for (const b of bits) value |= 0x8000 >> b;
  const bytes = value & 0xff ? [value >> 8, value & 0xff] : [value >> 8];
  const last = bytes[bytes.length - 1] ?? 0;
  let unused = 0;
  while (unused < 7 && (last & (1 << unused)) === 0) unused++;
  return extension(OID_KEY_USAGE, true, tlv(Tag.BIT_STRING, Uint8Array.of(unused, ...bytes)));
}

/** extendedKeyUsage with the given purposes (RFC 5280 §4.2.1.12). */
export function extendedKeyUsage(purposes: readonly string[], critical = false): Uint8Array {
  return extension(OID_EXT_KEY_USAGE, critical, sequence(...purposes.map(oid)));
}

/** subjectKeyIdentifier (RFC 5280 §4.2.1.2). */
export function subjectKeyIdentifier(keyId: Uint8Array): Uint8Array {
  return extension(OID_SUBJECT_KEY_IDENTIFIER, false, octetString(keyId));
}

/** authorityKeyIdentifier with keyIdentifier only (RFC 5280 §4.2.1.1). */
export function authorityKeyIdentifier(keyId: Uint8Array): Uint8Array {
  return extension(OID_AUTHORITY_KEY_IDENTIFIER, false, sequence(tlv(AKI_KEY_ID, keyId)));
}

/**
 * subjectAltName with a UPN otherName. OtherName's value is `[0] EXPLICIT` inside the
 * `[0] IMPLICIT` GeneralName (RFC 5280 §4.2.1.6), hence the two `A0` wrappers that PKI.js
 * asks its callers to build by hand.
 */
export function subjectAltNameUpn(upn: string): Uint8Array {
  const otherName = tlv(GN_OTHER_NAME, oid(OID_UPN), explicit(0, utf8String(upn)));
  return extension(OID_SUBJECT_ALT_NAME, false, sequence(otherName));
}

/**
 * cRLDistributionPoints with one full-name URI (RFC 5280 §4.2.1.13): DistributionPoint
 * `[0]` is a CHOICE, so it is constructed; fullName `[0]` IMPLICIT GeneralNames.
 */
export function crlDistributionPoints(url: string): Uint8Array {
  const uri = retag(ia5String(url), GN_URI);
  return extension(
    OID_CRL_DISTRIBUTION_POINTS,
    false,
    sequence(sequence(explicit(0, explicit(0, uri)))),
  );
}

/** authorityInfoAccess with an OCSP URL and optionally a caIssuers URL (RFC 5280 §4.2.2.1). */
export function authorityInfoAccess(ocspUrl: string, caIssuersUrl?: string): Uint8Array {
  const entries = [sequence(oid(OID_AD_OCSP), retag(ia5String(ocspUrl), GN_URI))];
  if (caIssuersUrl !== undefined) {
    entries.push(sequence(oid(OID_AD_CA_ISSUERS), retag(ia5String(caIssuersUrl), GN_URI)));
  }
  return extension(OID_AUTHORITY_INFO_ACCESS, false, sequence(...entries));
}

/** id-pkix-ocsp-nocheck on a delegated responder's certificate (RFC 6960 §4.2.2.2.1). */
export function ocspNoCheck(): Uint8Array {
  return extension(OID_OCSP_NOCHECK, false, DER_NULL);
}
