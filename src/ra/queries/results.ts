import type { PositionAssignment, WorkgroupAssignment } from '../../domain/assignment.js';
import type { IsoDate } from '../../domain/dates.js';
import type { Organisation } from '../../domain/organisation.js';
import type { Position } from '../../domain/position.js';
import type { UserProfile } from '../../domain/user.js';

/**
 * A page of a read query's results, as plain JSON. Items out of the actor's scope are left
 * out after the store reads them, so a page may hold fewer than `limit` items (even none)
 * while `nextCursor` says more follow: read on until it is absent.
 */
export interface ResultPage<T> {
  readonly items: readonly T[];
  /** Pass as `page.cursor` to read on; absent on the last page. */
  readonly nextCursor?: string;
}

/** A profile as the finders show it: who, how to reach them, and whether checked (no documents). */
export interface UserSummary {
  readonly uuid: string;
  readonly name: { readonly given: string; readonly family: string; readonly title?: string };
  readonly dateOfBirth: string;
  readonly status: 'open' | 'closed';
  readonly niNumber?: string;
  readonly email?: string;
  readonly mobile?: string;
  readonly identityChecked: boolean;
  readonly esrLinked: boolean;
}

/** A user found at an organisation, with the assignment that places them there. */
export interface UserAtOrganisation extends UserSummary {
  readonly assignment: AssignmentSummary;
}

/** Where an assignment stands on the day it is read (ASG-02, ASG-04). */
export type AssignmentState = 'active' | 'future' | 'expired' | 'removed';

/** A position assignment as history shows it. */
export interface AssignmentSummary {
  readonly id: string;
  readonly position: string;
  readonly organisation: string;
  readonly start: string;
  readonly end?: string;
  readonly removed?: { readonly at: string; readonly by: string };
  readonly state: AssignmentState;
}

/** A workgroup assignment as history shows it. */
export interface WorkgroupAssignmentSummary {
  readonly id: string;
  readonly user: string;
  readonly workgroup: string;
  readonly workgroupName?: string;
  readonly organisation?: string;
  readonly start: string;
  readonly end?: string;
  readonly removed?: { readonly at: string; readonly by: string };
  readonly state: AssignmentState;
}

/** An organisation as the finders show it. */
export interface OrganisationSummary {
  readonly odsCode: string;
  readonly name: string;
  readonly kind: string;
  readonly parent?: string;
  readonly status: 'open' | 'closed';
}

/** A position as position.find shows it. */
export interface PositionSummary {
  readonly id: string;
  readonly name: string;
  readonly organisation: string;
  readonly jobRole: string;
  readonly activities: readonly string[];
  readonly workgroups: readonly string[];
  readonly assignable: readonly string[];
  readonly status: 'open' | 'closed';
}

/**
 * A smartcard as `smartcard.find` shows it: its state and holder, and when its active
 * certificates expire; the fields a policy target's `card` takes (CARD-03, CARD-05).
 */
export interface CardSummary {
  readonly serial: string;
  readonly status: 'stock' | 'issued' | 'locked' | 'needs-repair' | 'cancelled';
  readonly holder?: string;
  readonly issuedAt?: string;
  /** The date (YYYY-MM-DD) the first of its active certificates expires; absent with none. */
  readonly certificatesExpireOn?: string;
  readonly renewalCount: number;
  /** CARD-05: self-renewals since issue. */
  readonly selfRenewalCount: number;
  readonly cancelled?: { readonly at: string; readonly reason: string };
}

/**
 * A non-smartcard authenticator as `authenticator.find` shows it: the record's fields, and
 * for a security key or Windows Hello its WebAuthn credential (AUTH-03) without its public
 * key, so a front end can tell the browser which credentials a user already has.
 */
export interface AuthenticatorSummary {
  readonly id: string;
  readonly kind: string;
  readonly label: string;
  /** `self` (AUTH-01, on one's own profile) or `ra` (AUTH-02, by an RA role holder). */
  readonly route: 'self' | 'ra';
  readonly registeredBy: string;
  readonly registeredAt: string;
  readonly credential?: {
    /** The credential ID, base64url. */
    readonly id: string;
    readonly transports: readonly string[];
    readonly discoverable?: boolean;
    readonly lastUsedAt?: string;
  };
}

/**
 * Where a dated assignment stands on `today`: removed, not yet started, ended, or active.
 *
 * @example
 * ```ts
 * stateOn(assignment, '2026-11-22' as IsoDate) // 'expired'
 * ```
 */
export function stateOn(
  a: Pick<PositionAssignment, 'start' | 'end' | 'removed'>,
  today: IsoDate,
): AssignmentState {
  if (a.removed !== undefined) return 'removed';
  if (a.start > today) return 'future';
  if (a.end !== undefined && a.end <= today) return 'expired';
  return 'active';
}

const removedOf = (a: Pick<PositionAssignment, 'removed'>) =>
  a.removed === undefined ? {} : { removed: { at: a.removed.at, by: a.removed.by } };

/**
 * The finder's view of a profile (no identity documents).
 *
 * @example
 * ```ts
 * userSummary(profile) // { uuid, name, dateOfBirth, status, identityChecked: true, ... }
 * ```
 */
export function userSummary(u: UserProfile): UserSummary {
  return {
    uuid: u.uuid,
    name: {
      given: u.name.given,
      family: u.name.family,
      ...(u.name.title !== undefined ? { title: u.name.title } : {}),
    },
    dateOfBirth: u.dateOfBirth,
    status: u.status,
    ...(u.niNumber !== undefined ? { niNumber: u.niNumber } : {}),
    ...(u.contact.email !== undefined ? { email: u.contact.email } : {}),
    ...(u.contact.mobile !== undefined ? { mobile: u.contact.mobile } : {}),
    identityChecked: u.identityCheck !== undefined,
    esrLinked: u.esrLinked,
  };
}

/**
 * History's view of a position assignment, with where it stands today.
 *
 * @example
 * ```ts
 * assignmentSummary(assignment, today).state // 'removed'
 * ```
 */
export function assignmentSummary(a: PositionAssignment, today: IsoDate): AssignmentSummary {
  return {
    id: a.id,
    position: a.position,
    organisation: a.organisation,
    start: a.start,
    ...(a.end !== undefined ? { end: a.end } : {}),
    ...removedOf(a),
    state: stateOn(a, today),
  };
}

/**
 * History's view of a workgroup assignment, with its workgroup when known.
 *
 * @example
 * ```ts
 * workgroupAssignmentSummary(assignment, today, workgroup).organisation // 'FA123'
 * ```
 */
export function workgroupAssignmentSummary(
  a: WorkgroupAssignment,
  today: IsoDate,
  workgroup?: { readonly name: string; readonly organisation: string },
): WorkgroupAssignmentSummary {
  return {
    id: a.id,
    user: a.user,
    workgroup: a.workgroup,
    ...(workgroup ? { workgroupName: workgroup.name, organisation: workgroup.organisation } : {}),
    start: a.start,
    ...(a.end !== undefined ? { end: a.end } : {}),
    ...removedOf(a),
    state: stateOn(a, today),
  };
}

/**
 * The finder's view of an organisation.
 *
 * @example
 * ```ts
 * organisationSummary(org) // { odsCode: 'FA123', name, kind: 'pharmacy', parent: 'QVV', status: 'open' }
 * ```
 */
export function organisationSummary(o: Organisation): OrganisationSummary {
  return {
    odsCode: o.odsCode,
    name: o.name,
    kind: o.kind,
    ...(o.parent !== undefined ? { parent: o.parent } : {}),
    status: o.status,
  };
}

/**
 * position.find's view of a position.
 *
 * @example
 * ```ts
 * positionSummary(position).assignable // ['pos-dispenser']
 * ```
 */
export function positionSummary(p: Position): PositionSummary {
  return {
    id: p.id,
    name: p.name,
    organisation: p.organisation,
    jobRole: p.jobRole,
    activities: [...p.activities],
    workgroups: [...p.workgroups],
    assignable: [...p.assignable],
    status: p.status,
  };
}
