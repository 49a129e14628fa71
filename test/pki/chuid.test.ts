import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { isCareIdError } from '../../src/errors/index.js';
import {
  type CertificateAuthority,
  createCertificateAuthority,
  createOcspRequest,
  generateSoftwareSigner,
  parseCertificate,
  type Signer,
  signChuid,
  verifyChuidSignature,
} from '../../src/pki/index.js';
import {
  hasOpenssl,
  jane,
  life,
  openssl,
  opensslCmsVerify,
  pem,
  settings,
  tempDir,
  write,
} from './helpers.js';

/** A CHUID's signed data elements (SP 800-73-4 Part 1 Table 9): FASC-N, GUID, expiry. */
function chuidContent(uuid: string): Uint8Array {
  const fascn = new Uint8Array(25).fill(0xd4);
  const guid = new Uint8Array(16);
  guid.set(new TextEncoder().encode(uuid));
  const expiry = new TextEncoder().encode('20291231');
  return Uint8Array.from([0x30, 25, ...fascn, 0x34, 16, ...guid, 0x35, 8, ...expiry]);
}

async function code(p: Promise<unknown>): Promise<string | undefined> {
  try {
    await p;
  } catch (e) {
    return isCareIdError(e) ? e.code : String(e);
  }
  return undefined;
}

/**
 * The CHUID issuer asymmetric signature, checked by openssl (a CMS implementation careid
 * did not write) and by careid's own verifier. openssl checks the real clock: issue now.
 */
describe('PIV CHUID issuer signature (SP 800-73-4 §3.1.2, FIPS 201-3 §4.2.1)', () => {
  for (const kind of ['ecdsa', 'rsa'] as const) {
    describe(`${kind} content signer`, () => {
      const now = new Date();
      const content = chuidContent(jane.uuid);
      let ca: CertificateAuthority;
      let signer: Signer;
      let certificate: Uint8Array;
      let signature: Uint8Array;
      let dir: string;

      beforeAll(async () => {
        ca = await createCertificateAuthority({ settings, now });
        signer = await generateSoftwareSigner(
          kind === 'ecdsa'
            ? { kind: 'ecdsa', curve: 'P-256' }
            : { kind: 'rsa-pkcs1', modulusBits: 2048 },
        );
        certificate = (await ca.issueContentSigner({ publicKey: signer.publicKey, now }))
          .certificate;
        signature = await signChuid({ content, certificate, signer });
        dir = tempDir();
        write(dir, 'content.bin', content);
        write(dir, 'sig.der', signature);
        // openssl cms has no -untrusted: the issuing CA goes beside the root.
        write(
          dir,
          'chain.pem',
          pem('CERTIFICATE', ca.rootCertificate) + pem('CERTIFICATE', ca.issuingCertificate),
        );
      });

      it('issues a content-signing certificate from the issuing CA (id-PIV-content-signing)', () => {
        const c = parseCertificate(certificate);
        expect(c.extendedKeyUsage).toEqual(['2.16.840.1.101.3.6.7']);
        expect(c.keyUsage).toBe(1); // digitalSignature
        expect(c.issuerDer).toEqual(parseCertificate(ca.issuingCertificate).subjectDer);
        expect(c.subject.at(-1)?.value).toBe('careid Test Issuing CA PIV Content Signer');
        expect(c.basicConstraints).toBeUndefined();
      });

      it.skipIf(!hasOpenssl())(
        'openssl cms -verify accepts it over the detached CHUID content, chained to the root',
        () => {
          const r = opensslCmsVerify(dir, 'content.bin');
          expect(r.output).toContain('Verification successful');
          expect(r.status).toBe(0);
        },
      );

      it.skipIf(!hasOpenssl())(
        'openssl reads the PIV content type, the signed attributes and one embedded certificate',
        () => {
          const r = openssl([
            'cms',
            '-cmsout',
            '-print',
            '-inform',
            'DER',
            '-in',
            join(dir, 'sig.der'),
          ]);
          expect(r.status).toBe(0);
          expect(r.output).toMatch(/eContentType: .*\(2\.16\.840\.1\.101\.3\.6\.1\)/);
          expect(r.output).toMatch(/eContent: <ABSENT>/);
          expect(r.output).toMatch(/object: contentType \(1\.2\.840\.113549\.1\.9\.3\)/);
          expect(r.output).toMatch(/object: messageDigest \(1\.2\.840\.113549\.1\.9\.4\)/);
          expect(r.output).toMatch(/object: .*\(2\.16\.840\.1\.101\.3\.6\.5\)/);
          expect(r.output.match(/cert_info:/g)?.length).toBe(1);
        },
      );

      it.skipIf(!hasOpenssl())('openssl rejects it over altered CHUID content', () => {
        const altered = content.slice();
        altered[30] = altered[30]! ^ 1; // one bit of the GUID
        write(dir, 'altered.bin', altered);
        const r = opensslCmsVerify(dir, 'altered.bin');
        expect(r.status).not.toBe(0);
        expect(r.output).toMatch(/digest failure|Verification failure/);
      });

      it('careid verifies it, and refuses altered content, another issuer and expiry', async () => {
        const ok = await verifyChuidSignature({
          content,
          signature,
          issuer: ca.issuingCertificate,
          now,
        });
        expect(ok.signer.der).toEqual(certificate);
        const altered = content.slice();
        altered[30] = altered[30]! ^ 1;
        expect(
          await code(
            verifyChuidSignature({
              content: altered,
              signature,
              issuer: ca.issuingCertificate,
              now,
            }),
          ),
        ).toBe('PKI_BAD_SIGNATURE');
        // Another CA of the same name: the signer's certificate does not verify under its key.
        const twin = await createCertificateAuthority({ settings, now });
        expect(
          await code(
            verifyChuidSignature({ content, signature, issuer: twin.issuingCertificate, now }),
          ),
        ).toBe('PKI_BAD_SIGNATURE');
        const other = await createCertificateAuthority({
          settings: { ...settings, issuing: { commonName: 'Another Issuing CA' } },
          now,
        });
        expect(
          await code(
            verifyChuidSignature({ content, signature, issuer: other.issuingCertificate, now }),
          ),
        ).toBe('PKI_CHAIN_INVALID');
        const late = new Date(now.getTime() + 11 * 365 * 86_400_000);
        expect(
          await code(
            verifyChuidSignature({ content, signature, issuer: ca.issuingCertificate, now: late }),
          ),
        ).toBe('PKI_EXPIRED');
      });
    });
  }

  it('refuses to sign with a certificate that is not a content signer, or a key that is not its own', async () => {
    const now = new Date();
    const ca = await createCertificateAuthority({ settings, now });
    const signer = await generateSoftwareSigner();
    const card = await ca.issue({
      publicKey: signer.publicKey,
      holder: jane,
      now,
      notAfter: life(now),
    });
    const content = chuidContent(jane.uuid);
    expect(await code(signChuid({ content, certificate: card.certificate, signer }))).toBe(
      'PKI_CHAIN_INVALID',
    );
    const { certificate } = await ca.issueContentSigner({ publicKey: signer.publicKey, now });
    const stranger = await generateSoftwareSigner();
    expect(await code(signChuid({ content, certificate, signer: stranger }))).toBe(
      'PKI_KEY_MISMATCH',
    );
    expect(await code(signChuid({ content: new Uint8Array(0), certificate, signer }))).toBe(
      'VALIDATION',
    );
  });

  it('meets a mutated signature with typed errors only, and refuses every change to what is signed', async () => {
    const now = new Date();
    const ca = await createCertificateAuthority({ settings, now });
    const signer = await generateSoftwareSigner();
    const { certificate } = await ca.issueContentSigner({ publicKey: signer.publicKey, now });
    const content = chuidContent(jane.uuid);
    const signature = await signChuid({ content, certificate, signer });
    let refused = 0;
    for (let i = 0; i < signature.length; i++) {
      const bad = signature.slice();
      bad[i] = bad[i]! ^ 0x41;
      const c = await code(
        verifyChuidSignature({ content, signature: bad, issuer: ca.issuingCertificate, now }),
      );
      // A value is allowed only where nothing signed or checked changed (e.g. a parameter
      // of an unsigned AlgorithmIdentifier that still reads the same).
      if (c !== undefined) {
        expect(c).toMatch(/^PKI_/);
        refused++;
      }
    }
    expect(refused).toBeGreaterThan(signature.length * 0.95);
  });
});

/**
 * A relying party told the content signer is compromised: the CA records the content
 * signer's certificate, so it can be revoked, and openssl (as a relying party would) then
 * refuses the CHUID signature with the CRL and reads `revoked` from the OCSP answer.
 */
describe.skipIf(!hasOpenssl())('CARD-10 a revoked PIV content signer (openssl)', () => {
  it('CARD-10 before the revocation the CHUID verifies with CRL checks; after it, openssl cms, verify and ocsp all say revoked', async () => {
    const now = new Date();
    const ca = await createCertificateAuthority({ settings, now });
    const key = await generateSoftwareSigner();
    const issued = await ca.issueContentSigner({ publicKey: key.publicKey, now });
    const content = chuidContent(jane.uuid);
    const dir = tempDir();
    write(dir, 'content.bin', content);
    write(
      dir,
      'sig.der',
      await signChuid({ content, certificate: issued.certificate, signer: key }),
    );
    write(dir, 'signer.pem', pem('CERTIFICATE', issued.certificate));
    write(dir, 'root.pem', pem('CERTIFICATE', ca.rootCertificate));
    write(dir, 'issuing.pem', pem('CERTIFICATE', ca.issuingCertificate));
    const chain =
      pem('CERTIFICATE', ca.rootCertificate) + pem('CERTIFICATE', ca.issuingCertificate);
    /** The chain and both CRLs in one file: openssl cms reads CRLs from its CAfile. */
    const publish = async (name: string) => {
      const crls =
        pem('X509 CRL', await ca.generateCrl({ now })) +
        pem('X509 CRL', await ca.generateCrl({ now, authority: 'root' }));
      write(dir, `${name}.pem`, chain + crls);
      write(dir, `${name}.crls.pem`, crls);
    };
    const cmsVerify = (caFile: string) =>
      opensslCmsVerify(dir, 'content.bin', { caFile, crlCheck: true });
    const verify = (crls: string) =>
      openssl([
        'verify',
        '-crl_check_all',
        '-CAfile',
        join(dir, 'root.pem'),
        '-untrusted',
        join(dir, 'issuing.pem'),
        '-CRLfile',
        join(dir, crls),
        join(dir, 'signer.pem'),
      ]);

    // The certificate tells relying parties where its status is published.
    const text = openssl(['x509', '-in', join(dir, 'signer.pem'), '-noout', '-text']).output;
    expect(text).toContain(settings.crlUrl);
    expect(text).toContain(`OCSP - URI:${settings.ocspUrl}`);

    await publish('before');
    const good = cmsVerify('before.pem');
    expect(good.output).toContain('Verification successful');
    expect(good.status).toBe(0);
    expect(verify('before.crls.pem').status).toBe(0);

    await ca.revoke(issued.serialHex, 'keyCompromise', now);
    await publish('after');
    const refused = cmsVerify('after.pem');
    expect(refused.status).not.toBe(0);
    expect(refused.output).toContain('certificate revoked');
    const chainCheck = verify('after.crls.pem');
    expect(chainCheck.status).not.toBe(0);
    expect(chainCheck.output).toContain('certificate revoked');

    const request = await createOcspRequest({
      issuer: ca.issuingCertificate,
      serials: [issued.serialHex],
    });
    write(dir, 'resp.der', await ca.respondOcsp(request, now));
    write(dir, 'chain.pem', chain);
    const status = openssl([
      'ocsp',
      '-respin',
      join(dir, 'resp.der'),
      '-CAfile',
      join(dir, 'chain.pem'),
      '-issuer',
      join(dir, 'issuing.pem'),
      '-cert',
      join(dir, 'signer.pem'),
      '-no_nonce',
    ]);
    expect(status.output).toContain('Response verify OK');
    expect(status.output).toMatch(/signer\.pem: revoked[\s\S]*Reason: keyCompromise/);
  });
});
