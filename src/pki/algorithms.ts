import type { webcrypto } from 'node:crypto';
import {
  DerCursor,
  decodeOid,
  decodeUnsigned,
  elementBytes,
  readRoot,
  type Tlv,
  toHex,
  valueBytes,
} from './der-reader.js';
import { DER_NULL, oid, sequence, Tag } from './der-writer.js';
import {
  OID_EC_PUBLIC_KEY,
  OID_ECDSA_SHA1,
  OID_ECDSA_SHA256,
  OID_ECDSA_SHA384,
  OID_ECDSA_SHA512,
  OID_P256,
  OID_P384,
  OID_RSA_ENCRYPTION,
  OID_SHA1_WITH_RSA,
  OID_SHA256_WITH_RSA,
  OID_SHA384_WITH_RSA,
  OID_SHA512_WITH_RSA,
} from './oids.js';
import { malformed, PkiError } from './pki-error.js';
import { ecdsaDerToRaw } from './signature-format.js';
import type { SignatureHash, SignerAlgorithm } from './signer.js';

/** The smallest RSA modulus careid accepts (NIST SP 800-131A Rev. 2 §3). */
export const MIN_RSA_BITS = 2048;
/** The largest RSA modulus careid accepts, which bounds verification cost. */
export const MAX_RSA_BITS = 4096;
/** Largest SubjectPublicKeyInfo careid reads (RSA-4096 is about 550 bytes). */
const MAX_SPKI_BYTES = 2048;

/** A public key careid has parsed and judged strong enough. */
export type PublicKeyInfo =
  | {
      /** An elliptic-curve key. */
      readonly kind: 'ecdsa';
      /** Its curve. */
      readonly curve: 'P-256' | 'P-384';
      /** The DER SubjectPublicKeyInfo. */
      readonly spki: Uint8Array;
      /** The subjectPublicKey BIT STRING value (the EC point). */
      readonly keyBits: Uint8Array;
    }
  | {
      /** An RSA key. */
      readonly kind: 'rsa';
      /** Modulus size in bits (2048 to 4096). */
      readonly modulusBits: number;
      /** The DER SubjectPublicKeyInfo. */
      readonly spki: Uint8Array;
      /** The subjectPublicKey BIT STRING value (the RSAPublicKey DER). */
      readonly keyBits: Uint8Array;
    };

/** A signature algorithm as found in a certificate, CSR, CRL or OCSP response. */
export interface SignatureAlgorithmInfo {
  /** ECDSA or RSA PKCS#1 v1.5. */
  readonly kind: 'ecdsa' | 'rsa-pkcs1';
  /** The hash signed over (never SHA-1). */
  readonly hash: SignatureHash;
}

const ECDSA_OIDS: Readonly<Record<SignatureHash, string>> = {
  'SHA-256': OID_ECDSA_SHA256,
  'SHA-384': OID_ECDSA_SHA384,
  'SHA-512': OID_ECDSA_SHA512,
};
const RSA_OIDS: Readonly<Record<SignatureHash, string>> = {
  'SHA-256': OID_SHA256_WITH_RSA,
  'SHA-384': OID_SHA384_WITH_RSA,
  'SHA-512': OID_SHA512_WITH_RSA,
};
const BY_OID: ReadonlyMap<string, SignatureAlgorithmInfo> = new Map<string, SignatureAlgorithmInfo>(
  [
    ...Object.entries(ECDSA_OIDS).map(
      ([hash, o]) => [o, { kind: 'ecdsa', hash: hash as SignatureHash }] as const,
    ),
    ...Object.entries(RSA_OIDS).map(
      ([hash, o]) => [o, { kind: 'rsa-pkcs1', hash: hash as SignatureHash }] as const,
    ),
  ],
);

/**
 * The DER AlgorithmIdentifier for a signer's algorithm: ECDSA without parameters
 * (RFC 5758 §3.2), RSA with an explicit NULL (RFC 4055 §5). Never SHA-1.
 */
export function signatureAlgorithmIdentifier(alg: SignerAlgorithm): Uint8Array {
  if (alg.kind === 'ecdsa') return sequence(oid(ECDSA_OIDS[alg.hash]));
  return sequence(oid(RSA_OIDS[alg.hash]), DER_NULL);
}

/**
 * Reads a signature AlgorithmIdentifier.
 *
 * @throws PKI_UNSUPPORTED for SHA-1 or any algorithm careid does not verify.
 * @throws PKI_MALFORMED when the structure is wrong.
 */
export function readSignatureAlgorithm(
  buf: Uint8Array,
  t: Tlv,
  what: string,
): SignatureAlgorithmInfo {
  const c = new DerCursor(buf, t, what);
  const id = decodeOid(buf, c.next(Tag.OID), what);
  const info = BY_OID.get(id);
  if (info === undefined) {
    const sha1 = id === OID_SHA1_WITH_RSA || id === OID_ECDSA_SHA1;
    throw new PkiError(
      'PKI_UNSUPPORTED',
      sha1
        ? `${what} is signed with SHA-1, which careid refuses`
        : `${what} uses signature algorithm ${id}, which careid does not support`,
    );
  }
  if (info.kind === 'rsa-pkcs1') c.optional(Tag.NULL);
  c.end();
  return info;
}

/**
 * Parses and judges a DER SubjectPublicKeyInfo (RFC 5280 §4.1.2.7).
 *
 * @throws PKI_WEAK_KEY for RSA under 2048 bits or a curve other than P-256/P-384.
 * @throws PKI_UNSUPPORTED for other key types or RSA above 4096 bits.
 * @throws PKI_MALFORMED when the structure is wrong.
 * @example
 * ```ts
 * const key = parsePublicKey(signer.publicKey); // { kind: 'ecdsa', curve: 'P-256', ... }
 * ```
 */
export function parsePublicKey(spki: Uint8Array): PublicKeyInfo {
  const what = 'public key';
  const root = readRoot(spki, what, MAX_SPKI_BYTES);
  return readPublicKey(spki, root);
}

/** {@link parsePublicKey} on an element inside a larger buffer. */
export function readPublicKey(buf: Uint8Array, t: Tlv): PublicKeyInfo {
  const what = 'public key';
  if (t.tag !== Tag.SEQUENCE || t.end - t.start > MAX_SPKI_BYTES) {
    throw malformed(what, 'not a SubjectPublicKeyInfo');
  }
  const spki = elementBytes(buf, t);
  const c = new DerCursor(buf, t, what);
  const algTlv = c.next(Tag.SEQUENCE);
  const bits = c.next(Tag.BIT_STRING);
  c.end();
  if (bits.end - bits.valueStart < 2 || buf[bits.valueStart] !== 0) {
    throw malformed(what, 'key bits not whole bytes');
  }
  const keyBits = buf.subarray(bits.valueStart + 1, bits.end);
  const a = new DerCursor(buf, algTlv, what);
  const algId = decodeOid(buf, a.next(Tag.OID), what);
  if (algId === OID_EC_PUBLIC_KEY) {
    const curveTlv = a.next();
    if (curveTlv.tag !== Tag.OID) {
      throw new PkiError('PKI_WEAK_KEY', 'EC keys must name their curve (P-256 or P-384)');
    }
    a.end();
    const curveId = decodeOid(buf, curveTlv, what);
    const curve = curveId === OID_P256 ? 'P-256' : curveId === OID_P384 ? 'P-384' : undefined;
    if (curve === undefined) {
      throw new PkiError('PKI_WEAK_KEY', `EC curve ${curveId} is not allowed; use P-256 or P-384`);
    }
    // Uncompressed point only (RFC 5480 §2.2: compressed points are optional to support).
    const size = curve === 'P-256' ? 32 : 48;
    if (keyBits.length !== 1 + 2 * size || keyBits[0] !== 0x04) {
      throw malformed(what, 'EC point is not an uncompressed point of the curve');
    }
    return { kind: 'ecdsa', curve, spki, keyBits };
  }
  if (algId === OID_RSA_ENCRYPTION) {
    a.optional(Tag.NULL);
    a.end();
    const inner = readRoot(keyBits, what, MAX_SPKI_BYTES);
    const k = new DerCursor(keyBits, inner, what);
    const n = decodeUnsigned(keyBits, k.next(Tag.INTEGER), what);
    decodeUnsigned(keyBits, k.next(Tag.INTEGER), what);
    k.end();
    const modulusBits = n.length * 8 - Math.clz32(n[0] ?? 0) + 24;
    if (modulusBits < MIN_RSA_BITS) {
      throw new PkiError('PKI_WEAK_KEY', `RSA key of ${modulusBits} bits; at least 2048 needed`);
    }
    if (modulusBits > MAX_RSA_BITS) {
      throw new PkiError('PKI_UNSUPPORTED', `RSA key of ${modulusBits} bits; at most 4096`);
    }
    return { kind: 'rsa', modulusBits, spki, keyBits };
  }
  throw new PkiError('PKI_UNSUPPORTED', `public key algorithm ${algId} is not supported`);
}

/** WebCrypto keys already imported, by SPKI; bounded so it cannot grow without limit. */
const keyCache = new Map<string, webcrypto.CryptoKey>();
const KEY_CACHE_LIMIT = 256;

async function importVerifyKey(
  key: PublicKeyInfo,
  hash: SignatureHash,
): Promise<webcrypto.CryptoKey> {
  const id = `${hash}:${toHex(key.keyBits)}`;
  const hit = keyCache.get(id);
  if (hit !== undefined) return hit;
  const algorithm =
    key.kind === 'ecdsa'
      ? { name: 'ECDSA', namedCurve: key.curve }
      : { name: 'RSASSA-PKCS1-v1_5', hash };
  let imported: webcrypto.CryptoKey;
  try {
    imported = await crypto.subtle.importKey('spki', key.spki, algorithm, false, ['verify']);
  } catch (error) {
    throw malformed('public key', 'WebCrypto cannot import it', error);
  }
  if (keyCache.size >= KEY_CACHE_LIMIT) keyCache.clear();
  keyCache.set(id, imported);
  return imported;
}

/**
 * Whether `signature` (X.509 form) over `data` verifies under `key` with `alg`.
 *
 * @throws PKI_BAD_SIGNATURE when the algorithm does not fit the key.
 * @throws PKI_MALFORMED when the key or an ECDSA signature cannot be decoded.
 */
export async function verifySignature(
  key: PublicKeyInfo,
  alg: SignatureAlgorithmInfo,
  signature: Uint8Array,
  data: Uint8Array,
): Promise<boolean> {
  if ((alg.kind === 'ecdsa') !== (key.kind === 'ecdsa')) {
    throw new PkiError('PKI_BAD_SIGNATURE', 'signature algorithm does not match the key type');
  }
  const cryptoKey = await importVerifyKey(key, alg.hash);
  if (key.kind === 'ecdsa') {
    const raw = ecdsaDerToRaw(signature, key.curve);
    return crypto.subtle.verify({ name: 'ECDSA', hash: alg.hash }, cryptoKey, raw, data);
  }
  return crypto.subtle.verify({ name: 'RSASSA-PKCS1-v1_5' }, cryptoKey, signature, data);
}

/**
 * The key identifier careid writes in SKI/AKI: the leftmost 160 bits of the SHA-256 of
 * the subjectPublicKey bits (RFC 7093 §2 method 1), so no SHA-1 is needed.
 */
export async function keyIdentifier(key: PublicKeyInfo): Promise<Uint8Array> {
  const d = new Uint8Array(await crypto.subtle.digest('SHA-256', key.keyBits));
  return d.subarray(0, 20);
}

/** The BIT STRING value of a signature element. */
export function readSignatureBits(buf: Uint8Array, t: Tlv, what: string): Uint8Array {
  if (t.tag !== Tag.BIT_STRING || t.end - t.valueStart < 2 || buf[t.valueStart] !== 0) {
    throw malformed(what, 'signature is not a whole-byte BIT STRING');
  }
  return valueBytes(buf, t).subarray(1);
}
