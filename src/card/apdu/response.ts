import { checkBytes, checkWhole } from '../../errors/guards.js';
import { CardProtocolError } from '../errors.js';

/** The largest status word: two bytes. */
export const MAX_SW = 0xffff;

/**
 * A response APDU (ISO 7816-4 §5.1): the data field and the status word SW1-SW2.
 * @example
 * ```ts
 * const { data, sw } = await connection.transmit(apdu);
 * ```
 */
export interface ResponseApdu {
  /** Response data field; may be empty. */
  readonly data: Uint8Array;
  /** SW1 << 8 | SW2. */
  readonly sw: number;
}

/**
 * Splits the raw bytes of a response into data and status word.
 *
 * @throws VALIDATION when `bytes` is not a Uint8Array.
 * @throws CARD_PROTOCOL when fewer than the two status bytes are present.
 * @example
 * ```ts
 * decodeResponseApdu(Uint8Array.of(0x90, 0x00)); // { data: [], sw: 0x9000 }
 * ```
 */
export function decodeResponseApdu(bytes: Uint8Array): ResponseApdu {
  checkBytes(bytes, 'decodeResponseApdu input', 'bytes');
  if (bytes.length < 2) throw new CardProtocolError(`response APDU of ${bytes.length} bytes`);
  const n = bytes.length;
  return { data: bytes.slice(0, n - 2), sw: (bytes[n - 2]! << 8) | bytes[n - 1]! };
}

/**
 * Encodes a response APDU: data followed by SW1 SW2.
 *
 * @throws VALIDATION when `data` is not a Uint8Array or `sw` not a status word (0 to 0xFFFF).
 * @example
 * ```ts
 * encodeResponseApdu(new Uint8Array(0), 0x6a82); // 6A 82
 * ```
 */
export function encodeResponseApdu(data: Uint8Array, sw: number): Uint8Array {
  checkBytes(data, 'encodeResponseApdu input', 'data');
  checkWhole(sw, 0, MAX_SW, 'encodeResponseApdu input', 'sw');
  const out = new Uint8Array(data.length + 2);
  out.set(data, 0);
  out[data.length] = (sw >> 8) & 0xff;
  out[data.length + 1] = sw & 0xff;
  return out;
}
