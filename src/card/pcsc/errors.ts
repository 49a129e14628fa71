import type { CareIdError } from '../../errors/care-id-error.js';
import { CardRemovedError, CardTransportError } from '../errors.js';

/**
 * PC/SC return codes careid tells apart (pcsc-lite `pcsclite.h`, MS-WinSCard).
 * @example
 * ```ts
 * if (error instanceof CardTransportError && error.pcscCode === PcscCode.NO_SERVICE) startPcscd();
 * ```
 */
export const PcscCode = {
  /** SCARD_E_NOT_TRANSACTED: the exchange with the card failed. */
  NOT_TRANSACTED: 0x80100016,
  /** SCARD_E_NO_SMARTCARD: no card in the reader. */
  NO_SMARTCARD: 0x8010000c,
  /** SCARD_E_UNKNOWN_READER. */
  UNKNOWN_READER: 0x80100009,
  /** SCARD_E_READER_UNAVAILABLE. */
  READER_UNAVAILABLE: 0x80100017,
  /** SCARD_E_NO_SERVICE: pcscd is not running. */
  NO_SERVICE: 0x8010001d,
  /** SCARD_E_NO_READERS_AVAILABLE. */
  NO_READERS_AVAILABLE: 0x8010002e,
  /** SCARD_E_SHARING_VIOLATION: another application holds the card exclusively. */
  SHARING_VIOLATION: 0x8010000b,
  /** SCARD_E_INVALID_HANDLE: the handle died (reader or card gone). */
  INVALID_HANDLE: 0x80100003,
  /** SCARD_W_UNRESPONSIVE_CARD. */
  UNRESPONSIVE_CARD: 0x80100066,
  /** SCARD_W_UNPOWERED_CARD. */
  UNPOWERED_CARD: 0x80100067,
  /** SCARD_W_RESET_CARD: another application reset the card. */
  RESET_CARD: 0x80100068,
  /** SCARD_W_REMOVED_CARD. */
  REMOVED_CARD: 0x80100069,
} as const;

/**
 * Codes meaning the card is gone or stopped answering, rather than the stack failing. A
 * failed exchange (NOT_TRANSACTED) counts: a card that no longer answers a command it
 * received is, to the caller, a card pulled mid-command.
 */
const REMOVED = new Set<number>([
  PcscCode.NOT_TRANSACTED,
  PcscCode.NO_SMARTCARD,
  PcscCode.REMOVED_CARD,
  PcscCode.UNRESPONSIVE_CARD,
  PcscCode.UNPOWERED_CARD,
]);

/**
 * The PC/SC return code inside an error of the `pcsclite` package ("SCardTransmit error:
 * Card was removed.(0x80100069)"), or `undefined`.
 *
 * @example
 * ```ts
 * pcscCodeOf(new Error('SCardConnect error: x(0x8010000c)')); // 0x8010000c
 * ```
 */
export function pcscCodeOf(error: unknown): number | undefined {
  const message = error instanceof Error ? error.message : typeof error === 'string' ? error : '';
  const match = /\(0x([0-9a-f]{1,8})\)/i.exec(message);
  return match?.[1] === undefined ? undefined : Number.parseInt(match[1], 16);
}

/**
 * Turns a `pcsclite` error into careid's: a removed card (or one that stopped answering)
 * is CARD_REMOVED, anything else CARD_TRANSPORT with the code. `cardPresent` tells apart
 * a failed exchange with a card that left (SCARD_E_NOT_TRANSACTED) from one with a card
 * still there.
 *
 * @example
 * ```ts
 * throw pcscError(err, 'SCardTransmit', false);
 * ```
 */
export function pcscError(error: unknown, operation: string, cardPresent: boolean): CareIdError {
  const code = pcscCodeOf(error);
  const hex = code === undefined ? 'no code' : `0x${code.toString(16).padStart(8, '0')}`;
  if (code !== undefined && (REMOVED.has(code) || (!cardPresent && code !== PcscCode.NO_SERVICE))) {
    return new CardRemovedError(`${operation}: the card was removed (${hex})`, { cause: error });
  }
  return new CardTransportError(`${operation} failed (${hex})`, code, { cause: error });
}
