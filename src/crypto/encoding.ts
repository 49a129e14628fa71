// Byte encodings with what every runtime has (TextEncoder, btoa/atob): no Node `Buffer`,
// which a browser lacks.
import { bytesToHex, hexToBytes } from '@noble/hashes/utils.js';

/**
 * Lower-case hex of bytes.
 *
 * @example
 * ```ts
 * toHex(Uint8Array.of(0x9a, 0x01)); // '9a01'
 * ```
 */
export function toHex(bytes: Uint8Array): string {
  return bytesToHex(bytes);
}

/**
 * Bytes of hex text (either case; an odd length gets a leading 0).
 *
 * @throws RangeError when the text is not hex (callers validate it first).
 * @example
 * ```ts
 * fromHex('9a01'); // Uint8Array [0x9a, 0x01]
 * ```
 */
export function fromHex(hex: string): Uint8Array {
  return hexToBytes(hex.length % 2 ? `0${hex}` : hex);
}

/** Bytes as a string of one character per byte (U+0000 to U+00FF). */
function binaryString(bytes: Uint8Array): string {
  let text = '';
  // In slices: String.fromCharCode takes its arguments on the stack.
  for (let i = 0; i < bytes.length; i += 0x8000) {
    text += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  }
  return text;
}

/**
 * Base64 (RFC 4648 §4) of bytes, padded.
 *
 * @example
 * ```ts
 * toBase64(Uint8Array.of(1, 2, 3)); // 'AQID'
 * ```
 */
export function toBase64(bytes: Uint8Array): string {
  return btoa(binaryString(bytes));
}

/**
 * Bytes of base64 text (RFC 4648 §4 or §5, padding optional, whitespace ignored). A last
 * lone character, which carries no whole byte, is dropped (as Node's `Buffer` does).
 *
 * @throws SyntaxError (a DOMException) when the text holds a character outside base64.
 * @example
 * ```ts
 * fromBase64('AQID'); // Uint8Array [1, 2, 3]
 * ```
 */
export function fromBase64(text: string): Uint8Array {
  let plain = text
    .replace(/[\s=]+/g, '')
    .replace(/-/g, '+')
    .replace(/_/g, '/');
  if (plain.length % 4 === 1) plain = plain.slice(0, -1);
  return latin1Bytes(atob(plain));
}

/**
 * Base64url (RFC 4648 §5) of bytes, unpadded.
 *
 * @example
 * ```ts
 * toBase64Url(Uint8Array.of(0xfb, 0xff)); // '-_8'
 * ```
 */
export function toBase64Url(bytes: Uint8Array): string {
  return toBase64(bytes).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

/**
 * Bytes of text, one byte per character (ISO 8859-1; characters above U+00FF keep their
 * low byte, as Node's `latin1` does).
 *
 * @example
 * ```ts
 * latin1Bytes('123456'); // 31 32 33 34 35 36
 * ```
 */
export function latin1Bytes(text: string): Uint8Array {
  const bytes = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) bytes[i] = text.charCodeAt(i) & 0xff;
  return bytes;
}

/**
 * Text of bytes, one character per byte (ISO 8859-1).
 *
 * @example
 * ```ts
 * latin1Text(Uint8Array.of(0x41, 0xe9)); // 'Aé'
 * ```
 */
export function latin1Text(bytes: Uint8Array): string {
  return binaryString(bytes);
}

/**
 * UTF-8 bytes of text.
 *
 * @example
 * ```ts
 * utf8Bytes('é'); // c3 a9
 * ```
 */
export function utf8Bytes(text: string): Uint8Array {
  return new TextEncoder().encode(text);
}

/**
 * Text of UTF-8 bytes; malformed sequences become U+FFFD (as Node's `utf8` does).
 *
 * @example
 * ```ts
 * utf8Text(Uint8Array.of(0xc3, 0xa9)); // 'é'
 * ```
 */
export function utf8Text(bytes: Uint8Array): string {
  return new TextDecoder().decode(bytes);
}
