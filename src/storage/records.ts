import { z } from 'zod';
import {
  type AuditEvent,
  cardSerialSchema,
  type IsoDateTime,
  isoDateTimeSchema,
  type Organisation,
  organisationSchema,
  uuidSchema,
} from '../domain/index.js';
import { REVOCATION_REASONS } from '../pki/revocation-reason.js';

const versionSchema = z.number().int().nonnegative();

/**
 * An issued end-entity certificate as the store keeps it: what the PKI's `CaRepository`
 * needs for issued certificates and revocations (`IssuedCertificateRecord` plus its
 * `RevocationRecord`), with the card that holds it, so a store can answer "is it revoked",
 * "which expire soon" and list revocations for a CRL. Revocation reasons are the PKI's
 * RFC 5280 names. A card holder's certificate names its holder; the PIV content signer's
 * (`purpose: 'content-signer'`) names none, and is kept so that it can be revoked.
 */
export const certificateRecordSchema = z
  .object({
    /** Certificate serial number, lower-case hex. */
    serial: z
      .string()
      .regex(/^[0-9a-f]{1,40}$/, { message: 'must be the certificate serial in lower-case hex' }),
    /**
     * What the certificate is for: a card holder's (absent or `card`) or the PIV content
     * signer's that signs card CHUIDs (`content-signer`: no holder, no card).
     */
    purpose: z.enum(['card', 'content-signer']).optional(),
    /** The holder's UUID (ID-05): every card certificate has one, a content signer none. */
    holder: uuidSchema.optional(),
    /** The card that holds the key, when the certificate is a smartcard's. */
    card: cardSerialSchema.optional(),
    notBefore: isoDateTimeSchema,
    notAfter: isoDateTimeSchema,
    status: z.enum(['active', 'revoked', 'superseded']),
    revocation: z
      .object({ reason: z.enum(REVOCATION_REASONS), at: isoDateTimeSchema })
      .readonly()
      .optional(),
    /** The serial (hex) of the certificate this one renews (CARD-05), if it is a renewal. */
    renews: z
      .string()
      .regex(/^[0-9a-f]{1,40}$/, { message: 'must be a certificate serial in lower-case hex' })
      .optional(),
    /** The certificate, DER-encoded. */
    der: z.instanceof(Uint8Array, { message: 'must be the DER bytes (a Uint8Array)' }),
    version: versionSchema,
  })
  .refine((c) => c.notBefore <= c.notAfter, {
    message: 'notAfter must not be before notBefore',
    path: ['notAfter'],
  })
  .refine(
    (c) =>
      c.purpose === 'content-signer'
        ? c.holder === undefined && c.card === undefined && c.renews === undefined
        : c.holder !== undefined,
    {
      message:
        'a card certificate names its holder; a content signer names no holder, card or renewed serial',
      path: ['holder'],
    },
  )
  .refine((c) => (c.status === 'revoked') === (c.revocation !== undefined), {
    message: 'a revoked certificate records its revocation, and only a revoked one does',
    path: ['revocation'],
  })
  .readonly();
/** An issued certificate record. */
export type CertificateRecord = z.infer<typeof certificateRecordSchema>;

/** The roles of the CA hierarchy's own certificates, as the PKI's `AuthorityRole` names them, in list order. */
export const authorityRoles = ['issuing', 'ocsp', 'root'] as const;

/**
 * One certificate of the CA hierarchy (the root, the issuing CA or the delegated OCSP
 * responder), keyed by its role: what the PKI's `AuthorityRecord` holds. Private keys are
 * never stored (AUD-02); they stay behind the PKI's signers.
 */
export interface AuthorityCertificateRecord {
  /** `root`, `issuing` or `ocsp`: the key of the record. */
  readonly role: (typeof authorityRoles)[number];
  /** The certificate, DER-encoded. */
  readonly der: Uint8Array;
}

/** Validates an {@link AuthorityCertificateRecord} at the store's boundary. */
export const authorityCertificateRecordSchema = z
  .object({
    role: z.enum(authorityRoles),
    der: z
      .instanceof(Uint8Array, { message: 'must be the DER bytes (a Uint8Array)' })
      .refine((der) => der.byteLength > 0, { message: 'must not be empty' }),
  })
  .readonly();

/** The name of a counter: lower-case letters, digits, `.`, `_` and `-`, up to 64 characters. */
export const counterNameSchema = z.string().regex(/^[a-z][a-z0-9._-]{0,63}$/, {
  message: 'must be a counter name (a-z, 0-9, ".", "_", "-"; at most 64 characters)',
});

/**
 * An organisation as the store keeps it: the domain record plus the `version` every
 * stored aggregate carries (the domain schema has none).
 */
export type StoredOrganisation = Organisation & { readonly version: number };

/** Parses a stored organisation: the domain schema plus its version. */
export const storedOrganisationSchema = z
  .intersection(organisationSchema, z.object({ version: versionSchema }))
  .readonly();

/** The hash of the link before the first audit record: 64 zeros. */
export const GENESIS_HASH = '0'.repeat(64);

/** AUD-01: one record of the audit log, chained to the one before by `prevHash`. */
export interface AuditRecord {
  /** Position in the log, from 1, without gaps. */
  readonly seq: number;
  /** The event's time (copied from `event.at` for indexing). */
  readonly at: IsoDateTime;
  /** The event as appended, in canonical form. */
  readonly event: AuditEvent;
  /** `hash` of record `seq - 1`, or {@link GENESIS_HASH} for the first. */
  readonly prevHash: string;
  /** SHA-256 (hex) of the canonical JSON of `{ seq, prevHash, event }`. */
  readonly hash: string;
}

/** The last link of the audit chain: `seq` 0 and {@link GENESIS_HASH} while it is empty. */
export interface AuditHead {
  /** Sequence number of the last record (0 when empty). */
  readonly seq: number;
  /** Hash of the last record. */
  readonly hash: string;
}
