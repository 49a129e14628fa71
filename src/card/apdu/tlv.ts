import {
  checkBytes,
  checkString,
  checkWhole,
  invalidArgument,
  kindOf,
} from '../../errors/guards.js';
import { CardProtocolError } from '../errors.js';

/**
 * One BER-TLV data object (ISO 7816-4 §6.2 / ISO 8825-1): tag as a number, value bytes.
 * @example
 * ```ts
 * const [first]: readonly Tlv[] = decodeTlv(Uint8Array.of(0x53, 0x01, 0xaa)); // { tag: 0x53, value: [0xaa] }
 * ```
 */
export interface Tlv {
  /** The tag, its bytes read big-endian (e.g. 0x5FC102, 0x7F49, 0x53). */
  readonly tag: number;
  /** The value field. */
  readonly value: Uint8Array;
}

/** Low five bits of a first tag byte all set: the tag continues (ISO 8825-1 §8.1.2.4). */
const TAG_MULTI_BYTE = 0x1f;
/** b8 of a subsequent tag byte: another byte follows (ISO 8825-1 §8.1.2.4.2). */
const TAG_MORE = 0x80;
/** Long-form length: b8 set, low bits count the length bytes (ISO 8825-1 §8.1.3.5). */
const LENGTH_LONG = 0x80;
/** careid reads tags of at most three bytes, the longest PIV uses (SP 800-73-4 Part 1 §3). */
const MAX_TAG_BYTES = 3;
/** and lengths of at most three bytes (0x83 form), well above any card buffer. */
const MAX_LENGTH_BYTES = 3;

/** The largest tag careid reads or writes: three bytes. */
const MAX_TAG = 0xffffff;

/**
 * The bytes of a tag number (1, 2 or 3 bytes, as its value needs), first byte first.
 *
 * @throws CARD_PROTOCOL when the tag is not a whole number from 0 to 0xFFFFFF.
 * @example
 * ```ts
 * tagBytes(0x7f61); // [0x7f, 0x61]
 * ```
 */
export function tagBytes(tag: number): number[] {
  if (typeof tag !== 'number' || !Number.isInteger(tag) || tag < 0 || tag > MAX_TAG) {
    throw new CardProtocolError(`tag ${kindOf(tag)} is not a 1 to 3 byte BER tag`);
  }
  if (tag <= 0xff) return [tag];
  if (tag <= 0xffff) return [tag >> 8, tag & 0xff];
  return [tag >> 16, (tag >> 8) & 0xff, tag & 0xff];
}

/**
 * Encodes the BER length field (ISO 8825-1 §8.1.3): short form up to 127, then 81 xx,
 * 82 xxxx, 83 xxxxxx.
 *
 * @throws CARD_PROTOCOL when the length is negative or above 0xFFFFFF.
 * @example
 * ```ts
 * encodeBerLength(300); // 82 01 2C
 * ```
 */
export function encodeBerLength(length: number): Uint8Array {
  if (typeof length !== 'number' || !Number.isInteger(length) || length < 0 || length > 0xffffff) {
    throw new CardProtocolError(`length ${kindOf(length)} cannot be BER-encoded`);
  }
  if (length < 0x80) return Uint8Array.of(length);
  if (length <= 0xff) return Uint8Array.of(0x81, length);
  if (length <= 0xffff) return Uint8Array.of(0x82, length >> 8, length & 0xff);
  return Uint8Array.of(0x83, length >> 16, (length >> 8) & 0xff, length & 0xff);
}

/**
 * Encodes one BER-TLV object; `value` may be a list of parts, concatenated.
 *
 * @throws VALIDATION when a part of the value is not a Uint8Array.
 * @throws CARD_PROTOCOL when the tag is not 1 to 3 bytes or the value is over 0xFFFFFF bytes.
 * @example
 * ```ts
 * encodeTlv(0x5c, Uint8Array.of(0x5f, 0xc1, 0x02)); // 5C 03 5F C1 02
 * ```
 */
export function encodeTlv(tag: number, ...value: readonly Uint8Array[]): Uint8Array {
  const t = tagBytes(tag);
  let length = 0;
  for (let i = 0; i < value.length; i++) {
    const part = value[i];
    checkBytes(part, 'encodeTlv input', `value.${i}`);
    length += part.length;
  }
  const l = encodeBerLength(length);
  const out = new Uint8Array(t.length + l.length + length);
  out.set(t, 0);
  out.set(l, t.length);
  let at = t.length + l.length;
  for (const v of value) {
    out.set(v, at);
    at += v.length;
  }
  return out;
}

/**
 * Decodes a sequence of BER-TLV objects covering all of `bytes` (one level; decode a
 * constructed value again to go deeper). Padding bytes 00 and FF between objects are
 * skipped (ISO 7816-4 §6.2).
 *
 * @throws VALIDATION when `bytes` is not a Uint8Array.
 * @throws CARD_PROTOCOL on a truncated tag, length or value, or a tag or length over 3 bytes.
 * @example
 * ```ts
 * const [chuid] = decodeTlv(response); // { tag: 0x53, value: ... }
 * ```
 */
export function decodeTlv(bytes: Uint8Array): readonly Tlv[] {
  checkBytes(bytes, 'decodeTlv input', 'bytes');
  const out: Tlv[] = [];
  let at = 0;
  while (at < bytes.length) {
    const first = bytes[at]!;
    if (first === 0x00 || first === 0xff) {
      at += 1;
      continue;
    }
    let tag = first;
    at += 1;
    if ((first & TAG_MULTI_BYTE) === TAG_MULTI_BYTE) {
      let count = 1;
      for (;;) {
        if (at >= bytes.length) throw new CardProtocolError('BER-TLV: truncated tag');
        const b = bytes[at]!;
        at += 1;
        count += 1;
        if (count > MAX_TAG_BYTES) throw new CardProtocolError('BER-TLV: tag longer than 3 bytes');
        tag = (tag << 8) | b;
        if ((b & TAG_MORE) === 0) break;
      }
    }
    if (at >= bytes.length) throw new CardProtocolError('BER-TLV: missing length');
    const l0 = bytes[at]!;
    at += 1;
    let length = l0;
    if (l0 & LENGTH_LONG) {
      const n = l0 & 0x7f;
      if (n === 0 || n > MAX_LENGTH_BYTES) {
        throw new CardProtocolError(`BER-TLV: unsupported length form ${l0.toString(16)}`);
      }
      if (at + n > bytes.length) throw new CardProtocolError('BER-TLV: truncated length');
      length = 0;
      for (let i = 0; i < n; i += 1) length = length * 256 + bytes[at + i]!;
      at += n;
    }
    if (at + length > bytes.length) {
      throw new CardProtocolError(
        `BER-TLV: tag ${tag.toString(16)} claims ${length} bytes, ${bytes.length - at} left`,
      );
    }
    out.push({ tag, value: bytes.slice(at, at + length) });
    at += length;
  }
  return out;
}

/**
 * The value of the first object with `tag`, or `undefined`.
 *
 * @throws VALIDATION when `list` is not an array of TLV records (as far as it is read) or
 * `tag` is not a whole number from 0 to 0xFFFFFF.
 * @example
 * ```ts
 * const guid = findTlv(decodeTlv(chuid), 0x34);
 * ```
 */
export function findTlv(list: readonly Tlv[], tag: number): Uint8Array | undefined {
  return find(list, tag, 'findTlv input');
}

/** {@link findTlv}, checking the items it reads: the list may come from a host. */
function find(list: readonly Tlv[], tag: number, what: string): Uint8Array | undefined {
  if (!Array.isArray(list)) throw invalidArgument(what, 'list', 'an array of TLVs', list);
  checkWhole(tag, 0, MAX_TAG, what, 'tag');
  for (let i = 0; i < list.length; i++) {
    const item: unknown = list[i];
    if (typeof item !== 'object' || item === null) {
      throw invalidArgument(what, `list.${i}`, 'a TLV record', item);
    }
    if ((item as Tlv).tag === tag) {
      const value = (item as Tlv).value;
      checkBytes(value, what, `list.${i}.value`);
      return value;
    }
  }
  return undefined;
}

/**
 * The value of the first object with `tag`.
 *
 * @throws CARD_PROTOCOL when there is none.
 * @throws VALIDATION as {@link findTlv}, or when `what` is not a string.
 * @example
 * ```ts
 * const template = requireTlv(decodeTlv(response.data), 0x7c, 'GENERAL AUTHENTICATE');
 * ```
 */
export function requireTlv(list: readonly Tlv[], tag: number, what: string): Uint8Array {
  checkString(what, 'requireTlv input', 'what');
  const v = find(list, tag, 'requireTlv input');
  if (v === undefined) throw new CardProtocolError(`${what}: tag ${tag.toString(16)} missing`);
  return v;
}
