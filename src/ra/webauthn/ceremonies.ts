import type { RelyingParty } from '../../authn/relying-party.js';
import type { ActivityPipeline } from '../activity.js';
import {
  type AuthenticationOptions,
  type AuthenticationResult,
  authenticationOptions,
  verifyAuthentication,
} from './authentication.js';
import {
  type RegistrationOptions,
  type RegistrationResult,
  registrationOptions,
  verifyRegistration,
} from './registration.js';
import type {
  AuthenticationOptionsInput,
  RegistrationOptionsInput,
  VerifyAuthenticationInput,
  VerifyRegistrationInput,
} from './schemas.js';

/**
 * AUTH-03: the WebAuthn ceremonies of the RA (security keys, Windows Hello, passkeys), over
 * `@simplewebauthn/server`, with the relying-party settings the RA was created with.
 * Challenges are single use, expire, and live in the store, so any application server
 * sharing it verifies a response to another's options.
 */
export interface WebAuthnCeremonies {
  /**
   * Starts a registration: the options for `navigator.credentials.create()`. Decided as
   * `authenticator.register` is: on your own profile as self-service (AUTH-01), on
   * another's by an RA agent with `userPresent: true` (AUTH-02). Audited.
   *
   * @throws VALIDATION, POLICY_DENIED, NOT_FOUND (all audited), WEBAUTHN_NOT_CONFIGURED.
   * @example
   * ```ts
   * const { options } = await ra.webauthn.registrationOptions(agent, { user, kind: 'security-key', label: 'YubiKey', userPresent: true });
   * ```
   */
  registrationOptions(actor: string, input: RegistrationOptionsInput): Promise<RegistrationOptions>;
  /**
   * Finishes a registration: verifies the browser's answer (challenge, origin, RP ID,
   * attestation) and only then stores the authenticator record and its credential, in one
   * transaction with its audit record. The same actor that asked for the options answers.
   *
   * @throws VALIDATION, POLICY_DENIED, NOT_FOUND, DUPLICATE, WEBAUTHN_CHALLENGE_UNKNOWN,
   * WEBAUTHN_CHALLENGE_EXPIRED, WEBAUTHN_CHALLENGE_USED, WEBAUTHN_VERIFICATION_FAILED (all
   * audited; nothing stored), WEBAUTHN_NOT_CONFIGURED.
   * @example
   * ```ts
   * const { authenticator, credential } = await ra.webauthn.verifyRegistration(agent, { response });
   * ```
   */
  verifyRegistration(actor: string, input: VerifyRegistrationInput): Promise<RegistrationResult>;
  /**
   * Starts an authentication (a sign-in, so no actor): the options for
   * `navigator.credentials.get()`, for a named user or for any passkey.
   *
   * @throws VALIDATION, WEBAUTHN_NOT_CONFIGURED.
   * @example
   * ```ts
   * const { options } = await ra.webauthn.authenticationOptions({ user: '555000000004' });
   * ```
   */
  authenticationOptions(input?: AuthenticationOptionsInput): Promise<AuthenticationOptions>;
  /**
   * Finishes an authentication: verifies the assertion and its sign counter against a
   * credential in force, then stores the counter and spends the challenge. Says who signed
   * in; the host makes its session from that. Audited, refusals too.
   *
   * @throws VALIDATION, WEBAUTHN_CHALLENGE_UNKNOWN, WEBAUTHN_CHALLENGE_EXPIRED,
   * WEBAUTHN_CHALLENGE_USED, WEBAUTHN_CREDENTIAL_UNKNOWN, WEBAUTHN_VERIFICATION_FAILED,
   * WEBAUTHN_COUNTER_REGRESSED, WEBAUTHN_NOT_CONFIGURED.
   * @example
   * ```ts
   * const { user } = await ra.webauthn.verifyAuthentication({ response });
   * ```
   */
  verifyAuthentication(input: VerifyAuthenticationInput): Promise<AuthenticationResult>;
}

/**
 * The WebAuthn ceremonies over the RA's activity pipeline and relying-party settings
 * (`undefined`: every ceremony refuses with WEBAUTHN_NOT_CONFIGURED).
 *
 * @example
 * ```ts
 * const webauthn = createWebAuthnCeremonies(pipeline, toRelyingParty(options.webauthn));
 * ```
 */
export function createWebAuthnCeremonies(
  pipeline: ActivityPipeline,
  rp: RelyingParty | undefined,
): WebAuthnCeremonies {
  return {
    registrationOptions: (actor, input) => registrationOptions(pipeline, rp, actor, input),
    verifyRegistration: (actor, input) => verifyRegistration(pipeline, rp, actor, input),
    authenticationOptions: (input) => authenticationOptions(pipeline, rp, input),
    verifyAuthentication: (input) => verifyAuthentication(pipeline, rp, input),
  };
}
