import { z } from 'zod';
import { isoDateSchema } from '../../domain/dates.js';
import { workgroupIdSchema } from '../../domain/ids.js';
import { niNumberSchema } from '../../domain/ni-number.js';
import { odsCodeSchema } from '../../domain/ods-code.js';
import { cardSerialSchema } from '../../domain/smartcard.js';
import { uuidSchema } from '../../domain/uuid.js';
import { pageRequestSchema } from '../../storage/paging.js';
import { nameQuerySchema } from '../../storage/queries.js';

const exactlyOne =
  <K extends string>(keys: readonly K[]) =>
  (q: Partial<Record<K, unknown>>) =>
    keys.filter((k) => q[k] !== undefined).length === 1;

const USER_KEYS = ['uuid', 'name', 'niNumber', 'organisation'] as const;

/**
 * `user.find`: find profiles by exactly one of UUID, name (prefixes of the family and/or
 * given name, folded as ID-06 folds them, optionally with a date of birth), NI number, or
 * organisation (the users holding a position there today; with `history`, also those
 * whose assignment there ended or was removed).
 */
export const findUsersQuerySchema = z
  .strictObject({
    type: z.literal('user.find'),
    uuid: uuidSchema.optional(),
    name: nameQuerySchema.optional(),
    niNumber: niNumberSchema.optional(),
    organisation: odsCodeSchema.optional(),
    history: z.boolean().optional(),
    page: pageRequestSchema,
  })
  .refine(exactlyOne(USER_KEYS), {
    message: 'give exactly one of uuid, name, niNumber or organisation',
    path: ['uuid'],
  });

const ORG_KEYS = ['code', 'name', 'parent'] as const;

/**
 * `organisation.find`: by ODS code, by name (the folded name contains the folded text), or
 * within a parent (its children, or with `depth: 'all'` everything below it).
 */
export const findOrganisationsQuerySchema = z
  .strictObject({
    type: z.literal('organisation.find'),
    code: odsCodeSchema.optional(),
    name: z.string().trim().min(1).max(200).optional(),
    parent: odsCodeSchema.optional(),
    depth: z.enum(['children', 'all']).optional(),
    page: pageRequestSchema,
  })
  .refine(exactlyOne(ORG_KEYS), {
    message: 'give exactly one of code, name or parent',
    path: ['code'],
  });

/** `position.find`: the positions of an organisation, optionally by name and with closed ones. */
export const findPositionsQuerySchema = z.strictObject({
  type: z.literal('position.find'),
  organisation: odsCodeSchema,
  name: z.string().trim().min(1).max(200).optional(),
  includeClosed: z.boolean().optional(),
  page: pageRequestSchema,
});

/** `assignment.view-history` (ASG-04): a user's position assignments, expired and removed ones too. */
export const assignmentHistoryQuerySchema = z.strictObject({
  type: z.literal('assignment.view-history'),
  user: uuidSchema,
  page: pageRequestSchema,
});

/** `workgroup.view-for-user` (WG-01): the workgroups a user holds on a date (default today). */
export const workgroupsForUserQuerySchema = z.strictObject({
  type: z.literal('workgroup.view-for-user'),
  user: uuidSchema,
  on: isoDateSchema.optional(),
});

/**
 * `workgroup.history` (WG-01, ASG-04): every assignment of one workgroup, or every workgroup
 * assignment of one user, ended and removed ones too.
 */
export const workgroupHistoryQuerySchema = z
  .strictObject({
    type: z.literal('workgroup.history'),
    workgroup: workgroupIdSchema.optional(),
    user: uuidSchema.optional(),
    page: pageRequestSchema,
  })
  .refine(exactlyOne(['workgroup', 'user'] as const), {
    message: 'give exactly one of workgroup or user',
    path: ['workgroup'],
  });

/**
 * `smartcard.find`: the cards a user holds or held (`holder`), or one card by `serial`,
 * each with when its active certificates expire: what a desk shows on a profile, and the
 * card a front end decides smartcard buttons on.
 */
export const findCardsQuerySchema = z
  .strictObject({
    type: z.literal('smartcard.find'),
    holder: uuidSchema.optional(),
    serial: cardSerialSchema.optional(),
  })
  .refine(exactlyOne(['holder', 'serial'] as const), {
    message: 'give exactly one of holder or serial',
    path: ['holder'],
  });

/**
 * `authenticator.find` (AUTH-01..03): the non-smartcard authenticators in force on a user's
 * profile, each WebAuthn one with its credential's ID and transports: what a desk lists on
 * a profile and offers to remove.
 */
export const findAuthenticatorsQuerySchema = z.strictObject({
  type: z.literal('authenticator.find'),
  user: uuidSchema,
});

/** Every read query the RA answers, as plain JSON (`ra.query(actor, query)`). */
export const querySchema = z.discriminatedUnion('type', [
  findUsersQuerySchema,
  findOrganisationsQuerySchema,
  findPositionsQuerySchema,
  assignmentHistoryQuerySchema,
  workgroupsForUserQuerySchema,
  workgroupHistoryQuerySchema,
  findCardsQuerySchema,
  findAuthenticatorsQuerySchema,
]);

/** A read query as a front end sends it. */
export type QueryInput = z.input<typeof querySchema>;
/** A validated read query. */
export type Query = z.output<typeof querySchema>;
/** The type of a read query. */
export type QueryType = Query['type'];
