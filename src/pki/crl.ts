import {
  type PublicKeyInfo,
  readSignatureAlgorithm,
  readSignatureBits,
  type SignatureAlgorithmInfo,
  signatureAlgorithmIdentifier,
  verifySignature,
} from './algorithms.js';
import { timeLength, writeTime } from './cert-time.js';
import { signStructure } from './certificate.js';
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
import {
  contextTag,
  lengthOctets,
  sequence,
  smallInteger,
  Tag,
  writeHeader,
} from './der-writer.js';
import { authorityKeyIdentifier, extension } from './extensions.js';
import { OID_AUTHORITY_KEY_IDENTIFIER, OID_CRL_NUMBER, OID_CRL_REASON } from './oids.js';
import { malformed } from './pki-error.js';
import {
  type RevocationReason,
  RevocationReasonCode,
  revocationReasonFromCode,
} from './revocation-reason.js';
import type { Signer } from './signer.js';

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

/** `[0] EXPLICIT` is absent in TBSCertList: version is a bare INTEGER 1 = v2 (RFC 5280 §5.1.2.1). */
const CRL_VERSION_V2 = Uint8Array.of(Tag.INTEGER, 0x01, 0x01);
/** crlExtensions [0] EXPLICIT (RFC 5280 §5.1.2.7). */
const CRL_EXTENSIONS = 0xa0;
/** AuthorityKeyIdentifier keyIdentifier [0] IMPLICIT (RFC 5280 §4.2.1.1). */
const AKI_KEY_ID = 0x80;

/** The crlEntryExtensions for each reason: one reasonCode extension (RFC 5280 §5.3.1). */
const REASON_EXTENSIONS: ReadonlyMap<RevocationReason, Uint8Array> = new Map(
  Object.entries(RevocationReasonCode).map(([name, code]) => [
    name as RevocationReason,
    sequence(extension(OID_CRL_REASON, false, Uint8Array.of(Tag.ENUMERATED, 1, code))),
  ]),
);

function hexNibble(c: number): number {
  if (c >= 48 && c <= 57) return c - 48;
  if (c >= 97 && c <= 102) return c - 87;
  if (c >= 65 && c <= 70) return c - 55;
  return -1;
}

/** INTEGER content length of a hex serial (minimal, positive). */
function serialContentLength(hex: string): number {
  if (hex.length === 0) throw malformed('CRL entry', 'empty serial');
  let start = 0;
  while (start < hex.length - 1 && hex.charCodeAt(start) === 48) start++;
  const digits = hex.length - start;
  const bytes = (digits + 1) >> 1;
  const firstNibble = hexNibble(hex.charCodeAt(start));
  // An even digit count whose top nibble is >= 8 needs a 0x00 to stay positive.
  return digits % 2 === 0 && firstNibble >= 8 ? bytes + 1 : bytes;
}

function writeSerial(out: Uint8Array, offset: number, hex: string, contentLength: number): number {
  let o = writeHeader(out, offset, Tag.INTEGER, contentLength);
  const end = o + contentLength;
  let i = hex.length;
  let p = end - 1;
  while (p >= o) {
    const lo = i > 0 ? hexNibble(hex.charCodeAt(--i)) : 0;
    const hi = i > 0 ? hexNibble(hex.charCodeAt(--i)) : 0;
    if (lo < 0 || hi < 0) throw malformed('CRL entry', 'serial is not hex');
    out[p--] = (hi << 4) | lo;
  }
  o = end;
  return o;
}

/**
 * The DER TBSCertList of a v2 CRL (RFC 5280 §5.1), written straight into one buffer whose
 * size is computed first: no per-entry objects, so 100,000 entries take milliseconds.
 * Entries carry a reasonCode unless the reason is `unspecified`; the CRL carries AKI and
 * cRLNumber.
 */
export function encodeTbsCrl(signatureAlgorithm: Uint8Array, fields: CrlFields): Uint8Array {
  const { entries } = fields;
  const serialLengths = new Uint8Array(entries.length);
  const entryLengths = new Uint32Array(entries.length);
  let listContent = 0;
  for (let i = 0; i < entries.length; i++) {
    const e = entries[i]!;
    const sl = serialContentLength(e.serialHex);
    if (sl > 21) throw malformed('CRL entry', 'serial longer than 20 octets');
    serialLengths[i] = sl;
    const ext = e.reason === 'unspecified' ? 0 : REASON_EXTENSIONS.get(e.reason)!.length;
    const content = 1 + lengthOctets(sl) + sl + timeLength(e.revokedAt) + ext;
    entryLengths[i] = content;
    listContent += 1 + lengthOctets(content) + content;
  }
  const crlExtensions = tlvExplicit0(
    sequence(
      authorityKeyIdentifier(fields.authorityKeyId),
      extension(OID_CRL_NUMBER, false, smallInteger(fields.crlNumber)),
    ),
  );
  const head = [CRL_VERSION_V2, signatureAlgorithm, fields.issuer];
  let content = 0;
  for (const h of head) content += h.length;
  content += timeLength(fields.thisUpdate) + timeLength(fields.nextUpdate);
  // revokedCertificates is omitted when empty (RFC 5280 §5.1.2.6).
  if (entries.length > 0) content += 1 + lengthOctets(listContent) + listContent;
  content += crlExtensions.length;

  const out = new Uint8Array(1 + lengthOctets(content) + content);
  let o = writeHeader(out, 0, Tag.SEQUENCE, content);
  for (const h of head) {
    out.set(h, o);
    o += h.length;
  }
  o = writeTime(out, o, fields.thisUpdate);
  o = writeTime(out, o, fields.nextUpdate);
  if (entries.length > 0) {
    o = writeHeader(out, o, Tag.SEQUENCE, listContent);
    for (let i = 0; i < entries.length; i++) {
      const e = entries[i]!;
      o = writeHeader(out, o, Tag.SEQUENCE, entryLengths[i]!);
      o = writeSerial(out, o, e.serialHex, serialLengths[i]!);
      o = writeTime(out, o, e.revokedAt);
      if (e.reason !== 'unspecified') {
        const ext = REASON_EXTENSIONS.get(e.reason)!;
        out.set(ext, o);
        o += ext.length;
      }
    }
  }
  out.set(crlExtensions, o);
  return out;
}

function tlvExplicit0(inner: Uint8Array): Uint8Array {
  const out = new Uint8Array(1 + lengthOctets(inner.length) + inner.length);
  out.set(inner, writeHeader(out, 0, contextTag(0, true), inner.length));
  return out;
}

/**
 * Builds and signs a v2 CRL.
 *
 * @throws PKI_MALFORMED when an entry's serial is not hex or is too long.
 * @example
 * ```ts
 * const crl = await signCrl(issuingSigner, fields);
 * ```
 */
export function signCrl(signer: Signer, fields: CrlFields): Promise<Uint8Array> {
  const alg = signatureAlgorithmIdentifier(signer.algorithm);
  return signStructure(signer, encodeTbsCrl(alg, fields), alg);
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

/**
 * Parses a DER CRL with careid's own bounded reader: unlike asn1js (and so PKI.js), it has
 * no 10,000-node cap, so a 100,000-entry CRL parses. It does not verify the signature
 * (`validateCertificate` does).
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
  const root = readRoot(der, WHAT, MAX_CRL_BYTES);
  if (root.tag !== Tag.SEQUENCE) throw malformed(WHAT, 'not a SEQUENCE');
  const c = new DerCursor(der, root, WHAT);
  const tbsTlv = c.next(Tag.SEQUENCE);
  const signatureAlgorithm = readSignatureAlgorithm(der, c.next(Tag.SEQUENCE), WHAT);
  const signature = readSignatureBits(der, c.next(Tag.BIT_STRING), WHAT);
  c.end();
  const t = c.enter(tbsTlv);
  const version = t.optional(Tag.INTEGER);
  if (version !== undefined && decodeSmallInt(der, version, WHAT) !== 1) {
    throw malformed(WHAT, 'unknown version');
  }
  const inner = readSignatureAlgorithm(der, t.next(Tag.SEQUENCE), WHAT);
  if (inner.kind !== signatureAlgorithm.kind || inner.hash !== signatureAlgorithm.hash) {
    throw malformed(WHAT, 'signature algorithms disagree');
  }
  const issuerTlv = t.next(Tag.SEQUENCE);
  const thisUpdate = decodeTime(der, t.next(), WHAT);
  const tag = t.peekTag();
  const nextUpdate =
    tag === Tag.UTC_TIME || tag === Tag.GENERALIZED_TIME
      ? decodeTime(der, t.next(), WHAT)
      : undefined;
  const revoked = new Map<string, { revokedAt: Date; reason: RevocationReason }>();
  const list = t.optional(Tag.SEQUENCE);
  if (list !== undefined) {
    const l = t.enter(list);
    while (!l.atEnd) {
      const e = l.enter(l.next(Tag.SEQUENCE));
      const serialHex = toHex(decodeUnsigned(der, e.next(Tag.INTEGER), WHAT));
      const revokedAt = decodeTime(der, e.next(), WHAT);
      let reason: RevocationReason = 'unspecified';
      const exts = e.optional(Tag.SEQUENCE);
      e.end();
      if (exts !== undefined) reason = readEntryReason(der, exts) ?? reason;
      revoked.set(serialHex, { revokedAt, reason });
    }
  }
  let crlNumber: bigint | undefined;
  let authorityKeyId: Uint8Array | undefined;
  const extTlv = t.optional(CRL_EXTENSIONS);
  t.end();
  if (extTlv !== undefined) {
    const w = t.enter(extTlv);
    const exts = w.enter(w.next(Tag.SEQUENCE));
    w.end();
    while (!exts.atEnd) {
      const e = exts.enter(exts.next(Tag.SEQUENCE));
      const id = decodeOid(der, e.next(Tag.OID), WHAT);
      e.optional(Tag.BOOLEAN);
      const value = e.next(Tag.OCTET_STRING);
      e.end();
      const v = readRoot(valueBytes(der, value), WHAT, MAX_CRL_BYTES);
      const vb = valueBytes(der, value);
      if (id === OID_CRL_NUMBER) {
        crlNumber = BigInt(`0x${toHex(decodeUnsigned(vb, v, WHAT)) || '0'}`);
      } else if (id === OID_AUTHORITY_KEY_IDENTIFIER) {
        const a = new DerCursor(vb, v, WHAT);
        const k = a.optional(AKI_KEY_ID);
        if (k !== undefined) authorityKeyId = valueBytes(vb, k);
      }
    }
  }
  return {
    der,
    tbs: elementBytes(der, tbsTlv),
    issuerDer: elementBytes(der, issuerTlv),
    thisUpdate,
    nextUpdate,
    crlNumber,
    authorityKeyId,
    revoked,
    signatureAlgorithm,
    signature,
  };
}

function readEntryReason(der: Uint8Array, exts: Tlv): RevocationReason | undefined {
  const c = new DerCursor(der, exts, WHAT);
  let reason: RevocationReason | undefined;
  while (!c.atEnd) {
    const e = c.enter(c.next(Tag.SEQUENCE));
    const id = decodeOid(der, e.next(Tag.OID), WHAT);
    e.optional(Tag.BOOLEAN);
    const value = e.next(Tag.OCTET_STRING);
    e.end();
    if (id !== OID_CRL_REASON) continue;
    const vb = valueBytes(der, value);
    const v = readRoot(vb, WHAT, 16);
    if (v.tag !== Tag.ENUMERATED) throw malformed(WHAT, 'reasonCode is not ENUMERATED');
    reason = revocationReasonFromCode(decodeSmallInt(vb, v, WHAT));
    if (reason === undefined) throw malformed(WHAT, 'unknown reasonCode');
  }
  return reason;
}

/**
 * Whether the CRL's signature verifies under the issuer's key.
 *
 * @throws PKI_MALFORMED when the signature cannot be decoded.
 */
export function verifyCrlSignature(crl: ParsedCrl, issuerKey: PublicKeyInfo): Promise<boolean> {
  return verifySignature(issuerKey, crl.signatureAlgorithm, crl.signature, crl.tbs);
}
