import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { fromHex } from '../crypto/encoding.js';
import {
  type PublicKeyInfo,
  readSignatureAlgorithm,
  type SignatureAlgorithmInfo,
  signatureAlgorithmIdentifier,
  verifySignature,
} from './algorithms.js';
import {
  bytesEqual,
  encode,
  fromPkijs,
  readDer,
  toHex,
  unsignedMagnitude,
  wholeByteBits,
} from './asn1.js';
import { signTbs } from './certificate.js';
import { type CrlListEntry, readCrl, writeTbsCrl } from './crl-der.js';
import { authorityKeyIdentifier, extension } from './extensions.js';
import { OID_AUTHORITY_KEY_IDENTIFIER, OID_CRL_NUMBER, OID_CRL_REASON } from './oids.js';
import { malformed } from './pki-error.js';
import {
  type RevocationReason,
  RevocationReasonCode,
  revocationReasonFromCode,
} from './revocation-reason.js';
import type { Signer } from './signer.js';

/**
 * v2 CRLs (RFC 5280 §5): every part but the entry list is built and read with PKI.js;
 * the list of up to a million entries is streamed by `crl-der.ts` (see there why).
 */

/** Largest CRL careid reads: 64 MiB is over a million entries. */
export const MAX_CRL_BYTES = 64 * 1024 * 1024;

/** One revoked certificate on a CRL. */
export interface CrlEntry {
  /** Serial, lower-case hex (even or odd length), as the repository keys it. */
  readonly serialHex: string;
  /** When the revocation took effect. */
  readonly revokedAt: Date;
  /** RFC 5280 §5.3.1 reason. */
  readonly reason: RevocationReason;
}

/** What a CRL says, beyond its entries. */
export interface CrlFields {
  /** Encoded issuer Name: the issuing CA's subject. */
  readonly issuer: Uint8Array;
  /** The issuing CA's subjectKeyIdentifier, for the CRL's AKI (RFC 5280 §5.2.1). */
  readonly authorityKeyId: Uint8Array;
  /** cRLNumber (RFC 5280 §5.2.3). */
  readonly crlNumber: bigint;
  /** Issue time of this CRL. */
  readonly thisUpdate: Date;
  /** When the next CRL is due. */
  readonly nextUpdate: Date;
  /** The revoked certificates. */
  readonly entries: readonly CrlEntry[];
}

/** TBSCertList version v2 (RFC 5280 §5.1.2.1): PKI.js numbers versions from 0. */
const CRL_VERSION_V2 = 1;

/** crlEntryExtensions for each reason: one reasonCode extension (RFC 5280 §5.3.1). */
const REASON_EXTENSIONS: ReadonlyMap<RevocationReason, Uint8Array> = new Map(
  Object.entries(RevocationReasonCode).map(([name, code]) => [
    name as RevocationReason,
    name === 'unspecified'
      ? new Uint8Array(0) // §5.3.1: leave the reasonCode out rather than write unspecified
      : encode(
          new asn1js.Sequence({
            value: [
              extension(OID_CRL_REASON, false, new asn1js.Enumerated({ value: code })).toSchema(),
            ],
          }),
        ),
  ]),
);

/** The entry-extension encodings careid writes, with the reason each stands for. */
const KNOWN_REASON_EXTENSIONS = [...REASON_EXTENSIONS].filter(([, d]) => d.length > 0);

/** A positive INTEGER from a bigint (cRLNumber, RFC 5280 §5.2.3). */
function bigIntInteger(n: bigint): asn1js.Integer {
  let hex = n.toString(16);
  if (hex.length % 2) hex = `0${hex}`;
  if (Number.parseInt(hex.slice(0, 2), 16) & 0x80) hex = `00${hex}`;
  return new asn1js.Integer({ valueHex: fromHex(hex) });
}

/**
 * Builds and signs a v2 CRL: version, algorithm, issuer and the extensions (AKI,
 * cRLNumber) encoded by PKI.js, the entries streamed into one buffer, the TBS bytes
 * signed by `signer`.
 *
 * @throws PKI_MALFORMED when an entry's serial is not hex or is too long.
 */
export function signCrl(signer: Signer, fields: CrlFields): Promise<Uint8Array> {
  const algorithm = signatureAlgorithmIdentifier(signer.algorithm);
  const crlExtensions = new asn1js.Constructed({
    idBlock: { tagClass: 3, tagNumber: 0 },
    value: [
      new asn1js.Sequence({
        value: [
          authorityKeyIdentifier(fields.authorityKeyId).toSchema(),
          extension(OID_CRL_NUMBER, false, bigIntInteger(fields.crlNumber)).toSchema(),
        ],
      }),
    ],
  });
  const entries: CrlListEntry[] = fields.entries.map((e) => ({
    serialHex: e.serialHex,
    revokedAt: e.revokedAt,
    extensions: REASON_EXTENSIONS.get(e.reason)!,
  }));
  const tbs = writeTbsCrl(
    {
      version: encode(new asn1js.Integer({ value: CRL_VERSION_V2 })),
      signatureAlgorithm: encode(algorithm.toSchema()),
      issuer: fields.issuer,
      thisUpdate: fields.thisUpdate,
      nextUpdate: fields.nextUpdate,
      crlExtensions: encode(crlExtensions),
    },
    entries,
  );
  return signTbs(signer, tbs, algorithm);
}

/** What a CRL says about one revoked serial. */
export interface CrlRevocation {
  /** When the revocation took effect. */
  readonly revokedAt: Date;
  /** RFC 5280 §5.3.1 reason (`unspecified` when the entry carries none). */
  readonly reason: RevocationReason;
}

/** A parsed CRL. `revoked` is a Map keyed by serial hex: O(1) lookups. */
export interface ParsedCrl {
  /** The CRL DER as given. */
  readonly der: Uint8Array;
  /** DER of the TBSCertList, what the signature covers. */
  readonly tbs: Uint8Array;
  /** Encoded issuer Name. */
  readonly issuerDer: Uint8Array;
  /** Issue time. */
  readonly thisUpdate: Date;
  /** When the next CRL is due, if stated. */
  readonly nextUpdate: Date | undefined;
  /** cRLNumber, if present. */
  readonly crlNumber: bigint | undefined;
  /** AKI keyIdentifier, if present. */
  readonly authorityKeyId: Uint8Array | undefined;
  /** Revoked serials (lower-case hex) with time and reason: O(1) lookups. */
  readonly revoked: ReadonlyMap<string, CrlRevocation>;
  /** How the issuer signed it. */
  readonly signatureAlgorithm: SignatureAlgorithmInfo;
  /** The signature value. */
  readonly signature: Uint8Array;
}

const WHAT = 'CRL';
/** Largest single element handed to asn1js from a CRL (an extension list, a Name). */
const MAX_PART_BYTES = 64 * 1024;

function readAlgorithm(der: Uint8Array): SignatureAlgorithmInfo {
  const schema = readDer(der, WHAT, MAX_PART_BYTES);
  const alg = fromPkijs(WHAT, () => new pkijs.AlgorithmIdentifier({ schema }));
  return readSignatureAlgorithm(alg, WHAT);
}

function readExtensions(der: Uint8Array): readonly pkijs.Extension[] {
  const schema = readDer(der, WHAT, MAX_PART_BYTES);
  return fromPkijs(WHAT, () => new pkijs.Extensions({ schema }).extensions);
}

/** The reasonCode of an entry's extensions; careid's own encodings are matched directly. */
function readEntryReason(der: Uint8Array): RevocationReason {
  for (const [reason, encoded] of KNOWN_REASON_EXTENSIONS) {
    if (bytesEqual(der, encoded)) return reason;
  }
  let reason: RevocationReason = 'unspecified';
  for (const e of readExtensions(der)) {
    if (e.extnID !== OID_CRL_REASON) continue;
    const v = readDer(e.extnValue.valueBlock.valueHexView, WHAT, 16);
    if (!(v instanceof asn1js.Enumerated)) throw malformed(WHAT, 'reasonCode is not ENUMERATED');
    const r = revocationReasonFromCode(v.valueBlock.valueDec);
    if (r === undefined) throw malformed(WHAT, 'unknown reasonCode');
    reason = r;
  }
  return reason;
}

/**
 * Parses a DER CRL. The entry list is streamed by careid's bounded reader: asn1js (and
 * so PKI.js) stops at 10,000 nodes by default, about 1,400 entries. It does not verify
 * the signature (`validateCertificate` does).
 *
 * @throws PKI_MALFORMED when the DER is not a v2 CRL, or over 64 MiB.
 * @throws PKI_UNSUPPORTED for SHA-1 or unknown signature algorithms.
 * @example
 * ```ts
 * const crl = parseCrl(der);
 * crl.revoked.get(serialHex)?.reason;
 * ```
 */
export function parseCrl(der: Uint8Array): ParsedCrl {
  const revoked = new Map<string, CrlRevocation>();
  const read = readCrl(der, MAX_CRL_BYTES, (e) => {
    const reason = e.extensions === undefined ? 'unspecified' : readEntryReason(e.extensions);
    revoked.set(e.serialHex, { revokedAt: e.revokedAt, reason });
  });
  if (read.version !== undefined) {
    const v = readDer(read.version, WHAT, 16);
    if (!(v instanceof asn1js.Integer) || v.valueBlock.valueDec !== CRL_VERSION_V2) {
      throw malformed(WHAT, 'unknown version');
    }
  }
  const signatureAlgorithm = readAlgorithm(read.signatureAlgorithm);
  const inner = readAlgorithm(read.innerSignatureAlgorithm);
  if (inner.kind !== signatureAlgorithm.kind || inner.hash !== signatureAlgorithm.hash) {
    throw malformed(WHAT, 'signature algorithms disagree');
  }
  const signatureBits = readDer(read.signatureValue, WHAT, MAX_PART_BYTES);
  const signature = wholeByteBits(signatureBits as asn1js.BitString, WHAT);
  readDer(read.issuer, WHAT, MAX_PART_BYTES); // a well-formed element; compared as bytes
  let crlNumber: bigint | undefined;
  let authorityKeyId: Uint8Array | undefined;
  for (const e of read.crlExtensions === undefined ? [] : readExtensions(read.crlExtensions)) {
    const value = e.extnValue.valueBlock.valueHexView;
    if (e.extnID === OID_CRL_NUMBER) {
      const n = readDer(value, WHAT, 64);
      crlNumber = BigInt(`0x${toHex(unsignedMagnitude(n as asn1js.Integer, WHAT))}`);
    } else if (e.extnID === OID_AUTHORITY_KEY_IDENTIFIER) {
      const schema = readDer(value, WHAT, MAX_PART_BYTES);
      const aki = fromPkijs(WHAT, () => new pkijs.AuthorityKeyIdentifier({ schema }));
      authorityKeyId = aki.keyIdentifier?.valueBlock.valueHexView;
    }
  }
  return {
    der,
    tbs: read.tbs,
    issuerDer: read.issuer,
    thisUpdate: read.thisUpdate,
    nextUpdate: read.nextUpdate,
    crlNumber,
    authorityKeyId,
    revoked,
    signatureAlgorithm,
    signature,
  };
}

/**
 * Whether the CRL's signature verifies under the issuer's key.
 *
 * @throws PKI_MALFORMED when the signature cannot be decoded.
 */
export function verifyCrlSignature(crl: ParsedCrl, issuerKey: PublicKeyInfo): Promise<boolean> {
  return verifySignature(issuerKey, crl.signatureAlgorithm, crl.signature, crl.tbs);
}
