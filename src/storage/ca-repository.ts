// Type-only imports: the storage barrel must load no PKI code (pkijs, asn1js) at runtime.

import type { IsoDateTime, Uuid } from '../domain/index.js';
import type {
  AuthorityRecord,
  CaRepository,
  IssuedCertificateRecord,
  RevocationRecord,
} from '../pki/ca-repository.js';
import { DuplicateError, NotFoundError } from './errors.js';
import { MAX_PAGE_SIZE } from './paging.js';
import type { Store } from './ports.js';
import type { AuthorityCertificateRecord, CertificateRecord } from './records.js';

/** The counter that numbers CRLs (root's and issuing CA's alike, as in `memoryCaRepository`). */
const CRL_NUMBER = 'crl-number';
/** Later than any `notAfter` (RFC 5280's 99991231235959Z included): lists every revocation. */
const END_OF_TIME = '9999-12-31T23:59:59.999Z' as IsoDateTime;
const SERIAL = /^[0-9a-f]{1,40}$/;

// An invalid Date becomes a string the certificate schema refuses (VALIDATION naming the
// field), not a RangeError from toISOString.
const iso = (date: Date): IsoDateTime =>
  (Number.isNaN(date.getTime()) ? 'invalid date' : date.toISOString()) as IsoDateTime;

function toIssued(c: CertificateRecord): IssuedCertificateRecord {
  const common = {
    serialHex: c.serial,
    certificate: c.der,
    notBefore: new Date(c.notBefore),
    notAfter: new Date(c.notAfter),
  };
  if (c.purpose === 'content-signer' || c.holder === undefined) {
    return { ...common, purpose: 'content-signer' };
  }
  return {
    ...common,
    uuid: c.holder,
    ...(c.renews === undefined ? {} : { renews: c.renews }),
  };
}

/** The store's record of a certificate the CA issued now (status active, version 0). */
function fromIssued(record: IssuedCertificateRecord): CertificateRecord {
  const common = {
    serial: record.serialHex,
    notBefore: iso(record.notBefore),
    notAfter: iso(record.notAfter),
    status: 'active' as const,
    der: new Uint8Array(record.certificate),
    version: 0,
  };
  if (record.purpose === 'content-signer') return { ...common, purpose: 'content-signer' };
  return {
    ...common,
    holder: record.uuid as Uuid,
    ...(record.renews === undefined ? {} : { renews: record.renews }),
  };
}

function toRevocation(c: CertificateRecord): RevocationRecord | undefined {
  if (c.status !== 'revoked' || c.revocation === undefined) return undefined;
  return { serialHex: c.serial, reason: c.revocation.reason, revokedAt: new Date(c.revocation.at) };
}

// Both directions are typed against the PKI's records, so the build fails if the PKI's
// authority roles and the store's ever differ.
const toAuthority = (a: AuthorityCertificateRecord): AuthorityRecord => ({
  role: a.role,
  certificate: a.der,
});
const fromAuthority = (a: AuthorityRecord): AuthorityCertificateRecord => ({
  role: a.role,
  der: a.certificate,
});

/**
 * The PKI's {@link CaRepository} over a {@link Store}, so a certificate authority keeps
 * its state with the RA's: issued certificates and their revocations in the store's
 * `certificates` (a revocation is status `revoked` with its reason and time), the
 * authority certificates in `authorities`, and the CRL number in the counter
 * `crl-number`. A PIV content signer's certificate is kept there too, with
 * `purpose: 'content-signer'` and no holder, so it is revoked, listed on the CRL and
 * answered by OCSP like a card's. Every call is one store transaction. A PKI serial that is not lower-case
 * hex of at most 40 digits cannot be stored, so lookups of one find nothing (an OCSP
 * request may carry any serial).
 *
 * Unlike `memoryCaRepository`, which records any serial, `insertRevocation` needs the
 * certificate in the store (the CA checks that it issued it first).
 *
 * @throws DUPLICATE from `insertIssued` when the serial exists, and from `insertRevocation`
 * when the certificate is already revoked (as the port documents).
 * @throws NOT_FOUND from `insertRevocation` when the store holds no certificate with the serial.
 * @throws VALIDATION when a record does not fit the store's schemas (a holder that is not a
 * 12-digit UUID, an invalid date).
 * @throws CONFLICT and STORE_UNAVAILABLE as {@link Store.transaction} does.
 * @example
 * ```ts
 * import { storeCaRepository } from 'careid';
 * import { createCertificateAuthority } from 'careid/pki';
 * import { sqliteStore } from 'careid/storage/sqlite';
 * const store = sqliteStore('./ra.sqlite');
 * const ca = await createCertificateAuthority({
 *   settings, now: new Date(), repository: storeCaRepository(store),
 *   rootSigner, issuingSigner, ocspSigner,
 * });
 * ```
 */
export function storeCaRepository(store: Store): CaRepository {
  return {
    async loadAuthorities() {
      return (await store.transaction((tx) => tx.authorities.list())).map(toAuthority);
    },

    async saveAuthority(record) {
      await store.transaction((tx) => tx.authorities.put(fromAuthority(record)));
    },

    async insertIssued(record) {
      await store.transaction((tx) => tx.certificates.insert(fromIssued(record)));
    },

    async findIssued(serialHex) {
      if (!SERIAL.test(serialHex)) return undefined;
      const found = await store.transaction((tx) => tx.certificates.get(serialHex));
      return found === undefined ? undefined : toIssued(found);
    },

    async insertRevocation(record) {
      await store.transaction(async (tx) => {
        const current = await tx.certificates.get(record.serialHex);
        if (current === undefined) throw new NotFoundError('certificate', record.serialHex);
        if (current.status === 'revoked') throw new DuplicateError('revocation', record.serialHex);
        await tx.certificates.update({
          ...current,
          status: 'revoked',
          revocation: { reason: record.reason, at: iso(record.revokedAt) },
        });
      });
    },

    async findRevocation(serialHex) {
      if (!SERIAL.test(serialHex)) return undefined;
      // One keyed read: the revocation lives on the certificate's row.
      const found = await store.transaction((tx) => tx.certificates.get(serialHex));
      return found === undefined ? undefined : toRevocation(found);
    },

    async listRevocations() {
      // Every page in one transaction: the CRL is one consistent snapshot. The
      // (status, notAfter, serial) index serves it without reading active certificates.
      return store.transaction(async (tx) => {
        const out: RevocationRecord[] = [];
        let cursor: string | undefined;
        do {
          const page = await tx.certificates.expiring(
            { before: END_OF_TIME, status: 'revoked' },
            { limit: MAX_PAGE_SIZE, cursor },
          );
          for (const c of page.items) {
            const revocation = toRevocation(c);
            if (revocation !== undefined) out.push(revocation);
          }
          cursor = page.nextCursor;
        } while (cursor !== undefined);
        return out;
      });
    },

    async nextCrlNumber() {
      return store.transaction((tx) => tx.counters.next(CRL_NUMBER));
    },
  };
}
