import { type PositionAssignment, positionAssignmentSchema } from '../domain/assignment.js';
import { type IsoDateTime, isoDateTimeSchema } from '../domain/dates.js';
import { type Organisation, organisationSchema } from '../domain/organisation.js';
import { type Position, positionSchema } from '../domain/position.js';
import { type UserProfile, userProfileSchema } from '../domain/user.js';
import { parseWith } from '../errors/parse.js';

/** Who loads the seed, and when: recorded on every record that keeps it. */
export interface SeedContext {
  /** An ISO 8601 instant in UTC, or a Date. */
  readonly at: IsoDateTime | string | Date;
  /** The UUID recorded as creator and approver. */
  readonly by: string;
}

/** The context's instant as an `IsoDateTime`; VALIDATION when it is not one. */
export function seedInstant(context: SeedContext): IsoDateTime {
  const { at } = context;
  return parseWith(
    isoDateTimeSchema,
    at instanceof Date && !Number.isNaN(at.getTime()) ? at.toISOString() : at,
    'seed context',
  );
}

/**
 * An organisation record for `seed`, from its ODS code, name, kind and parent.
 *
 * @throws VALIDATION for a malformed code or kind.
 * @example
 * ```ts
 * seedOrganisation({ odsCode: 'FA123', name: 'Boots, Dorchester', kind: 'pharmacy', parent: 'QVV' })
 * ```
 */
export function seedOrganisation(input: {
  readonly odsCode: string;
  readonly name: string;
  readonly kind: string;
  readonly parent?: string;
}): Organisation {
  return parseWith(organisationSchema, input, 'organisation');
}

/**
 * A position record for `seed`, approved under local policy by the seeding user (POS-02).
 *
 * @throws VALIDATION for a malformed position (an assignable list without B1300, POS-01).
 * @example
 * ```ts
 * seedPosition({ id: 'pos-sponsor', organisation: 'FA123', jobRole: 'R8003', activities: ['B1300'], assignable: ['pos-dispenser'] }, ctx)
 * ```
 */
export function seedPosition(
  input: {
    readonly id: string;
    readonly name?: string;
    readonly organisation: string;
    readonly jobRole: string;
    readonly activities: readonly string[];
    readonly assignable?: readonly string[];
  },
  context: SeedContext,
): Position {
  return parseWith(
    positionSchema,
    {
      name: input.id,
      assignable: [],
      ...input,
      approval: { method: 'local-policy', approvedBy: [context.by], at: seedInstant(context) },
      status: 'open',
      version: 0,
    },
    'position',
  );
}

/**
 * An open profile for `seed`, with an RA/sponsor training certificate when `training`
 * (SOD-06).
 *
 * @throws VALIDATION for a malformed UUID or name.
 * @example
 * ```ts
 * seedUser({ uuid: '555000000001', given: 'Priya', family: 'Agent', training: true }, ctx)
 * ```
 */
export function seedUser(
  input: {
    readonly uuid: string;
    readonly given: string;
    readonly family: string;
    readonly dateOfBirth?: string;
    readonly training?: boolean;
  },
  context: SeedContext,
): UserProfile {
  return parseWith(
    userProfileSchema,
    {
      uuid: input.uuid,
      name: { given: input.given, family: input.family },
      dateOfBirth: input.dateOfBirth ?? '1980-01-01',
      contact: {},
      status: 'open',
      trainingCertificates: input.training
        ? [{ kind: 'ra-sponsor', receivedOn: '2025-12-01', reference: 'eLfH' }]
        : [],
      createdAt: seedInstant(context),
      createdBy: context.by,
      version: 0,
    },
    'user profile',
  );
}

/**
 * A position assignment for `seed`, at the position's organisation.
 *
 * @throws VALIDATION for malformed dates.
 * @example
 * ```ts
 * seedAssignment({ id: 'asg-1', user: '555000000001', position: raaPosition, start: '2025-04-01' }, ctx)
 * ```
 */
export function seedAssignment(
  input: {
    readonly id: string;
    readonly user: string;
    /** The position, or its id and organisation (validated). */
    readonly position: { readonly id: string; readonly organisation: string };
    readonly start: string;
    readonly end?: string;
  },
  context: SeedContext,
): PositionAssignment {
  return parseWith(
    positionAssignmentSchema,
    {
      id: input.id,
      user: input.user,
      position: input.position.id,
      organisation: input.position.organisation,
      start: input.start,
      ...(input.end !== undefined ? { end: input.end } : {}),
      locum: false,
      createdBy: context.by,
      version: 0,
    },
    'assignment',
  );
}
