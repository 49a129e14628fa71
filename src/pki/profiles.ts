import * as pkijs from 'pkijs';
import {
  keyIdentifier,
  type PublicKeyInfo,
  parsePublicKey,
  signatureAlgorithmIdentifier,
} from './algorithms.js';
import { type ParsedCertificate, parseCertificate, signCertificate } from './certificate.js';
import {
  authorityInfoAccess,
  authorityKeyIdentifier,
  basicConstraintsCa,
  crlDistributionPoints,
  extendedKeyUsage,
  KeyUsageBit,
  keyUsage,
  ocspNoCheck,
  subjectAltNameUpn,
  subjectKeyIdentifier,
} from './extensions.js';
import { buildName, type NameAttribute } from './name.js';
import {
  OID_KP_CLIENT_AUTH,
  OID_KP_OCSP_SIGNING,
  OID_KP_PIV_CONTENT_SIGNING,
  OID_KP_SMARTCARD_LOGON,
} from './oids.js';
import type { CaCertificateSettings, CaSettings, CertificateHolder } from './settings.js';
import type { Signer } from './signer.js';
import { addDays } from './time.js';

/**
 * The certificate profiles careid issues (RFC 5280): root and issuing CA, delegated OCSP
 * responder, and the RA smartcard end-entity certificate.
 */

/** Random serial length: 16 octets (CA/B BR §7.1 asks for 64 random bits; RFC 5280 allows 20). */
const SERIAL_BYTES = 16;

/**
 * A random positive serial of exactly 16 octets: the top bit is cleared (positive INTEGER,
 * RFC 5280 §4.1.2.2) and the next one set, so DER needs no leading zero and every serial
 * has the same length.
 */
export function randomSerial(): Uint8Array {
  const s = crypto.getRandomValues(new Uint8Array(SERIAL_BYTES));
  s[0] = (s[0]! & 0x7f) | 0x40;
  return s;
}

/** A CA's Name: O (if set) then CN, one RDN each. */
export function caName(part: CaCertificateSettings): pkijs.RelativeDistinguishedNames {
  return buildName(caNameAttributes(part));
}

function caNameAttributes(part: CaCertificateSettings): NameAttribute[] {
  const attrs: NameAttribute[] = [];
  if (part.organization !== undefined) attrs.push({ type: 'O', value: part.organization });
  attrs.push({ type: 'CN', value: part.commonName });
  return attrs;
}

/** The delegated OCSP responder's Name: the issuing CA's, CN suffixed. */
export function responderName(issuing: CaCertificateSettings): pkijs.RelativeDistinguishedNames {
  return serviceName(issuing, 'OCSP Responder');
}

/** The Name of a service of the issuing CA: its Name, the CN suffixed with `role`. */
export function serviceName(
  issuing: CaCertificateSettings,
  role: string,
): pkijs.RelativeDistinguishedNames {
  const cn = `${issuing.commonName} ${role}`.slice(0, 64);
  return buildName([...caNameAttributes(issuing).slice(0, -1), { type: 'CN', value: cn }]);
}

/** Who signs a CA-profile certificate. */
export interface CertificateIssuer {
  readonly signer: Signer;
  /** The issuer's Name, as its own certificate has it. */
  readonly name: pkijs.RelativeDistinguishedNames;
  /** The issuer's key identifier; empty for a self-signed certificate. */
  readonly keyId: Uint8Array;
  /** The issuer's own notAfter: nothing it signs outlives it. */
  readonly notAfter?: Date;
}

/** Which CA-side profile to issue. */
export type AuthorityProfile =
  | { readonly kind: 'ca'; readonly pathLen: number }
  | { readonly kind: 'ocsp-responder' }
  | {
      readonly kind: 'content-signer';
      /** Where relying parties find the issuing CA's CRL and OCSP responder. */
      readonly revocation: Pick<CaSettings, 'crlUrl' | 'ocspUrl' | 'caIssuersUrl'>;
    };

function profileExtensions(profile: AuthorityProfile): readonly pkijs.Extension[] {
  if (profile.kind === 'ca') {
    // RFC 5280 §4.2.1.9 (critical, cA, pathLen) and §4.2.1.3 (keyCertSign | cRLSign).
    return [
      basicConstraintsCa(profile.pathLen),
      keyUsage([KeyUsageBit.keyCertSign, KeyUsageBit.cRLSign]),
    ];
  }
  if (profile.kind === 'content-signer') {
    // FIPS 201-3 §4.2.1: the PIV content signer signs the CHUID (and other signed objects).
    // It can be revoked, so it says where its status is published (RFC 5280 §4.2.1.13,
    // §4.2.2.1), as the PIV certificate profile asks of every certificate it covers.
    const { crlUrl, ocspUrl, caIssuersUrl } = profile.revocation;
    return [
      keyUsage([KeyUsageBit.digitalSignature]),
      extendedKeyUsage([OID_KP_PIV_CONTENT_SIGNING]),
      crlDistributionPoints(crlUrl),
      authorityInfoAccess(ocspUrl, caIssuersUrl),
    ];
  }
  // RFC 6960 §4.2.2.2: id-kp-OCSPSigning; §4.2.2.2.1: ocsp-nocheck.
  return [
    keyUsage([KeyUsageBit.digitalSignature]),
    extendedKeyUsage([OID_KP_OCSP_SIGNING]),
    ocspNoCheck(),
  ];
}

/**
 * Issues a root (self-signed when `issuer.keyId` is empty), issuing CA, OCSP responder or
 * PIV content-signing certificate for the key `subjectKey` (a DER SubjectPublicKeyInfo), with SKI and AKI.
 */
export async function issueAuthorityCertificate(
  issuer: CertificateIssuer,
  subjectKey: Uint8Array,
  subjectName: pkijs.RelativeDistinguishedNames,
  profile: AuthorityProfile,
  notBefore: Date,
  days: number,
): Promise<ParsedCertificate> {
  const key = parsePublicKey(subjectKey);
  const keyId = await keyIdentifier(key);
  let notAfter = addDays(notBefore, days);
  if (issuer.notAfter !== undefined && notAfter > issuer.notAfter) notAfter = issuer.notAfter;
  const der = await signCertificate(
    issuer.signer,
    signatureAlgorithmIdentifier(issuer.signer.algorithm),
    {
      serial: randomSerial(),
      issuer: issuer.name,
      notBefore,
      notAfter,
      subject: subjectName,
      publicKey: pkijs.PublicKeyInfo.fromBER(key.spki),
      extensions: [
        ...profileExtensions(profile),
        subjectKeyIdentifier(keyId),
        authorityKeyIdentifier(issuer.keyId.length > 0 ? issuer.keyId : keyId),
      ],
    },
  );
  return parseCertificate(der);
}

/** What one end-entity certificate varies in. */
export interface EndEntityFields {
  readonly serial: Uint8Array;
  readonly notBefore: Date;
  readonly notAfter: Date;
  readonly holder: CertificateHolder;
  readonly key: PublicKeyInfo;
  /** The key's identifier (RFC 7093 §2 method 1). */
  readonly keyId: Uint8Array;
}

/** The end-entity profile of one issuing CA, its shared parts built once. */
export interface EndEntityTemplate {
  /** Builds the certificate for `fields` and has the issuing CA's signer sign it. */
  sign(fields: EndEntityFields): Promise<Uint8Array>;
}

/**
 * The RA smartcard profile: keyUsage digitalSignature (critical), EKU clientAuth +
 * smartcardLogon, CRL DP, AIA OCSP (and caIssuers), AKI, built once per CA. Per
 * certificate only the serial, validity, subject (CN + serialNumber = UUID), key, SAN UPN
 * and SKI change.
 */
export function endEntityTemplate(
  settings: CaSettings,
  issuing: {
    readonly signer: Signer;
    readonly name: pkijs.RelativeDistinguishedNames;
    readonly keyId: Uint8Array;
  },
): EndEntityTemplate {
  const signatureAlgorithm = signatureAlgorithmIdentifier(issuing.signer.algorithm);
  const shared = [
    keyUsage([KeyUsageBit.digitalSignature]),
    extendedKeyUsage([OID_KP_CLIENT_AUTH, OID_KP_SMARTCARD_LOGON]),
    crlDistributionPoints(settings.crlUrl),
    authorityInfoAccess(settings.ocspUrl, settings.caIssuersUrl),
    authorityKeyIdentifier(issuing.keyId),
  ];
  return {
    sign(f: EndEntityFields): Promise<Uint8Array> {
      return signCertificate(issuing.signer, signatureAlgorithm, {
        serial: f.serial,
        issuer: issuing.name,
        notBefore: f.notBefore,
        notAfter: f.notAfter,
        // Built from the holder, never from the CSR (ID-05: serialNumber carries the UUID).
        subject: buildName([
          // CARD-11: without a name, the CN is the UUID: no personal data on the card.
          { type: 'CN', value: f.holder.commonName ?? f.holder.uuid },
          { type: 'serialNumber', value: f.holder.uuid },
        ]),
        publicKey: pkijs.PublicKeyInfo.fromBER(f.key.spki),
        extensions: [...shared, subjectAltNameUpn(f.holder.upn), subjectKeyIdentifier(f.keyId)],
      });
    },
  };
}
