import { z } from 'zod';
import { isoDateSchema, isoDateTimeSchema } from '../domain/dates.js';
import { positionIdSchema, requestIdSchema } from '../domain/ids.js';
import { odsCodeSchema } from '../domain/ods-code.js';
import { activityCodeSchema } from '../domain/rbac-codes.js';
import { cardSerialSchema, cardStatuses } from '../domain/smartcard.js';
import { uuidSchema } from '../domain/uuid.js';
import { type ActivityId, activityIds } from './matrix.js';
import { raRoles } from './roles.js';

const roles = z.array(z.enum(raRoles)).readonly();

/** One position assignment of the actor, with the RA roles its position confers (ROLE-02). */
export const actorAssignmentSchema = z
  .object({
    organisation: odsCodeSchema,
    roles,
    start: isoDateSchema,
    end: isoDateSchema.optional(),
    removed: z.boolean().default(false),
    /** ROLE-03 `S**`: the positions a sponsor position may assign. */
    assignable: z.array(positionIdSchema).readonly().default([]),
    /** CARD-03: a locum's assignment grants no unlock right at that organisation. */
    locum: z.boolean().default(false),
    position: positionIdSchema.optional(),
  })
  .refine((a) => a.end === undefined || a.end > a.start, {
    message: 'the end date must be after the start date',
    path: ['end'],
  })
  .readonly();

/** The person acting: their UUID, profile state and position assignments. */
export const actorSchema = z
  .object({
    uuid: uuidSchema,
    status: z.enum(['open', 'closed']).default('open'),
    assignments: z.array(actorAssignmentSchema).max(1000).readonly(),
  })
  .readonly();
/** An actor as a host passes it. */
export type ActorInput = z.input<typeof actorSchema>;
/** A validated actor. */
export type Actor = z.output<typeof actorSchema>;

/** What the activity acts on; each activity reads the parts it needs. */
export const targetSchema = z
  .object({
    /** Where the activity happens (ROLE-02 scope). */
    organisation: odsCodeSchema.optional(),
    /** The organisation and its ancestors, nearest first; roles held at any of them cover it. */
    organisationPath: z.array(odsCodeSchema).min(1).max(32).readonly().optional(),
    user: z
      .object({
        uuid: uuidSchema,
        status: z.enum(['open', 'closed']).default('open'),
        identityChecked: z.boolean().default(false),
        hasNiNumber: z.boolean().default(false),
        /** SOD-06: an RA/sponsor training certificate is on record. */
        raTraining: z.boolean().default(false),
        /** SOD-02: the RA roles the user holds now. */
        roles: roles.default([]),
      })
      .readonly()
      .optional(),
    position: z
      .object({
        id: positionIdSchema,
        organisation: odsCodeSchema,
        /** The RA roles the position confers (SOD-02, SOD-06). */
        roles: roles.default([]),
        /** POS-03: activity codes the change adds. */
        addsActivities: z.array(activityCodeSchema).readonly().default([]),
      })
      .readonly()
      .optional(),
    card: z
      .object({
        serial: cardSerialSchema,
        status: z.enum(cardStatuses),
        holder: uuidSchema.optional(),
        certificatesExpireOn: isoDateSchema.optional(),
        selfRenewalCount: z.number().int().nonnegative().default(0),
      })
      .readonly()
      .optional(),
    assignment: z
      .object({ start: isoDateSchema, end: isoDateSchema.optional() })
      .readonly()
      .optional(),
    request: z
      .object({
        id: requestIdSchema.optional(),
        subject: uuidSchema.optional(),
        lock: z.object({ by: uuidSchema, until: isoDateTimeSchema }).readonly().optional(),
      })
      .readonly()
      .optional(),
    report: z
      .object({ category: z.enum(['smartcard', 'position', 'profile', 'request', 'organisation']) })
      .readonly()
      .optional(),
  })
  .readonly();
/** A target as a host passes it. */
export type TargetInput = z.input<typeof targetSchema>;

/** The case history separation of duties and the conditions look at. */
export const factsSchema = z
  .object({
    /** SOD-01: the sponsor who approved the applicant. */
    sponsoredBy: uuidSchema.optional(),
    /** SOD-01: the RA agent who checked the applicant's identity. */
    identityCheckedBy: uuidSchema.optional(),
    /** SOD-05: who raised the request being decided. */
    requestedBy: z.union([uuidSchema, z.literal('ESR')]).optional(),
    /** CARD-01, CARD-03, CARD-06, AUTH-02: the user is at the reader. */
    userPresent: z.boolean().default(false),
    /** CARD-03: the one-time code for self-service unlock was verified. */
    oneTimeCodeVerified: z.boolean().default(false),
    /** ASG-01: the change moves the start date. */
    changesStart: z.boolean().default(false),
    /** BATCH-01: UUIDs in the batch. */
    batchSize: z.number().int().nonnegative().optional(),
    /** POS-03: Information Governance approved the change. */
    igApproved: z.boolean().default(false),
  })
  .readonly();
/** Facts as a host passes them. */
export type FactsInput = z.input<typeof factsSchema>;

/** What is asked of the engine, besides who asks: the activity, when, on what. */
export const decisionRequestSchema = z
  .object({
    activity: z.enum(activityIds as [ActivityId, ...ActivityId[]], {
      message: 'is not an activity of the matrix (see activityMatrix)',
    }),
    /** The decision instant; its UTC date decides assignments (ASG-02). */
    at: isoDateTimeSchema,
    /** Ask for one route only: `direct` refuses what only a request could do. */
    route: z.enum(['direct', 'via-request']).optional(),
    target: targetSchema.default({}),
    facts: factsSchema.default({
      userPresent: false,
      oneTimeCodeVerified: false,
      changesStart: false,
      igApproved: false,
    }),
  })
  .readonly();
/** A decision request as a host passes it. */
export type DecisionRequestInput = z.input<typeof decisionRequestSchema>;
/** A validated decision request. */
export type DecisionRequest = z.output<typeof decisionRequestSchema>;
/** A validated target. */
export type Target = z.output<typeof targetSchema>;
/** Validated facts. */
export type Facts = z.output<typeof factsSchema>;
