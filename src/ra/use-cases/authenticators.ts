import type { z } from 'zod';
import {
  type Authenticator,
  type AuthenticatorKind,
  authenticatorSchema,
} from '../../domain/authenticator.js';
import { newId } from '../../domain/ids.js';
import { removeAuthenticator as removeFromProfile } from '../../domain/transitions/authenticator.js';
import { removeCredential } from '../../domain/transitions/webauthn-credential.js';
import type { WebAuthnCredential } from '../../domain/webauthn-credential.js';
import { parseWith } from '../../errors/parse.js';
import type { ActivityId } from '../../policy/matrix.js';
import { NotFoundError } from '../../storage/errors.js';
import type {
  registerAuthenticatorCommandSchema,
  removeAuthenticatorCommandSchema,
} from '../commands.js';
import { allAssignmentsOf, organisationPath } from '../context.js';
import type { Change, CommandResult, UseCaseContext, UseCaseOutcome } from '../use-case.js';

/** What an authenticator command returns: the authenticator as stored. */
export interface AuthenticatorResult extends CommandResult {
  readonly type: 'authenticator.register' | 'authenticator.remove';
  readonly authenticator: Authenticator;
}

/** AUTH-01: the activity of registering each kind on one's own profile. */
export const selfActivity: Readonly<Record<AuthenticatorKind, ActivityId>> = {
  ipad: 'authenticator.self-register-ipad',
  'ms-authenticator': 'authenticator.self-register-ms-authenticator',
  'security-key': 'authenticator.self-register-security-key',
  'windows-hello': 'authenticator.self-register-windows-hello',
  'nhsnet-connect': 'authenticator.self-register-nhsnet-connect',
};
/** AUTH-02: the activity of managing each kind on another's profile. */
export const managedActivity: Readonly<Record<AuthenticatorKind, ActivityId>> = {
  ipad: 'authenticator.manage-ipad',
  'ms-authenticator': 'authenticator.manage-ms-authenticator',
  'security-key': 'authenticator.manage-security-key',
  'windows-hello': 'authenticator.manage-windows-hello',
  'nhsnet-connect': 'authenticator.manage-nhsnet-connect',
};

/** The activity and target for an authenticator on a profile: self-service on one's own (AUTH-01), RA-managed otherwise (AUTH-02). */
export async function authorizeFor(
  ctx: UseCaseContext,
  kind: AuthenticatorKind,
  user: Authenticator['user'],
  userPresent: boolean,
) {
  const profile = await ctx.tx.users.get(user);
  if (profile === undefined) throw new NotFoundError('user', user);
  const own = user === ctx.actorUuid;
  const first = (await allAssignmentsOf(ctx.tx, user))[0];
  const scope = first ? await organisationPath(ctx.tx, first.organisation) : undefined;
  return ctx.authorize(
    own ? selfActivity[kind] : managedActivity[kind],
    {
      ...(scope ? { organisationPath: scope } : {}),
      user: { uuid: profile.uuid, status: profile.status },
    },
    { userPresent },
  );
}

/**
 * AUTH-01/AUTH-02: registers a non-smartcard authenticator: on one's own profile as
 * self-service, on another's by an RA agent with the user present.
 *
 * @throws POLICY_DENIED (via the RA), NOT_FOUND for an unknown user.
 */
export async function registerAuthenticator(
  ctx: UseCaseContext,
  command: z.output<typeof registerAuthenticatorCommandSchema>,
): Promise<UseCaseOutcome<AuthenticatorResult>> {
  const user = command.user ?? ctx.actorUuid;
  const decision = await authorizeFor(ctx, command.kind, user, command.userPresent);
  const authenticator = parseWith(
    authenticatorSchema,
    {
      id: newId('auth'),
      user,
      kind: command.kind,
      label: command.label,
      route: user === ctx.actorUuid ? 'self' : 'ra',
      registeredBy: ctx.actorUuid,
      registeredAt: ctx.at,
      version: 0,
    },
    'authenticator',
  );
  const stored = await ctx.tx.authenticators.insert(authenticator);
  return {
    result: {
      type: 'authenticator.register',
      authenticator: stored,
      changed: [{ kind: 'authenticators', key: stored.id, op: 'insert', version: stored.version }],
      decision,
    },
    target: user,
    details: { kind: stored.kind, route: stored.route },
  };
}

/**
 * AUTH-02/PROF-01: removes the WebAuthn credentials of removed authenticators (kept, marked
 * removed) so they never sign in again; returns what changed.
 */
export async function removeCredentialsOf(
  ctx: UseCaseContext,
  credentials: readonly WebAuthnCredential[],
): Promise<Change[]> {
  const changed: Change[] = [];
  for (const credential of credentials) {
    if (credential.removed) continue;
    const stored = await ctx.tx.webAuthnCredentials.update(
      removeCredential(credential, { by: ctx.actorUuid, at: ctx.at }),
    );
    changed.push({
      kind: 'webAuthnCredentials',
      key: stored.id,
      op: 'update',
      version: stored.version,
    });
  }
  return changed;
}

/**
 * AUTH-01/AUTH-02: removes an authenticator (kept, marked removed), and its WebAuthn
 * credential with it (AUTH-03: it never signs in again).
 *
 * @throws POLICY_DENIED (via the RA), NOT_FOUND, INVALID_TRANSITION when already removed.
 */
export async function removeAuthenticator(
  ctx: UseCaseContext,
  command: z.output<typeof removeAuthenticatorCommandSchema>,
): Promise<UseCaseOutcome<AuthenticatorResult>> {
  const existing = await ctx.tx.authenticators.get(command.authenticator);
  if (existing === undefined) throw new NotFoundError('authenticator', command.authenticator);
  const decision = await authorizeFor(ctx, existing.kind, existing.user, command.userPresent);
  const stored = await ctx.tx.authenticators.update(
    removeFromProfile(existing, { by: ctx.actorUuid, at: ctx.at }).state,
  );
  const credentials = await removeCredentialsOf(
    ctx,
    await ctx.tx.webAuthnCredentials.byAuthenticator(stored.id),
  );
  return {
    result: {
      type: 'authenticator.remove',
      authenticator: stored,
      changed: [
        { kind: 'authenticators', key: stored.id, op: 'update', version: stored.version },
        ...credentials,
      ],
      decision,
    },
    target: existing.user,
    details: {
      kind: stored.kind,
      ...(credentials.length > 0 ? { credentialsRemoved: credentials.length } : {}),
    },
  };
}
