import { z } from 'zod';
import { isoDateSchema, isoDateTimeSchema } from './dates.js';
import { identityCheckSchema } from './identity-check.js';
import { niNumberSchema } from './ni-number.js';
import { uuidSchema } from './uuid.js';

const name = z.string().trim().min(1, { message: 'must not be empty' }).max(100);

/** A person's name as the profile holds it. */
export const personNameSchema = z
  .object({ title: name.optional(), given: name, family: name, preferred: name.optional() })
  .readonly();
/** A person's name. */
export type PersonName = z.infer<typeof personNameSchema>;

/** UK mobile numbers in E.164 or national form. */
export const mobileSchema = z
  .string()
  .transform((raw) => raw.replace(/[\s()-]/g, ''))
  .pipe(z.string().regex(/^(\+447\d{9}|07\d{9})$/, { message: 'must be a UK mobile number' }));

/** Contact details; PROF-04 lets every user change their own. */
export const contactDetailsSchema = z
  .object({
    email: z.email({ message: 'must be an email address' }).optional(),
    emailVerified: z.boolean().default(false),
    mobile: mobileSchema.optional(),
    mobileVerified: z.boolean().default(false),
  })
  .readonly();
/** Contact details. */
export type ContactDetails = z.infer<typeof contactDetailsSchema>;

/** PROF-03: the profile fields ESR masters. */
export const esrMasteredFields = ['name', 'dateOfBirth', 'niNumber'] as const;
/** A field ESR masters. */
export type EsrMasteredField = (typeof esrMasteredFields)[number];

/** SOD-06: a training certificate on record (dorset: the e-learning certificate received). */
export const trainingCertificateSchema = z
  .object({ kind: z.literal('ra-sponsor'), receivedOn: isoDateSchema, reference: name })
  .readonly();
/** A training certificate on record. */
export type TrainingCertificate = z.infer<typeof trainingCertificateSchema>;

/** A user profile. `version` counts writes (optimistic concurrency). */
export const userProfileSchema = z
  .object({
    uuid: uuidSchema,
    name: personNameSchema,
    dateOfBirth: isoDateSchema,
    niNumber: niNumberSchema.optional(),
    contact: contactDetailsSchema,
    status: z.enum(['open', 'closed']),
    /** ID-01: present once the identity check is complete. */
    identityCheck: identityCheckSchema.optional(),
    /** PROF-03: the ESR-mastered fields a local change has overwritten. */
    locallyChangedEsrFields: z.array(z.enum(esrMasteredFields)).readonly().default([]),
    /** Whether ESR feeds this profile (PROF-03). */
    esrLinked: z.boolean().default(false),
    trainingCertificates: z.array(trainingCertificateSchema).readonly().default([]),
    createdAt: isoDateTimeSchema,
    createdBy: uuidSchema,
    /** ID-06: the override recorded when a possible duplicate was created anyway. */
    duplicateOverride: z.object({ by: uuidSchema, reason: name }).readonly().optional(),
    closed: z.object({ at: isoDateTimeSchema, by: uuidSchema, reason: name }).readonly().optional(),
    version: z.number().int().nonnegative(),
  })
  .readonly();
/** A user profile. */
export type UserProfile = z.infer<typeof userProfileSchema>;
