import { z } from 'zod';
import { cardSerialSchema } from '../../domain/smartcard.js';
import { uuidSchema } from '../../domain/uuid.js';

// CARD-02: the shape only; the pack's lengths are checked by passcodeProblem. The value is
// never echoed in an error (AUD-02): zod's messages here name the rule, not the input.
const passcode = z.string().regex(/^\d{1,16}$/, { message: 'a passcode has only digits' });
/** CARD-11: the facial image for the card, base64 (at most 3 KB on the card). */
const photo = z
  .string()
  .regex(/^[A-Za-z0-9+/]+={0,2}$/, { message: 'must be the photo in base64' })
  .max(4096, { message: 'the card holds a photo of at most 3 KB' });

/** Take a blank card into stock: the serial is read from the card in the reader. */
export const stockCardCommandSchema = z.object({}).strict().readonly();

/**
 * CARD-01/02/11: issue the blank card in the reader to `user`, who is present and sets
 * their own passcode.
 */
export const issueCardCommandSchema = z
  .object({
    user: uuidSchema,
    passcode,
    photo,
    userPresent: z.boolean().default(false),
  })
  .strict()
  .readonly();

/** CARD-03: RA unlock of the card in the reader, the user present typing a new passcode. */
export const unlockCardCommandSchema = z
  .object({ newPasscode: passcode, userPresent: z.boolean().default(false) })
  .strict()
  .readonly();

/** CARD-03 self-service: send a one-time code to the actor's verified email or mobile. */
export const selfUnlockRequestCommandSchema = z
  .object({ serial: cardSerialSchema, channel: z.enum(['email', 'mobile']) })
  .strict()
  .readonly();

/** CARD-03 self-service: the code received and the new passcode, at the user's own reader. */
export const selfUnlockConfirmCommandSchema = z
  .object({
    code: z.string().regex(/^\d{6,8}$/, { message: 'the one-time code has 6 to 8 digits' }),
    newPasscode: passcode,
  })
  .strict()
  .readonly();

/**
 * CARD-05/06/07: renew the certificates of the card in the reader; the holder types their
 * passcode so the card signs the request for the new key.
 */
export const renewCardCommandSchema = z
  .object({ passcode, userPresent: z.boolean().default(false) })
  .strict()
  .readonly();

/** CARD-08: rewrite the card's identity and certificate for the same holder, who sets a passcode. */
export const repairCardCommandSchema = z
  .object({ passcode, photo, userPresent: z.boolean().default(false) })
  .strict()
  .readonly();

/** CARD-09: wipe the card in the reader back to stock (its certificates revoked first). */
export const clearCardCommandSchema = z.object({}).strict().readonly();

/** CARD-10: cancel a card (it need not be present), revoking its certificates with the reason. */
export const cancelCardCommandSchema = z
  .object({
    serial: cardSerialSchema,
    reason: z.enum(['lost', 'stolen', 'damaged', 'returned', 'replaced']),
  })
  .strict()
  .readonly();

/**
 * CARD-10: replace a card: the old one is cancelled with its reason and the blank card in
 * the reader is issued to the same holder, locked, for them to unlock in person.
 */
export const replaceCardCommandSchema = z
  .object({
    serial: cardSerialSchema,
    reason: z.enum(['lost', 'stolen', 'damaged', 'returned']),
    photo,
  })
  .strict()
  .readonly();

/**
 * After a crash between the CA and the card: revoke certificates that reached no card,
 * issued at least `olderThanMinutes` ago (so an operation in flight is left alone).
 */
export const reconcileCardsCommandSchema = z
  .object({ olderThanMinutes: z.number().int().min(0).max(10_080).default(15) })
  .strict()
  .readonly();
