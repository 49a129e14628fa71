import * as z from 'zod/mini';
import { isTimeZone } from '../../domain/time-zone.js';
import { isActivityId } from '../matrix.js';
import { activityCode } from '../primitives.js';
import { raRoles } from '../roles.js';

const count = (what: string) =>
  z
    .number()
    .check(
      z.int({ message: `${what} must be a whole number` }),
      z.nonnegative({ message: `${what} cannot be negative` }),
    );
const positive = (what: string, max: number) =>
  z
    .number()
    .check(
      z.int({ message: `${what} must be a whole number` }),
      z.positive({ message: `${what} must be at least 1` }),
      z.maximum(max),
    );
const countUpTo = (what: string, max: number) => count(what).check(z.maximum(max));

const grantSchema = z.enum(['direct', 'via-request', 'assignable-only']);
const roleCodeSchema = z
  .string()
  .check(z.regex(/^[RB]\d{4}$/, { message: 'must be an R or B code' }));

/**
 * A rule pack: the numbers the sources disagree on and the local rules switched on
 * (RULES.md). `national` is the default; `dorset` is NHS Dorset's local policy; a host
 * derives its own with `derivePack`. Written with `zod/mini`, as the policy's other input
 * schemas.
 */
export const rulePackSchema = z.readonly(
  z
    .object({
      id: z
        .string()
        .check(z.regex(/^[a-z][a-z0-9-]{0,39}$/, { message: 'must be a short lower-case id' })),
      name: z.string().check(z.minLength(1), z.maxLength(200)),
      /**
       * The time zone whose calendar dates the rules take (RULES.md, "Dates"): an IANA name
       * (`Europe/London` for the national and dorset packs). Instants stay UTC.
       */
      timeZone: z.string().check(
        z.refine(isTimeZone, {
          message: 'must be an IANA time zone this runtime knows, such as Europe/London',
        }),
      ),
      /**
       * CARD-04: card certificate life in calendar years from the issue date (29 February
       * gives 28 February). The one setting of it: the RA gives the CA the end it makes.
       */
      certificateLifeYears: positive('certificateLifeYears', 10),
      /**
       * CARD-11: what the authentication certificate's subject carries: the holder's
       * `name` (CN) with the UUID, or the `uuid-only` (dorset). UPN and CHUID carry the
       * UUID either way.
       */
      certificateSubject: z.enum(['name', 'uuid-only']),
      /** CARD-05: renewal before expiry opens this many days before it. */
      renewalWindowDays: positive('renewalWindowDays', 365),
      /** CARD-05: most self-renewals per card, then a new card; `null` for no limit. */
      selfRenewalLimit: z.nullable(count('selfRenewalLimit')),
      /** CARD-07: series (first two digits of the serial) that cannot be renewed. */
      nonRenewableSeries: z.readonly(z.array(z.string().check(z.regex(/^\d{2}$/)))),
      /** ID-03 / CARD-01: an NI number must be recorded (dorset: no card without one). */
      niNumberRequired: z.boolean(),
      /** ID-04: months past expiry a passport is still accepted. */
      passportGraceMonths: countUpTo('passportGraceMonths', 24),
      /** ID-02: months a proof of address may be old. */
      proofOfAddressMaxAgeMonths: positive('proofOfAddressMaxAgeMonths', 24),
      /** BATCH-01: UUIDs per batch run. */
      batchLimit: positive('batchLimit', 10_000),
      /** SOD-02: one person cannot hold a sponsor role and an RA agent role at once. */
      sponsorAgentExclusive: z.boolean(),
      /** SOD-06: an RA or sponsor position needs a training certificate on record. */
      trainingCertificateRequired: z.boolean(),
      /** POS-03: activity codes whose addition to a position needs Information Governance approval. */
      igApprovalActivities: z.readonly(z.array(activityCode)),
      /** REQ-02: minutes a review locks a request to its reviewer. */
      requestLockMinutes: positive('requestLockMinutes', 24 * 60),
      /** REQ-04: days a closed request stays in the default listing. */
      closedRequestListingDays: countUpTo('closedRequestListingDays', 3660),
      /** ASG-03: hours after leaving by which a leaver's assignments must be end-dated. */
      leaverEndDateHours: positive('leaverEndDateHours', 24 * 365),
      /** CARD-03: minutes a self-service unlock code stays valid, and the tries it allows. */
      oneTimeCodeMinutes: positive('oneTimeCodeMinutes', 24 * 60),
      oneTimeCodeTries: positive('oneTimeCodeTries', 10),
      /** CARD-02: passcode length and the wrong tries that lock the card. */
      passcode: z.readonly(
        z
          .object({
            minLength: positive('passcode.minLength', 16),
            maxLength: positive('passcode.maxLength', 16),
            tries: positive('passcode.tries', 15),
          })
          .check(
            z.refine((p) => p.minLength <= p.maxLength, {
              message: 'minLength must not exceed maxLength',
              path: ['minLength'],
            }),
          ),
      ),
      /** ORG-01: people acting as sponsor or RA agent every pharmacy needs; `null` to not check. */
      pharmacyMinimumSponsorsOrAgents: z.nullable(positive('pharmacyMinimumSponsorsOrAgents', 100)),
      /**
       * CARD-03/CARD-05 (dorset): the job-role codes of pharmacist positions. A pharmacist
       * unlocks and renews (before expiry) the cards of staff at the pharmacist's own
       * pharmacy, never as a locum. Empty: no such rule (national).
       */
      pharmacistJobRoles: z.readonly(
        z.array(z.string().check(z.regex(/^R\d{4}$/, { message: 'must be a job-role R code' }))),
      ),
      /** ROLE-01: the RBAC codes that confer each RA role. */
      roleCodes: z.readonly(z.record(z.enum(raRoles), z.readonly(z.array(roleCodeSchema)))),
      /**
       * Changes to the activity matrix: per activity, per role, a grant or `null` to take the
       * role's grant away.
       */
      grants: z.readonly(
        z.partialRecord(
          z.string().check(z.refine(isActivityId, { message: 'is not an activity of the matrix' })),
          z.readonly(z.partialRecord(z.enum(raRoles), z.nullable(grantSchema))),
        ),
      ),
    })
    .check(
      z.refine(
        (p) =>
          new Set(Object.values(p.roleCodes).flat()).size ===
          Object.values(p.roleCodes).flat().length,
        { message: 'an RBAC code may confer only one RA role', path: ['roleCodes'] },
      ),
    ),
);

/** A validated rule pack. */
export type RulePack = z.output<typeof rulePackSchema>;
/** A rule pack as written, before validation. */
export type RulePackInput = z.input<typeof rulePackSchema>;
