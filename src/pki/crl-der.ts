import { toHex } from '../crypto/encoding.js';
/**
 * The one hand-written DER in careid: the streaming writer and reader of a CRL's entry
 * list (RFC 5280 §5.1). Every other structure careid writes or reads goes through
 * PKI.js / asn1js.
 *
 * Why by hand, measured in bench/pki (`npm run bench -- pki`, 2 shared vCPUs, Node 20,
 * 2026-12-06, five runs): PKI.js builds a CRL from one `RevokedCertificate` object per
 * entry and took 21 to 118 s to build and sign 100,000 entries (target: under 0.5 s; this
 * module, with PKI.js for the rest: 0.12 to 0.28 s, best of three; 0.88 s in one run at
 * the machine's busiest), and 2.2 to 6.7 s for 10,000 (this module: 0.02 to 0.2 s). To
 * read, asn1js holds one object per element and stops at 10,000 by default (about 1,400
 * entries of seven elements); with the cap lifted PKI.js read 10,000 entries in 3.5 to
 * 7.1 s (this module: 0.03 to 0.17 s) and 100,000 in 131 s. This module writes the list
 * into one buffer sized first, and reads it with a bounded cursor that allocates nothing
 * per byte; the pieces around the list (AlgorithmIdentifier, issuer Name, extensions,
 * entry extensions) are encoded and decoded by PKI.js.
 *
 * Reader rules (X.690 §10): definite lengths only, minimal length octets, low tag
 * numbers only, every length checked against its parent, no recursion, so hostile input
 * ends in a `PKI_MALFORMED` error rather than a crash or a hang.
 */
import { malformed } from './pki-error.js';
import { needsGeneralizedTime as isGeneralized, timeFromDigits } from './time.js';

/** Universal tags the CRL list uses (X.680 §8.4). */
const INTEGER = 0x02;
const UTC_TIME = 0x17;
const GENERALIZED_TIME = 0x18;
const SEQUENCE = 0x30;
/** crlExtensions [0] EXPLICIT (RFC 5280 §5.1.2.7). */
const CRL_EXTENSIONS = 0xa0;

// ---------------------------------------------------------------------------------------
// Writer

/** How many bytes the length octets of `length` take (X.690 §8.1.3). */
function lengthOctets(length: number): number {
  if (length < 0x80) return 1;
  if (length < 0x100) return 2;
  if (length < 0x10000) return 3;
  if (length < 0x1000000) return 4;
  return 5;
}

/** Writes identifier and length octets at `o`; returns the next offset. */
function writeHeader(out: Uint8Array, o: number, tag: number, length: number): number {
  out[o++] = tag;
  const n = lengthOctets(length);
  if (n === 1) {
    out[o++] = length;
    return o;
  }
  out[o++] = 0x80 | (n - 1);
  for (let shift = (n - 2) * 8; shift >= 0; shift -= 8) out[o++] = (length / 2 ** shift) & 0xff;
  return o;
}

function timeLength(generalized: boolean): number {
  return generalized ? 17 : 15;
}

function put2(out: Uint8Array, o: number, n: number): void {
  out[o] = 0x30 + Math.floor(n / 10);
  out[o + 1] = 0x30 + (n % 10);
}

/** UTCTime `YYMMDDHHMMSSZ` through 2049, GeneralizedTime `YYYYMMDDHHMMSSZ` after. */
function writeTime(out: Uint8Array, o: number, d: Date): number {
  const g = isGeneralized(d);
  const year = d.getUTCFullYear();
  o = writeHeader(out, o, g ? GENERALIZED_TIME : UTC_TIME, g ? 15 : 13);
  if (g) {
    put2(out, o, Math.floor(year / 100));
    o += 2;
  }
  put2(out, o, year % 100);
  put2(out, o + 2, d.getUTCMonth() + 1);
  put2(out, o + 4, d.getUTCDate());
  put2(out, o + 6, d.getUTCHours());
  put2(out, o + 8, d.getUTCMinutes());
  put2(out, o + 10, d.getUTCSeconds());
  out[o + 12] = 0x5a; // 'Z'
  return o + 13;
}

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
  // An even digit count whose top nibble is >= 8 needs a 0x00 to stay positive.
  return digits % 2 === 0 && hexNibble(hex.charCodeAt(start)) >= 8 ? bytes + 1 : bytes;
}

function writeSerial(out: Uint8Array, o: number, hex: string, contentLength: number): number {
  o = writeHeader(out, o, INTEGER, contentLength);
  const end = o + contentLength;
  let i = hex.length;
  for (let p = end - 1; p >= o; p--) {
    const lo = i > 0 ? hexNibble(hex.charCodeAt(--i)) : 0;
    const hi = i > 0 ? hexNibble(hex.charCodeAt(--i)) : 0;
    if (lo < 0 || hi < 0) throw malformed('CRL entry', 'serial is not hex');
    out[p] = (hi << 4) | lo;
  }
  return end;
}

/** One revoked certificate as the writer lays it down. */
export interface CrlListEntry {
  /** Serial, lower-case hex. */
  readonly serialHex: string;
  /** When the revocation took effect. */
  readonly revokedAt: Date;
  /** Its crlEntryExtensions, already DER-encoded (by PKI.js), or empty for none. */
  readonly extensions: Uint8Array;
}

/** The pieces of a TBSCertList around the entry list, each already DER-encoded. */
export interface TbsCrlParts {
  /** version INTEGER (v2 = 1). */
  readonly version: Uint8Array;
  /** The signature AlgorithmIdentifier. */
  readonly signatureAlgorithm: Uint8Array;
  /** The issuer Name. */
  readonly issuer: Uint8Array;
  readonly thisUpdate: Date;
  readonly nextUpdate: Date;
  /** crlExtensions, `[0] EXPLICIT` wrapper included. */
  readonly crlExtensions: Uint8Array;
}

/**
 * The DER TBSCertList (RFC 5280 §5.1), written into one buffer sized first.
 * revokedCertificates is left out when there are no entries (§5.1.2.6).
 *
 * @throws PKI_MALFORMED when a serial is not hex or is longer than 20 octets.
 */
export function writeTbsCrl(parts: TbsCrlParts, entries: readonly CrlListEntry[]): Uint8Array {
  const serialLengths = new Uint8Array(entries.length);
  const entryLengths = new Uint32Array(entries.length);
  let listContent = 0;
  for (let i = 0; i < entries.length; i++) {
    const e = entries[i]!;
    const sl = serialContentLength(e.serialHex);
    if (sl > 21) throw malformed('CRL entry', 'serial longer than 20 octets');
    serialLengths[i] = sl;
    const content =
      1 + lengthOctets(sl) + sl + timeLength(isGeneralized(e.revokedAt)) + e.extensions.length;
    entryLengths[i] = content;
    listContent += 1 + lengthOctets(content) + content;
  }
  const head = [parts.version, parts.signatureAlgorithm, parts.issuer];
  let content = 0;
  for (const h of head) content += h.length;
  content += timeLength(isGeneralized(parts.thisUpdate));
  content += timeLength(isGeneralized(parts.nextUpdate));
  if (entries.length > 0) content += 1 + lengthOctets(listContent) + listContent;
  content += parts.crlExtensions.length;

  const out = new Uint8Array(1 + lengthOctets(content) + content);
  let o = writeHeader(out, 0, SEQUENCE, content);
  for (const h of head) {
    out.set(h, o);
    o += h.length;
  }
  o = writeTime(out, o, parts.thisUpdate);
  o = writeTime(out, o, parts.nextUpdate);
  if (entries.length > 0) {
    o = writeHeader(out, o, SEQUENCE, listContent);
    for (let i = 0; i < entries.length; i++) {
      const e = entries[i]!;
      o = writeHeader(out, o, SEQUENCE, entryLengths[i]!);
      o = writeSerial(out, o, e.serialHex, serialLengths[i]!);
      o = writeTime(out, o, e.revokedAt);
      out.set(e.extensions, o);
      o += e.extensions.length;
    }
  }
  out.set(parts.crlExtensions, o);
  return out;
}

// ---------------------------------------------------------------------------------------
// Reader

interface Tlv {
  readonly tag: number;
  readonly start: number;
  readonly valueStart: number;
  readonly end: number;
}

const WHAT = 'CRL';

/** Reads the element that starts at `offset` and must end by `limit`. */
function readTlv(buf: Uint8Array, offset: number, limit: number): Tlv {
  if (offset + 2 > limit) throw malformed(WHAT, 'truncated element');
  const tag = buf[offset]!;
  if ((tag & 0x1f) === 0x1f) throw malformed(WHAT, 'unexpected high tag number');
  const first = buf[offset + 1]!;
  let length = first;
  let valueStart = offset + 2;
  if (first & 0x80) {
    const n = first & 0x7f;
    // 0x80 is the indefinite form, forbidden in DER (X.690 §10.1); 4 octets cover 4 GiB.
    if (n === 0 || n > 4) throw malformed(WHAT, 'unsupported length form');
    if (valueStart + n > limit) throw malformed(WHAT, 'truncated length');
    length = 0;
    for (let i = 0; i < n; i++) length = length * 256 + buf[valueStart + i]!;
    if (length < 0x80 || buf[valueStart] === 0) throw malformed(WHAT, 'non-minimal length');
    valueStart += n;
  }
  const end = valueStart + length;
  if (end > limit) throw malformed(WHAT, 'length runs past the end');
  return { tag, start: offset, valueStart, end };
}

/** A cursor over the children of a constructed element. */
class Cursor {
  private offset: number;
  private readonly limit: number;

  constructor(
    private readonly buf: Uint8Array,
    parent: Tlv,
  ) {
    if ((parent.tag & 0x20) === 0) throw malformed(WHAT, 'expected a constructed element');
    this.offset = parent.valueStart;
    this.limit = parent.end;
  }

  get atEnd(): boolean {
    return this.offset >= this.limit;
  }

  peekTag(): number {
    return this.atEnd ? -1 : this.buf[this.offset]!;
  }

  next(tag?: number): Tlv {
    if (this.atEnd) throw malformed(WHAT, 'missing element');
    const t = readTlv(this.buf, this.offset, this.limit);
    if (tag !== undefined && t.tag !== tag) {
      throw malformed(WHAT, `expected tag 0x${tag.toString(16)}, found 0x${t.tag.toString(16)}`);
    }
    this.offset = t.end;
    return t;
  }

  optional(tag: number): Tlv | undefined {
    return this.peekTag() === tag ? this.next(tag) : undefined;
  }

  end(): void {
    if (!this.atEnd) throw malformed(WHAT, 'unexpected extra element');
  }
}

function readTime(buf: Uint8Array, t: Tlv): Date {
  if (t.tag !== UTC_TIME && t.tag !== GENERALIZED_TIME) throw malformed(WHAT, 'expected a time');
  return timeFromDigits(buf.subarray(t.valueStart, t.end), t.tag === UTC_TIME, WHAT);
}

/** The serial of an entry as lower-case hex, leading zero octets removed. */
function readSerialHex(buf: Uint8Array, t: Tlv): string {
  if (t.tag !== INTEGER || t.end === t.valueStart) throw malformed(WHAT, 'bad serial');
  if (buf[t.valueStart]! & 0x80) throw malformed(WHAT, 'negative serial');
  let s = t.valueStart;
  while (s < t.end - 1 && buf[s] === 0) s++;
  return toHex(buf.subarray(s, t.end));
}

/** One entry as read: its extensions are left as DER for PKI.js / asn1js. */
export interface CrlListEntryRead {
  readonly serialHex: string;
  readonly revokedAt: Date;
  /** crlEntryExtensions DER, if present. */
  readonly extensions: Uint8Array | undefined;
}

/** The parts of a CRL as read; the small ones are left as DER for PKI.js. */
export interface CrlRead {
  /** DER of the TBSCertList, what the signature covers. */
  readonly tbs: Uint8Array;
  /** The outer signatureAlgorithm DER. */
  readonly signatureAlgorithm: Uint8Array;
  /** The signatureValue BIT STRING DER. */
  readonly signatureValue: Uint8Array;
  /** The version INTEGER DER, if present. */
  readonly version: Uint8Array | undefined;
  /** The TBSCertList signature AlgorithmIdentifier DER. */
  readonly innerSignatureAlgorithm: Uint8Array;
  /** The issuer Name DER. */
  readonly issuer: Uint8Array;
  readonly thisUpdate: Date;
  readonly nextUpdate: Date | undefined;
  /** The crlExtensions' inner Extensions SEQUENCE DER, if present. */
  readonly crlExtensions: Uint8Array | undefined;
}

/**
 * Reads a DER CertificateList (RFC 5280 §5.1) of any size up to `maxBytes`, calling
 * `onEntry` for each revoked certificate in order.
 *
 * @throws PKI_MALFORMED when the DER is not a CertificateList.
 */
export function readCrl(
  der: Uint8Array,
  maxBytes: number,
  onEntry: (entry: CrlListEntryRead) => void,
): CrlRead {
  if (!(der instanceof Uint8Array)) throw malformed(WHAT, 'not a byte array');
  if (der.length === 0) throw malformed(WHAT, 'empty input');
  if (der.length > maxBytes) throw malformed(WHAT, `larger than ${maxBytes} bytes`);
  const root = readTlv(der, 0, der.length);
  if (root.end !== der.length) throw malformed(WHAT, 'trailing bytes after the element');
  if (root.tag !== SEQUENCE) throw malformed(WHAT, 'not a SEQUENCE');
  const bytes = (t: Tlv) => der.subarray(t.start, t.end);
  const c = new Cursor(der, root);
  const tbsTlv = c.next(SEQUENCE);
  const signatureAlgorithm = bytes(c.next(SEQUENCE));
  const signatureValue = bytes(c.next(0x03));
  c.end();
  const t = new Cursor(der, tbsTlv);
  const version = t.optional(INTEGER);
  const innerSignatureAlgorithm = bytes(t.next(SEQUENCE));
  const issuer = bytes(t.next(SEQUENCE));
  const thisUpdate = readTime(der, t.next());
  const tag = t.peekTag();
  const nextUpdate =
    tag === UTC_TIME || tag === GENERALIZED_TIME ? readTime(der, t.next()) : undefined;
  const list = t.optional(SEQUENCE);
  if (list !== undefined) {
    const l = new Cursor(der, list);
    while (!l.atEnd) {
      const e = new Cursor(der, l.next(SEQUENCE));
      const serialHex = readSerialHex(der, e.next(INTEGER));
      const revokedAt = readTime(der, e.next());
      const exts = e.optional(SEQUENCE);
      e.end();
      onEntry({ serialHex, revokedAt, extensions: exts === undefined ? undefined : bytes(exts) });
    }
  }
  let crlExtensions: Uint8Array | undefined;
  const extTlv = t.optional(CRL_EXTENSIONS);
  t.end();
  if (extTlv !== undefined) {
    const w = new Cursor(der, extTlv);
    crlExtensions = bytes(w.next(SEQUENCE));
    w.end();
  }
  return {
    tbs: bytes(tbsTlv),
    signatureAlgorithm,
    signatureValue,
    version: version === undefined ? undefined : bytes(version),
    innerSignatureAlgorithm,
    issuer,
    thisUpdate,
    nextUpdate,
    crlExtensions,
  };
}
