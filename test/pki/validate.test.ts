import { describe, expect, it } from 'vitest';
import { isCareIdError } from '../../src/errors/index.js';
import {
  createOcspRequest,
  revocationReasonForCard,
  validateCertificate,
} from '../../src/pki/index.js';
import { cardKey, jane, life, makeCa, T0 } from './helpers.js';

const later = (days: number) => new Date(T0.getTime() + days * 86_400_000);

async function code(p: Promise<unknown>): Promise<string | undefined> {
  try {
    await p;
    return undefined;
  } catch (e) {
    expect(isCareIdError(e)).toBe(true);
    return (e as { code: string }).code;
  }
}

describe('chain validation pinned to the root', () => {
  it('validates a leaf through the issuing CA to the pinned root, with a CRL', async () => {
    const ca = await makeCa();
    const c = await ca.issue({ ...(await cardKey()), holder: jane, now: T0, notAfter: life(T0) });
    const crl = await ca.generateCrl({ now: later(1) });
    const r = await validateCertificate({
      leaf: c.certificate,
      intermediates: [ca.issuingCertificate],
      trustedRoot: ca.rootCertificate,
      now: later(2),
      crls: [crl],
    });
    expect(r.path.map((p) => p.der)).toEqual([
      c.certificate,
      ca.issuingCertificate,
      ca.rootCertificate,
    ]);
    expect(r.revocationCheckedBy).toBe('crl');
  });

  it('validates with OCSP instead of a CRL', async () => {
    const ca = await makeCa();
    const c = await ca.issue({ ...(await cardKey()), holder: jane, now: T0, notAfter: life(T0) });
    const res = await ca.respondOcsp(
      await createOcspRequest({ issuer: ca.issuingCertificate, serials: [c.serialHex] }),
      later(1),
    );
    const r = await validateCertificate({
      leaf: c.certificate,
      intermediates: [ca.issuingCertificate],
      trustedRoot: ca.rootCertificate,
      now: later(1),
      ocspResponses: [res],
    });
    expect(r.revocationCheckedBy).toBe('ocsp');
  });

  it('CARD-10 fails a revoked leaf with PKI_REVOKED, by CRL and by OCSP', async () => {
    const ca = await makeCa();
    const c = await ca.issue({ ...(await cardKey()), holder: jane, now: T0, notAfter: life(T0) });
    await ca.revoke(c.serialHex, revocationReasonForCard('stolen'), later(1));
    const base = {
      leaf: c.certificate,
      intermediates: [ca.issuingCertificate],
      trustedRoot: ca.rootCertificate,
      now: later(2),
    };
    expect(
      await code(validateCertificate({ ...base, crls: [await ca.generateCrl({ now: later(2) })] })),
    ).toBe('PKI_REVOKED');
    const res = await ca.respondOcsp(
      await createOcspRequest({ issuer: ca.issuingCertificate, serials: [c.serialHex] }),
      later(2),
    );
    expect(await code(validateCertificate({ ...base, ocspResponses: [res] }))).toBe('PKI_REVOKED');
  });

  it('CARD-04 fails an expired leaf with PKI_EXPIRED after its 3 years', async () => {
    const ca = await makeCa();
    const c = await ca.issue({ ...(await cardKey()), holder: jane, now: T0, notAfter: life(T0) });
    const at = later(1096);
    expect(
      await code(
        validateCertificate({
          leaf: c.certificate,
          intermediates: [ca.issuingCertificate],
          trustedRoot: ca.rootCertificate,
          now: at,
          requireRevocationCheck: false,
        }),
      ),
    ).toBe('PKI_EXPIRED');
  });

  it('fails a leaf from another CA against the pinned root (PKI_CHAIN_INVALID)', async () => {
    const ca = await makeCa();
    const other = await makeCa();
    const c = await other.issue({
      ...(await cardKey()),
      holder: jane,
      now: T0,
      notAfter: life(T0),
    });
    expect(
      await code(
        validateCertificate({
          leaf: c.certificate,
          intermediates: [other.issuingCertificate, ca.issuingCertificate],
          trustedRoot: ca.rootCertificate,
          now: T0,
          requireRevocationCheck: false,
        }),
      ),
    ).toBe('PKI_CHAIN_INVALID');
  });

  it('guards the engine: a leaf also passed as an intermediate, or the issuing CA passed as the leaf, is not mistaken', async () => {
    const ca = await makeCa();
    const c = await ca.issue({ ...(await cardKey()), holder: jane, now: T0, notAfter: life(T0) });
    // Duplicates in the intermediates make PKI.js drop the leaf it should validate; careid dedups.
    const r = await validateCertificate({
      leaf: c.certificate,
      intermediates: [c.certificate, ca.issuingCertificate, ca.issuingCertificate],
      trustedRoot: ca.rootCertificate,
      now: T0,
      requireRevocationCheck: false,
    });
    expect(r.path[0]?.der).toEqual(c.certificate);
    // A CA certificate is not a valid leaf.
    expect(
      await code(
        validateCertificate({
          leaf: ca.issuingCertificate,
          intermediates: [c.certificate],
          trustedRoot: ca.rootCertificate,
          now: T0,
          requireRevocationCheck: false,
        }),
      ),
    ).toBe('PKI_CHAIN_INVALID');
  });

  it('requires revocation information by default (PKI_CHAIN_INVALID), and ignores a stale CRL', async () => {
    const ca = await makeCa();
    const c = await ca.issue({ ...(await cardKey()), holder: jane, now: T0, notAfter: life(T0) });
    const base = {
      leaf: c.certificate,
      intermediates: [ca.issuingCertificate],
      trustedRoot: ca.rootCertificate,
    };
    expect(await code(validateCertificate({ ...base, now: T0 }))).toBe('PKI_CHAIN_INVALID');
    const crl = await ca.generateCrl({ now: T0 });
    expect(await code(validateCertificate({ ...base, now: later(30), crls: [crl] }))).toBe(
      'PKI_CHAIN_INVALID',
    );
  });

  it('refuses a CRL signed by someone else (PKI_BAD_SIGNATURE)', async () => {
    const ca = await makeCa();
    const c = await ca.issue({ ...(await cardKey()), holder: jane, now: T0, notAfter: life(T0) });
    const crl = (await ca.generateCrl({ now: T0 })).slice();
    crl[crl.length - 5]! ^= 0x01; // flip a bit of the signature
    expect(
      await code(
        validateCertificate({
          leaf: c.certificate,
          intermediates: [ca.issuingCertificate],
          trustedRoot: ca.rootCertificate,
          now: T0,
          crls: [crl],
        }),
      ),
    ).toMatch(/PKI_BAD_SIGNATURE|PKI_MALFORMED/);
  });
});
