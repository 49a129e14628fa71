/**
 * One APDU exchanged with the card, as the log hook sees it (already redacted, AUD-02).
 * @example
 * ```ts
 * const log = (e: ApduLogEntry) => console.debug(`> ${e.command}`, `< ${e.response} ${e.sw?.toString(16)}`, `${e.ms} ms`);
 * ```
 */
export interface ApduLogEntry {
  /** The command: header in hex, body in hex or `[redacted N bytes]`. */
  readonly command: string;
  /** The response data in hex or `[redacted N bytes]`; `''` when empty. */
  readonly response: string;
  /** The status word, or `undefined` when the exchange failed (see `error`). */
  readonly sw: number | undefined;
  /** The error code when the transport failed, e.g. `CARD_REMOVED`. */
  readonly error: string | undefined;
  /** Round-trip time in milliseconds. */
  readonly ms: number;
}

/**
 * A debugging hook called once per APDU sent to the card. It never sees a PIN, PUK,
 * management-key witness or challenge, or key material (AUD-02).
 *
 * @example
 * ```ts
 * const log: ApduLogger = (e) => console.debug(`> ${e.command}\n< ${e.response} ${e.sw}`);
 * ```
 */
export type ApduLogger = (entry: ApduLogEntry) => void;
