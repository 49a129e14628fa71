import { malformed } from './pki-error.js';

/**
 * A strict, bounded DER reader (X.690 §10): definite lengths only, minimal length octets,
 * low tag numbers only, every length checked against its parent. It never recurses by
 * itself and never allocates per byte, so hostile input ends in a `PKI_MALFORMED` error
 * rather than a crash or a hang, whatever its size.
 */

/** One element found in a buffer: its tag and where its header and value lie. */
export interface Tlv {
  readonly tag: number;
  /** Offset of the identifier octet. */
  readonly start: number;
  /** Offset of the first value octet. */
  readonly valueStart: number;
  /** Offset just past the value. */
  readonly end: number;
}

/** Reads the element that starts at `offset` and must end by `limit`. */
export function readTlv(buf: Uint8Array, offset: number, limit: number, what: string): Tlv {
  if (offset + 2 > limit) throw malformed(what, 'truncated element');
  const tag = buf[offset]!;
  // High tag numbers (X.690 §8.1.2.4) never occur in the structures careid reads.
  if ((tag & 0x1f) === 0x1f) throw malformed(what, 'unexpected high tag number');
  const first = buf[offset + 1]!;
  let length = first;
  let valueStart = offset + 2;
  if (first & 0x80) {
    const n = first & 0x7f;
    // 0x80 is the indefinite form, forbidden in DER (X.690 §10.1); 4 octets cover 4 GiB.
    if (n === 0 || n > 4) throw malformed(what, 'unsupported length form');
    if (valueStart + n > limit) throw malformed(what, 'truncated length');
    length = 0;
    for (let i = 0; i < n; i++) length = length * 256 + buf[valueStart + i]!;
    if (length < 0x80 || buf[valueStart] === 0) throw malformed(what, 'non-minimal length');
    valueStart += n;
  }
  const end = valueStart + length;
  if (end > limit) throw malformed(what, 'length runs past the end');
  return { tag, start: offset, valueStart, end };
}

/** Reads the one element that fills `buf` exactly (no trailing bytes). */
export function readRoot(buf: Uint8Array, what: string, maxBytes: number): Tlv {
  if (!(buf instanceof Uint8Array)) throw malformed(what, 'not a byte array');
  if (buf.length === 0) throw malformed(what, 'empty input');
  if (buf.length > maxBytes) throw malformed(what, `larger than ${maxBytes} bytes`);
  const root = readTlv(buf, 0, buf.length, what);
  if (root.end !== buf.length) throw malformed(what, 'trailing bytes after the element');
  return root;
}

/** The raw bytes of an element, header included. */
export function elementBytes(buf: Uint8Array, t: Tlv): Uint8Array {
  return buf.subarray(t.start, t.end);
}

/** The value bytes of an element. */
export function valueBytes(buf: Uint8Array, t: Tlv): Uint8Array {
  return buf.subarray(t.valueStart, t.end);
}

/** A cursor over the children of a constructed element. */
export class DerCursor {
  private offset: number;
  private readonly limit: number;

  constructor(
    readonly buf: Uint8Array,
    parent: Tlv,
    readonly what: string,
  ) {
    if ((parent.tag & 0x20) === 0) throw malformed(what, 'expected a constructed element');
    this.offset = parent.valueStart;
    this.limit = parent.end;
  }

  /** Whether every child has been read. */
  get atEnd(): boolean {
    return this.offset >= this.limit;
  }

  /** The tag of the next child, or -1 at the end. */
  peekTag(): number {
    return this.atEnd ? -1 : this.buf[this.offset]!;
  }

  /** Reads the next child, which must carry `tag` when given. */
  next(tag?: number): Tlv {
    if (this.atEnd) throw malformed(this.what, 'missing element');
    const t = readTlv(this.buf, this.offset, this.limit, this.what);
    if (tag !== undefined && t.tag !== tag) {
      throw malformed(this.what, `expected tag 0x${hex2(tag)}, found 0x${hex2(t.tag)}`);
    }
    this.offset = t.end;
    return t;
  }

  /** Reads the next child only if it carries `tag`. */
  optional(tag: number): Tlv | undefined {
    return this.peekTag() === tag ? this.next(tag) : undefined;
  }

  /** A cursor over the children of `t`. */
  enter(t: Tlv): DerCursor {
    return new DerCursor(this.buf, t, this.what);
  }

  /** Fails unless every child has been read. */
  end(): void {
    if (!this.atEnd) throw malformed(this.what, 'unexpected extra element');
  }
}

function hex2(n: number): string {
  return n.toString(16).padStart(2, '0');
}

/** Dotted text of an OBJECT IDENTIFIER value (X.690 §8.19). */
export function decodeOid(buf: Uint8Array, t: Tlv, what: string): string {
  if (t.tag !== 0x06 || t.end === t.valueStart || t.end - t.valueStart > 64) {
    throw malformed(what, 'bad object identifier');
  }
  const arcs: number[] = [];
  let v = 0;
  for (let i = t.valueStart; i < t.end; i++) {
    const b = buf[i]!;
    if (v === 0 && b === 0x80) throw malformed(what, 'non-minimal object identifier');
    v = v * 128 + (b & 0x7f);
    if (v > Number.MAX_SAFE_INTEGER / 256) throw malformed(what, 'object identifier arc too big');
    if ((b & 0x80) === 0) {
      if (arcs.length === 0) arcs.push(v < 80 ? Math.floor(v / 40) : 2, v < 80 ? v % 40 : v - 80);
      else arcs.push(v);
      v = 0;
    } else if (i === t.end - 1) {
      throw malformed(what, 'truncated object identifier');
    }
  }
  return arcs.join('.');
}

/**
 * The magnitude of a non-negative INTEGER, leading zero octets removed.
 * A negative or empty INTEGER is malformed for every use careid has.
 */
export function decodeUnsigned(buf: Uint8Array, t: Tlv, what: string): Uint8Array {
  if (t.tag !== 0x02 || t.end === t.valueStart) throw malformed(what, 'bad integer');
  if (buf[t.valueStart]! & 0x80) throw malformed(what, 'negative integer');
  let s = t.valueStart;
  while (s < t.end - 1 && buf[s] === 0) s++;
  return buf.subarray(s, t.end);
}

/** A small non-negative INTEGER or ENUMERATED as a number. */
export function decodeSmallInt(buf: Uint8Array, t: Tlv, what: string): number {
  if (t.end - t.valueStart > 6) throw malformed(what, 'integer too large');
  const bytes = decodeUnsigned(buf, { ...t, tag: 0x02 }, what);
  let n = 0;
  for (const b of bytes) n = n * 256 + b;
  return n;
}

const UTC_TIME = 0x17;
const GENERALIZED_TIME = 0x18;

/**
 * A UTCTime or GeneralizedTime in the RFC 5280 §4.1.2.5 profile: `Z`, seconds present,
 * no fractions; UTCTime years 50..99 are 19xx (§4.1.2.5.1).
 */
export function decodeTime(buf: Uint8Array, t: Tlv, what: string): Date {
  const len = t.end - t.valueStart;
  const utc = t.tag === UTC_TIME;
  if (!(utc ? len === 13 : t.tag === GENERALIZED_TIME && len === 15)) {
    throw malformed(what, 'time not in the RFC 5280 form');
  }
  if (buf[t.end - 1] !== 0x5a) throw malformed(what, 'time not in UTC');
  const digits: number[] = [];
  for (let i = t.valueStart; i < t.end - 1; i++) {
    const d = buf[i]! - 0x30;
    if (d < 0 || d > 9) throw malformed(what, 'non-digit in time');
    digits.push(d);
  }
  const num = (i: number, n: number): number => {
    let v = 0;
    for (let k = 0; k < n; k++) v = v * 10 + digits[i + k]!;
    return v;
  };
  let year: number;
  let i = 0;
  if (utc) {
    const yy = num(0, 2);
    year = yy >= 50 ? 1900 + yy : 2000 + yy;
    i = 2;
  } else {
    year = num(0, 4);
    i = 4;
  }
  const month = num(i, 2);
  const day = num(i + 2, 2);
  const hour = num(i + 4, 2);
  const minute = num(i + 6, 2);
  const second = num(i + 8, 2);
  const ms = Date.UTC(year, month - 1, day, hour, minute, second);
  const d = new Date(ms);
  if (
    month < 1 ||
    d.getUTCMonth() !== month - 1 ||
    d.getUTCDate() !== day ||
    hour > 23 ||
    minute > 59 ||
    second > 59
  ) {
    throw malformed(what, 'impossible date');
  }
  return d;
}

/** Lower-case hex of bytes. */
export function toHex(bytes: Uint8Array): string {
  let s = '';
  for (const b of bytes) s += (b < 16 ? '0' : '') + b.toString(16);
  return s;
}

/** Bytes from hex text (the caller has validated it). */
export function fromHex(hex: string): Uint8Array {
  const out = new Uint8Array(hex.length >> 1);
  for (let i = 0; i < out.length; i++) out[i] = Number.parseInt(hex.slice(2 * i, 2 * i + 2), 16);
  return out;
}

/** Whether two byte arrays hold the same bytes. */
export function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
