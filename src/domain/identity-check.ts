import { z } from 'zod';
import { ValidationError } from '../errors/validation-error.js';
import { addMonths, type IsoDate, isoDateSchema, isoDateTimeSchema } from './dates.js';
import { niNumberSchema } from './ni-number.js';
import { uuidSchema } from './uuid.js';

const text = z.string().trim().min(1, { message: 'must not be empty' }).max(200);

/** ID-02: a passport recorded in full. Photo ID. */
export const passportSchema = z
  .object({
    kind: z.literal('passport'),
    country: z
      .string()
      .regex(/^[A-Z]{3}$/, { message: 'must be an ICAO three-letter country code, e.g. GBR' }),
    number: z.string().regex(/^[A-Z0-9]{6,12}$/, { message: 'must be 6 to 12 letters or digits' }),
    expiry: isoDateSchema,
  })
  .readonly();

/** ID-02: a driving licence recorded in full. Photo ID. */
export const drivingLicenceSchema = z
  .object({
    kind: z.literal('driving-licence'),
    number: z.string().regex(/^[A-Z0-9]{5,18}$/, { message: 'must be 5 to 18 letters or digits' }),
    expiry: isoDateSchema,
  })
  .readonly();

/** ID-02: proof of address with its issuing organisation and issue date ("utility bill" alone is refused). */
export const proofOfAddressSchema = z
  .object({
    kind: z.literal('proof-of-address'),
    documentType: text,
    issuer: text.refine(
      (v) => !/^(utility bill|bank statement|council tax|bill|letter)$/i.test(v),
      {
        message:
          'must name the issuing company or organisation, not only the type of document (ID-02)',
      },
    ),
    issuedOn: isoDateSchema,
  })
  .readonly();

/** A National Insurance number seen on an official document (ID-03). */
export const niEvidenceSchema = z
  .object({ kind: z.literal('ni-number'), niNumber: niNumberSchema, seenOn: text })
  .readonly();

/** Any other document from the identity check list (birth certificate, biometric residence permit...). */
export const otherDocumentSchema = z
  .object({
    kind: z.literal('other'),
    documentType: text,
    reference: text,
    photo: z.boolean().default(false),
    issuedOn: isoDateSchema.optional(),
  })
  .readonly();

/** One document of an identity check (ID-01, ID-02). */
export const identityDocumentSchema = z.discriminatedUnion('kind', [
  passportSchema,
  drivingLicenceSchema,
  proofOfAddressSchema,
  niEvidenceSchema,
  otherDocumentSchema,
]);
/** One document of an identity check. */
export type IdentityDocument = z.infer<typeof identityDocumentSchema>;

/** ID-01: the identity check recorded before a profile is created. */
export const identityCheckSchema = z
  .object({
    documents: z.array(identityDocumentSchema).min(1).max(10),
    /** A reference to the photo taken (its hash or storage key), never the image itself. */
    photo: text,
    checkedBy: uuidSchema,
    checkedAt: isoDateTimeSchema,
  })
  .readonly();
/** A recorded identity check. */
export type IdentityCheck = z.infer<typeof identityCheckSchema>;

/** The settings of a rule pack that identity checks read (ID-02..ID-04). */
export interface IdentityCheckSettings {
  /** ID-03 (dorset): an NI number must be among the documents. */
  readonly niNumberRequired: boolean;
  /** ID-04: how many months past expiry a passport is still accepted. */
  readonly passportGraceMonths: number;
  /** ID-02: how many months old a proof of address may be. */
  readonly proofOfAddressMaxAgeMonths: number;
}

/** One unmet requirement of an identity check, with the rule it comes from. */
export interface IdentityCheckProblem {
  readonly rule: 'ID-01' | 'ID-02' | 'ID-03' | 'ID-04';
  readonly message: string;
}

function isPhotoId(doc: IdentityDocument): boolean {
  return (
    doc.kind === 'passport' || doc.kind === 'driving-licence' || (doc.kind === 'other' && doc.photo)
  );
}

/**
 * Every unmet requirement of an identity check on the day it is made (ID-01..ID-04); an
 * empty list means the check is complete.
 *
 * @example
 * ```ts
 * const problems = identityCheckProblems(check, nationalPack, '2026-11-22' as IsoDate);
 * ```
 */
export function identityCheckProblems(
  check: IdentityCheck,
  settings: IdentityCheckSettings,
  on: IsoDate,
): readonly IdentityCheckProblem[] {
  const problems: IdentityCheckProblem[] = [];
  const docs = check.documents;
  if (docs.length < 3) {
    problems.push({
      rule: 'ID-01',
      message: `three documents are needed; ${docs.length} recorded`,
    });
  }
  if (!docs.some(isPhotoId)) {
    problems.push({
      rule: 'ID-01',
      message: 'at least one photo ID (passport, driving licence) is needed',
    });
  }
  if (!docs.some((d) => d.kind === 'proof-of-address')) {
    problems.push({ rule: 'ID-01', message: 'at least one proof of address is needed' });
  }
  const oldestAddress = addMonths(on, -settings.proofOfAddressMaxAgeMonths);
  for (const doc of docs) {
    if (doc.kind === 'proof-of-address' && doc.issuedOn < oldestAddress) {
      problems.push({
        rule: 'ID-02',
        message: `proof of address from ${doc.issuer} is dated ${doc.issuedOn}; it must be dated within ${settings.proofOfAddressMaxAgeMonths} months (on or after ${oldestAddress})`,
      });
    }
    if (doc.kind === 'proof-of-address' && doc.issuedOn > on) {
      problems.push({
        rule: 'ID-02',
        message: `proof of address from ${doc.issuer} is dated ${doc.issuedOn}, after today (${on}); check the date on the document`,
      });
    }
    if (doc.kind === 'passport' && doc.expiry < addMonths(on, -settings.passportGraceMonths)) {
      problems.push({
        rule: 'ID-04',
        message: `passport ${doc.number} expired on ${doc.expiry}, more than ${settings.passportGraceMonths} months ago`,
      });
    }
    if (doc.kind === 'driving-licence' && doc.expiry < on) {
      problems.push({
        rule: 'ID-02',
        message: `driving licence ${doc.number} expired on ${doc.expiry}`,
      });
    }
  }
  const hasNi = docs.some((d) => d.kind === 'ni-number');
  if (settings.niNumberRequired && !hasNi) {
    problems.push({
      rule: 'ID-03',
      message:
        "an NI number is required by this rule pack: record it as a document of kind 'ni-number' (the NI number and the date it was seen)",
    });
  }
  if (!settings.niNumberRequired) {
    const strong = ['passport', 'driving-licence', 'ni-number'].filter((k) =>
      docs.some((d) => d.kind === k),
    ).length;
    if (strong < 2) {
      problems.push({
        rule: 'ID-03',
        message: 'two of passport, driving licence and NI number are needed',
      });
    }
  }
  return problems;
}

/**
 * Throws when the identity check is incomplete (ID-01..ID-04).
 *
 * @throws VALIDATION listing every unmet requirement.
 * @example
 * ```ts
 * assertIdentityCheckComplete(check, nationalPack, today);
 * ```
 */
export function assertIdentityCheckComplete(
  check: IdentityCheck,
  settings: IdentityCheckSettings,
  on: IsoDate,
): void {
  const problems = identityCheckProblems(check, settings, on);
  if (problems.length > 0) {
    throw new ValidationError(
      'identity check',
      problems.map((p) => ({
        field: 'identityCheck.documents',
        message: `${p.rule}: ${p.message}`,
      })),
    );
  }
}
