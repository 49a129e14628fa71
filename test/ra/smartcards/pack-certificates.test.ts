import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { VirtualPivCard } from '../../../src/card/index.js';
import { holderGuid, PivSession } from '../../../src/card/index.js';
import { connectVirtualCard } from '../../../src/card/sim/in-process.js';
import { parseCertificate } from '../../../src/pki/index.js';
import { derivePack, dorsetPack, nationalPack, type RulePack } from '../../../src/policy/index.js';
import { memoryStore } from '../../../src/storage/index.js';
import { pem, tempDir } from '../../pki/helpers.js';
import { people, applicantWithNiDocument as withNiDocument } from '../fixtures.js';
import { lifecycleWorld, PASSCODE, PHOTO, stockedCard } from './harness.js';

/*
 * CARD-04: the certificate life is the pack's, in calendar years from the issue date.
 * CARD-11: the pack says whether the certificate's subject names the holder (dorset: UUID only).
 */

async function issueUnder(pack: RulePack, at?: Date) {
  const w = await lifecycleWorld({ store: memoryStore() }, { pack, applicant: withNiDocument });
  if (at) w.setClock(at);
  const { card, reader } = await stockedCard(w.ra);
  const result = await w.ra.smartcards.issue(
    people.agent,
    { user: w.holder, passcode: PASSCODE, photo: PHOTO, userPresent: true },
    reader,
  );
  return { w, card, reader, result, der: await certificateOn(card) };
}

async function certificateOn(card: VirtualPivCard): Promise<Uint8Array> {
  const piv = await PivSession.open(connectVirtualCard(card));
  const der = await piv.readCertificate(0x9a);
  if (der === undefined) throw new Error('no certificate on the card');
  return der;
}

/** The UPN of the certificate's subjectAltName, as openssl prints it. */
const upnOf = (der: Uint8Array): string | undefined => {
  const file = join(tempDir(), 'upn.pem');
  writeFileSync(file, pem('CERTIFICATE', der));
  const run = spawnSync('openssl', ['x509', '-in', file, '-noout', '-ext', 'subjectAltName'], {
    encoding: 'utf8',
  });
  if (run.status !== 0) throw new Error(run.stderr);
  return /othername:\s*(?:UPN|msUPN|1\.3\.6\.1\.4\.1\.311\.20\.2\.3)\s*[:=]\s*:?([^\s,]+)/i.exec(
    run.stdout,
  )?.[1];
};

/** The GUID of the CHUID on the card, as read back. */
async function chuidGuidOf(card: VirtualPivCard): Promise<string | undefined> {
  const piv = await PivSession.open(connectVirtualCard(card));
  return (await piv.readChuid())?.guid;
}

const openssl = (der: Uint8Array) => {
  const file = join(tempDir(), 'card.pem');
  writeFileSync(file, pem('CERTIFICATE', der));
  const run = spawnSync('openssl', ['x509', '-in', file, '-noout', '-subject', '-dates'], {
    encoding: 'utf8',
  });
  if (run.status !== 0) throw new Error(run.stderr);
  return run.stdout;
};

describe('rule-pack certificates through the RA', () => {
  it('CARD-04 a card issued under the national pack lasts 3 calendar years from the issue', async () => {
    const { result, der } = await issueUnder(nationalPack);
    const cert = parseCertificate(der);
    expect(cert.notBefore.toISOString()).toBe('2026-11-22T10:00:00.000Z');
    expect(cert.notAfter.toISOString()).toBe('2029-11-22T10:00:00.000Z');
    expect(result.certificate?.notAfter).toBe('2029-11-22T10:00:00.000Z');
  });

  it('CARD-04 a 2-year pack, issued on 29 February 2028, ends on 28 February 2030', async () => {
    const twoYears = derivePack(nationalPack, { id: 'two', name: 'two', certificateLifeYears: 2 });
    const { der } = await issueUnder(twoYears, new Date('2028-02-29T10:00:00.000Z'));
    expect(parseCertificate(der).notAfter.toISOString()).toBe('2030-02-28T10:00:00.000Z');
  });

  it('CARD-04 a renewal gets the pack life from the renewal date', async () => {
    const { w, reader } = await issueUnder(nationalPack);
    w.setClock(new Date('2029-10-01T09:00:00.000Z')); // 10:00 BST on 1 October
    const renewed = await w.ra.smartcards.renew(
      people.agent,
      { passcode: PASSCODE, userPresent: true },
      reader,
    );
    expect(renewed.certificate?.notAfter).toBe('2032-10-01T09:00:00.000Z');
  });

  it("CARD-11 the national pack's certificate names the holder; UPN and CHUID carry the UUID", async () => {
    const { w, der, card } = await issueUnder(nationalPack);
    const subject = openssl(der);
    expect(subject).toMatch(/CN\s*=\s*Alex Rivers/);
    expect(subject).toContain(w.holder);
    expect(upnOf(der)).toMatch(new RegExp(`^${w.holder}@`));
    expect(await chuidGuidOf(card)).toBe(holderGuid(w.holder));
  });

  it('CARD-11 the certificate issued to a dorset card carries the UUID only: no name (openssl and PKI.js)', async () => {
    const { w, der, card } = await issueUnder(dorsetPack);
    const printed = openssl(der);
    expect(printed).not.toMatch(/Alex|Rivers/);
    expect(printed).toMatch(new RegExp(`CN\\s*=\\s*${w.holder}`));
    const cert = parseCertificate(der);
    const text = Buffer.from(der).toString('latin1');
    expect(text).not.toContain('Alex');
    expect(text).not.toContain('Rivers');
    // The UPN (SAN) and the CHUID still carry the UUID.
    expect(text).toContain(`${w.holder}@`);
    expect(upnOf(der)).toMatch(new RegExp(`^${w.holder}@`));
    expect(await chuidGuidOf(card)).toBe(holderGuid(w.holder));
    expect(cert.serialHex).toMatch(/^[0-9a-f]+$/);
  });
});
