import { produce } from 'immer';
import type { PositionAssignment, WorkgroupAssignment } from '../assignment.js';
import type { Authenticator } from '../authenticator.js';
import type { IsoDate, IsoDateTime } from '../dates.js';
import { InvalidTransitionError } from '../errors.js';
import type { DomainEvent, Transition } from '../events.js';
import type { NiNumber } from '../ni-number.js';
import type { Request } from '../request.js';
import type { CardSerial, Smartcard } from '../smartcard.js';
import type { ContactDetails, EsrMasteredField, PersonName, UserProfile } from '../user.js';
import type { Uuid } from '../uuid.js';
import { endOrRemoveAssignment } from './assignment.js';
import { removeAuthenticator } from './authenticator.js';
import { cancelCard } from './card.js';
import { closeRequest } from './request.js';

/** The personal details PROF-03 governs. */
export interface PersonalDetailsChange {
  readonly name?: PersonName;
  readonly dateOfBirth?: IsoDate;
  readonly niNumber?: NiNumber;
}

/** Who changes details, when, from where, and why (PROF-03). */
export interface DetailsChangeContext {
  readonly by: Uuid;
  readonly at: IsoDateTime;
  /** `esr` when the ESR feed writes; a local change to an ESR-mastered field is flagged. */
  readonly source: 'local' | 'esr';
  readonly reason?: string;
}

/**
 * PROF-03: changes personal details. A change of name needs a reason; a local change to
 * a field ESR masters is flagged on the profile, and ESR writing it clears the flag.
 *
 * @throws INVALID_TRANSITION on a closed profile, or a name change without a reason.
 * @example
 * ```ts
 * const { state } = changeDetails(user, { name }, { by, at, source: 'local', reason: 'marriage' });
 * ```
 */
export function changeDetails(
  user: UserProfile,
  change: PersonalDetailsChange,
  context: DetailsChangeContext,
): Transition<UserProfile> {
  if (user.status !== 'open') {
    throw new InvalidTransitionError('PROF-03', `Profile ${user.uuid} is closed; reopen it first`);
  }
  const fields = (Object.keys(change) as (keyof PersonalDetailsChange)[]).filter(
    (field) => change[field] !== undefined,
  );
  if (fields.includes('name') && !context.reason?.trim()) {
    throw new InvalidTransitionError('PROF-03', 'A change of name needs a reason');
  }
  const flagged: EsrMasteredField[] = [];
  const state = produce(user, (draft) => {
    if (change.name) draft.name = change.name;
    if (change.dateOfBirth) draft.dateOfBirth = change.dateOfBirth;
    if (change.niNumber) draft.niNumber = change.niNumber;
    const changed = new Set<EsrMasteredField>(draft.locallyChangedEsrFields);
    for (const field of fields) {
      if (context.source === 'esr') changed.delete(field);
      else if (user.esrLinked) {
        changed.add(field);
        flagged.push(field);
      }
    }
    draft.locallyChangedEsrFields = [...changed];
  });
  return {
    state,
    events: [{ type: 'user.details-changed', uuid: user.uuid, fields, flaggedEsrFields: flagged }],
  };
}

/**
 * PROF-04: a user changes their own contact details; a changed address or number is
 * unverified until verified again.
 *
 * @throws INVALID_TRANSITION on a closed profile.
 * @example
 * ```ts
 * changeContact(user, { email: 'a.person@nhs.net' })
 * ```
 */
export function changeContact(
  user: UserProfile,
  change: Pick<Partial<ContactDetails>, 'email' | 'mobile'>,
): Transition<UserProfile> {
  if (user.status !== 'open') {
    throw new InvalidTransitionError('PROF-04', `Profile ${user.uuid} is closed`);
  }
  const state = produce(user, (draft) => {
    if (change.email !== undefined && change.email !== draft.contact.email) {
      draft.contact.email = change.email;
      draft.contact.emailVerified = false;
    }
    if (change.mobile !== undefined && change.mobile !== draft.contact.mobile) {
      draft.contact.mobile = change.mobile;
      draft.contact.mobileVerified = false;
    }
  });
  return { state, events: [{ type: 'user.contact-changed', uuid: user.uuid }] };
}

/** Everything PROF-01 closes with a profile. */
export interface ProfileWorld {
  readonly user: UserProfile;
  readonly assignments: readonly PositionAssignment[];
  readonly workgroupAssignments: readonly WorkgroupAssignment[];
  readonly cards: readonly Smartcard[];
  readonly authenticators: readonly Authenticator[];
  readonly requests: readonly Request[];
}

/**
 * PROF-01: closes a profile with a reason and its full cascade: open requests closed,
 * every position and workgroup assignment ended (future ones removed), every card
 * cancelled, every authenticator removed. The caller revokes the holder's active
 * certificates in the certificates repository and passes them as `activeCertificates`:
 * each card's cancel event names the ones it held.
 *
 * @throws INVALID_TRANSITION when the profile is already closed or no reason is given.
 * @example
 * ```ts
 * const { state, events } = closeProfile(world, {
 *   by, at, today, reason: 'left the NHS', activeCertificates: await tx.certificates.byHolder(uuid),
 * });
 * ```
 */
export function closeProfile(
  world: ProfileWorld,
  context: {
    readonly by: Uuid;
    readonly at: IsoDateTime;
    /** The date of `at` in the pack's time zone: running assignments end on it. */
    readonly today: IsoDate;
    readonly reason: string;
    /** The holder's active certificates (serial, hex) and the card holding each. */
    readonly activeCertificates: readonly {
      readonly serial: string;
      readonly card?: CardSerial | undefined;
    }[];
  },
): Transition<ProfileWorld> {
  if (world.user.status === 'closed') {
    throw new InvalidTransitionError('PROF-01', `Profile ${world.user.uuid} is already closed`);
  }
  if (!context.reason.trim()) {
    throw new InvalidTransitionError('PROF-01', 'Closing a profile needs a reason');
  }
  const today = context.today;
  const events: DomainEvent[] = [];
  const collect = <T>(t: Transition<T>): T => {
    events.push(...t.events);
    return t.state;
  };
  const user = produce(world.user, (draft) => {
    draft.status = 'closed';
    draft.closed = { at: context.at, by: context.by, reason: context.reason };
  });
  events.push({ type: 'user.closed', uuid: user.uuid, reason: context.reason });
  const ending = { on: today, by: context.by, at: context.at };
  const state: ProfileWorld = {
    user,
    requests: world.requests.map((r) =>
      r.state === 'open' ? collect(closeRequest(r, { by: context.by, at: context.at })) : r,
    ),
    assignments: world.assignments.map((a) => collect(endOrRemoveAssignment(a, ending))),
    workgroupAssignments: world.workgroupAssignments.map((a) =>
      collect(endOrRemoveAssignment(a, ending)),
    ),
    cards: world.cards.map((c) =>
      c.status === 'cancelled' || c.status === 'stock'
        ? c
        : collect(
            cancelCard(c, {
              by: context.by,
              at: context.at,
              reason: 'profile-closed',
              revokedCertificates: context.activeCertificates
                .filter((cert) => cert.card === c.serial)
                .map((cert) => cert.serial),
            }),
          ),
    ),
    authenticators: world.authenticators.map((a) =>
      a.removed ? a : collect(removeAuthenticator(a, { by: context.by, at: context.at })),
    ),
  };
  return { state, events };
}

/**
 * PROF-02: reopens a closed profile. It comes back with no access: ended assignments
 * stay ended and cancelled cards stay cancelled.
 *
 * @throws INVALID_TRANSITION when the profile is open.
 * @example
 * ```ts
 * reopenProfile(user)
 * ```
 */
export function reopenProfile(user: UserProfile): Transition<UserProfile> {
  if (user.status !== 'closed') {
    throw new InvalidTransitionError('PROF-02', `Profile ${user.uuid} is not closed`);
  }
  const state = produce(user, (draft) => {
    draft.status = 'open';
    delete draft.closed;
  });
  return { state, events: [{ type: 'user.reopened', uuid: user.uuid }] };
}
