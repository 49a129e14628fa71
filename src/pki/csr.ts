import * as pkijs from 'pkijs';
import { z } from 'zod';
import { parseWith } from '../errors/parse.js';
import {
  judgePublicKey,
  type PublicKeyInfo,
  parsePublicKey,
  readSignatureAlgorithm,
  type SignatureAlgorithmInfo,
  signatureAlgorithmIdentifier,
  verifySignature,
} from './algorithms.js';
import { bytesOf, encode, readPkijs, wholeByteBits } from './asn1.js';
import { signTbs } from './certificate.js';
import { checkSigner } from './guards.js';
import {
  buildName,
  type NameAttribute,
  nameDer,
  type ParsedNameAttribute,
  PRINTABLE,
  readName,
} from './name.js';
import { malformed, PkiError } from './pki-error.js';
import type { Signer } from './signer.js';

/** Largest CSR careid reads: RSA-4096 with a long subject is under 2 KiB. */
export const MAX_CSR_BYTES = 16 * 1024;

/** CertificationRequestInfo version v1 (RFC 2986 §4.1). */
const CSR_VERSION = 0;

/** PKI.js's CertificationRequest, its CertificationRequestInfo encoder made reachable. */
class UnsignedRequest extends pkijs.CertificationRequest {
  /** DER of the CertificationRequestInfo: what the signer signs. */
  infoDer(): Uint8Array {
    return encode(this.encodeTBS());
  }
}

/** What a CSR built by careid names. careid ignores it at issuance; it only labels the request. */
export interface CsrSubject {
  /** Common name shown in the request. */
  readonly commonName?: string;
  /** The 12-digit UUID (ID-05), written as the serialNumber attribute. */
  readonly serialNumber?: string;
}

const csrSubjectSchema = z
  .object({
    commonName: z.string().min(1).max(64).optional(),
    serialNumber: z.string().min(1).max(64).regex(PRINTABLE).optional(),
  })
  .strict();

/** A CSR whose signature verified and whose key careid accepts. */
export interface VerifiedCsr {
  /** The CSR DER as given. */
  readonly der: Uint8Array;
  /** The requested subject, for information only: careid builds the issued subject itself. */
  readonly subject: readonly ParsedNameAttribute[];
  /** The requested key, judged strong enough. */
  readonly publicKey: PublicKeyInfo;
  /** How the request was self-signed. */
  readonly signatureAlgorithm: SignatureAlgorithmInfo;
}

/**
 * Builds a PKCS#10 CertificationRequest (RFC 2986 §4) for `signer`'s key, signed by the
 * signer (a software key, or a card's PIV slot 9A through the same port).
 *
 * @throws VALIDATION when `signer` is not a {@link Signer} or `subject` is malformed.
 * @throws PKI_WEAK_KEY, PKI_UNSUPPORTED, PKI_MALFORMED when the signer's key is not one
 * careid accepts.
 * @example
 * ```ts
 * const csr = await createCsr(signer, { commonName: 'Jane Doe', serialNumber: '555123456789' });
 * ```
 */
export async function createCsr(signer: Signer, subject: CsrSubject = {}): Promise<Uint8Array> {
  checkSigner(signer, 'createCsr input', 'signer');
  const s = parseWith(csrSubjectSchema, subject, 'CSR subject');
  const attrs: NameAttribute[] = [];
  if (s.commonName !== undefined) attrs.push({ type: 'CN', value: s.commonName });
  if (s.serialNumber !== undefined) attrs.push({ type: 'serialNumber', value: s.serialNumber });
  const key = parsePublicKey(signer.publicKey); // refuse weak keys before asking the card to sign
  const request = new UnsignedRequest({
    version: CSR_VERSION,
    subject: buildName(attrs),
    subjectPublicKeyInfo: pkijs.PublicKeyInfo.fromBER(key.spki),
    attributes: [], // present and empty: RFC 2986 §4.1 does not make it optional
  });
  const algorithm = signatureAlgorithmIdentifier(signer.algorithm);
  return signTbs(signer, request.infoDer(), algorithm);
}

/**
 * Parses a DER PKCS#10 CSR and verifies its self-signature (proof of possession).
 *
 * @throws PKI_MALFORMED when the DER is not a CSR, is truncated or over 16 KiB.
 * @throws PKI_BAD_SIGNATURE when the signature does not verify.
 * @throws PKI_WEAK_KEY for RSA under 2048 bits or a curve other than P-256/P-384.
 * @throws PKI_UNSUPPORTED for SHA-1 or an unknown algorithm.
 * @example
 * ```ts
 * const { publicKey } = await parseCsr(csrDer);
 * ```
 */
export async function parseCsr(der: Uint8Array): Promise<VerifiedCsr> {
  const what = 'CSR';
  const csr = readPkijs(der, what, MAX_CSR_BYTES, (schema) => {
    return new pkijs.CertificationRequest({ schema });
  });
  if (csr.version !== CSR_VERSION) throw malformed(what, 'not v1');
  const signatureAlgorithm = readSignatureAlgorithm(csr.signatureAlgorithm, what);
  const publicKey = judgePublicKey(
    csr.subjectPublicKeyInfo,
    encode(csr.subjectPublicKeyInfo.toSchema()),
  );
  const subject = readName(nameDer(csr.subject), what);
  const signature = wholeByteBits(csr.signatureValue, what);
  const ok = await verifySignature(publicKey, signatureAlgorithm, signature, bytesOf(csr.tbsView));
  if (!ok) throw new PkiError('PKI_BAD_SIGNATURE', 'CSR signature does not verify');
  return { der, subject, publicKey, signatureAlgorithm };
}
