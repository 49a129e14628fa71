import * as pkijs from 'pkijs';
import { describe, expect, it } from 'vitest';
import { isCareIdError, ValidationError } from '../../src/errors/index.js';
import {
  createOcspRequest,
  parseCertificate,
  parseCrl,
  parseOcspResponse,
  RevocationReasonCode,
  revocationReasonForCard,
} from '../../src/pki/index.js';
import { cardKey, jane, life, makeCa, T0 } from './helpers.js';

const later = (days: number) => new Date(T0.getTime() + days * 86_400_000);

describe('revocation reasons (CARD-10)', () => {
  it('CARD-10 maps lost/stolen to keyCompromise, damaged/returned to cessationOfOperation, replaced to superseded', () => {
    expect(revocationReasonForCard('lost')).toBe('keyCompromise');
    expect(revocationReasonForCard('stolen')).toBe('keyCompromise');
    expect(revocationReasonForCard('damaged')).toBe('cessationOfOperation');
    expect(revocationReasonForCard('returned')).toBe('cessationOfOperation');
    expect(revocationReasonForCard('replaced')).toBe('superseded');
    // RFC 5280 §5.3.1 numbers.
    expect(RevocationReasonCode.keyCompromise).toBe(1);
    expect(RevocationReasonCode.superseded).toBe(4);
    expect(RevocationReasonCode.cessationOfOperation).toBe(5);
  });

  it('CARD-10 revokes a lost card as keyCompromise: on the CRL with its reason, time, AKI and CRL number', async () => {
    const ca = await makeCa();
    const lost = await ca.issue({
      ...(await cardKey()),
      holder: jane,
      now: T0,
      notAfter: life(T0),
    });
    const damaged = await ca.issue({
      ...(await cardKey()),
      holder: jane,
      now: T0,
      notAfter: life(T0),
    });
    const kept = await ca.issue({
      ...(await cardKey()),
      holder: jane,
      now: T0,
      notAfter: life(T0),
    });
    await ca.revoke(lost.serialHex, revocationReasonForCard('lost'), later(1));
    await ca.revoke(damaged.serialHex, revocationReasonForCard('damaged'), later(2));
    const crl = parseCrl(await ca.generateCrl({ now: later(3) }));
    expect(crl.revoked.get(lost.serialHex)).toEqual({
      reason: 'keyCompromise',
      revokedAt: new Date('2026-03-02T09:30:15Z'),
    });
    expect(crl.revoked.get(damaged.serialHex)?.reason).toBe('cessationOfOperation');
    expect(crl.revoked.has(kept.serialHex)).toBe(false);
    expect(crl.crlNumber).toBe(1n);
    expect(crl.authorityKeyId).toEqual(parseCertificate(ca.issuingCertificate).subjectKeyId);
    expect(crl.issuerDer).toEqual(parseCertificate(ca.issuingCertificate).subjectDer);
    expect(crl.nextUpdate?.getTime()).toBe(crl.thisUpdate.getTime() + 7 * 86_400_000);
    // CRL numbers only go up (RFC 5280 §5.2.3).
    expect(parseCrl(await ca.generateCrl({ now: later(4) })).crlNumber).toBe(2n);
    // PKI.js reads it as a v2 CRL with the same reason code.
    const pk = pkijs.CertificateRevocationList.fromBER(await ca.generateCrl({ now: later(4) }));
    expect(pk.version).toBe(1);
    const entry = pk.revokedCertificates?.find(
      (r) =>
        Buffer.from(r.userCertificate.valueBlock.valueHexView).toString('hex') === lost.serialHex,
    );
    expect(entry?.crlEntryExtensions?.extensions[0]?.parsedValue.valueBlock.valueDec).toBe(1);
  });

  it('CARD-10 refuses to revoke twice (PKI_REVOKED), unknown serials (NOT_FOUND), bad reasons (VALIDATION)', async () => {
    const ca = await makeCa();
    const c = await ca.issue({ ...(await cardKey()), holder: jane, now: T0, notAfter: life(T0) });
    await ca.revoke(c.serialHex, 'keyCompromise', T0);
    expect(
      isCareIdError(await ca.revoke(c.serialHex, 'superseded', T0).catch((e) => e), 'PKI_REVOKED'),
    ).toBe(true);
    expect(
      isCareIdError(await ca.revoke('abcdef', 'superseded', T0).catch((e) => e), 'NOT_FOUND'),
    ).toBe(true);
    const bad = await ca.revoke(c.serialHex, 'lost' as never, T0).catch((e) => e);
    expect(bad).toBeInstanceOf(ValidationError);
  });

  it('leaves the reason code out for unspecified (RFC 5280 §5.3.1)', async () => {
    const ca = await makeCa();
    const c = await ca.issue({ ...(await cardKey()), holder: jane, now: T0, notAfter: life(T0) });
    await ca.revoke(c.serialHex, 'unspecified', T0);
    const der = await ca.generateCrl({ now: T0 });
    expect(Buffer.from(der).includes(Buffer.from('0603551d15', 'hex'))).toBe(false);
    expect(parseCrl(der).revoked.get(c.serialHex)?.reason).toBe('unspecified');
  });

  it('writes an empty CRL without revokedCertificates, which PKI.js and careid read', async () => {
    const ca = await makeCa();
    const der = await ca.generateCrl({ now: T0 });
    expect(parseCrl(der).revoked.size).toBe(0);
    expect(pkijs.CertificateRevocationList.fromBER(der).revokedCertificates).toBeUndefined();
  });

  it('parses a 10,000-entry CRL that asn1js refuses at its 10,000-node default', async () => {
    const ca = await makeCa();
    const { signer } = await cardKey();
    const serials: string[] = [];
    for (let i = 0; i < 3_000; i++) {
      const c = await ca.issue({
        publicKey: signer.publicKey,
        holder: jane,
        now: T0,
        notAfter: life(T0),
      });
      await ca.revoke(c.serialHex, 'superseded', T0);
      serials.push(c.serialHex);
    }
    const der = await ca.generateCrl({ now: T0 });
    expect(() => pkijs.CertificateRevocationList.fromBER(der)).toThrow();
    const crl = parseCrl(der);
    expect(crl.revoked.size).toBe(3_000);
    for (const s of serials) expect(crl.revoked.get(s)?.reason).toBe('superseded');
  });
});

describe('renewal (CARD-05, CARD-06)', () => {
  it('CARD-05 renews with a new key; the old certificate stays good until superseded once the new one is on the card', async () => {
    const ca = await makeCa();
    const first = await ca.issue({
      ...(await cardKey()),
      holder: jane,
      now: T0,
      notAfter: life(T0),
    });
    const renewed = await ca.renew({
      ...(await cardKey()),
      holder: jane,
      now: later(1000),
      notAfter: life(later(1000)),
      previousSerialHex: first.serialHex,
    });
    expect(renewed.serialHex).not.toBe(first.serialHex);
    expect((await ca.status(first.serialHex)).status).toBe('good');
    const status = await ca.status(renewed.serialHex);
    expect(status.status === 'good' && status.record.renews).toBe(first.serialHex);
    await ca.supersede(first.serialHex, later(1001));
    const old = await ca.status(first.serialHex);
    expect(old.status === 'revoked' && old.reason).toBe('superseded');
  });

  it('CARD-06 renews after expiry too (who may do it is policy): the new certificate starts at the renewal time', async () => {
    const ca = await makeCa();
    const first = await ca.issue({
      ...(await cardKey()),
      holder: jane,
      now: T0,
      notAfter: life(T0),
    });
    const after = later(1200); // past the 3-year life
    const renewed = await ca.renew({
      ...(await cardKey()),
      holder: jane,
      now: after,
      notAfter: life(after),
      previousSerialHex: first.serialHex,
    });
    expect(renewed.notBefore.getTime()).toBe(Math.floor(after.getTime() / 1000) * 1000);
    expect(renewed.notBefore > first.notAfter).toBe(true);
  });

  it('CARD-05 refuses a renewal that reuses the old key (PKI_KEY_REUSED)', async () => {
    const ca = await makeCa();
    const key = await cardKey();
    const first = await ca.issue({ ...key, holder: jane, now: T0, notAfter: life(T0) });
    const e = await ca
      .renew({
        ...key,
        holder: jane,
        now: later(1000),
        notAfter: life(later(1000)),
        previousSerialHex: first.serialHex,
      })
      .catch((x) => x);
    expect(isCareIdError(e, 'PKI_KEY_REUSED')).toBe(true);
  });

  it('CARD-10 a revoked (cancelled) certificate cannot be renewed (PKI_REVOKED); an unknown one is NOT_FOUND', async () => {
    const ca = await makeCa();
    const first = await ca.issue({
      ...(await cardKey()),
      holder: jane,
      now: T0,
      notAfter: life(T0),
    });
    await ca.revoke(first.serialHex, revocationReasonForCard('stolen'), T0);
    const e = await ca
      .renew({
        ...(await cardKey()),
        holder: jane,
        now: T0,
        notAfter: life(T0),
        previousSerialHex: first.serialHex,
      })
      .catch((x) => x);
    expect(isCareIdError(e, 'PKI_REVOKED')).toBe(true);
    const n = await ca
      .renew({
        ...(await cardKey()),
        holder: jane,
        now: T0,
        notAfter: life(T0),
        previousSerialHex: 'aa',
      })
      .catch((x) => x);
    expect(isCareIdError(n, 'NOT_FOUND')).toBe(true);
  });
});

describe('OCSP responder (RFC 6960)', () => {
  it('answers good, revoked (reason and time) and unknown in one signed response, echoing the nonce', async () => {
    const ca = await makeCa();
    const good = await ca.issue({
      ...(await cardKey()),
      holder: jane,
      now: T0,
      notAfter: life(T0),
    });
    const bad = await ca.issue({ ...(await cardKey()), holder: jane, now: T0, notAfter: life(T0) });
    await ca.revoke(bad.serialHex, revocationReasonForCard('lost'), later(1));
    const nonce = Uint8Array.from([1, 2, 3, 4, 5, 6, 7, 8]);
    const req = await createOcspRequest({
      issuer: ca.issuingCertificate,
      serials: [good.serialHex, bad.serialHex, '1234'],
      nonce,
    });
    const der = await ca.respondOcsp(req, later(2));
    const res = parseOcspResponse(der);
    expect(res.status).toBe(0);
    const answers = res.basic?.responses.map((r) => [r.certId.serialHex, r.answer]);
    expect(answers).toEqual([
      [good.serialHex, { status: 'good' }],
      [
        bad.serialHex,
        { status: 'revoked', reason: 'keyCompromise', revokedAt: new Date('2026-03-02T09:30:15Z') },
      ],
      ['1234', { status: 'unknown' }],
    ]);
    expect(res.basic?.certs).toEqual([ca.ocspCertificate]);
    expect(Buffer.from(der).includes(Buffer.from(nonce))).toBe(true);
  });

  it('signs with the delegated responder, embedded in the response; PKI.js accepts it', async () => {
    // PKI.js checks the responder certificate against the real clock, so issue at the real time.
    const now = new Date();
    const ca = await makeCa(now);
    const c = await ca.issue({ ...(await cardKey()), holder: jane, now, notAfter: life(now) });
    const der = await ca.respondOcsp(
      await createOcspRequest({ issuer: ca.issuingCertificate, serials: [c.serialHex] }),
      now,
    );
    const pkRes = pkijs.OCSPResponse.fromBER(der);
    const basic = pkijs.BasicOCSPResponse.fromBER(
      pkRes.responseBytes!.response.valueBlock.valueHexView,
    );
    const issuing = pkijs.Certificate.fromBER(ca.issuingCertificate);
    expect(await basic.verify({ trustedCerts: [issuing], issuerCerts: [issuing] })).toBe(true);
    // A response from another CA's responder is not accepted for this issuer.
    const other = await makeCa(now);
    const foreign = pkijs.OCSPResponse.fromBER(
      await other.respondOcsp(
        await createOcspRequest({ issuer: ca.issuingCertificate, serials: [c.serialHex] }),
        now,
      ),
    );
    const fb = pkijs.BasicOCSPResponse.fromBER(
      foreign.responseBytes!.response.valueBlock.valueHexView,
    );
    expect(
      await fb.verify({ trustedCerts: [issuing], issuerCerts: [issuing] }).catch(() => false),
    ).toBe(false);
  });

  it('answers SHA-256 CertIDs too, and unknown for another issuer', async () => {
    const ca = await makeCa();
    const other = await makeCa();
    const c = await ca.issue({ ...(await cardKey()), holder: jane, now: T0, notAfter: life(T0) });
    const mine = parseOcspResponse(
      await ca.respondOcsp(
        await createOcspRequest({
          issuer: ca.issuingCertificate,
          serials: [c.serialHex],
          hash: 'SHA-256',
        }),
        T0,
      ),
    );
    expect(mine.basic?.responses[0]?.answer).toEqual({ status: 'good' });
    const foreign = parseOcspResponse(
      await ca.respondOcsp(
        await createOcspRequest({ issuer: other.issuingCertificate, serials: [c.serialHex] }),
        T0,
      ),
    );
    expect(foreign.basic?.responses[0]?.answer).toEqual({ status: 'unknown' });
  });

  it('re-issues its short-lived responder certificate before it lapses, and the answer still validates', async () => {
    const ca = await makeCa();
    const first = ca.ocspCertificate;
    const c = await ca.issue({ ...(await cardKey()), holder: jane, now: T0, notAfter: life(T0) });
    const at = later(200); // past the 90-day responder certificate
    const req = await createOcspRequest({ issuer: ca.issuingCertificate, serials: [c.serialHex] });
    const res = parseOcspResponse(await ca.respondOcsp(req, at));
    expect(ca.ocspCertificate).not.toEqual(first);
    expect(res.basic?.certs).toEqual([ca.ocspCertificate]);
    const responder = parseCertificate(ca.ocspCertificate);
    expect(responder.notBefore <= at && at < responder.notAfter).toBe(true);
    const { validateCertificate } = await import('../../src/pki/index.js');
    const v = await validateCertificate({
      leaf: c.certificate,
      intermediates: [ca.issuingCertificate],
      trustedRoot: ca.rootCertificate,
      now: at,
      ocspResponses: [await ca.respondOcsp(req, at)],
    });
    expect(v.revocationCheckedBy).toBe('ocsp');
  });

  it('validates createOcspRequest input with zod, naming the field', async () => {
    const ca = await makeCa();
    const e = await createOcspRequest({ issuer: ca.issuingCertificate, serials: ['XYZ'] }).catch(
      (x) => x,
    );
    expect(e).toBeInstanceOf(ValidationError);
    expect((e as ValidationError).field).toBe('serials.0');
  });

  it('answers a malformed request with an unsigned malformedRequest status, never a throw', async () => {
    const ca = await makeCa();
    for (const junk of [
      new Uint8Array(0),
      Uint8Array.of(0x30, 0x03, 0x02, 0x01),
      new Uint8Array(100_000),
    ]) {
      const res = parseOcspResponse(await ca.respondOcsp(junk, T0));
      expect(res).toEqual({ status: 1, basic: undefined });
    }
  });
});
