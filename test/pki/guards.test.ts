import { describe, expect, it } from 'vitest';
import {
  createCertificateAuthority,
  createCsr,
  ecdsaDerToRaw,
  encodeDigestInfo,
  generateSoftwareSigner,
  memoryCaRepository,
  revocationReasonForCard,
  signChuid,
} from '../../src/pki/index.js';
import { thrown } from '../support/thrown.js';
import { settings, T0 } from './helpers.js';

describe('issue 13: careid/pki names the argument or port it refuses', () => {
  it('CARD-10 a card cancel reason is one of the five, never a name inherited from Object', async () => {
    for (const reason of ['toString', '__proto__', 'constructor', 'LOST', null]) {
      expect(await thrown(() => revocationReasonForCard(reason as never))).toMatchObject({
        code: 'VALIDATION',
        field: 'reason',
      });
    }
    expect(revocationReasonForCard('lost')).toBe('keyCompromise');
  });

  it('a curve or hash name is an own name of careid`s table (a VALIDATION error names it)', async () => {
    const der = Uint8Array.of(0x30, 0x06, 0x02, 0x01, 0x01, 0x02, 0x01, 0x01);
    expect(ecdsaDerToRaw(der, 'P-256')).toHaveLength(64);
    expect(await thrown(() => ecdsaDerToRaw(der, 'valueOf' as never))).toMatchObject({
      code: 'VALIDATION',
      message:
        'Invalid ecdsaDerToRaw input: field `curve`: must be one of P-256, P-384, got a string of 7 characters',
    });
    expect(
      await thrown(() => encodeDigestInfo(Object.create(null), new Uint8Array(32))),
    ).toMatchObject({ code: 'VALIDATION', field: 'hash' });
  });

  it('a Signer missing a field of its port is refused before anything is signed', async () => {
    const signer = await generateSoftwareSigner();
    let signed = 0;
    const counting = {
      ...signer,
      sign: (d: Uint8Array) => {
        signed++;
        return signer.sign(d);
      },
    };
    expect(await thrown(() => createCsr(null as never))).toMatchObject({
      code: 'VALIDATION',
      field: 'signer',
    });
    expect(await thrown(() => createCsr({ ...counting, sign: 'yes' } as never))).toMatchObject({
      field: 'signer.sign',
    });
    const sha1 = { ...counting, algorithm: { ...signer.algorithm, hash: 'SHA-1' } };
    expect(await thrown(() => createCsr(sha1 as never))).toMatchObject({
      field: 'signer.algorithm.hash',
    });
    expect(signed).toBe(0);
    expect((await createCsr(counting))[0]).toBe(0x30);
    expect(signed).toBe(1);
    expect(
      await thrown(() =>
        signChuid({ content: Uint8Array.of(0x30, 0), certificate: new Uint8Array(1) } as never),
      ),
    ).toMatchObject({ code: 'VALIDATION', field: 'signer' });
  });

  it('createCertificateAuthority refuses options that are not a record, and ports without their methods, storing nothing', async () => {
    expect(await thrown(() => createCertificateAuthority(null as never))).toMatchObject({
      code: 'VALIDATION',
      field: 'options',
    });
    const repository = memoryCaRepository();
    const { nextCrlNumber: _, ...incomplete } = repository;
    expect(
      await thrown(() =>
        createCertificateAuthority({ settings, now: T0, repository: incomplete as never }),
      ),
    ).toMatchObject({ code: 'VALIDATION', field: 'repository.nextCrlNumber' });
    expect(
      await thrown(() =>
        createCertificateAuthority({ settings, now: T0, repository, rootSigner: {} as never }),
      ),
    ).toMatchObject({ code: 'VALIDATION', field: 'rootSigner.publicKey' });
    expect(await repository.loadAuthorities()).toEqual([]);
  });
});
