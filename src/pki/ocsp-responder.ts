import { signatureAlgorithmIdentifier } from './algorithms.js';
import { bytesEqual, EncodedElement, encode, signedStructure } from './asn1.js';
import type { ParsedCertificate } from './certificate.js';
import {
  type CertIdHash,
  encodeOcspError,
  encodeOcspResponse,
  encodeResponseData,
  type OcspAnswer,
  type OcspCertStatus,
  type OcspRequest,
  parseOcspRequest,
  type ResponderParts,
  responderParts,
} from './ocsp.js';
import { PkiError } from './pki-error.js';
import type { Signer } from './signer.js';

/** What an OCSP responder needs. */
export interface OcspResponderOptions {
  /** The CA whose certificates it answers for. */
  readonly issuer: ParsedCertificate;
  /** The responder key (delegated: its certificate carries id-kp-OCSPSigning). */
  readonly signer: Signer;
  /** The responder certificate to sign under and embed, current at `now`. */
  readonly certificate: (now: Date) => Promise<ParsedCertificate>;
  /** The status of a serial issued by `issuer`: keyed lookups. */
  readonly lookup: (serialHex: string) => Promise<OcspCertStatus>;
  /** Hours from thisUpdate to nextUpdate. */
  readonly validityHours: number;
}

/** issuerNameHash and issuerKeyHash of the CA for every CertID hash (RFC 6960 §4.1.1). */
async function issuerHashes(
  ca: ParsedCertificate,
): Promise<ReadonlyMap<CertIdHash, { name: Uint8Array; key: Uint8Array }>> {
  const out = new Map<CertIdHash, { name: Uint8Array; key: Uint8Array }>();
  // SHA-1 here only matches CertIDs (RFC 6960 §4.1.1, openssl's default); nothing is signed with it.
  for (const h of ['SHA-1', 'SHA-256', 'SHA-384', 'SHA-512'] as const) {
    const name = new Uint8Array(await crypto.subtle.digest(h, ca.subjectDer));
    const key = new Uint8Array(await crypto.subtle.digest(h, ca.publicKey.keyBits));
    out.set(h, { name, key });
  }
  return out;
}

/**
 * An OCSP responder (RFC 6960): request DER in, signed response DER out. Answers good,
 * revoked (time and reason) or unknown per CertID, echoes the nonce, names itself byName,
 * and embeds its certificate. A malformed request gets the unsigned `malformedRequest`
 * status (§2.3) instead of an exception.
 */
export async function createOcspResponder(
  options: OcspResponderOptions,
): Promise<(request: Uint8Array, now: Date) => Promise<Uint8Array>> {
  const hashes = await issuerHashes(options.issuer);
  const algorithm = new EncodedElement(
    encode(signatureAlgorithmIdentifier(options.signer.algorithm).toSchema()),
  );
  const validityMs = options.validityHours * 3_600_000;
  let responder: { readonly cert: ParsedCertificate; readonly parts: ResponderParts } | undefined;

  async function currentResponder(now: Date): Promise<ResponderParts> {
    const cert = await options.certificate(now);
    if (responder?.cert !== cert) {
      responder = { cert, parts: responderParts(cert.subjectDer, cert.der) };
    }
    return responder.parts;
  }

  async function answer(req: OcspRequest, now: Date): Promise<Uint8Array> {
    const answers: OcspAnswer[] = [];
    for (const id of req.certIds) {
      const mine = hashes.get(id.hash);
      const ours =
        mine !== undefined &&
        bytesEqual(mine.name, id.issuerNameHash) &&
        bytesEqual(mine.key, id.issuerKeyHash);
      const status: OcspCertStatus = ours
        ? await options.lookup(id.serialHex)
        : { status: 'unknown' };
      answers.push({ certIdDer: id.der, status });
    }
    const parts = await currentResponder(now);
    const nextUpdate = new Date(now.getTime() + validityMs);
    const data = encodeResponseData(parts, now, answers, nextUpdate, req.nonceExtension);
    const signature = await options.signer.sign(data);
    return encodeOcspResponse(signedStructure(data, algorithm, signature, parts.certs));
  }

  return async (request: Uint8Array, now: Date): Promise<Uint8Array> => {
    let req: OcspRequest;
    try {
      req = parseOcspRequest(request);
    } catch (error) {
      if (error instanceof PkiError) return encodeOcspError('malformedRequest');
      throw error;
    }
    return answer(req, now);
  };
}
