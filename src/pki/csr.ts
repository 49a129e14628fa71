import { z } from 'zod';
import { parseWith } from '../errors/parse.js';
import {
  type PublicKeyInfo,
  parsePublicKey,
  readPublicKey,
  readSignatureAlgorithm,
  readSignatureBits,
  type SignatureAlgorithmInfo,
  verifySignature,
} from './algorithms.js';
import { signStructure } from './certificate.js';
import { DerCursor, decodeSmallInt, elementBytes, readRoot } from './der-reader.js';
import { sequence, smallInteger, Tag, tlv } from './der-writer.js';
import {
  encodeName,
  type NameAttribute,
  type ParsedNameAttribute,
  PRINTABLE,
  readName,
} from './name.js';
import { malformed, PkiError } from './pki-error.js';
import type { Signer } from './signer.js';

/** Largest CSR careid reads: RSA-4096 with a long subject is under 2 KiB. */
export const MAX_CSR_BYTES = 16 * 1024;

/** CertificationRequestInfo attributes [0] IMPLICIT SET OF (RFC 2986 §4.1). */
const CSR_ATTRIBUTES = 0xa0;

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
 * @throws VALIDATION when `subject` is malformed.
 * @example
 * ```ts
 * const csr = await createCsr(signer, { commonName: 'Jane Doe', serialNumber: '555123456789' });
 * ```
 */
export async function createCsr(signer: Signer, subject: CsrSubject = {}): Promise<Uint8Array> {
  const s = parseWith(csrSubjectSchema, subject, 'CSR subject');
  const attrs: NameAttribute[] = [];
  if (s.commonName !== undefined) attrs.push({ type: 'CN', value: s.commonName });
  if (s.serialNumber !== undefined) attrs.push({ type: 'serialNumber', value: s.serialNumber });
  parsePublicKey(signer.publicKey); // refuse weak keys before asking the card to sign
  const info = sequence(
    smallInteger(0), // version v1 (RFC 2986 §4.1)
    encodeName(attrs),
    signer.publicKey,
    tlv(CSR_ATTRIBUTES), // no attributes
  );
  return signStructure(signer, info);
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
  const root = readRoot(der, what, MAX_CSR_BYTES);
  if (root.tag !== Tag.SEQUENCE) throw malformed(what, 'not a SEQUENCE');
  const c = new DerCursor(der, root, what);
  const infoTlv = c.next(Tag.SEQUENCE);
  const signatureAlgorithm = readSignatureAlgorithm(der, c.next(Tag.SEQUENCE), what);
  const signature = readSignatureBits(der, c.next(Tag.BIT_STRING), what);
  c.end();
  const i = c.enter(infoTlv);
  if (decodeSmallInt(der, i.next(Tag.INTEGER), what) !== 0) throw malformed(what, 'not v1');
  const subject = readName(der, i.next(Tag.SEQUENCE), what);
  const publicKey = readPublicKey(der, i.next(Tag.SEQUENCE));
  i.next(CSR_ATTRIBUTES); // careid takes nothing from the attributes
  i.end();
  const ok = await verifySignature(
    publicKey,
    signatureAlgorithm,
    signature,
    elementBytes(der, infoTlv),
  );
  if (!ok) throw new PkiError('PKI_BAD_SIGNATURE', 'CSR signature does not verify');
  return { der, subject, publicKey, signatureAlgorithm };
}
