import { z } from 'zod';

const httpUrl = z
  .string()
  .max(512)
  .regex(/^https?:\/\/[\x21-\x7e]+$/, 'an http(s) URL in printable ASCII');
const commonName = z.string().min(1).max(64);
const organization = z.string().min(1).max(64);

/** zod schema of {@link CaSettings}. */
export const caSettingsSchema = z
  .object({
    root: z
      .object({
        commonName,
        organization: organization.optional(),
        validityDays: z.number().int().min(1).max(36_500).default(7_300),
      })
      .strict(),
    issuing: z
      .object({
        commonName,
        organization: organization.optional(),
        validityDays: z.number().int().min(1).max(36_500).default(3_650),
      })
      .strict(),
    /** CRL distribution point written into end-entity certificates (RFC 5280 §4.2.1.13). */
    crlUrl: httpUrl,
    /** OCSP responder URL written into AIA (RFC 5280 §4.2.2.1). */
    ocspUrl: httpUrl,
    /** Where the issuing CA certificate can be fetched (AIA caIssuers), optional. */
    caIssuersUrl: httpUrl.optional(),
    /**
     * Removed: card certificate life is the rule pack's `certificateLifeYears` (CARD-04),
     * given by the RA with each issue request. Refused with a message that says so.
     */
    validityDays: z
      .never({
        message:
          "card certificate life is the rule pack's certificateLifeYears (CARD-04); remove validityDays from the CA settings",
      })
      .optional(),
    /** Hours between a CRL's thisUpdate and nextUpdate. */
    crlValidityHours: z
      .number()
      .int()
      .min(1)
      .max(24 * 31)
      .default(24 * 7),
    /** Hours between an OCSP answer's thisUpdate and nextUpdate. */
    ocspValidityHours: z
      .number()
      .int()
      .min(1)
      .max(24 * 7)
      .default(24),
    /** Life of the delegated OCSP responder certificate in days. */
    ocspResponderValidityDays: z.number().int().min(1).max(3_650).default(90),
  })
  .strict();

/** Name and life of one CA certificate (root or issuing). */
export interface CaCertificateSettings {
  /** The CA's common name. */
  readonly commonName: string;
  /** The CA's organisation name, written before the CN. */
  readonly organization?: string | undefined;
  /** Life of the CA certificate in days (root 7,300 and issuing 3,650 by default). */
  readonly validityDays?: number | undefined;
}

/** Settings of a certificate authority, as the host writes them; defaults fill the rest. */
export interface CaSettingsInput {
  /** The root CA. */
  readonly root: CaCertificateSettings;
  /** The issuing (intermediate) CA. */
  readonly issuing: CaCertificateSettings;
  /** CRL distribution point written into end-entity certificates (RFC 5280 §4.2.1.13). */
  readonly crlUrl: string;
  /** OCSP responder URL written into AIA (RFC 5280 §4.2.2.1). */
  readonly ocspUrl: string;
  /** Where the issuing CA certificate can be fetched (AIA caIssuers). */
  readonly caIssuersUrl?: string | undefined;
  /**
   * @deprecated Removed: card certificate life is the rule pack's `certificateLifeYears`
   * (CARD-04), which the RA gives with each issue request. Settings that set it are refused.
   */
  readonly validityDays?: undefined;
  /** Hours between a CRL's thisUpdate and nextUpdate (default 168). */
  readonly crlValidityHours?: number | undefined;
  /** Hours between an OCSP answer's thisUpdate and nextUpdate (default 24). */
  readonly ocspValidityHours?: number | undefined;
  /** Life of the delegated OCSP responder certificate in days (default 90). */
  readonly ocspResponderValidityDays?: number | undefined;
}

/** A CA certificate's settings once its validity default is applied. */
export interface ValidityFilled {
  /** Life of the CA certificate in days. */
  readonly validityDays: number;
}

/** Settings of a certificate authority after validation, every default filled in. */
export interface CaSettings extends CaSettingsInput {
  /** The root CA, with its validity filled in. */
  readonly root: CaCertificateSettings & ValidityFilled;
  /** The issuing CA, with its validity filled in. */
  readonly issuing: CaCertificateSettings & ValidityFilled;
  /** Hours between a CRL's thisUpdate and nextUpdate. */
  readonly crlValidityHours: number;
  /** Hours between an OCSP answer's thisUpdate and nextUpdate. */
  readonly ocspValidityHours: number;
  /** Life of the delegated OCSP responder certificate in days. */
  readonly ocspResponderValidityDays: number;
}

/** zod schema of the holder an end-entity certificate is issued to. */
export const holderSchema = z
  .object({
    /** The holder's name as it appears in the certificate's CN; absent: the CN is the UUID (CARD-11). */
    commonName: commonName.optional(),
    /** The 12-digit UUID (ID-05), written as the subject's serialNumber attribute. */
    uuid: z.string().regex(/^\d{12}$/, 'a 12-digit UUID'),
    /** User Principal Name for smartcard logon, `user@domain`. */
    upn: z
      .string()
      .max(256)
      .regex(/^[^@\s]+@[^@\s]+$/, 'a UPN of the form user@domain'),
  })
  .strict();

/** Whom an end-entity certificate is issued to; careid builds the subject from it. */
export interface CertificateHolder {
  /**
   * The holder's name, written as the subject's CN. Absent, the subject carries the UUID
   * only (CN and serialNumber both the UUID): a rule pack may keep names off the card (CARD-11).
   */
  readonly commonName?: string | undefined;
  /** The 12-digit UUID (ID-05), written as the subject's serialNumber attribute. */
  readonly uuid: string;
  /** User Principal Name for smartcard logon, `user@domain` (SAN otherName). */
  readonly upn: string;
}
