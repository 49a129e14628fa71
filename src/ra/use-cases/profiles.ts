import type { z } from 'zod';
import type { IsoDate } from '../../domain/dates.js';
import type { NiNumber } from '../../domain/ni-number.js';
import type { Request } from '../../domain/request.js';
import {
  changeContact,
  changeDetails as changeDetailsTransition,
  closeProfile,
  reopenProfile,
} from '../../domain/transitions/profile.js';
import type { ContactDetails, PersonName, UserProfile } from '../../domain/user.js';
import type { Uuid } from '../../domain/uuid.js';
import { NotFoundError } from '../../storage/errors.js';
import type { StoreTx } from '../../storage/ports.js';
import type {
  changeDetailsCommandSchema,
  changeOwnContactCommandSchema,
  closeUserCommandSchema,
  reopenUserCommandSchema,
} from '../commands.js';
import { allAssignmentsOf, allPages, organisationPath } from '../context.js';
import type { Change, CommandResult, UseCaseContext, UseCaseOutcome } from '../use-case.js';
import { removeCredentialsOf } from './authenticators.js';

/** What a profile command returns: the profile as stored. */
export interface ProfileResult extends CommandResult {
  readonly type: 'user.close' | 'user.reopen' | 'user.change-own-contact' | 'user.change-details';
  readonly user: UserProfile;
}

export async function mustGetUser(tx: StoreTx, uuid: Uuid): Promise<UserProfile> {
  const user = await tx.users.get(uuid);
  if (user === undefined) throw new NotFoundError('user', uuid);
  return user;
}

/** The organisations a user's profile is scoped to: where their assignments are (or were). */
export async function profileScope(
  ctx: Pick<UseCaseContext, 'tx'>,
  uuid: Uuid,
): Promise<string[] | undefined> {
  const orgs = new Set((await allAssignmentsOf(ctx.tx, uuid)).map((a) => a.organisation));
  if (orgs.size === 0) return undefined;
  // ROLE-02: an RA role at any organisation the user works at (or above it) covers the profile.
  const first = [...orgs][0]!;
  return organisationPath(ctx.tx, first as never);
}

function openRequestsAbout(tx: StoreTx, uuid: Uuid): Promise<Request[]> {
  return allPages((page) => tx.requests.list({ subject: uuid, state: 'open' }, page));
}

function workgroupAssignmentsOf(tx: StoreTx, uuid: Uuid) {
  return allPages((page) => tx.workgroupAssignments.historyForUser(uuid, page));
}

/** Writes every record of `after` that is not the very object of `before` (immer keeps unchanged ones). */
async function writeChanged<R extends { readonly version: number }>(
  before: readonly R[],
  after: readonly R[],
  kind: Change['kind'],
  key: (r: R) => string,
  update: (r: R) => Promise<R>,
  changed: Change[],
): Promise<void> {
  for (let i = 0; i < after.length; i++) {
    if (after[i] === before[i]) continue;
    const stored = await update(after[i]!);
    changed.push({ kind, key: key(stored), op: 'update', version: stored.version });
  }
}

/**
 * PROF-01: closes a profile with a reason and its whole cascade, in one transaction: open
 * requests closed, position and workgroup assignments ended, cards cancelled with their
 * certificates revoked, authenticators removed. A sponsor's route is by request (ROLE-03).
 *
 * @throws POLICY_DENIED (via the RA), NOT_FOUND, INVALID_TRANSITION when already closed.
 */
export async function closeUser(
  ctx: UseCaseContext,
  command: z.output<typeof closeUserCommandSchema>,
): Promise<UseCaseOutcome<ProfileResult>> {
  const { tx, at } = ctx;
  const user = await mustGetUser(tx, command.user);
  const scope = await profileScope(ctx, user.uuid);
  const decision = ctx.authorize(
    'user.close',
    {
      ...(scope ? { organisationPath: scope } : {}),
      user: { uuid: user.uuid, status: user.status },
    },
    {},
    'direct',
  );
  const world = {
    user,
    assignments: await allAssignmentsOf(tx, user.uuid),
    workgroupAssignments: await workgroupAssignmentsOf(tx, user.uuid),
    cards: await tx.smartcards.byHolder(user.uuid),
    authenticators: await tx.authenticators.byUser(user.uuid),
    requests: await openRequestsAbout(tx, user.uuid),
  };
  // The certificates repository is the source of truth for what the holder's cards hold.
  const active = (await tx.certificates.byHolder(user.uuid)).filter((c) => c.status === 'active');
  const { state, events } = closeProfile(world, {
    by: ctx.actorUuid,
    at,
    today: ctx.today,
    reason: command.reason,
    activeCertificates: active,
  });
  const changed: Change[] = [];
  const stored = await tx.users.update(state.user);
  changed.push({ kind: 'users', key: stored.uuid, op: 'update', version: stored.version });
  await writeChanged(
    world.requests,
    state.requests,
    'requests',
    (r) => r.id,
    (r) => tx.requests.update(r),
    changed,
  );
  await writeChanged(
    world.assignments,
    state.assignments,
    'positionAssignments',
    (r) => r.id,
    (r) => tx.positionAssignments.update(r),
    changed,
  );
  await writeChanged(
    world.workgroupAssignments,
    state.workgroupAssignments,
    'workgroupAssignments',
    (r) => r.id,
    (r) => tx.workgroupAssignments.update(r),
    changed,
  );
  await writeChanged(
    world.cards,
    state.cards,
    'smartcards',
    (r) => r.serial,
    (r) => tx.smartcards.update(r),
    changed,
  );
  await writeChanged(
    world.authenticators,
    state.authenticators,
    'authenticators',
    (r) => r.id,
    (r) => tx.authenticators.update(r),
    changed,
  );
  // PROF-01/AUTH-03: the removed authenticators' WebAuthn credentials never sign in again.
  changed.push(...(await removeCredentialsOf(ctx, await tx.webAuthnCredentials.byUser(user.uuid))));
  // CARD-10: the cancelled cards' certificates are revoked (cessationOfOperation: the holder left).
  for (const certificate of active) {
    const revoked = await tx.certificates.update({
      ...certificate,
      status: 'revoked',
      revocation: { reason: 'cessationOfOperation', at },
    });
    changed.push({
      kind: 'certificates',
      key: revoked.serial,
      op: 'update',
      version: revoked.version,
    });
  }
  return {
    result: { type: 'user.close', user: stored, changed, decision },
    target: user.uuid,
    details: { reason: command.reason, events: events.map((e) => e.type) },
  };
}

/**
 * PROF-02: reopens a closed profile; it comes back with no access.
 *
 * @throws POLICY_DENIED (via the RA), NOT_FOUND.
 */
export async function reopenUser(
  ctx: UseCaseContext,
  command: z.output<typeof reopenUserCommandSchema>,
): Promise<UseCaseOutcome<ProfileResult>> {
  const user = await mustGetUser(ctx.tx, command.user);
  const scope = await profileScope(ctx, user.uuid);
  const decision = ctx.authorize(
    'user.reopen',
    {
      ...(scope ? { organisationPath: scope } : {}),
      user: { uuid: user.uuid, status: user.status },
    },
    {},
    'direct',
  );
  const stored = await ctx.tx.users.update(reopenProfile(user).state);
  return {
    result: {
      type: 'user.reopen',
      user: stored,
      changed: [{ kind: 'users', key: stored.uuid, op: 'update', version: stored.version }],
      decision,
    },
    target: user.uuid,
    details: { reason: command.reason },
  };
}

/**
 * PROF-04: a user changes their own email or mobile; a changed one is unverified again.
 *
 * @throws POLICY_DENIED (via the RA), NOT_FOUND.
 */
export async function changeOwnContact(
  ctx: UseCaseContext,
  command: z.output<typeof changeOwnContactCommandSchema>,
): Promise<UseCaseOutcome<ProfileResult>> {
  const user = await mustGetUser(ctx.tx, ctx.actorUuid);
  const decision = ctx.authorize('user.change-own-contact', {
    user: { uuid: user.uuid, status: user.status },
  });
  const change = {
    ...(command.email !== undefined ? { email: command.email } : {}),
    ...(command.mobile !== undefined ? { mobile: command.mobile } : {}),
  };
  const stored = await ctx.tx.users.update(changeContact(user, change).state);
  return {
    result: {
      type: 'user.change-own-contact',
      user: stored,
      changed: [{ kind: 'users', key: stored.uuid, op: 'update', version: stored.version }],
      decision,
    },
    target: user.uuid,
    details: { fields: Object.keys(change) },
  };
}

/**
 * PROF-03: changes a user's personal details (RAM, RAA(A), RAA, IDC; a sponsor by
 * request). A change of name needs a reason; a local change to a field ESR masters is
 * flagged on the profile.
 *
 * @throws POLICY_DENIED (via the RA), NOT_FOUND, INVALID_TRANSITION (a name change without a reason).
 */
export async function changeDetails(
  ctx: UseCaseContext,
  command: z.output<typeof changeDetailsCommandSchema>,
): Promise<UseCaseOutcome<ProfileResult>> {
  const user = await mustGetUser(ctx.tx, command.user);
  const scope = await profileScope(ctx, user.uuid);
  const decision = ctx.authorize(
    'user.change-details',
    {
      ...(scope ? { organisationPath: scope } : {}),
      user: { uuid: user.uuid, status: user.status },
    },
    {},
    'direct',
  );
  const change = {
    ...(command.name !== undefined ? { name: command.name } : {}),
    ...(command.dateOfBirth !== undefined ? { dateOfBirth: command.dateOfBirth } : {}),
    ...(command.niNumber !== undefined ? { niNumber: command.niNumber } : {}),
  };
  const { state, events } = changeDetailsTransition(user, change, {
    by: ctx.actorUuid,
    at: ctx.at,
    source: 'local',
    ...(command.reason !== undefined ? { reason: command.reason } : {}),
  });
  const stored = await ctx.tx.users.update(state);
  const flagged = events[0]?.type === 'user.details-changed' ? events[0].flaggedEsrFields : [];
  return {
    result: {
      type: 'user.change-details',
      user: stored,
      changed: [{ kind: 'users', key: stored.uuid, op: 'update', version: stored.version }],
      decision,
    },
    target: user.uuid,
    details: {
      fields: Object.keys(change),
      flaggedEsrFields: [...flagged],
      reason: command.reason ?? null,
    },
  };
}

/** What ESR sends about a person: the fields it masters, and contact details. */
export interface EsrDetails {
  readonly name?: PersonName | undefined;
  readonly dateOfBirth?: IsoDate | undefined;
  readonly niNumber?: NiNumber | undefined;
  readonly contact?: Partial<Pick<ContactDetails, 'email' | 'mobile'>> | undefined;
}

/**
 * PROF-03: writes what ESR says about a person onto their profile as ESR (clearing the
 * local-change flags of the fields it writes), and links the profile to ESR when asked.
 * Decided by the caller: it runs inside an accepted ESR request.
 *
 * @throws NOT_FOUND for an unknown profile, INVALID_TRANSITION for a closed one.
 */
export async function applyEsrDetails(
  ctx: UseCaseContext,
  uuid: Uuid,
  details: EsrDetails,
  options: { readonly link?: boolean } = {},
): Promise<{ readonly changed: readonly Change[] }> {
  const user = await mustGetUser(ctx.tx, uuid);
  const personal = {
    ...(details.name !== undefined ? { name: details.name } : {}),
    ...(details.dateOfBirth !== undefined ? { dateOfBirth: details.dateOfBirth } : {}),
    ...(details.niNumber !== undefined ? { niNumber: details.niNumber } : {}),
  };
  let next =
    Object.keys(personal).length === 0
      ? user
      : changeDetailsTransition(user, personal, {
          by: ctx.actorUuid,
          at: ctx.at,
          source: 'esr',
          reason: 'ESR record',
        }).state;
  if (details.contact?.email !== undefined || details.contact?.mobile !== undefined) {
    next = changeContact(next, {
      ...(details.contact.email !== undefined ? { email: details.contact.email } : {}),
      ...(details.contact.mobile !== undefined ? { mobile: details.contact.mobile } : {}),
    }).state;
  }
  if (options.link && !next.esrLinked) next = { ...next, esrLinked: true };
  if (next === user) return { changed: [] };
  const stored = await ctx.tx.users.update(next);
  return { changed: [{ kind: 'users', key: stored.uuid, op: 'update', version: stored.version }] };
}
