import * as pkijs from 'pkijs';
import { z } from 'zod';
import { parseWith } from '../errors/parse.js';
import { bytesEqual, readPkijs } from './asn1.js';
import {
  MAX_CERTIFICATE_BYTES,
  type ParsedCertificate,
  parseCertificate,
  verifyCertificateSignature,
} from './certificate.js';
import { type ParsedCrl, parseCrl, verifyCrlSignature } from './crl.js';
import { KeyUsageBit } from './extensions.js';
import { parseOcspResponse, verifyOcspSignature } from './ocsp.js';
import { OID_KP_OCSP_SIGNING } from './oids.js';
import { PkiError } from './pki-error.js';
import type { RevocationReason } from './revocation-reason.js';

/** Most intermediates careid accepts in one validation. */
const MAX_INTERMEDIATES = 8;

/** What {@link validateCertificate} checks a leaf against. */
export interface ValidationInput {
  /** DER end-entity certificate. */
  readonly leaf: Uint8Array;
  /** DER intermediate certificates (any order); the leaf is never taken from here. */
  readonly intermediates: readonly Uint8Array[];
  /** DER root certificate the chain must end at: the only trust anchor. */
  readonly trustedRoot: Uint8Array;
  /** The time to validate at. */
  readonly now: Date;
  /** DER CRLs: each certificate of the path is checked against its issuer's CRL if given. */
  readonly crls?: readonly Uint8Array[];
  /** DER OCSP responses answering for the leaf. */
  readonly ocspResponses?: readonly Uint8Array[];
  /** Fail unless a CRL or an OCSP answer covers the leaf (default true). */
  readonly requireRevocationCheck?: boolean;
}

/** A chain that validated. */
export interface ValidatedChain {
  /** The path, leaf first, pinned root last. */
  readonly path: readonly ParsedCertificate[];
  /** How the leaf's revocation status was established. */
  readonly revocationCheckedBy: 'crl' | 'ocsp' | 'none';
}

const bytes = z.instanceof(Uint8Array);
const inputSchema = z.object({
  leaf: bytes,
  intermediates: z.array(bytes).max(MAX_INTERMEDIATES),
  trustedRoot: bytes,
  now: z.date().refine((d) => !Number.isNaN(d.getTime()), 'a valid date'),
  crls: z.array(bytes).max(16).optional(),
  ocspResponses: z.array(bytes).max(16).optional(),
  requireRevocationCheck: z.boolean().optional(),
});

function toPkijs(der: Uint8Array): pkijs.Certificate {
  return readPkijs(der, 'certificate', MAX_CERTIFICATE_BYTES, (schema) => {
    return new pkijs.Certificate({ schema });
  });
}

function revokedError(what: string, reason: RevocationReason, at: Date): PkiError {
  return new PkiError('PKI_REVOKED', `${what} was revoked (${reason}) at ${at.toISOString()}`);
}

/**
 * Validates a leaf certificate: a path to the pinned root through the given
 * intermediates (built and signature-checked by PKI.js's chain engine, then re-checked by
 * careid), validity dates at `now`, CA constraints, and revocation by CRL or OCSP.
 *
 * PKI.js validates the *last* certificate it is given and silently drops duplicates, so
 * careid deduplicates, passes the leaf last, and checks that the path it gets back starts
 * at this leaf and ends at this root.
 *
 * @throws VALIDATION when the input is not of the documented shape.
 * @throws PKI_MALFORMED when a certificate, CRL or OCSP response cannot be parsed.
 * @throws PKI_EXPIRED when a certificate of the path is expired or not yet valid.
 * @throws PKI_CHAIN_INVALID when no valid path leads to the root, a CA constraint fails,
 *   or no revocation information covers the leaf (unless not required).
 * @throws PKI_REVOKED when the leaf (or an intermediate) is revoked.
 * @throws PKI_BAD_SIGNATURE when a certificate, CRL or OCSP signature does not verify.
 * @example
 * ```ts
 * await validateCertificate({ leaf, intermediates: [ca.issuingCertificate],
 *   trustedRoot: ca.rootCertificate, now: new Date(), crls: [crl] });
 * ```
 */
export async function validateCertificate(input: ValidationInput): Promise<ValidatedChain> {
  const v = parseWith(inputSchema, input, 'validation input');
  const leaf = parseCertificate(v.leaf);
  const root = parseCertificate(v.trustedRoot);
  const intermediates = v.intermediates
    .map((d) => parseCertificate(d))
    .filter(
      (c, i, all) =>
        !bytesEqual(c.der, leaf.der) &&
        !bytesEqual(c.der, root.der) &&
        all.findIndex((o) => bytesEqual(o.der, c.der)) === i,
    );
  if (leaf.basicConstraints?.ca === true) {
    throw new PkiError('PKI_CHAIN_INVALID', 'the leaf is a CA certificate');
  }

  // Dates first, so an expired leaf or root is reported as such, whatever the engine says.
  for (const [c, label] of [
    [leaf, 'the certificate'],
    [root, 'the root'],
  ] as const) {
    if (v.now < c.notBefore || v.now > c.notAfter) {
      throw new PkiError(
        'PKI_EXPIRED',
        `${label} is not valid at ${v.now.toISOString()} (valid ${c.notBefore.toISOString()} to ${c.notAfter.toISOString()})`,
      );
    }
  }

  // PKI.js returns the very objects it was given: map them back by identity.
  const given = new Map<pkijs.Certificate, ParsedCertificate>();
  for (const c of [root, ...intermediates, leaf]) given.set(toPkijs(c.der), c);
  const pk = [...given.keys()];
  const engine = new pkijs.CertificateChainValidationEngine({
    trustedCerts: pk.slice(0, 1),
    certs: pk.slice(1), // the leaf last: the engine validates the last certificate
    checkDate: v.now,
  });
  let result: pkijs.CertificateChainValidationEngineVerifyResult;
  try {
    result = await engine.verify();
  } catch (error) {
    throw new PkiError('PKI_CHAIN_INVALID', 'PKI.js chain engine failed', { cause: error });
  }
  if (!result.result || result.certificatePath === undefined) {
    const code = result.resultCode === 8 ? 'PKI_EXPIRED' : 'PKI_CHAIN_INVALID';
    throw new PkiError(code, `no valid path to the pinned root: ${result.resultMessage}`);
  }
  const broken = () =>
    new PkiError('PKI_CHAIN_INVALID', 'the path found does not join this leaf to the pinned root');
  const path: ParsedCertificate[] = [];
  for (const c of result.certificatePath) {
    const parsed = given.get(c);
    if (parsed === undefined) throw broken();
    path.push(parsed);
  }
  if (path.length < 2 || path[0] !== leaf || path[path.length - 1] !== root) throw broken();
  await checkPath(path, v.now);

  const crls = (v.crls ?? []).map((d) => parseCrl(d));
  let checkedBy: ValidatedChain['revocationCheckedBy'] = 'none';
  for (let i = 0; i < path.length - 1; i++) {
    const cert = path[i]!;
    const issuer = path[i + 1]!;
    const byCrl = await checkCrls(cert, issuer, crls, v.now);
    if (i === 0 && byCrl) checkedBy = 'crl';
  }
  if (v.ocspResponses !== undefined && v.ocspResponses.length > 0) {
    if (await checkOcsp(leaf, path[1]!, v.ocspResponses, v.now)) {
      checkedBy = checkedBy === 'none' ? 'ocsp' : checkedBy;
    }
  }
  if (checkedBy === 'none' && v.requireRevocationCheck !== false) {
    throw new PkiError('PKI_CHAIN_INVALID', 'no CRL or OCSP response covers the certificate');
  }
  return { path, revocationCheckedBy: checkedBy };
}

/** careid's own RFC 5280 §6.1 checks on the path the engine returned. */
async function checkPath(path: readonly ParsedCertificate[], now: Date): Promise<void> {
  for (let i = 1; i < path.length; i++) {
    const ca = path[i]!;
    const child = path[i - 1]!;
    if (now < ca.notBefore || now > ca.notAfter) {
      throw new PkiError('PKI_EXPIRED', 'a CA certificate of the path is not valid now');
    }
    if (ca.basicConstraints?.ca !== true) {
      throw new PkiError('PKI_CHAIN_INVALID', 'an issuer is not a CA (basicConstraints)');
    }
    if (ca.keyUsage !== undefined && (ca.keyUsage & (1 << KeyUsageBit.keyCertSign)) === 0) {
      throw new PkiError('PKI_CHAIN_INVALID', 'an issuer lacks keyCertSign');
    }
    // pathLen counts the CA certificates below this one, the leaf excluded (§4.2.1.9).
    const pathLen = ca.basicConstraints.pathLen;
    if (pathLen !== undefined && i - 1 > pathLen) {
      throw new PkiError('PKI_CHAIN_INVALID', 'pathLenConstraint exceeded');
    }
    if (!bytesEqual(child.issuerDer, ca.subjectDer)) {
      throw new PkiError('PKI_CHAIN_INVALID', 'issuer and subject names do not chain');
    }
    if (!(await verifyCertificateSignature(child, ca.publicKey))) {
      throw new PkiError('PKI_BAD_SIGNATURE', 'a certificate signature does not verify');
    }
  }
}

/** Checks `cert` against every CRL its issuer signed; true when one covered it. */
async function checkCrls(
  cert: ParsedCertificate,
  issuer: ParsedCertificate,
  crls: readonly ParsedCrl[],
  now: Date,
): Promise<boolean> {
  let covered = false;
  for (const crl of crls) {
    if (!bytesEqual(crl.issuerDer, issuer.subjectDer)) continue;
    if (!(await verifyCrlSignature(crl, issuer.publicKey))) {
      throw new PkiError('PKI_BAD_SIGNATURE', 'a CRL signature does not verify');
    }
    if (issuer.keyUsage !== undefined && (issuer.keyUsage & (1 << KeyUsageBit.cRLSign)) === 0) {
      throw new PkiError('PKI_CHAIN_INVALID', 'the CRL issuer lacks cRLSign');
    }
    if (crl.thisUpdate > now || (crl.nextUpdate !== undefined && crl.nextUpdate < now)) {
      continue; // not current: it covers nothing (RFC 5280 §6.3.3 (a))
    }
    const entry = crl.revoked.get(cert.serialHex);
    if (entry !== undefined && entry.revokedAt <= now) {
      throw revokedError(`certificate ${cert.serialHex}`, entry.reason, entry.revokedAt);
    }
    covered = true;
  }
  return covered;
}

/** Checks the leaf against OCSP responses; true when a valid one says good. */
async function checkOcsp(
  leaf: ParsedCertificate,
  issuer: ParsedCertificate,
  responses: readonly Uint8Array[],
  now: Date,
): Promise<boolean> {
  const nameHash = new Uint8Array(await crypto.subtle.digest('SHA-1', issuer.subjectDer));
  const hashes = new Map<string, { name: Uint8Array; key: Uint8Array }>();
  let good = false;
  for (const der of responses) {
    const response = parseOcspResponse(der);
    const basic = response.basic;
    if (basic === undefined) continue;
    // RFC 6960 §4.2.2.2: signed by the issuer itself, or by a responder it issued that
    // carries id-kp-OCSPSigning.
    let responderKey = issuer.publicKey;
    const embedded = basic.certs.map((d) => parseCertificate(d));
    const delegated = embedded.find((c) => !bytesEqual(c.der, issuer.der));
    if (delegated !== undefined) {
      const authorised =
        bytesEqual(delegated.issuerDer, issuer.subjectDer) &&
        delegated.extendedKeyUsage.includes(OID_KP_OCSP_SIGNING) &&
        now >= delegated.notBefore &&
        now <= delegated.notAfter &&
        (await verifyCertificateSignature(delegated, issuer.publicKey));
      if (!authorised) {
        throw new PkiError(
          'PKI_CHAIN_INVALID',
          'the OCSP responder is not authorised by the issuer',
        );
      }
      responderKey = delegated.publicKey;
    }
    if (!(await verifyOcspSignature(response, responderKey))) {
      throw new PkiError('PKI_BAD_SIGNATURE', 'an OCSP response signature does not verify');
    }
    for (const single of basic.responses) {
      const id = single.certId;
      if (id.serialHex !== leaf.serialHex) continue;
      let h = hashes.get(id.hash);
      if (h === undefined) {
        h =
          id.hash === 'SHA-1'
            ? {
                name: nameHash,
                key: new Uint8Array(await crypto.subtle.digest('SHA-1', issuer.publicKey.keyBits)),
              }
            : {
                name: new Uint8Array(await crypto.subtle.digest(id.hash, issuer.subjectDer)),
                key: new Uint8Array(await crypto.subtle.digest(id.hash, issuer.publicKey.keyBits)),
              };
        hashes.set(id.hash, h);
      }
      if (!bytesEqual(h.name, id.issuerNameHash) || !bytesEqual(h.key, id.issuerKeyHash)) continue;
      if (single.thisUpdate > now || (single.nextUpdate !== undefined && single.nextUpdate < now)) {
        continue; // stale or from the future (RFC 6960 §3.2 (5))
      }
      if (single.answer.status === 'revoked') {
        throw revokedError(
          `certificate ${leaf.serialHex}`,
          single.answer.reason,
          single.answer.revokedAt,
        );
      }
      if (single.answer.status === 'good') good = true;
    }
  }
  return good;
}
