import type { z } from 'zod';
import type { IsoDateTime } from '../../domain/dates.js';
import type { Smartcard } from '../../domain/smartcard.js';
import type { CertificateAuthority } from '../../pki/certificate-authority.js';
import type { Signer } from '../../pki/signer.js';
import type { Decision } from '../../policy/engine.js';
import type { ActivityPipeline } from '../activity.js';
import type {
  cancelCardCommandSchema,
  clearCardCommandSchema,
  issueCardCommandSchema,
  reconcileCardsCommandSchema,
  renewCardCommandSchema,
  repairCardCommandSchema,
  replaceCardCommandSchema,
  selfUnlockConfirmCommandSchema,
  selfUnlockRequestCommandSchema,
  stockCardCommandSchema,
  unlockCardCommandSchema,
} from './commands.js';
import type { CardReader, KeyVault, Notifier, UnlockCodeStore } from './ports.js';

/** What a smartcard operation returns: the card record as stored and the decision that allowed it. */
export interface SmartcardResult {
  readonly type: string;
  /** The card record as stored afterwards. */
  readonly card: Smartcard;
  /** The decision that allowed it (rule IDs and reasons). */
  readonly decision: Decision;
  /** The certificate the card now holds, when the operation issued one. */
  readonly certificate?: {
    readonly serial: string;
    readonly notBefore: IsoDateTime;
    readonly notAfter: IsoDateTime;
  };
  /** Certificates revoked by the operation, by serial. */
  readonly revoked: readonly string[];
  /** APDUs sent to the card (0 when no card was involved). */
  readonly apdus: number;
}

/** What a self-service unlock request returns: where the code went and until when it works. */
export interface SelfUnlockRequested {
  readonly type: 'smartcard.self-unlock.request';
  readonly channel: 'email' | 'mobile';
  readonly expiresAt: IsoDateTime;
  readonly decision: Decision;
}

/** What a reconciliation did: the certificates it revoked, and the cards they were linked to. */
export interface ReconcileResult {
  readonly type: 'smartcard.reconcile';
  /** Certificates revoked because no usable card may hold them, by serial. */
  readonly revoked: readonly string[];
  /** The cards whose certificates it revoked (left mid-operation, flagged for repair). */
  readonly cards: readonly string[];
  readonly decision: Decision;
}

/** Options of one card operation call. */
export interface CardCallOptions {
  /** Called before each slow step (key generation, signing) with a sentence for a person. */
  readonly progress?: (step: string) => void;
}

/**
 * The smartcard operations of the RA (CARD-01..CARD-11): each reads the card in the reader
 * handed in, decides, reserves its record, runs the card and CA steps outside any store
 * transaction, then finalises the record with its audit record. A failed step is
 * compensated (a certificate on no card revoked, a card with no record wiped or flagged
 * for repair), audited, and thrown as the step's typed error.
 */
export interface SmartcardOperations {
  /**
   * Takes the blank card in the reader into stock.
   * @throws POLICY_DENIED, DUPLICATE (already in stock), CARD_*.
   */
  stock(
    actor: string,
    input: z.input<typeof stockCardCommandSchema>,
    reader: CardReader,
  ): Promise<SmartcardResult>;
  /**
   * CARD-01/02/11: issues the blank card in the reader to a present user who sets their passcode.
   * @throws VALIDATION, POLICY_DENIED, NOT_FOUND, INVALID_TRANSITION, CARD_*, PKI_*, STORE_UNAVAILABLE, CONFLICT.
   */
  issue(
    actor: string,
    input: z.input<typeof issueCardCommandSchema>,
    reader: CardReader,
    options?: CardCallOptions,
  ): Promise<SmartcardResult>;
  /**
   * CARD-03: RA unlock with the user present typing a new passcode (PUK from the vault).
   * @throws VALIDATION, POLICY_DENIED, NOT_FOUND, INVALID_TRANSITION, CARD_*.
   */
  unlock(
    actor: string,
    input: z.input<typeof unlockCardCommandSchema>,
    reader: CardReader,
  ): Promise<SmartcardResult>;
  /** CARD-03 self-service unlock. */
  readonly selfUnlock: {
    /**
     * Sends a one-time code (15 minutes, single use) to the actor's verified email or mobile.
     * @throws VALIDATION (no verified contact, no notifier), POLICY_DENIED (certificates expired, not the holder).
     */
    request(
      actor: string,
      input: z.input<typeof selfUnlockRequestCommandSchema>,
    ): Promise<SelfUnlockRequested>;
    /**
     * Unlocks the actor's card in their reader with the code and a new passcode.
     * @throws POLICY_DENIED (wrong, expired or used code), VALIDATION, CARD_*.
     */
    confirm(
      actor: string,
      input: z.input<typeof selfUnlockConfirmCommandSchema>,
      reader: CardReader,
    ): Promise<SmartcardResult>;
  };
  /**
   * CARD-05/06/07: renews the certificate of the card in the reader (self, sponsor, LSA, RA).
   * @throws VALIDATION, POLICY_DENIED, INVALID_TRANSITION, CARD_*, PKI_*.
   */
  renew(
    actor: string,
    input: z.input<typeof renewCardCommandSchema>,
    reader: CardReader,
    options?: CardCallOptions,
  ): Promise<SmartcardResult>;
  /**
   * CARD-08: rewrites the card's identity and certificate for the same holder.
   * @throws VALIDATION, POLICY_DENIED, INVALID_TRANSITION, CARD_*, PKI_*.
   */
  repair(
    actor: string,
    input: z.input<typeof repairCardCommandSchema>,
    reader: CardReader,
    options?: CardCallOptions,
  ): Promise<SmartcardResult>;
  /**
   * CARD-09: revokes the card's certificates, wipes it and returns it to stock.
   * @throws POLICY_DENIED, INVALID_TRANSITION (cancelled), CARD_*.
   */
  clear(
    actor: string,
    input: z.input<typeof clearCardCommandSchema>,
    reader: CardReader,
  ): Promise<SmartcardResult>;
  /**
   * CARD-10: cancels a card with a reason, revoking its certificates; no card needed.
   * @throws VALIDATION, POLICY_DENIED, NOT_FOUND, INVALID_TRANSITION.
   */
  cancel(actor: string, input: z.input<typeof cancelCardCommandSchema>): Promise<SmartcardResult>;
  /**
   * CARD-10: cancels the old card and issues the blank one in the reader to the same holder, locked.
   * @throws VALIDATION, POLICY_DENIED, NOT_FOUND, INVALID_TRANSITION, CARD_*, PKI_*.
   */
  replace(
    actor: string,
    input: z.input<typeof replaceCardCommandSchema>,
    reader: CardReader,
    options?: CardCallOptions,
  ): Promise<SmartcardResult>;
}

/** The smartcard operations, with the recovery sweep a host runs after a crash. */
export interface SmartcardOperationsWithRecovery extends SmartcardOperations {
  /**
   * The recovery step after a crash (ARCHITECTURE step 5, when no compensation could run),
   * with no card needed: revokes every active certificate that may not be on a usable card
   * (its key in slot 9A of an issued or locked card): one the CA issued but no card record
   * holds, and one whose card is reserved by an operation (issue, repair, renewal,
   * clearing) that began at least `olderThanMinutes` ago, so was left by a process that
   * died. A renewal's certificate is revoked as `superseded`, so running the renewal again
   * resumes it. The cards stay flagged for repair (needs-repair) until the operation is run
   * again with the card present (or the card is repaired or cleared).
   *
   * Call it at start-up, before serving, with `olderThanMinutes: 0` when no other process
   * runs card operations on the store; and on a schedule (every few minutes) with the
   * default 15, longer than any card operation takes, when several processes share it.
   * @throws VALIDATION, POLICY_DENIED (RAM, RAA(A), RAA only), STORE_UNAVAILABLE.
   * @example
   * ```ts
   * await ra.smartcards.reconcile(agent, { olderThanMinutes: 0 }); // at start-up
   * ```
   */
  reconcile(
    actor: string,
    input?: z.input<typeof reconcileCardsCommandSchema>,
  ): Promise<ReconcileResult>;
}

/** What the smartcard operations are built from. */
export interface SmartcardDependencies {
  /** The RA's activity pipeline, over its store, pack and clock. */
  readonly pipeline: ActivityPipeline;
  /**
   * The CA; its repository must be `storeCaRepository(store)` over the same store, so its
   * records and the RA's are one: revocations written with a card's change are on the CRL.
   */
  readonly certificateAuthority: CertificateAuthority | undefined;
  readonly keyVault: KeyVault;
  readonly notifier: Notifier | undefined;
  /** The domain of the UPN written into certificates (`<uuid>@<domain>`). */
  readonly upnDomain: string;
  /** Where pending self-service unlock codes wait (default: in memory). */
  readonly unlockCodes?: UnlockCodeStore | undefined;
  /** AUD-02: the server key pending codes are kept under (HMAC-SHA-256). */
  readonly unlockCodeKey: Uint8Array;
  /** Signs each CHUID written to a card; without it the CHUID's signature is empty. */
  readonly chuidSigner?: ChuidSigner | undefined;
}

/**
 * The key and certificate that sign every CHUID careid writes (the issuer asymmetric
 * signature, SP 800-73-4 Part 1 §3.1.2), so PIV relying parties that check the CHUID accept
 * the card. The certificate is a PIV content-signing certificate from careid's CA
 * (`ca.issueContentSigner`); the host keeps the key as it keeps the CA's.
 */
export interface ChuidSigner {
  /** The DER content-signing certificate (id-PIV-content-signing). */
  readonly certificate: Uint8Array;
  /** Its private key, as a careid/pki `Signer`. */
  readonly signer: Signer;
}
