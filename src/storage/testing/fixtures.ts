import type {
  AssignmentId,
  AuditEvent,
  Authenticator,
  AuthenticatorId,
  CardSerial,
  IsoDate,
  IsoDateTime,
  NiNumber,
  OdsCode,
  Position,
  PositionAssignment,
  PositionId,
  Request,
  RequestId,
  RequestKind,
  RequestState,
  Smartcard,
  UserProfile,
  Uuid,
  WebAuthnChallenge,
  WebAuthnCredential,
  Workgroup,
  WorkgroupAssignment,
  WorkgroupId,
} from '../../domain/index.js';
import type { CertificateRecord, StoredOrganisation } from '../records.js';

/** The RA agent that the fixtures name as creator. */
export const FIXTURE_ACTOR = '100000000000' as Uuid;
const T0 = '2026-01-01T09:00:00.000Z' as IsoDateTime;

/**
 * A valid open user profile at version 0 for storage tests.
 *
 * @example
 * ```ts
 * const ann = fixtureUser('100000000001', { family: 'Smith', given: 'Ann' });
 * ```
 */
export function fixtureUser(
  uuid: string,
  options: {
    readonly family?: string;
    readonly given?: string;
    readonly dateOfBirth?: string;
    readonly niNumber?: string;
  } = {},
): UserProfile {
  return {
    uuid: uuid as Uuid,
    name: { given: options.given ?? 'Ann', family: options.family ?? 'Smith' },
    dateOfBirth: (options.dateOfBirth ?? '1980-05-17') as IsoDate,
    ...(options.niNumber === undefined ? {} : { niNumber: options.niNumber as NiNumber }),
    contact: { emailVerified: false, mobileVerified: false },
    status: 'open',
    locallyChangedEsrFields: [],
    esrLinked: false,
    trainingCertificates: [],
    createdAt: T0,
    createdBy: FIXTURE_ACTOR,
    version: 0,
  };
}

/**
 * An open organisation at version 0.
 *
 * @example
 * ```ts
 * const icb = fixtureOrganisation('QVV');
 * const practice = fixtureOrganisation('A12345', 'QVV');
 * ```
 */
export function fixtureOrganisation(odsCode: string, parent?: string): StoredOrganisation {
  return {
    odsCode: odsCode as OdsCode,
    name: `Organisation ${odsCode}`,
    kind: parent === undefined ? 'icb' : 'practice',
    ...(parent === undefined ? {} : { parent: parent as OdsCode }),
    status: 'open',
    version: 0,
  };
}

/**
 * An open position at an organisation, at version 0.
 *
 * @example
 * ```ts
 * const pos = fixturePosition('pos_1', 'QVV');
 * ```
 */
export function fixturePosition(id: string, organisation: string): Position {
  return {
    id: id as PositionId,
    name: `Position ${id}`,
    organisation: organisation as OdsCode,
    jobRole: 'R8000' as Position['jobRole'],
    activities: ['B0264' as Position['activities'][number]],
    workgroups: [],
    assignable: [],
    approval: { method: 'local-policy', approvedBy: [FIXTURE_ACTOR], at: T0 },
    status: 'open',
    version: 0,
  };
}

/**
 * A position assignment from `start` to `end` (exclusive; open-ended when absent).
 *
 * @example
 * ```ts
 * fixtureAssignment('asg_1', '100000000001', { start: '2026-01-01', end: '2026-02-01' })
 * ```
 */
export function fixtureAssignment(
  id: string,
  user: string,
  options: {
    readonly start?: string;
    readonly end?: string;
    readonly organisation?: string;
    readonly position?: string;
    readonly removed?: boolean;
  } = {},
): PositionAssignment {
  return {
    id: id as AssignmentId,
    user: user as Uuid,
    start: (options.start ?? '2026-01-01') as IsoDate,
    ...(options.end === undefined ? {} : { end: options.end as IsoDate }),
    ...(options.removed === true ? { removed: { at: T0, by: FIXTURE_ACTOR } } : {}),
    createdBy: FIXTURE_ACTOR,
    version: 0,
    position: (options.position ?? 'pos_1') as PositionId,
    organisation: (options.organisation ?? 'QVV') as OdsCode,
    locum: false,
  };
}

/**
 * An open workgroup at an organisation.
 *
 * @example
 * ```ts
 * fixtureWorkgroup('wg_1', 'QVV')
 * ```
 */
export function fixtureWorkgroup(id: string, organisation: string): Workgroup {
  return {
    id: id as WorkgroupId,
    name: `Workgroup ${id}`,
    organisation: organisation as OdsCode,
    status: 'open',
    version: 0,
  };
}

/**
 * A workgroup assignment.
 *
 * @example
 * ```ts
 * fixtureWorkgroupAssignment('wga_1', '100000000001', 'wg_1')
 * ```
 */
export function fixtureWorkgroupAssignment(
  id: string,
  user: string,
  workgroup: string,
  options: { readonly start?: string; readonly end?: string } = {},
): WorkgroupAssignment {
  return {
    id: id as AssignmentId,
    user: user as Uuid,
    start: (options.start ?? '2026-01-01') as IsoDate,
    ...(options.end === undefined ? {} : { end: options.end as IsoDate }),
    createdBy: FIXTURE_ACTOR,
    version: 0,
    workgroup: workgroup as WorkgroupId,
  };
}

/**
 * A smartcard, issued to `holder` when given, else in stock.
 *
 * @example
 * ```ts
 * fixtureCard('0712345678', '100000000001')
 * ```
 */
export function fixtureCard(serial: string, holder?: string): Smartcard {
  return {
    serial: serial as CardSerial,
    status: holder === undefined ? 'stock' : 'issued',
    ...(holder === undefined ? {} : { holder: holder as Uuid, issuedAt: T0 }),
    renewalCount: 0,
    selfRenewalCount: 0,
    version: 0,
  };
}

/**
 * An active certificate record expiring at `notAfter`.
 *
 * @example
 * ```ts
 * fixtureCertificate('0a1b', '100000000001', '2029-01-01T00:00:00.000Z', '0712345678')
 * ```
 */
export function fixtureCertificate(
  serial: string,
  holder: string,
  notAfter: string,
  card?: string,
): CertificateRecord {
  return {
    serial,
    holder: holder as Uuid,
    ...(card === undefined ? {} : { card: card as CardSerial }),
    notBefore: '2020-01-01T00:00:00.000Z' as IsoDateTime,
    notAfter: notAfter as IsoDateTime,
    status: 'active',
    der: Uint8Array.from([0x30, 0x03, 0x02, 0x01, serial.length]),
    version: 0,
  };
}

/**
 * A self-registered security key.
 *
 * @example
 * ```ts
 * fixtureAuthenticator('auth_1', '100000000001')
 * ```
 */
export function fixtureAuthenticator(id: string, user: string): Authenticator {
  return {
    id: id as AuthenticatorId,
    user: user as Uuid,
    kind: 'security-key',
    label: 'Key',
    route: 'self',
    registeredBy: user as Uuid,
    registeredAt: T0,
    version: 0,
  };
}

/**
 * A WebAuthn credential of an authenticator record (AUTH-03), counter 0, never used.
 *
 * @example
 * ```ts
 * fixtureCredential('AQIDBA', '100000000001', 'auth_1')
 * ```
 */
export function fixtureCredential(
  id: string,
  user: string,
  authenticator: string,
): WebAuthnCredential {
  return {
    id,
    user: user as Uuid,
    authenticator: authenticator as AuthenticatorId,
    publicKey: 'pQECAyYgASFYIA',
    counter: 0,
    transports: ['usb', 'nfc'],
    deviceType: 'singleDevice',
    backedUp: false,
    aaguid: '00000000-0000-0000-0000-000000000000',
    registeredAt: T0,
    version: 0,
  };
}

/**
 * An unspent WebAuthn authentication challenge (AUTH-03) issued at 09:00 that expires at
 * `expiresAt` (default five minutes later).
 *
 * @example
 * ```ts
 * fixtureChallenge('c'.repeat(43), '2026-01-01T09:05:00.000Z')
 * ```
 */
export function fixtureChallenge(
  challenge: string,
  expiresAt = '2026-01-01T09:05:00.000Z',
): WebAuthnChallenge {
  return {
    challenge,
    ceremony: 'authentication',
    createdAt: T0,
    expiresAt: expiresAt as IsoDateTime,
  };
}

/**
 * A request, open unless a state is given (a closed one carries its decision).
 *
 * @example
 * ```ts
 * fixtureRequest('req_1', { organisation: 'QVV', createdAt: '2026-01-02T00:00:00.000Z' })
 * ```
 */
export function fixtureRequest(
  id: string,
  options: {
    readonly kind?: RequestKind;
    readonly state?: RequestState;
    readonly organisation?: string;
    readonly requestedBy?: string;
    readonly createdAt?: string;
    readonly decidedAt?: string;
  } = {},
): Request {
  const state = options.state ?? 'open';
  return {
    id: id as RequestId,
    kind: options.kind ?? 'position-assignment',
    state,
    requestedBy: (options.requestedBy ?? FIXTURE_ACTOR) as Uuid,
    organisation: (options.organisation ?? 'QVV') as OdsCode,
    payload: { note: 'fixture' },
    createdAt: (options.createdAt ?? T0) as IsoDateTime,
    ...(state === 'open'
      ? {}
      : {
          decision: {
            by: FIXTURE_ACTOR,
            at: (options.decidedAt ?? T0) as IsoDateTime,
            outcome: state,
            ...(state === 'rejected' ? { reason: 'not needed' } : {}),
          },
        }),
    version: 0,
  };
}

/**
 * An audit event (AUD-01) for storage tests.
 *
 * @example
 * ```ts
 * await tx.audit.append(fixtureEvent('user.create', '100000000001'));
 * ```
 */
export function fixtureEvent(activity: string, target: string, details = {}): AuditEvent {
  return {
    at: T0,
    actor: FIXTURE_ACTOR,
    activity,
    target,
    outcome: 'allowed',
    reasons: [],
    details,
  };
}
