import { CareIdError } from '../errors/care-id-error.js';
import type { CareIdErrorCode } from '../errors/codes.js';

/**
 * The codes of a refused WebAuthn ceremony (AUTH-03):
 * - `WEBAUTHN_NOT_CONFIGURED`: the RA was created without `webauthn` relying-party settings;
 * - `WEBAUTHN_CHALLENGE_UNKNOWN`: the response answers no challenge this RA issued for this
 *   ceremony and actor (a wrong or forged challenge);
 * - `WEBAUTHN_CHALLENGE_EXPIRED`: the challenge outlived its time to live;
 * - `WEBAUTHN_CHALLENGE_USED`: the challenge was already spent by a verified response (a replay);
 * - `WEBAUTHN_VERIFICATION_FAILED`: the response does not verify (its `check` says which:
 *   origin, RP ID, signature, user presence or verification, type, the response itself);
 * - `WEBAUTHN_COUNTER_REGRESSED`: the sign counter did not go up (a cloned authenticator?);
 * - `WEBAUTHN_CREDENTIAL_UNKNOWN`: the assertion names no credential on record, or a removed one.
 *
 * @example
 * ```ts
 * if ((await res.json()).code === ('WEBAUTHN_CHALLENGE_EXPIRED' satisfies WebAuthnErrorCode)) restart();
 * ```
 */
export type WebAuthnErrorCode = Extract<CareIdErrorCode, `WEBAUTHN_${string}`>;

/** Which check of a WebAuthn response failed (WebAuthn §7.1, §7.2). */
export type WebAuthnCheck =
  | 'type'
  | 'challenge'
  | 'origin'
  | 'rp-id'
  | 'user-presence'
  | 'user-verification'
  | 'user-handle'
  | 'signature'
  | 'counter'
  | 'response';

/**
 * AUTH-03: a WebAuthn response refused. Nothing was stored, no counter moved and the
 * challenge was not spent; the attempt is audited. Start the ceremony again for a new
 * challenge when the code says it expired or was used.
 *
 * @example
 * ```ts
 * catch (e) { if (e instanceof WebAuthnError && e.check === 'origin') console.error(e.message) }
 * ```
 */
export class WebAuthnError extends CareIdError<WebAuthnErrorCode> {
  override name = 'WebAuthnError';
  /** Which check failed, when the code is about the response itself. */
  readonly check?: WebAuthnCheck;

  constructor(
    code: WebAuthnErrorCode,
    message: string,
    options: { readonly check?: WebAuthnCheck; readonly cause?: unknown } = {},
  ) {
    super(code, message, { cause: options.cause });
    if (options.check !== undefined) this.check = options.check;
  }
}
