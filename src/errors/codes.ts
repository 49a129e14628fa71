/**
 * Every stable error code careid throws. Each layer owns its block; a code, once
 * published, keeps its meaning.
 */
export type CareIdErrorCode =
  // core and domain
  | 'VALIDATION'
  | 'OPTIONAL_PEER_MISSING'
  | 'NOT_FOUND'
  | 'INVALID_TRANSITION'
  // policy
  | 'POLICY_DENIED'
  // storage
  | 'CONFLICT'
  | 'DUPLICATE'
  | 'STORE_UNAVAILABLE'
  | 'AUDIT_BROKEN'
  // pki
  | 'PKI_MALFORMED'
  | 'PKI_BAD_SIGNATURE'
  | 'PKI_WEAK_KEY'
  | 'PKI_UNSUPPORTED'
  | 'PKI_CHAIN_INVALID'
  | 'PKI_REVOKED'
  | 'PKI_EXPIRED'
  | 'PKI_KEY_MISMATCH'
  | 'PKI_KEY_REUSED'
  // card
  | 'CARD_STATUS'
  | 'CARD_PIN_INCORRECT'
  | 'CARD_BLOCKED'
  | 'CARD_SECURITY_STATUS'
  | 'CARD_NOT_FOUND'
  | 'CARD_REMOVED'
  | 'CARD_TRANSPORT'
  | 'CARD_PROTOCOL'
  | 'CARD_AUTHENTICATION'
  | 'CARD_UNSUPPORTED'
  // authn (WebAuthn ceremonies, AUTH-03)
  | 'WEBAUTHN_NOT_CONFIGURED'
  | 'WEBAUTHN_CHALLENGE_UNKNOWN'
  | 'WEBAUTHN_CHALLENGE_EXPIRED'
  | 'WEBAUTHN_CHALLENGE_USED'
  | 'WEBAUTHN_VERIFICATION_FAILED'
  | 'WEBAUTHN_COUNTER_REGRESSED'
  | 'WEBAUTHN_CREDENTIAL_UNKNOWN'
  // http (careid/http answers with these; nothing reached the RA)
  | 'UNAUTHENTICATED'
  | 'BODY_TOO_LARGE'
  | 'UNSUPPORTED_MEDIA_TYPE'
  | 'ROUTE_NOT_FOUND'
  | 'METHOD_NOT_ALLOWED'
  | 'INTERNAL';
