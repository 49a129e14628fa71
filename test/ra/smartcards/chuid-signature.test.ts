import { describe, expect, it } from 'vitest';
import { chuidSignedContent, connectVirtualCard, PivSession } from '../../../src/card/index.js';
import {
  createOcspRequest,
  parseCertificate,
  parseCrl,
  parseOcspResponse,
  verifyChuidSignature,
} from '../../../src/pki/index.js';
import { memoryStore } from '../../../src/storage/index.js';
import { hasOpenssl, opensslCmsVerify, pem, tempDir, write } from '../../pki/helpers.js';
import { NOW, people } from '../fixtures.js';
import { lifecycleWorld, PASSCODE, PHOTO, stockedCard } from './harness.js';

/**
 * Issue 14: a PIV card profile relying parties accept. The CHUID careid writes carries the
 * issuer asymmetric signature (tag 3E, SP 800-73-4 Part 1 §3.1.2) over its data elements,
 * made with a content-signing certificate from careid's CA, checked here by openssl's CMS
 * verifier (a tool careid did not write) on the bytes read back from the card.
 */
/**
 * The CHUID's BER-TLV elements before tag 3E (what SP 800-73-4 signs) and the value of 3E,
 * read by hand: one-byte tags, short or long-form lengths.
 */
function splitAtSignature(raw: Uint8Array): { signed: Uint8Array; signature: Uint8Array } {
  let i = 0;
  while (i < raw.length) {
    const tag = raw[i]!;
    let length = raw[i + 1]!;
    let header = 2;
    if (length & 0x80) {
      const octets = length & 0x7f;
      length = 0;
      for (let k = 0; k < octets; k++) length = length * 256 + raw[i + 2 + k]!;
      header += octets;
    }
    if (tag === 0x3e) {
      return { signed: raw.slice(0, i), signature: raw.slice(i + header, i + header + length) };
    }
    i += header + length;
  }
  throw new Error('no tag 3E in the CHUID');
}

describe('CARD-11 the CHUID on an issued card is signed', () => {
  async function issuedChuid(signChuid: boolean) {
    const world = await lifecycleWorld({ store: memoryStore() }, { signChuid });
    const { card, reader } = await stockedCard(world.ra);
    await world.ra.smartcards.issue(
      people.agent,
      { user: world.holder, passcode: PASSCODE, photo: PHOTO, userPresent: true },
      reader,
    );
    const piv = await PivSession.open(connectVirtualCard(card));
    const chuid = (await piv.readChuid())!;
    return { world, chuid, card };
  }

  it('CARD-11 with a chuidSigner, tag 3E holds a CMS signature over the CHUID, chained to the issuing CA', async () => {
    const { world, chuid, card } = await issuedChuid(true);
    expect(chuid.issuerSignature?.length).toBeGreaterThan(100);
    const content = chuidSignedContent(chuid);
    const { signer } = await verifyChuidSignature({
      content,
      signature: chuid.issuerSignature!,
      issuer: world.ca.issuingCertificate,
      now: world.clock(),
    });
    expect(signer.extendedKeyUsage).toContain('2.16.840.1.101.3.6.7');
    // A CHUID whose GUID was changed no longer verifies.
    const forged = chuidSignedContent({ ...chuid, guid: '00000000-0000-4000-8000-555000000009' });
    await expect(
      verifyChuidSignature({
        content: forged,
        signature: chuid.issuerSignature!,
        issuer: world.ca.issuingCertificate,
        now: world.clock(),
      }),
    ).rejects.toMatchObject({ code: expect.stringMatching(/^PKI_/) });

    if (!hasOpenssl()) return;
    // What a relying party does: the CHUID object as the card returns it (GET DATA 5FC102),
    // cut at tag 3E by hand, not re-encoded by careid.
    const raw = await (await PivSession.open(connectVirtualCard(card))).readObject(0x5fc102);
    const { signed, signature } = splitAtSignature(raw);
    expect(signed).toEqual(content);
    expect(signature).toEqual(chuid.issuerSignature);
    const dir = tempDir();
    write(dir, 'content.bin', signed);
    write(dir, 'sig.der', signature);
    write(
      dir,
      'chain.pem',
      pem('CERTIFICATE', world.ca.rootCertificate) +
        pem('CERTIFICATE', world.ca.issuingCertificate),
    );
    const verified = opensslCmsVerify(dir, 'content.bin');
    expect(verified.output).toContain('Verification successful');
    expect(verified.status).toBe(0);
  });

  it("CARD-10 the RA's content signer is in the CA's records: reconcile leaves it, the expiry reports skip it, revoking it reaches the CRL and OCSP", async () => {
    const { world, chuid } = await issuedChuid(true);
    const signerCert = parseCertificate(
      (
        await verifyChuidSignature({
          content: chuidSignedContent(chuid),
          signature: chuid.issuerSignature!,
          issuer: world.ca.issuingCertificate,
          now: world.clock(),
        })
      ).signer.der,
    );
    const serial = signerCert.serialHex;
    const stored = await world.store.transaction((tx) => tx.certificates.get(serial));
    expect(stored).toMatchObject({ purpose: 'content-signer', status: 'active' });
    expect(stored?.holder).toBeUndefined();
    // On no card by design: a reconcile long after does not take it for a crashed issue.
    world.setClock(new Date(world.clock().getTime() + 86_400_000));
    expect((await world.ra.smartcards.reconcile(people.agent)).revoked).toEqual([]);
    expect((await world.ca.status(serial)).status).toBe('good');
    // The REP-01 reports are about users' cards: no row without a holder, no error.
    world.setClock(new Date(signerCert.notAfter.getTime() - 10 * 86_400_000));
    const report = await world.ra.reports.view(people.agent, {
      report: 'certificates-expiring',
      filters: { days: 30 },
    });
    expect(report.rows.map((r) => r['serial'])).not.toContain(serial);
    world.setClock(NOW);

    await world.ca.revoke(serial, 'keyCompromise', world.clock());
    const crl = parseCrl(await world.ca.generateCrl({ now: world.clock() }));
    expect(crl.revoked.get(serial)?.reason).toBe('keyCompromise');
    const answer = parseOcspResponse(
      await world.ca.respondOcsp(
        await createOcspRequest({ issuer: world.ca.issuingCertificate, serials: [serial] }),
        world.clock(),
      ),
    );
    expect(answer.basic?.responses[0]?.answer).toMatchObject({
      status: 'revoked',
      reason: 'keyCompromise',
    });
  });

  it('CARD-11 without a chuidSigner the CHUID is written as before, its signature element empty', async () => {
    const { chuid } = await issuedChuid(false);
    expect(chuid.issuerSignature).toBeUndefined();
  });
});
