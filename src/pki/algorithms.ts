import type { webcrypto } from 'node:crypto';
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { fromPkijs, readDer, toHex, unsignedMagnitude, wholeByteBits } from './asn1.js';
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
 * The AlgorithmIdentifier for a signer's algorithm: ECDSA without parameters
 * (RFC 5758 §3.2), RSA with an explicit NULL (RFC 4055 §5). Never SHA-1.
 */
export function signatureAlgorithmIdentifier(alg: SignerAlgorithm): pkijs.AlgorithmIdentifier {
  if (alg.kind === 'ecdsa') {
    return new pkijs.AlgorithmIdentifier({ algorithmId: ECDSA_OIDS[alg.hash] });
  }
  return new pkijs.AlgorithmIdentifier({
    algorithmId: RSA_OIDS[alg.hash],
    algorithmParams: new asn1js.Null(),
  });
}

/**
 * Reads a signature AlgorithmIdentifier that PKI.js has parsed.
 *
 * @throws PKI_UNSUPPORTED for SHA-1 or any algorithm careid does not verify.
 * @throws PKI_MALFORMED when the parameters are wrong for the algorithm.
 */
export function readSignatureAlgorithm(
  alg: pkijs.AlgorithmIdentifier,
  what: string,
): SignatureAlgorithmInfo {
  const id = alg.algorithmId;
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
  // RFC 5758 §3.2: ECDSA has no parameters; RFC 4055 §5: RSA's are NULL (or absent).
  const params = alg.algorithmParams as unknown;
  if (params !== undefined && !(info.kind === 'rsa-pkcs1' && params instanceof asn1js.Null)) {
    throw malformed(what, 'unexpected signature algorithm parameters');
  }
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
  const schema = readDer(spki, what, MAX_SPKI_BYTES);
  const info = fromPkijs(what, () => new pkijs.PublicKeyInfo({ schema }));
  return judgePublicKey(info, spki);
}

/**
 * Judges a SubjectPublicKeyInfo that PKI.js has parsed; `spki` is its DER.
 *
 * @throws PKI_WEAK_KEY, PKI_UNSUPPORTED, PKI_MALFORMED as {@link parsePublicKey}.
 */
export function judgePublicKey(info: pkijs.PublicKeyInfo, spki: Uint8Array): PublicKeyInfo {
  const what = 'public key';
  if (spki.length > MAX_SPKI_BYTES) throw malformed(what, 'not a SubjectPublicKeyInfo');
  const keyBits = wholeByteBits(info.subjectPublicKey, what);
  const algId = info.algorithm.algorithmId;
  const params = info.algorithm.algorithmParams as unknown;
  if (algId === OID_EC_PUBLIC_KEY) {
    if (!(params instanceof asn1js.ObjectIdentifier)) {
      throw new PkiError('PKI_WEAK_KEY', 'EC keys must name their curve (P-256 or P-384)');
    }
    const curveId = params.valueBlock.toString();
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
    if (params !== undefined && !(params instanceof asn1js.Null)) {
      throw malformed(what, 'RSA parameters must be NULL');
    }
    const modulusBits = rsaModulusBits(keyBits, what);
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

/** The size of an RSAPublicKey's modulus (RFC 8017 §A.1.1), read with asn1js. */
function rsaModulusBits(keyBits: Uint8Array, what: string): number {
  const key = readDer(keyBits, what, MAX_SPKI_BYTES);
  const parts = key instanceof asn1js.Sequence ? key.valueBlock.value : [];
  const [n, e] = parts;
  if (parts.length !== 2 || !(n instanceof asn1js.Integer) || !(e instanceof asn1js.Integer)) {
    throw malformed(what, 'not an RSAPublicKey');
  }
  unsignedMagnitude(e, what);
  const modulus = unsignedMagnitude(n, what);
  return modulus.length * 8 - Math.clz32(modulus[0] ?? 0) + 24;
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
