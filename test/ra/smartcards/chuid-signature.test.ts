import { describe, expect, it } from 'vitest';
import { chuidSignedContent, connectVirtualCard, PivSession } from '../../../src/card/index.js';
import { verifyChuidSignature } from '../../../src/pki/index.js';
import { memoryStore } from '../../../src/storage/index.js';
import { hasOpenssl, opensslCmsVerify, pem, tempDir, write } from '../../pki/helpers.js';
import { people } from '../fixtures.js';
import { lifecycleWorld, PASSCODE, PHOTO, stockedCard } from './harness.js';

/**
 * Issue 14: a PIV card profile relying parties accept. The CHUID careid writes carries the
 * issuer asymmetric signature (tag 3E, SP 800-73-4 Part 1 §3.1.2) over its data elements,
 * made with a content-signing certificate from careid's CA, checked here by openssl's CMS
 * verifier (a tool careid did not write) on the bytes read back from the card.
 */
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
    return { world, chuid };
  }

  it('CARD-11 with a chuidSigner, tag 3E holds a CMS signature over the CHUID, chained to the issuing CA', async () => {
    const { world, chuid } = await issuedChuid(true);
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
    const dir = tempDir();
    write(dir, 'content.bin', content);
    write(dir, 'sig.der', chuid.issuerSignature!);
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

  it('CARD-11 without a chuidSigner the CHUID is written as before, its signature element empty', async () => {
    const { chuid } = await issuedChuid(false);
    expect(chuid.issuerSignature).toBeUndefined();
  });
});
