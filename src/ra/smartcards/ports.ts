import type { CardConnection } from '../../card/connection.js';
import type { ManagementKeyAlgorithm } from '../../card/piv/constants.js';
import type { CardSerial } from '../../domain/smartcard.js';
import type { Uuid } from '../../domain/uuid.js';

/**
 * The reader a card operation runs on, handed in per call: the RA agent's desk reader, the
 * user's own reader (self-service), or the in-process simulator. Each call opens one
 * connection and closes it when done.
 *
 * @example
 * ```ts
 * const reader: CardReader = { name: 'virtual', connect: async () => connectVirtualCard(card) };
 * ```
 */
export interface CardReader {
  /** The reader's name, for audit records and messages. */
  readonly name: string;
  /**
   * Connects to the card in the reader.
   *
   * @throws CARD_REMOVED when no card is present; CARD_TRANSPORT when the reader fails.
   */
  connect(): Promise<CardConnection>;
}

/**
 * The secrets careid sets on a card at issue (CARD-01): a fresh management key and PUK per
 * card. They never leave the vault except to reach the card (AUD-02).
 */
export interface CardSecrets {
  /** The card management key (9B). */
  readonly managementKey: Uint8Array;
  /** Its algorithm. */
  readonly managementAlgorithm: ManagementKeyAlgorithm;
  /** The PUK, 8 digits, used by RA unlock (RESET RETRY COUNTER, CARD-03). */
  readonly puk: string;
  /**
   * The secrets the card may still hold while it is being given these: careid keeps them
   * until the card has taken the new ones, so a process that dies in between leaves a card
   * that one of them opens. Absent once the card holds these.
   */
  readonly previous?: readonly Omit<CardSecrets, 'previous'>[];
}

/**
 * Where card secrets live, encrypted: the `KeyVault` port. The default is
 * {@link aesGcmKeyVault} with a key the host provides; an HSM or a cloud KMS fits the
 * same three calls.
 *
 * @example
 * ```ts
 * await vault.put(serial, { managementKey, managementAlgorithm: 'AES-256', puk });
 * ```
 */
export interface KeyVault {
  /** Stores (or replaces) the secrets of a card. */
  put(serial: CardSerial, secrets: CardSecrets): Promise<void>;
  /** The secrets of a card, or `undefined` when the vault holds none. */
  get(serial: CardSerial): Promise<CardSecrets | undefined>;
  /** Forgets the secrets of a card (it was wiped). Idempotent. */
  delete(serial: CardSerial): Promise<void>;
}

/** Where {@link aesGcmKeyVault} keeps its sealed blobs: a narrow key-value port. */
export interface SealedStorage {
  /** The sealed blob for a card, or `undefined`. */
  get(serial: string): Promise<Uint8Array | undefined>;
  /** Stores the sealed blob for a card. */
  put(serial: string, sealed: Uint8Array): Promise<void>;
  /** Removes the blob for a card. Idempotent. */
  delete(serial: string): Promise<void>;
}

/** A one-time code on its way to a user's verified email or mobile (CARD-03 self-service). */
export interface OneTimeCodeMessage {
  /** The user it is for. */
  readonly uuid: Uuid;
  /** Email or mobile, as verified on the profile. */
  readonly channel: 'email' | 'mobile';
  /** The address or number it goes to. */
  readonly address: string;
  /** The code itself: only the notifier ever sees it (AUD-02). */
  readonly code: string;
  /** When it stops working (15 minutes after it was sent). */
  readonly expiresAt: Date;
}

/**
 * Sends one-time codes for self-service unlock (CARD-03): email, SMS, or anything else.
 *
 * @example
 * ```ts
 * const notifier: Notifier = { send: async (m) => sms.send(m.address, `careid code ${m.code}`) };
 * ```
 */
export interface Notifier {
  /**
   * Sends the code. A failure stops the request; the code is then never valid.
   */
  send(message: OneTimeCodeMessage): Promise<void>;
}

/**
 * A self-service unlock code waiting to be used (CARD-03): only its digest is kept, bound
 * to the user and the card, never the code itself (AUD-02).
 */
export interface PendingUnlockCode {
  /** The card it unlocks. */
  readonly serial: string;
  /**
   * AUD-02: HMAC-SHA-256 (hex) of `<uuid>:<serial>:<code>` under the RA's `unlockCodeKey`:
   * useless without the key, which never lives beside it.
   */
  readonly digest: string;
  /** When it stops working, in milliseconds since the epoch (15 minutes after it was sent). */
  readonly expires: number;
  /** Wrong tries left before it is void. */
  readonly triesLeft: number;
}

/**
 * Where pending self-service codes wait between request and confirmation: in the RA's
 * memory by default (`memoryUnlockCodes()`); give a shared one (a database table, a
 * cache) when several application servers answer the same users.
 *
 * @example
 * ```ts
 * const codes: UnlockCodeStore = memoryUnlockCodes();
 * ```
 */
export interface UnlockCodeStore {
  /** The pending code of a user, or `undefined`. */
  get(uuid: string): Promise<PendingUnlockCode | undefined>;
  /** Stores (or replaces) the pending code of a user. */
  put(uuid: string, pending: PendingUnlockCode): Promise<void>;
  /** Forgets the pending code of a user. Idempotent. */
  delete(uuid: string): Promise<void>;
}
