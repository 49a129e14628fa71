import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { signatureAlgorithmIdentifier } from './algorithms.js';
import { bytesEqual, EncodedElement, signedStructure } from './asn1.js';
import type { ParsedCertificate } from './certificate.js';
import {
  type CertIdHash,
  encodeOcspError,
  encodeOcspResponse,
  encodeResponseData,
  type OcspCertStatus,
  type ReadOcspRequest,
  readOcspRequest,
  singleResponse,
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

/** The responder certificate as the response names and embeds it. */
interface Responder {
  readonly cert: ParsedCertificate;
  /** Its subject, for responderID byName. */
  readonly name: pkijs.RelativeDistinguishedNames;
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
  const algorithm = signatureAlgorithmIdentifier(options.signer.algorithm);
  const validityMs = options.validityHours * 3_600_000;
  let responder: Responder | undefined;

  async function currentResponder(now: Date): Promise<Responder> {
    const cert = await options.certificate(now);
    if (responder?.cert !== cert) {
      responder = { cert, name: pkijs.RelativeDistinguishedNames.fromBER(cert.subjectDer) };
    }
    return responder;
  }

  async function answer(req: ReadOcspRequest, now: Date): Promise<Uint8Array> {
    const nextUpdate = new Date(now.getTime() + validityMs);
    const singles: pkijs.SingleResponse[] = [];
    for (const [i, id] of req.request.certIds.entries()) {
      const mine = hashes.get(id.hash);
      const ours =
        mine !== undefined &&
        bytesEqual(mine.name, id.issuerNameHash) &&
        bytesEqual(mine.key, id.issuerKeyHash);
      const status: OcspCertStatus = ours
        ? await options.lookup(id.serialHex)
        : { status: 'unknown' };
      singles.push(singleResponse(req.certIds[i]!, status, now, nextUpdate));
    }
    const { cert, name } = await currentResponder(now);
    const data = encodeResponseData(name, now, singles, req.nonce);
    const signature = await options.signer.sign(data);
    // BasicOCSPResponse: the signed ResponseData as signed, and `certs [0]` with the
    // responder certificate as stored (RFC 6960 §4.2.1).
    const certs = new asn1js.Constructed({
      idBlock: { tagClass: 3, tagNumber: 0 },
      value: [new asn1js.Sequence({ value: [new EncodedElement(cert.der)] })],
    });
    return encodeOcspResponse(signedStructure(data, algorithm.toSchema(), signature, certs));
  }

  return async (request: Uint8Array, now: Date): Promise<Uint8Array> => {
    let req: ReadOcspRequest;
    try {
      req = readOcspRequest(request);
    } catch (error) {
      if (error instanceof PkiError) return encodeOcspError('malformedRequest');
      throw error;
    }
    return answer(req, now);
  };
}
