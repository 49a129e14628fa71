import type { z } from 'zod';
import type { Authenticator } from '../../domain/authenticator.js';
import type { Uuid } from '../../domain/uuid.js';
import type { WebAuthnCredential } from '../../domain/webauthn-credential.js';
import type { ReadContext } from './reader.js';
import type { AuthenticatorSummary, ResultPage } from './results.js';
import type { findAuthenticatorsQuerySchema } from './schemas.js';
import { findScope, usersVisible } from './scope.js';

/**
 * `authenticator.find` (ALL, as `user.find`): the authenticators in force on a user's
 * profile, as far as the actor may find the user (ROLE-02 scope; a user out of scope gives
 * an empty page, as `user.find` and `smartcard.find` do). Removed authenticators are left
 * out (their records stay in the store, with who removed them and when). In the order they
 * were registered.
 *
 * @throws POLICY_DENIED (through the reader) for a closed profile (ROLE-01).
 * @example
 * ```ts
 * await findAuthenticators(ctx, { type: 'authenticator.find', user: '555000000006' })
 * ```
 */
export async function findAuthenticators(
  ctx: ReadContext,
  q: z.output<typeof findAuthenticatorsQuerySchema>,
): Promise<{ result: ResultPage<AuthenticatorSummary> }> {
  ctx.authorize('user.find', {});
  const user = q.user as Uuid;
  const visible = await usersVisible(ctx, await findScope(ctx), [user]);
  if (!visible.has(user)) return { result: { items: [] } };
  const [records, credentials] = await Promise.all([
    ctx.tx.authenticators.byUser(user),
    ctx.tx.webAuthnCredentials.byUser(user),
  ]);
  const items = records
    .filter((a) => a.removed === undefined)
    .sort((a, b) => compare(a.registeredAt, b.registeredAt) || compare(a.id, b.id))
    .map((a) =>
      authenticatorSummary(
        a,
        credentials.find((c) => c.authenticator === a.id && c.removed === undefined),
      ),
    );
  return { result: { items } };
}

const compare = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** The finder's view of an authenticator: no public key, no signature counter. */
function authenticatorSummary(
  a: Authenticator,
  credential: WebAuthnCredential | undefined,
): AuthenticatorSummary {
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
            ...(credential.lastUsedAt === undefined ? {} : { lastUsedAt: credential.lastUsedAt }),
          },
        }),
  };
}
