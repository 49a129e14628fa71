import type { ResponseApdu } from './apdu/response.js';

/**
 * The port every transport implements: one card in one reader (or the simulator). A
 * transport sends the bytes it is given and returns the card's answer split into data and
 * status word; chaining, GET RESPONSE and status handling are the APDU layer's job.
 *
 * @example
 * ```ts
 * const { data, sw } = await connection.transmit(Uint8Array.of(0x00, 0xa4, 0x04, 0x00));
 * ```
 */
export interface CardConnection {
  /** The card's Answer To Reset (ISO 7816-3 §8). */
  readonly atr: Uint8Array;
  /**
   * Sends one command APDU and resolves with the response.
   *
   * @throws CARD_REMOVED when the card left (or stopped answering); CARD_TRANSPORT when
   * the reader or link failed; CARD_PROTOCOL when the answer is shorter than 2 bytes.
   */
  transmit(apdu: Uint8Array): Promise<ResponseApdu>;
  /** Ends the connection, leaving the card powered (SCARD_LEAVE_CARD). Idempotent. */
  close(): Promise<void>;
}
