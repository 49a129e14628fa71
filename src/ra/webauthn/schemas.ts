import { z } from 'zod';
import { authenticationResponseSchema, registrationResponseSchema } from '../../authn/responses.js';
import { uuidSchema } from '../../domain/uuid.js';
import { webAuthnKinds } from '../../domain/webauthn-credential.js';

/**
 * AUTH-01/AUTH-02/AUTH-03: what a registration ceremony starts from. Without `user`, on the
 * actor's own profile (self-service); on another's, by an RA agent with the user present.
 */
export const registrationOptionsInputSchema = z
  .strictObject({
    user: uuidSchema.optional().describe("Whose profile (default: the actor's own)."),
    kind: z
      .enum(webAuthnKinds)
      .describe('security-key (a roaming key) or windows-hello (the platform).'),
    label: z
      .string()
      .trim()
      .min(1, { message: 'must not be empty' })
      .max(200)
      .describe('How the authenticator is named on the profile, e.g. "YubiKey 5 NFC".'),
    userPresent: z
      .boolean()
      .default(false)
      .describe('AUTH-02: the RA agent confirms the user is present (needed on another profile).'),
  })
  .readonly();
/** The input of `ra.webauthn.registrationOptions`. */
export type RegistrationOptionsInput = z.input<typeof registrationOptionsInputSchema>;

/** AUTH-03: the browser's answer to the registration options. */
export const verifyRegistrationInputSchema = z
  .strictObject({ response: registrationResponseSchema })
  .readonly();
/** The input of `ra.webauthn.verifyRegistration`. */
export type VerifyRegistrationInput = z.input<typeof verifyRegistrationInputSchema>;

/** AUTH-03: what an authentication ceremony starts from: the user, if one is named. */
export const authenticationOptionsInputSchema = z
  .strictObject({
    user: uuidSchema
      .optional()
      .describe('The user signing in; leave out to let the browser offer the passkeys it holds.'),
  })
  .readonly()
  .default({});
/** The input of `ra.webauthn.authenticationOptions`. */
export type AuthenticationOptionsInput = z.input<typeof authenticationOptionsInputSchema>;

/** AUTH-03: the browser's answer to the authentication options. */
export const verifyAuthenticationInputSchema = z
  .strictObject({ response: authenticationResponseSchema })
  .readonly();
/** The input of `ra.webauthn.verifyAuthentication`. */
export type VerifyAuthenticationInput = z.input<typeof verifyAuthenticationInputSchema>;
