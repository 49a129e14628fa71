import type { CareIdError } from '../../errors/care-id-error.js';
import { checkBytes, checkRecord, checkString, checkWhole } from '../../errors/guards.js';
import {
  CardBlockedError,
  CardNotFoundError,
  CardStatusError,
  CardUnsupportedError,
  PinIncorrectError,
  SecurityStatusError,
} from '../errors.js';
import {
  SW_AUTH_BLOCKED,
  SW_CLA_NOT_SUPPORTED,
  SW_FUNCTION_NOT_SUPPORTED,
  SW_INS_NOT_SUPPORTED,
  SW_NOT_FOUND,
  SW_REFERENCE_NOT_FOUND,
  SW_SECURITY_STATUS,
  SW_SUCCESS,
  SW_WRONG_P1P2,
  SW1_WARNING_COUNTER,
  SW2_COUNTER,
  SW2_COUNTER_MASK,
} from './iso7816.js';
import { MAX_SW, type ResponseApdu } from './response.js';

/**
 * Formats a status word as four hex digits.
 *
 * @throws VALIDATION when `sw` is not a whole number from 0 to 0xFFFF.
 * @example
 * ```ts
 * swHex(0x6a82); // '6A82'
 * ```
 */
export function swHex(sw: number): string {
  checkWhole(sw, 0, MAX_SW, 'swHex input', 'sw');
  return hex(sw);
}

/** {@link swHex} of a checked status word. */
function hex(sw: number): string {
  return sw.toString(16).toUpperCase().padStart(4, '0');
}

/**
 * The tries left in a 63Cx status word (ISO 7816-4 §5.6), or `undefined` for any other.
 *
 * @throws VALIDATION when `sw` is not a whole number from 0 to 0xFFFF.
 * @example
 * ```ts
 * triesLeftOf(0x63c2); // 2
 * ```
 */
export function triesLeftOf(sw: number): number | undefined {
  checkWhole(sw, 0, MAX_SW, 'triesLeftOf input', 'sw');
  if (sw >> 8 !== SW1_WARNING_COUNTER || (sw & SW2_COUNTER_MASK) !== SW2_COUNTER) return undefined;
  return sw & 0x0f;
}

/**
 * The one place a status word becomes a typed error. `what` names the operation and the
 * reference (e.g. `'VERIFY PIN'`) for the message; it must never contain a secret (AUD-02).
 * Returns `undefined` for 9000.
 *
 * @throws VALIDATION when `sw` is not a whole number from 0 to 0xFFFF or `what` not a string.
 * @example
 * ```ts
 * const error = statusError(0x63c1, 'VERIFY PIN'); // PinIncorrectError, triesLeft 1
 * ```
 */
export function statusError(sw: number, what: string): CareIdError | undefined {
  checkWhole(sw, 0, MAX_SW, 'statusError input', 'sw');
  checkString(what, 'statusError input', 'what');
  if (sw === SW_SUCCESS) return undefined;
  const tries = triesLeftOf(sw);
  if (tries !== undefined) {
    return tries === 0
      ? new CardBlockedError(`${what}: blocked (no tries left)`)
      : new PinIncorrectError(tries, what);
  }
  switch (sw) {
    case SW_AUTH_BLOCKED:
      return new CardBlockedError(`${what}: blocked (status 6983)`);
    case SW_SECURITY_STATUS:
      return new SecurityStatusError(
        `${what}: security status not satisfied (status 6982); verify the PIN or authenticate the management key first`,
      );
    case SW_NOT_FOUND:
    case SW_REFERENCE_NOT_FOUND:
      return new CardNotFoundError(`${what}: not found on the card (status ${hex(sw)})`);
    case SW_INS_NOT_SUPPORTED:
    case SW_CLA_NOT_SUPPORTED:
    case SW_FUNCTION_NOT_SUPPORTED:
    case SW_WRONG_P1P2:
      return new CardUnsupportedError(`${what}: not supported by the card (status ${hex(sw)})`, sw);
    default:
      return new CardStatusError(sw, `${what}: the card answered status ${hex(sw)}`);
  }
}

/**
 * Returns the response data when the status is 9000, else throws the typed error.
 *
 * @throws CARD_PIN_INCORRECT, CARD_BLOCKED, CARD_SECURITY_STATUS, CARD_NOT_FOUND,
 * CARD_UNSUPPORTED or CARD_STATUS according to the status word.
 * @throws VALIDATION when `response` is not a record of bytes and a status word, or `what`
 * is not a string.
 * @example
 * ```ts
 * const data = expectSuccess(await transceiver.send(cmd), 'GET DATA CHUID');
 * ```
 */
export function expectSuccess(response: ResponseApdu, what: string): Uint8Array {
  checkRecord(response, 'expectSuccess input', 'response');
  checkBytes(response.data, 'expectSuccess input', 'response.data');
  checkWhole(response.sw, 0, MAX_SW, 'expectSuccess input', 'response.sw');
  const error = statusError(response.sw, what);
  if (error !== undefined) throw error;
  return response.data;
}
