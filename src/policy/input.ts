import * as z from 'zod/mini';
import { type ActivityId, activityIds } from './matrix.js';
import {
  activityCode,
  cardSerial,
  cardStatusList,
  isoDate,
  isoDateTime,
  odsCode,
  positionId,
  requestId,
  uuid,
} from './primitives.js';
import { raRoles } from './roles.js';

/*
 * Written with `zod/mini` (validation stays at the boundary at a browser's size); every
 * schema here is a zod schema all the same (`safeParse`, `z.toJSONSchema`).
 */

const roles = z.readonly(z.array(z.enum(raRoles)));
const flag = () => z._default(z.boolean(), false);

/** One position assignment of the actor, with the RA roles its position confers (ROLE-02). */
export const actorAssignmentSchema = z.readonly(
  z
    .object({
      organisation: odsCode,
      roles,
      start: isoDate,
      end: z.optional(isoDate),
      removed: flag(),
      /** ROLE-03 `S**`: the positions a sponsor position may assign. */
      assignable: z._default(z.readonly(z.array(positionId)), []),
      /** CARD-03: a locum's assignment grants no unlock right at that organisation. */
      locum: flag(),
      position: z.optional(positionId),
      /**
       * The position's job-role code (R and four digits). Where the pack lists it as a
       * pharmacist's (`pharmacistJobRoles`, dorset), the assignment grants card care at its
       * own pharmacy (CARD-03, CARD-05).
       */
      jobRole: z.optional(
        z.string().check(z.regex(/^R\d{4}$/, { message: 'must be a job-role R code' })),
      ),
    })
    .check(
      z.refine((a) => a.end === undefined || a.end > a.start, {
        message: 'the end date must be after the start date',
        path: ['end'],
      }),
    ),
);

/** The person acting: their UUID, profile state and position assignments. */
export const actorSchema = z.readonly(
  z.object({
    uuid,
    status: z._default(z.enum(['open', 'closed']), 'open'),
    assignments: z.readonly(z.array(actorAssignmentSchema).check(z.maxLength(1000))),
  }),
);
/** An actor as a host passes it. */
export type ActorInput = z.input<typeof actorSchema>;
/** A validated actor. */
export type Actor = z.output<typeof actorSchema>;

/** What the activity acts on; each activity reads the parts it needs. */
export const targetSchema = z.readonly(
  z.object({
    /** Where the activity happens (ROLE-02 scope). */
    organisation: z.optional(odsCode),
    /** The organisation and its ancestors, nearest first; roles held at any of them cover it. */
    organisationPath: z.optional(
      z.readonly(z.array(odsCode).check(z.minLength(1), z.maxLength(32))),
    ),
    user: z.optional(
      z.readonly(
        z.object({
          uuid,
          status: z._default(z.enum(['open', 'closed']), 'open'),
          identityChecked: flag(),
          hasNiNumber: flag(),
          /** SOD-06: an RA/sponsor training certificate is on record. */
          raTraining: flag(),
          /** SOD-02: the RA roles the user holds now. */
          roles: z._default(roles, []),
        }),
      ),
    ),
    position: z.optional(
      z.readonly(
        z.object({
          id: positionId,
          organisation: odsCode,
          /** The RA roles the position confers (SOD-02, SOD-06). */
          roles: z._default(roles, []),
          /** POS-03: activity codes the change adds. */
          addsActivities: z._default(z.readonly(z.array(activityCode)), []),
        }),
      ),
    ),
    card: z.optional(
      z.readonly(
        z.object({
          serial: cardSerial,
          status: z.enum(cardStatusList),
          holder: z.optional(uuid),
          certificatesExpireOn: z.optional(isoDate),
          selfRenewalCount: z._default(z.number().check(z.int(), z.nonnegative()), 0),
        }),
      ),
    ),
    assignment: z.optional(z.readonly(z.object({ start: isoDate, end: z.optional(isoDate) }))),
    request: z.optional(
      z.readonly(
        z.object({
          id: z.optional(requestId),
          subject: z.optional(uuid),
          lock: z.optional(z.readonly(z.object({ by: uuid, until: isoDateTime }))),
        }),
      ),
    ),
    report: z.optional(
      z.readonly(
        z.object({
          category: z.enum(['smartcard', 'position', 'profile', 'request', 'organisation']),
        }),
      ),
    ),
  }),
);
/** A target as a host passes it. */
export type TargetInput = z.input<typeof targetSchema>;

/** The case history separation of duties and the conditions look at. */
export const factsSchema = z.readonly(
  z.object({
    /** SOD-01: the sponsor who approved the applicant. */
    sponsoredBy: z.optional(uuid),
    /** SOD-01: the RA agent who checked the applicant's identity. */
    identityCheckedBy: z.optional(uuid),
    /** SOD-05: who raised the request being decided. */
    requestedBy: z.optional(z.union([uuid, z.literal('ESR')])),
    /** CARD-01, CARD-03, CARD-06, AUTH-02: the user is at the reader. */
    userPresent: flag(),
    /** CARD-03: the one-time code for self-service unlock was verified. */
    oneTimeCodeVerified: flag(),
    /** ASG-01: the change moves the start date. */
    changesStart: flag(),
    /** BATCH-01: UUIDs in the batch. */
    batchSize: z.optional(z.number().check(z.int(), z.nonnegative())),
    /** POS-03: Information Governance approved the change. */
    igApproved: flag(),
    /** POS-03: the change is a position change request being assessed (an RA Manager's call). */
    positionChangeRequest: flag(),
  }),
);
/** Facts as a host passes them. */
export type FactsInput = z.input<typeof factsSchema>;

/** The activity of a decision request: one of the matrix. */
export const activitySchema = z.enum(activityIds as [ActivityId, ...ActivityId[]], {
  message: 'is not an activity of the matrix (see activityMatrix)',
});
/** The route a request may ask for: `direct` refuses what only a request could do. */
export const routeSchema = z.enum(['direct', 'via-request']);
/** The decision instant (UTC); its date in the pack's time zone decides assignments (ASG-02). */
export const instantSchema = isoDateTime;

const NO_FACTS = {
  userPresent: false,
  oneTimeCodeVerified: false,
  changesStart: false,
  igApproved: false,
  positionChangeRequest: false,
};

/** What is asked of the engine, besides who asks: the activity, when, on what. */
export const decisionRequestSchema = z.readonly(
  z.object({
    activity: activitySchema,
    /** The decision instant (UTC); its date in the pack's time zone decides assignments (ASG-02). */
    at: instantSchema,
    /** Ask for one route only: `direct` refuses what only a request could do. */
    route: z.optional(routeSchema),
    target: z._default(targetSchema, {}),
    facts: z._default(factsSchema, NO_FACTS),
  }),
);
/** A decision request as a host passes it. */
export type DecisionRequestInput = z.input<typeof decisionRequestSchema>;
/** A validated decision request. */
export type DecisionRequest = z.output<typeof decisionRequestSchema>;
/** A validated target. */
export type Target = z.output<typeof targetSchema>;
/** Validated facts. */
export type Facts = z.output<typeof factsSchema>;
