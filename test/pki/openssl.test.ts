import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  type CertificateAuthority,
  createCertificateAuthority,
  createCsr,
  createOcspRequest,
  generateSoftwareSigner,
  type IssuedCertificate,
  revocationReasonForCard,
} from '../../src/pki/index.js';
import { hasOpenssl, jane, life, openssl, pem, settings, tempDir, write } from './helpers.js';

/**
 * Cross-checks with openssl 3: everything careid writes must be accepted by an independent
 * implementation. openssl checks against the real clock, so these tests issue at `new Date()`.
 */
describe.skipIf(!hasOpenssl())('openssl cross-checks', () => {
  for (const variant of ['ecdsa', 'rsa'] as const) {
    describe(`${variant} hierarchy`, () => {
      let dir: string;
      let ca: CertificateAuthority;
      let good: IssuedCertificate;
      let revoked: IssuedCertificate;
      const now = new Date();
      const path = (n: string) => join(dir, n);

      beforeAll(async () => {
        dir = tempDir();
        const spec =
          variant === 'ecdsa'
            ? ({ kind: 'ecdsa', curve: 'P-384' } as const)
            : ({ kind: 'rsa-pkcs1', modulusBits: 2048 } as const);
        ca = await createCertificateAuthority({
          settings,
          now,
          rootSigner: await generateSoftwareSigner(
            variant === 'rsa' ? { kind: 'rsa-pkcs1', modulusBits: 3072 } : spec,
          ),
          issuingSigner: await generateSoftwareSigner(spec),
          ocspSigner: await generateSoftwareSigner(spec),
        });
        const card = await generateSoftwareSigner(
          variant === 'rsa' ? spec : { kind: 'ecdsa', curve: 'P-256' },
        );
        const csr = await createCsr(card, { commonName: 'Jane Doe', serialNumber: jane.uuid });
        write(dir, 'csr.pem', pem('CERTIFICATE REQUEST', csr));
        good = await ca.issue({ csr, holder: jane, now, notAfter: life(now) });
        revoked = await ca.issue({
          csr: await createCsr(await generateSoftwareSigner()),
          holder: { ...jane, commonName: 'Lost Card' },
          now,
          notAfter: life(now),
        });
        await ca.revoke(revoked.serialHex, revocationReasonForCard('lost'), now);
        write(dir, 'root.pem', pem('CERTIFICATE', ca.rootCertificate));
        write(dir, 'issuing.pem', pem('CERTIFICATE', ca.issuingCertificate));
        write(
          dir,
          'chain.pem',
          pem('CERTIFICATE', ca.issuingCertificate) + pem('CERTIFICATE', ca.rootCertificate),
        );
        write(dir, 'good.pem', pem('CERTIFICATE', good.certificate));
        write(dir, 'revoked.pem', pem('CERTIFICATE', revoked.certificate));
        const issuingCrl = await ca.generateCrl({ now });
        const rootCrl = await ca.generateCrl({ now, authority: 'root' });
        write(dir, 'issuing.crl', issuingCrl);
        write(dir, 'crls.pem', pem('X509 CRL', issuingCrl) + pem('X509 CRL', rootCrl));
        const request = await createOcspRequest({
          issuer: ca.issuingCertificate,
          serials: [good.serialHex, revoked.serialHex],
        });
        write(dir, 'resp.der', await ca.respondOcsp(request, now));
      });

      it('CSR self-signature verifies (openssl req -verify)', () => {
        const r = openssl(['req', '-verify', '-noout', '-in', path('csr.pem')]);
        expect(r.output).toMatch(/verify OK/);
        expect(r.status).toBe(0);
      });

      it('CA certificates and a good leaf pass openssl verify -x509_strict -crl_check_all', () => {
        const r = openssl([
          'verify',
          '-x509_strict',
          '-crl_check_all',
          '-CAfile',
          path('root.pem'),
          '-untrusted',
          path('issuing.pem'),
          '-CRLfile',
          path('crls.pem'),
          path('good.pem'),
        ]);
        expect(r.output).toContain('good.pem: OK');
        expect(r.status).toBe(0);
      });

      it('CARD-10 a revoked (lost) card fails openssl verify with "certificate revoked"', () => {
        const r = openssl([
          'verify',
          '-x509_strict',
          '-crl_check_all',
          '-CAfile',
          path('root.pem'),
          '-untrusted',
          path('issuing.pem'),
          '-CRLfile',
          path('crls.pem'),
          path('revoked.pem'),
        ]);
        expect(r.status).not.toBe(0);
        expect(r.output).toContain('certificate revoked');
      });

      it('CARD-10 the CRL verifies against the issuing CA and lists the reason (openssl crl -CAfile)', () => {
        const r = openssl([
          'crl',
          '-inform',
          'DER',
          '-in',
          path('issuing.crl'),
          '-CAfile',
          path('chain.pem'),
          '-noout',
          '-text',
        ]);
        expect(r.output).toMatch(/verify OK/);
        expect(r.output).toContain('Key Compromise');
        expect(r.output).toContain(revoked.serialHex.toUpperCase());
        expect(r.output).toMatch(/X509v3 CRL Number:\s+1/);
      });

      it('CARD-10 the OCSP response verifies and answers good / revoked keyCompromise (openssl ocsp -respin)', () => {
        const r = openssl([
          'ocsp',
          '-respin',
          path('resp.der'),
          '-CAfile',
          path('chain.pem'),
          '-issuer',
          path('issuing.pem'),
          '-cert',
          path('good.pem'),
          '-cert',
          path('revoked.pem'),
          '-no_nonce',
        ]);
        expect(r.output).toContain('Response verify OK');
        expect(r.output).toMatch(/good\.pem: good/);
        expect(r.output).toMatch(/revoked\.pem: revoked[\s\S]*Reason: keyCompromise/);
      });

      it('answers a request built by openssl, with its nonce', async () => {
        const req = path('req.der');
        execFileSync(
          'openssl',
          ['ocsp', '-issuer', path('issuing.pem'), '-cert', path('good.pem'), '-reqout', req],
          { stdio: 'ignore' },
        );
        write(dir, 'resp2.der', await ca.respondOcsp(new Uint8Array(readFileSync(req)), now));
        const r = openssl([
          // No -cert here: with -cert openssl would build a fresh request with a new nonce.
          'ocsp',
          '-reqin',
          req,
          '-respin',
          path('resp2.der'),
          '-CAfile',
          path('chain.pem'),
          '-resp_text',
        ]);
        expect(r.output).toContain('Response verify OK');
        expect(r.output).not.toMatch(/WARNING: no nonce|nonce verify error/i);
        expect(r.output).toContain('OCSP Nonce');
        expect(r.output).toContain('Cert Status: good');
      });
    });
  }

  it('reads GeneralizedTime after 2050 the way careid wrote it (openssl verify -attime)', async () => {
    const now = new Date('2049-01-01T00:00:00Z');
    const ca = await createCertificateAuthority({ settings, now });
    const leaf = await ca.issue({
      publicKey: (await generateSoftwareSigner()).publicKey,
      holder: jane,
      now,
      notAfter: life(now),
    });
    const dir = tempDir();
    write(dir, 'root.pem', pem('CERTIFICATE', ca.rootCertificate));
    write(dir, 'issuing.pem', pem('CERTIFICATE', ca.issuingCertificate));
    write(dir, 'leaf.pem', pem('CERTIFICATE', leaf.certificate));
    const end = openssl(['x509', '-in', join(dir, 'leaf.pem'), '-noout', '-enddate']);
    expect(end.output.trim()).toBe('notAfter=Jan  1 00:00:00 2052 GMT');
    const at = (iso: string) => String(Date.parse(iso) / 1000);
    const args = (t: string) => [
      'verify',
      '-x509_strict',
      '-attime',
      t,
      '-CAfile',
      join(dir, 'root.pem'),
      '-untrusted',
      join(dir, 'issuing.pem'),
      join(dir, 'leaf.pem'),
    ];
    expect(openssl(args(at('2051-06-01T00:00:00Z'))).status).toBe(0);
    const expired = openssl(args(at('2052-06-01T00:00:00Z')));
    expect(expired.output).toContain('certificate has expired');
  });
});
