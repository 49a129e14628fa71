import { z } from 'zod';
import { isoDateTimeSchema } from './dates.js';
import { authenticatorIdSchema } from './ids.js';
import { uuidSchema } from './uuid.js';

/**
 * Base64url without padding (RFC 4648 §5), as WebAuthn's JSON encodes bytes; at most
 * `max` characters.
 *
 * @example
 * ```ts
 * base64urlSchema(1364).parse('AQID') // 'AQID'
 * ```
 */
export function base64urlSchema(max: number) {
  return z
    .string()
    .min(1, { message: 'must not be empty' })
    .max(max, { message: `must be at most ${max} characters` })
    .regex(/^[A-Za-z0-9_-]+$/, { message: 'must be base64url without padding' });
}

/** A credential ID: at most 1023 bytes (WebAuthn §5.8.3), so 1364 base64url characters. */
export const credentialIdSchema = base64urlSchema(1364);

/** How the browser may reach an authenticator (WebAuthn §5.8.4, the values browsers send). */
export const authenticatorTransports = [
  'ble',
  'cable',
  'hybrid',
  'internal',
  'nfc',
  'smart-card',
  'usb',
] as const;
/** One of {@link authenticatorTransports}. */
export type AuthenticatorTransport = (typeof authenticatorTransports)[number];

/** The AUTH-03 kinds: those registered only through a verified WebAuthn ceremony. */
export const webAuthnKinds = ['security-key', 'windows-hello'] as const;
/** A kind of authenticator that is a WebAuthn credential. */
export type WebAuthnKind = (typeof webAuthnKinds)[number];

/**
 * AUTH-03: a WebAuthn credential as the store keeps it, stored only after its attestation
 * verified: the credential ID (the key), the COSE public key, the sign counter, the
 * transports, the user and the authenticator record (AUTH-01/AUTH-02) it belongs to.
 * A passkey is a credential whose `deviceType` is `multiDevice` (synced) or that the
 * authenticator keeps discoverable (`discoverable`). Removed with its authenticator or its
 * profile (PROF-01): kept on record, never used again.
 */
export const webAuthnCredentialSchema = z
  .object({
    /** The credential ID, base64url. */
    id: credentialIdSchema,
    user: uuidSchema,
    authenticator: authenticatorIdSchema,
    /** The credential's public key, COSE-encoded (RFC 9052), base64url. */
    publicKey: base64urlSchema(4096),
    /** The last signature counter seen (WebAuthn §6.1.1); 0 for authenticators that keep none. */
    counter: z.number().int().nonnegative().max(0xffffffff),
    transports: z.array(z.enum(authenticatorTransports)).max(16).readonly(),
    /** `multiDevice`: the credential may be synced to other devices (a synced passkey). */
    deviceType: z.enum(['singleDevice', 'multiDevice']),
    /** Whether the credential is backed up (synced) now. */
    backedUp: z.boolean(),
    /** Whether the authenticator keeps the credential discoverable (credProps `rk`), when it says. */
    discoverable: z.boolean().optional(),
    /** The authenticator model's AAGUID (all zeros when it gives none). */
    aaguid: z.string().regex(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/, {
      message: 'must be an AAGUID in lower-case UUID form',
    }),
    registeredAt: isoDateTimeSchema,
    lastUsedAt: isoDateTimeSchema.optional(),
    removed: z.object({ at: isoDateTimeSchema, by: uuidSchema }).readonly().optional(),
    version: z.number().int().nonnegative(),
  })
  .readonly();
/** A stored WebAuthn credential (AUTH-03). */
export type WebAuthnCredential = z.infer<typeof webAuthnCredentialSchema>;
