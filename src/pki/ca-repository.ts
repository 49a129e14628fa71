import { CareIdError } from '../errors/care-id-error.js';
import type { RevocationReason } from './revocation-reason.js';

/** Which certificate of the CA hierarchy a record holds. */
export type AuthorityRole = 'root' | 'issuing' | 'ocsp';

/** A CA (or OCSP responder) certificate. Private keys are never stored here (AUD-02). */
export interface AuthorityRecord {
  /** root, issuing or ocsp. */
  readonly role: AuthorityRole;
  /** DER certificate. */
  readonly certificate: Uint8Array;
}

/**
 * What an issued certificate is for: a card holder's (`card`, the default when a record
 * names none) or the PIV content signer's that signs card CHUIDs (`content-signer`).
 */
export type CertificatePurpose = 'card' | 'content-signer';

/** What every certificate the issuing CA issued records. */
interface IssuedCertificateFields {
  /** Serial number, lower-case hex without leading zeros: the key of the record. */
  readonly serialHex: string;
  /** DER certificate. */
  readonly certificate: Uint8Array;
  /** Start of validity. */
  readonly notBefore: Date;
  /** End of validity. */
  readonly notAfter: Date;
}

/** A card holder's certificate (CARD-04). */
export interface CardCertificateRecord extends IssuedCertificateFields {
  /** `card`; a record without a purpose is a card's (records written before content signers were). */
  readonly purpose?: 'card';
  /** The holder's 12-digit UUID (ID-05). */
  readonly uuid: string;
  /** The serial this certificate renews, if it is a renewal (CARD-05). */
  readonly renews?: string;
}

/**
 * A PIV content-signing certificate ({@link CertificateAuthority.issueContentSigner}): it
 * names no holder, and is recorded so that it can be revoked (CRL, OCSP) like any other.
 */
export interface ContentSignerCertificateRecord extends IssuedCertificateFields {
  /** `content-signer`. */
  readonly purpose: 'content-signer';
  /** None: a content signer has no holder. */
  readonly uuid?: undefined;
  /** None: a content signer is never renewed, a new one is issued. */
  readonly renews?: undefined;
}

/** A certificate the issuing CA issued: a card's, or the PIV content signer's. */
export type IssuedCertificateRecord = CardCertificateRecord | ContentSignerCertificateRecord;

/** A revocation (RFC 5280 §5.3.1 reason and the time it took effect). */
export interface RevocationRecord {
  /** Serial of the revoked certificate, lower-case hex. */
  readonly serialHex: string;
  /** RFC 5280 §5.3.1 reason (CARD-10 maps card events to it). */
  readonly reason: RevocationReason;
  /** When the revocation took effect. */
  readonly revokedAt: Date;
}

/**
 * The narrow, async storage port of a certificate authority: plain readonly records in,
 * plain readonly records out. `memoryCaRepository()` is the default; a SQL adapter
 * implements the same methods.
 *
 * @example
 * ```ts
 * const ca = await createCertificateAuthority({ ...settings, repository: memoryCaRepository() });
 * ```
 */
export interface CaRepository {
  /** Every stored authority certificate (at most one per role). */
  loadAuthorities(): Promise<readonly AuthorityRecord[]>;
  /** Stores (or replaces) the certificate for `record.role`. */
  saveAuthority(record: AuthorityRecord): Promise<void>;
  /** Stores an issued certificate. @throws DUPLICATE when the serial exists. */
  insertIssued(record: IssuedCertificateRecord): Promise<void>;
  /** The issued certificate with this serial, if any. */
  findIssued(serialHex: string): Promise<IssuedCertificateRecord | undefined>;
  /** Records a revocation. @throws DUPLICATE when the serial is already revoked. */
  insertRevocation(record: RevocationRecord): Promise<void>;
  /** The revocation of this serial, if any: an O(1) lookup in every adapter (keyed). */
  findRevocation(serialHex: string): Promise<RevocationRecord | undefined>;
  /** Every revocation, for a CRL. */
  listRevocations(): Promise<readonly RevocationRecord[]>;
  /** Increments and returns the CRL number (RFC 5280 §5.2.3: monotonically increasing). */
  nextCrlNumber(): Promise<bigint>;
}

/**
 * An in-memory {@link CaRepository} (Maps keyed by serial), for tests, demos and one-process
 * hosts.
 *
 * @example
 * ```ts
 * const repository = memoryCaRepository();
 * ```
 */
export function memoryCaRepository(): CaRepository {
  const authorities = new Map<AuthorityRole, AuthorityRecord>();
  const issued = new Map<string, IssuedCertificateRecord>();
  const revoked = new Map<string, RevocationRecord>();
  let crlNumber = 0n;
  return {
    async loadAuthorities() {
      return [...authorities.values()];
    },
    async saveAuthority(record) {
      authorities.set(record.role, record);
    },
    async insertIssued(record) {
      if (issued.has(record.serialHex)) {
        throw new CareIdError('DUPLICATE', `certificate serial ${record.serialHex} exists`);
      }
      issued.set(record.serialHex, record);
    },
    async findIssued(serialHex) {
      return issued.get(serialHex);
    },
    async insertRevocation(record) {
      if (revoked.has(record.serialHex)) {
        throw new CareIdError('DUPLICATE', `certificate ${record.serialHex} is already revoked`);
      }
      revoked.set(record.serialHex, record);
    },
    async findRevocation(serialHex) {
      return revoked.get(serialHex);
    },
    async listRevocations() {
      return [...revoked.values()];
    },
    async nextCrlNumber() {
      crlNumber += 1n;
      return crlNumber;
    },
  };
}
