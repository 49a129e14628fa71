import { latin1Bytes } from '../../crypto/encoding.js';
import { checkString } from '../../errors/guards.js';
import { ValidationError } from '../../errors/validation-error.js';
import { PIN_BLOCK_LENGTH, PIN_PAD } from './constants.js';

/**
 * Checks a passcode against CARD-02 (6 to 8 digits). The message never shows the value
 * (AUD-02).
 *
 * @throws VALIDATION when it is not a string of 6 to 8 digits, or `what` is not a string.
 * @example
 * ```ts
 * checkPin(newPin, 'new PIN');
 * ```
 */
export function checkPin(pin: string, what = 'PIN'): void {
  checkString(what, 'checkPin input', 'what');
  if (typeof pin !== 'string' || !/^\d{6,8}$/.test(pin)) {
    throw new ValidationError(what, [{ field: '', message: 'must be 6 to 8 digits (CARD-02)' }]);
  }
}

/**
 * Checks a PUK: 6 to 8 printable ASCII characters (SP 800-73-4 Part 2 §2.4.3 allows any
 * byte but FF; careid keeps to printable ones).
 *
 * @throws VALIDATION otherwise, or when `what` is not a string.
 * @example
 * ```ts
 * checkPuk('12345678');
 * ```
 */
export function checkPuk(puk: string, what = 'PUK'): void {
  checkString(what, 'checkPuk input', 'what');
  if (typeof puk !== 'string' || !/^[\x20-\x7e]{6,8}$/.test(puk)) {
    throw new ValidationError(what, [
      { field: '', message: 'must be 6 to 8 printable ASCII characters' },
    ]);
  }
}

/**
 * Pads a PIN or PUK to 8 bytes with FF (SP 800-73-4 Part 2 §2.4.3).
 *
 * @example
 * ```ts
 * padPin('123456'); // 31 32 33 34 35 36 FF FF
 * ```
 */
export function padPin(value: string): Uint8Array {
  const out = new Uint8Array(PIN_BLOCK_LENGTH).fill(PIN_PAD);
  out.set(latin1Bytes(value).subarray(0, PIN_BLOCK_LENGTH), 0);
  return out;
}
