import { produce } from 'immer';
import type { Authenticator } from '../authenticator.js';
import type { IsoDateTime } from '../dates.js';
import { InvalidTransitionError } from '../errors.js';
import type { Transition } from '../events.js';
import type { Uuid } from '../uuid.js';

/**
 * AUTH-01/AUTH-02/PROF-01: removes a non-smartcard authenticator. It stays on record,
 * marked with who removed it and when.
 *
 * @throws INVALID_TRANSITION (AUTH-02) when it is already removed.
 * @example
 * ```ts
 * removeAuthenticator(authenticator, { by: agent, at })
 * ```
 */
export function removeAuthenticator(
  authenticator: Authenticator,
  input: { readonly by: Uuid; readonly at: IsoDateTime },
): Transition<Authenticator> {
  if (authenticator.removed) {
    throw new InvalidTransitionError(
      'AUTH-02',
      `Authenticator ${authenticator.id} is already removed`,
    );
  }
  const state = produce(authenticator, (draft) => {
    draft.removed = { at: input.at, by: input.by };
  });
  return { state, events: [{ type: 'authenticator.removed', id: authenticator.id }] };
}
