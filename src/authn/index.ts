/**
 * WebAuthn credentials (AUTH-03): the relying-party settings, the ceremonies' errors and
 * the shapes of the browser's responses. The ceremonies themselves run through the RA
 * (`ra.webauthn`), over `@simplewebauthn/server`.
 *
 * @packageDocumentation
 */

export { type WebAuthnCheck, WebAuthnError, type WebAuthnErrorCode } from './errors.js';
export {
  type RelyingParty,
  type RelyingPartyOptions,
  relyingPartySchema,
  toRelyingParty,
} from './relying-party.js';
export {
  type AuthenticationResponse,
  authenticationResponseSchema,
  type RegistrationResponse,
  registrationResponseSchema,
} from './responses.js';
