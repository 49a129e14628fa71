import { produce } from 'immer';
import type { IsoDateTime } from '../dates.js';
import { InvalidTransitionError } from '../errors.js';
import type { Uuid } from '../uuid.js';
import type { WebAuthnCredential } from '../webauthn-credential.js';

/**
 * AUTH-03: records a verified use of a credential: its new sign counter and when. The
 * caller has checked the counter went up (or that the authenticator keeps none).
 *
 * @throws INVALID_TRANSITION (AUTH-03) when the credential is removed.
 * @example
 * ```ts
 * const next = recordCredentialUse(credential, { counter: 8, at });
 * ```
 */
export function recordCredentialUse(
  credential: WebAuthnCredential,
  use: { readonly counter: number; readonly at: IsoDateTime },
): WebAuthnCredential {
  if (credential.removed) {
    throw new InvalidTransitionError('AUTH-03', `Credential ${credential.id} is removed`);
  }
  return produce(credential, (draft) => {
    draft.counter = use.counter;
    draft.lastUsedAt = use.at;
  });
}

/**
 * AUTH-02/PROF-01: removes a credential with its authenticator or profile: it stays on
 * record, marked removed, and never verifies again. Removing a removed one changes nothing.
 *
 * @example
 * ```ts
 * const removed = removeCredential(credential, { by: agent, at });
 * ```
 */
export function removeCredential(
  credential: WebAuthnCredential,
  input: { readonly by: Uuid; readonly at: IsoDateTime },
): WebAuthnCredential {
  if (credential.removed) return credential;
  return produce(credential, (draft) => {
    draft.removed = { at: input.at, by: input.by };
  });
}
