/**
 * A small DER writer (ITU-T X.690 §8 and §10): every function returns the complete
 * encoding of one element, so templates can be precomputed once and concatenated per
 * certificate. Only definite lengths and low tag numbers are written.
 */

/** Universal tags used by careid (X.680 §8.4). */
export const Tag = {
  BOOLEAN: 0x01,
  INTEGER: 0x02,
  BIT_STRING: 0x03,
  OCTET_STRING: 0x04,
  NULL: 0x05,
  OID: 0x06,
  ENUMERATED: 0x0a,
  UTF8_STRING: 0x0c,
  PRINTABLE_STRING: 0x13,
  IA5_STRING: 0x16,
  UTC_TIME: 0x17,
  GENERALIZED_TIME: 0x18,
  SEQUENCE: 0x30,
  SET: 0x31,
} as const;

/** Class and form bits of an identifier octet (X.690 §8.1.2). */
const CONTEXT_CLASS = 0x80;
const CONSTRUCTED = 0x20;

/** The tag byte of a context-specific `[n]` element, constructed or primitive. */
export function contextTag(n: number, constructed: boolean): number {
  return CONTEXT_CLASS | (constructed ? CONSTRUCTED : 0) | n;
}

/** How many bytes the length octets of `length` take (X.690 §8.1.3). */
export function lengthOctets(length: number): number {
  if (length < 0x80) return 1;
  if (length < 0x100) return 2;
  if (length < 0x10000) return 3;
  if (length < 0x1000000) return 4;
  return 5;
}

/** Writes the identifier and length octets at `offset` of `out`; returns the next offset. */
export function writeHeader(out: Uint8Array, offset: number, tag: number, length: number): number {
  let o = offset;
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

/** Concatenates byte arrays into one. */
export function concat(parts: readonly Uint8Array[]): Uint8Array {
  let total = 0;
  for (const p of parts) total += p.length;
  const out = new Uint8Array(total);
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

/** One TLV: `tag` with the concatenation of `contents` as its value. */
export function tlv(tag: number, ...contents: readonly Uint8Array[]): Uint8Array {
  let length = 0;
  for (const c of contents) length += c.length;
  const out = new Uint8Array(1 + lengthOctets(length) + length);
  let o = writeHeader(out, 0, tag, length);
  for (const c of contents) {
    out.set(c, o);
    o += c.length;
  }
  return out;
}

/** SEQUENCE of the given encoded elements. */
export function sequence(...contents: readonly Uint8Array[]): Uint8Array {
  return tlv(Tag.SEQUENCE, ...contents);
}

/** SET of the given encoded elements (caller orders them; careid writes one per SET). */
export function set(...contents: readonly Uint8Array[]): Uint8Array {
  return tlv(Tag.SET, ...contents);
}

/** Context-specific constructed `[n]` around the given elements (EXPLICIT tagging). */
export function explicit(n: number, ...contents: readonly Uint8Array[]): Uint8Array {
  return tlv(contextTag(n, true), ...contents);
}

/** OBJECT IDENTIFIER from dotted text (X.690 §8.19). */
export function oid(dotted: string): Uint8Array {
  const arcs = dotted.split('.').map((a) => Number.parseInt(a, 10));
  const [first = 0, second = 0, ...rest] = arcs;
  const bytes: number[] = [];
  for (const arc of [first * 40 + second, ...rest]) {
    // Base-128 digits, high bit set on all but the last (X.690 §8.19.2); % not &, so arcs
    // past 2^31 survive.
    const chunk: number[] = [arc % 128];
    let v = Math.floor(arc / 128);
    while (v > 0) {
      chunk.unshift((v % 128) | 0x80);
      v = Math.floor(v / 128);
    }
    bytes.push(...chunk);
  }
  return tlv(Tag.OID, Uint8Array.from(bytes));
}

/** INTEGER from an unsigned big-endian magnitude, minimal and positive (X.690 §8.3). */
export function unsignedInteger(magnitude: Uint8Array): Uint8Array {
  let start = 0;
  while (start < magnitude.length - 1 && magnitude[start] === 0) start++;
  const body = magnitude.subarray(start);
  if (body.length === 0) return Uint8Array.of(Tag.INTEGER, 1, 0);
  if ((body[0] ?? 0) & 0x80) return tlv(Tag.INTEGER, Uint8Array.of(0), body);
  return tlv(Tag.INTEGER, body);
}

/** INTEGER from a small non-negative number or bigint. */
export function smallInteger(value: number | bigint): Uint8Array {
  let v = BigInt(value);
  const bytes: number[] = [];
  do {
    bytes.unshift(Number(v & 0xffn));
    v >>= 8n;
  } while (v > 0n);
  return unsignedInteger(Uint8Array.from(bytes));
}

/** ENUMERATED from a small non-negative number (X.690 §8.4). */
export function enumerated(value: number): Uint8Array {
  return Uint8Array.of(Tag.ENUMERATED, 1, value);
}

/** BOOLEAN TRUE as DER writes it (X.690 §11.1). */
export const DER_TRUE: Uint8Array = Uint8Array.of(Tag.BOOLEAN, 1, 0xff);

/** NULL (X.690 §8.8). */
export const DER_NULL: Uint8Array = Uint8Array.of(Tag.NULL, 0);

/** OCTET STRING around `bytes`. */
export function octetString(bytes: Uint8Array): Uint8Array {
  return tlv(Tag.OCTET_STRING, bytes);
}

/** BIT STRING around whole bytes (no unused bits). */
export function bitString(bytes: Uint8Array): Uint8Array {
  return tlv(Tag.BIT_STRING, Uint8Array.of(0), bytes);
}

const encoder = new TextEncoder();

/** UTF8String. */
export function utf8String(text: string): Uint8Array {
  return tlv(Tag.UTF8_STRING, encoder.encode(text));
}

/** PrintableString (the caller has checked the character set). */
export function printableString(text: string): Uint8Array {
  return tlv(Tag.PRINTABLE_STRING, encoder.encode(text));
}

/** IA5String (the caller has checked the text is ASCII). */
export function ia5String(text: string): Uint8Array {
  return tlv(Tag.IA5_STRING, encoder.encode(text));
}

/** The element with its tag byte replaced, for IMPLICIT tagging of an encoded element. */
export function retag(element: Uint8Array, tag: number): Uint8Array {
  const out = element.slice();
  out[0] = tag;
  return out;
}
