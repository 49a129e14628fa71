import { CareIdError, type CareIdErrorOptions } from '../errors/care-id-error.js';

/**
 * The card answered with a status word careid has no more specific error for.
 *
 * @example
 * ```ts
 * if (e instanceof CardStatusError) console.log(e.sw.toString(16));
 * ```
 */
export class CardStatusError extends CareIdError<'CARD_STATUS'> {
  override name = 'CardStatusError';
  /** The status word SW1-SW2 (ISO 7816-4 §5.6). */
  readonly sw: number;

  constructor(sw: number, message: string, options: CareIdErrorOptions = {}) {
    super('CARD_STATUS', message, options);
    this.sw = sw;
  }
}

/**
 * The PIN or PUK given was wrong; `triesLeft` more wrong attempts block it (CARD-02).
 *
 * @example
 * ```ts
 * catch (e) { if (e instanceof PinIncorrectError) show(`${e.triesLeft} tries left`) }
 * ```
 */
export class PinIncorrectError extends CareIdError<'CARD_PIN_INCORRECT'> {
  override name = 'PinIncorrectError';
  /** Wrong attempts left before the reference is blocked. */
  readonly triesLeft: number;

  constructor(triesLeft: number, what: string, options: CareIdErrorOptions = {}) {
    super(
      'CARD_PIN_INCORRECT',
      `${what} incorrect: ${triesLeft} ${triesLeft === 1 ? 'try' : 'tries'} left`,
      options,
    );
    this.triesLeft = triesLeft;
  }
}

/**
 * The PIN, the PUK or the key is blocked (status 6983): unblock with the PUK, or reset
 * the card.
 *
 * @example
 * ```ts
 * if (isCareIdError(e, 'CARD_BLOCKED')) askForUnlock();
 * ```
 */
export class CardBlockedError extends CareIdError<'CARD_BLOCKED'> {
  override name = 'CardBlockedError';
  constructor(message: string, options: CareIdErrorOptions = {}) {
    super('CARD_BLOCKED', message, options);
  }
}

/**
 * The command needs a verified PIN or an authenticated management key first (6982).
 *
 * @example
 * ```ts
 * if (e instanceof SecurityStatusError) await session.verifyPin(pin);
 * ```
 */
export class SecurityStatusError extends CareIdError<'CARD_SECURITY_STATUS'> {
  override name = 'SecurityStatusError';
  constructor(message: string, options: CareIdErrorOptions = {}) {
    super('CARD_SECURITY_STATUS', message, options);
  }
}

/**
 * The data object, key or application asked for is not on the card (6A82).
 *
 * @example
 * ```ts
 * const cert = await session.readCertificate(0x9a); // undefined rather than this error
 * ```
 */
export class CardNotFoundError extends CareIdError<'CARD_NOT_FOUND'> {
  override name = 'CardNotFoundError';
  constructor(message: string, options: CareIdErrorOptions = {}) {
    super('CARD_NOT_FOUND', message, options);
  }
}

/**
 * The card left the reader (or stopped answering) before the command completed. The
 * connection is gone; open a new one once the card is back.
 *
 * @example
 * ```ts
 * if (e instanceof CardRemovedError) connection = await pcsc.connect(reader);
 * ```
 */
export class CardRemovedError extends CareIdError<'CARD_REMOVED'> {
  override name = 'CardRemovedError';
  constructor(message = 'The card was removed', options: CareIdErrorOptions = {}) {
    super('CARD_REMOVED', message, options);
  }
}

/**
 * The reader, PC/SC or the link to the simulator failed. `pcscCode` is the PC/SC return
 * code (e.g. 0x8010002E no readers) when the failure came from PC/SC.
 *
 * @example
 * ```ts
 * if (e instanceof CardTransportError && e.pcscCode === 0x8010002e) console.log('no reader');
 * ```
 */
export class CardTransportError extends CareIdError<'CARD_TRANSPORT'> {
  override name = 'CardTransportError';
  /** The PC/SC return code, when known. */
  readonly pcscCode: number | undefined;

  constructor(message: string, pcscCode?: number, options: CareIdErrorOptions = {}) {
    super('CARD_TRANSPORT', message, options);
    this.pcscCode = pcscCode;
  }
}

/**
 * Bytes from the card (or given to a parser) do not follow ISO 7816-4 / SP 800-73-4:
 * a truncated APDU, a bad BER-TLV length, a missing tag.
 *
 * @example
 * ```ts
 * try { decodeTlv(bytes) } catch (e) { if (e instanceof CardProtocolError) reject(); }
 * ```
 */
export class CardProtocolError extends CareIdError<'CARD_PROTOCOL'> {
  override name = 'CardProtocolError';
  constructor(message: string, options: CareIdErrorOptions = {}) {
    super('CARD_PROTOCOL', message, options);
  }
}

/**
 * Management-key mutual authentication failed: the card rejected our proof (wrong key)
 * or could not prove it holds the key.
 *
 * @example
 * ```ts
 * if (isCareIdError(e, 'CARD_AUTHENTICATION')) console.log('wrong management key');
 * ```
 */
export class CardAuthenticationError extends CareIdError<'CARD_AUTHENTICATION'> {
  override name = 'CardAuthenticationError';
  constructor(message: string, options: CareIdErrorOptions = {}) {
    super('CARD_AUTHENTICATION', message, options);
  }
}

/**
 * The card does not support the instruction, algorithm or parameters (6D00, 6A81, 6A86…).
 *
 * @example
 * ```ts
 * if (isCareIdError(e, 'CARD_UNSUPPORTED')) fallBack();
 * ```
 */
export class CardUnsupportedError extends CareIdError<'CARD_UNSUPPORTED'> {
  override name = 'CardUnsupportedError';
  /** The status word, when the card said so. */
  readonly sw: number | undefined;

  constructor(message: string, sw?: number, options: CareIdErrorOptions = {}) {
    super('CARD_UNSUPPORTED', message, options);
    this.sw = sw;
  }
}
