import { z } from 'zod';
import { isoDateTimeSchema } from './dates.js';
import { uuidSchema } from './uuid.js';
import { base64urlSchema, webAuthnKinds } from './webauthn-credential.js';

/** A challenge: 16 to 64 random bytes, base64url (careid issues 32). */
export const challengeTextSchema = base64urlSchema(86).min(22, {
  message: 'must be at least 16 bytes (22 base64url characters)',
});

const common = {
  /** The challenge itself, base64url: the key. */
  challenge: challengeTextSchema,
  createdAt: isoDateTimeSchema,
  /** After this instant the challenge is refused (WEBAUTHN_CHALLENGE_EXPIRED). */
  expiresAt: isoDateTimeSchema,
  /** When a verified response spent it; a spent challenge is refused (WEBAUTHN_CHALLENGE_USED). */
  usedAt: isoDateTimeSchema.optional(),
};

/**
 * AUTH-03: a WebAuthn challenge the RA issued, single use and with an expiry, kept in the
 * store so that any application server sharing it can verify the response. A
 * registration's challenge holds what the registration decided on (who asked, for whose
 * profile, which kind and label, whether the user was present); an authentication's
 * holds the user it was asked for, if one was named.
 */
export const webAuthnChallengeSchema = z.discriminatedUnion('ceremony', [
  z
    .object({
      ...common,
      ceremony: z.literal('registration'),
      /** Who asked for the options: only they may answer them. */
      actor: uuidSchema,
      /** Whose profile the credential is for. */
      user: uuidSchema,
      kind: z.enum(webAuthnKinds),
      label: z.string().trim().min(1).max(200),
      userPresent: z.boolean(),
    })
    .readonly(),
  z
    .object({
      ...common,
      ceremony: z.literal('authentication'),
      /** The user named when the options were asked for, if any. */
      user: uuidSchema.optional(),
    })
    .readonly(),
]);
/** A stored WebAuthn challenge (AUTH-03). */
export type WebAuthnChallenge = z.infer<typeof webAuthnChallengeSchema>;
