import type { webcrypto } from 'node:crypto';
import { z } from 'zod';
import { parseWith } from '../errors/parse.js';
import { parsePublicKey } from './algorithms.js';
import { PkiError } from './pki-error.js';
import { ecdsaRawToDer } from './signature-format.js';
import type { SignatureHash, Signer, SignerAlgorithm } from './signer.js';

/** What {@link generateSoftwareSigner} makes: a curve or an RSA size, and optionally a hash. */
export type SoftwareKeySpec =
  | {
      /** ECDSA. */
      readonly kind: 'ecdsa';
      /** P-256 or P-384. */
      readonly curve: 'P-256' | 'P-384';
      /** Hash; by default the one matching the curve (SHA-256 / SHA-384). */
      readonly hash?: SignatureHash;
    }
  | {
      /** RSA PKCS#1 v1.5. */
      readonly kind: 'rsa-pkcs1';
      /** Modulus size in bits. */
      readonly modulusBits: 2048 | 3072;
      /** Hash; SHA-256 by default. */
      readonly hash?: SignatureHash;
    };

const hashSchema = z.enum(['SHA-256', 'SHA-384', 'SHA-512']);
const keySpecSchema = z.discriminatedUnion('kind', [
  z.object({
    kind: z.literal('ecdsa'),
    curve: z.enum(['P-256', 'P-384']),
    hash: hashSchema.optional(),
  }),
  z.object({
    kind: z.literal('rsa-pkcs1'),
    modulusBits: z.union([z.literal(2048), z.literal(3072)]),
    hash: hashSchema.optional(),
  }),
]);

/** RSA public exponent 65537 (RFC 8017 §3.1, the usual choice). */
const RSA_PUBLIC_EXPONENT = Uint8Array.of(0x01, 0x00, 0x01);

/** The hash that matches a curve's strength (RFC 5480 §4). */
function defaultHash(spec: SoftwareKeySpec): SignatureHash {
  if (spec.kind === 'ecdsa') return spec.curve === 'P-384' ? 'SHA-384' : 'SHA-256';
  return 'SHA-256';
}

/**
 * Generates a non-extractable WebCrypto key pair and wraps it as a {@link Signer}.
 * Defaults to ECDSA P-256 with SHA-256.
 *
 * @throws VALIDATION when `spec` names an unsupported curve or size.
 * @example
 * ```ts
 * const signer = await generateSoftwareSigner({ kind: 'ecdsa', curve: 'P-256' });
 * ```
 */
export async function generateSoftwareSigner(
  spec: SoftwareKeySpec = { kind: 'ecdsa', curve: 'P-256' },
): Promise<Signer> {
  const s = parseWith(keySpecSchema, spec, 'software key spec') as SoftwareKeySpec;
  const hash = s.hash ?? defaultHash(s);
  const params =
    s.kind === 'ecdsa'
      ? { name: 'ECDSA', namedCurve: s.curve }
      : {
          name: 'RSASSA-PKCS1-v1_5',
          modulusLength: s.modulusBits,
          publicExponent: RSA_PUBLIC_EXPONENT,
          hash,
        };
  const pair = (await crypto.subtle.generateKey(params, false, [
    'sign',
    'verify',
  ])) as webcrypto.CryptoKeyPair;
  return softwareSignerWithHash(pair, hash);
}

/**
 * Wraps an existing WebCrypto key pair (ECDSA P-256/P-384 or RSASSA-PKCS1-v1_5 2048/3072)
 * as a {@link Signer}. The private key stays inside WebCrypto; it is never exported.
 *
 * @throws PKI_WEAK_KEY for a key careid does not accept (curve, RSA size).
 * @throws PKI_UNSUPPORTED for other algorithms.
 * @example
 * ```ts
 * const signer = await softwareSigner(await crypto.subtle.generateKey(
 *   { name: 'ECDSA', namedCurve: 'P-256' }, false, ['sign', 'verify']));
 * ```
 */
export async function softwareSigner(keyPair: webcrypto.CryptoKeyPair): Promise<Signer> {
  const alg = keyPair?.privateKey?.algorithm as
    | (webcrypto.KeyAlgorithm & { namedCurve?: string; hash?: { name: string } })
    | undefined;
  if (alg === undefined) throw new PkiError('PKI_UNSUPPORTED', 'not a WebCrypto key pair');
  if (alg.name === 'ECDSA') {
    const curve = alg.namedCurve === 'P-384' ? 'P-384' : 'P-256';
    return softwareSignerWithHash(keyPair, curve === 'P-384' ? 'SHA-384' : 'SHA-256');
  }
  if (alg.name === 'RSASSA-PKCS1-v1_5') {
    const hash = alg.hash?.name;
    if (hash !== 'SHA-256' && hash !== 'SHA-384' && hash !== 'SHA-512') {
      throw new PkiError('PKI_UNSUPPORTED', `RSA keys must be bound to SHA-2, not ${hash}`);
    }
    return softwareSignerWithHash(keyPair, hash);
  }
  throw new PkiError('PKI_UNSUPPORTED', `key algorithm ${alg.name} is not supported`);
}

async function softwareSignerWithHash(
  pair: webcrypto.CryptoKeyPair,
  hash: SignatureHash,
): Promise<Signer> {
  const publicKey = new Uint8Array(await crypto.subtle.exportKey('spki', pair.publicKey));
  // parsePublicKey refuses weak keys and other curves (PKI_WEAK_KEY).
  const info = parsePublicKey(publicKey);
  let algorithm: SignerAlgorithm;
  if (info.kind === 'ecdsa') {
    algorithm = { kind: 'ecdsa', curve: info.curve, hash };
  } else {
    if (info.modulusBits !== 2048 && info.modulusBits !== 3072 && info.modulusBits !== 4096) {
      throw new PkiError('PKI_UNSUPPORTED', `RSA key of ${info.modulusBits} bits`);
    }
    algorithm = { kind: 'rsa-pkcs1', modulusBits: info.modulusBits, hash };
  }
  const privateKey = pair.privateKey;
  const signParams =
    algorithm.kind === 'ecdsa' ? { name: 'ECDSA', hash } : { name: 'RSASSA-PKCS1-v1_5' };
  const ecdsa = algorithm.kind === 'ecdsa';
  return Object.freeze({
    algorithm,
    publicKey,
    async sign(data: Uint8Array): Promise<Uint8Array> {
      const sig = new Uint8Array(await crypto.subtle.sign(signParams, privateKey, data));
      // WebCrypto gives ECDSA as raw r||s; X.509 wants the DER form (RFC 3279 §2.2.3).
      return ecdsa ? ecdsaRawToDer(sig) : sig;
    },
  });
}
