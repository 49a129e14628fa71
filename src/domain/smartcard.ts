import { z } from 'zod';
import { isoDateTimeSchema } from './dates.js';
import { uuidSchema } from './uuid.js';

/** A card's printed serial: digits; the first two are its series (CARD-07). */
export const cardSerialSchema = z
  .string()
  .regex(/^\d{8,20}$/, { message: 'must be the card serial: 8 to 20 digits' })
  .brand<'CardSerial'>();
/** A card's serial number. */
export type CardSerial = z.infer<typeof cardSerialSchema>;

/**
 * The series of a card: the first two digits of its serial (CARD-07).
 *
 * @example
 * ```ts
 * cardSeries('0512345678' as CardSerial) // '05'
 * ```
 */
export function cardSeries(serial: CardSerial): string {
  return serial.slice(0, 2);
}

/**
 * The states of a card. `stock`: blank, no holder; `issued`: active with its holder;
 * `locked`: passcode blocked (three wrong, CARD-02) or issued locked as a replacement
 * (CARD-10); `cancelled`: never active again (CARD-10); `needs-repair`: the card and the
 * records disagree and an RA must repair or clear it.
 */
export const cardStatuses = ['stock', 'issued', 'locked', 'needs-repair', 'cancelled'] as const;
/** A card's state. */
export type CardStatus = (typeof cardStatuses)[number];

/** What careid may be writing to a reserved card (see `reserveCard`). */
export const cardOperations = ['issue', 'repair', 'renewal', 'clearing'] as const;
/** An operation that writes to a card. */
export type CardOperation = (typeof cardOperations)[number];

/** CARD-10: why a card was cancelled; each maps to a revocation reason (PROF-01 adds `profile-closed`). */
export const cancelReasons = [
  'lost',
  'stolen',
  'damaged',
  'returned',
  'replaced',
  'profile-closed',
] as const;
/** Why a card was cancelled. */
export type CancelReason = (typeof cancelReasons)[number];

/**
 * A smartcard record: stock, issue, servicing and cancellation (CARD-01..CARD-11). Its
 * certificates and their status are the certificate authority's records (the store's
 * `certificates`, by card or holder), not part of the card.
 */
export const smartcardSchema = z
  .object({
    serial: cardSerialSchema,
    status: z.enum(cardStatuses),
    holder: uuidSchema.optional(),
    /** Renewals of any kind since issue. */
    renewalCount: z.number().int().nonnegative().default(0),
    /** CARD-05: self-renewals since issue (dorset allows 3, then a new card). */
    selfRenewalCount: z.number().int().nonnegative().default(0),
    issuedAt: isoDateTimeSchema.optional(),
    cancelled: z
      .object({ at: isoDateTimeSchema, by: uuidSchema, reason: z.enum(cancelReasons) })
      .readonly()
      .optional(),
    /** CARD-10: the card this one replaces. */
    replaces: cardSerialSchema.optional(),
    /**
     * While careid writes to the card (the card is `needs-repair` meanwhile): which
     * operation and since when. A reservation older than any operation takes was left by
     * a process that died mid-write; `smartcards.reconcile` revokes the card's certificates
     * then, and running the operation again completes it.
     */
    reservation: z
      .object({ operation: z.enum(cardOperations), at: isoDateTimeSchema })
      .readonly()
      .optional(),
    version: z.number().int().nonnegative(),
  })
  .readonly();
/** A smartcard record. */
export type Smartcard = z.infer<typeof smartcardSchema>;
