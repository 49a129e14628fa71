import { NotFoundError, type Uuid } from 'careid';
import type { DeskSetup } from './setup.js';

/** An authenticator on a profile as the page lists it: the record and, for WebAuthn, its key. */
export interface ListedAuthenticator {
  readonly id: string;
  readonly kind: string;
  readonly label: string;
  /** `self` (AUTH-01) or `ra` (AUTH-02). */
  readonly route: string;
  readonly registeredBy: string;
  readonly registeredAt: string;
  /** A security key's or Windows Hello's WebAuthn credential (AUTH-03), without its public key. */
  readonly credential?: {
    readonly id: string;
    readonly transports: readonly string[];
    readonly discoverable?: boolean;
  };
}

/**
 * The authenticators in force on a user's profile, for someone who may find the user.
 * careid/http has no query for them, so the desk reads its store, after `user.find` has
 * said the profile is in the actor's scope (NOT_FOUND otherwise, as for any hidden user).
 *
 * @throws NOT_FOUND, VALIDATION (a malformed UUID).
 */
export async function authenticatorsOf(
  setup: DeskSetup,
  actor: string,
  user: string,
): Promise<readonly ListedAuthenticator[]> {
  const found = (await setup.ra.queries.findUsers(actor, { uuid: user })).items[0];
  if (found === undefined) throw new NotFoundError('user', user);
  const uuid = found.uuid as Uuid; // user.find validated it
  const [records, credentials] = await setup.store.transaction((tx) =>
    Promise.all([tx.authenticators.byUser(uuid), tx.webAuthnCredentials.byUser(uuid)]),
  );
  return records
    .filter((a) => a.removed === undefined)
    .map((a) => {
      const credential = credentials.find((c) => c.authenticator === a.id && !c.removed);
      return {
        id: a.id,
        kind: a.kind,
        label: a.label,
        route: a.route,
        registeredBy: a.registeredBy,
        registeredAt: a.registeredAt,
        ...(credential === undefined
          ? {}
          : {
              credential: {
                id: credential.id,
                transports: credential.transports,
                ...(credential.discoverable === undefined
                  ? {}
                  : { discoverable: credential.discoverable }),
              },
            }),
      };
    });
}
