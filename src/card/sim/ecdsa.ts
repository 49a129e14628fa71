import { createECDH, randomBytes } from 'node:crypto';
import { ecdsaRawToDer } from '../../pki/signature-format.js';

/** Curve parameters: OpenSSL name, field bytes, group order n (SEC 2 §2.4.2, §2.5.1). */
const CURVES = {
  'P-256': {
    openssl: 'prime256v1',
    size: 32,
    n: 0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551n,
  },
  'P-384': {
    openssl: 'secp384r1',
    size: 48,
    n: 0xffffffffffffffffffffffffffffffffffffffffffffffffc7634d81f4372ddf581a0db248b0a77aecec196accc52973n,
  },
} as const;

function toBigInt(bytes: Uint8Array): bigint {
  return bytes.length === 0 ? 0n : BigInt(`0x${Buffer.from(bytes).toString('hex')}`);
}

function toBytes(value: bigint, size: number): Uint8Array {
  return Uint8Array.from(Buffer.from(value.toString(16).padStart(size * 2, '0'), 'hex'));
}

function modPow(base: bigint, exp: bigint, mod: bigint): bigint {
  let result = 1n;
  let b = base % mod;
  let e = exp;
  while (e > 0n) {
    if (e & 1n) result = (result * b) % mod;
    b = (b * b) % mod;
    e >>= 1n;
  }
  return result;
}

/**
 * ECDSA over an already hashed input, as a PIV card does in GENERAL AUTHENTICATE
 * (node:crypto only signs whole messages). The point k·G comes from node's ECDH; the rest
 * is SEC 1 §4.1.3 arithmetic mod n. Returns a DER ECDSA-Sig-Value.
 *
 * @example
 * ```ts
 * const der = signDigest('P-256', d, digest);
 * ```
 */
export function signDigest(
  curve: 'P-256' | 'P-384',
  privateScalar: Uint8Array,
  digest: Uint8Array,
): Uint8Array {
  const { openssl, size, n } = CURVES[curve];
  const e = toBigInt(digest.subarray(0, size));
  const d = toBigInt(privateScalar);
  const ecdh = createECDH(openssl);
  for (;;) {
    const k = (toBigInt(randomBytes(size + 8)) % (n - 1n)) + 1n;
    ecdh.setPrivateKey(Buffer.from(toBytes(k, size)));
    const point = ecdh.getPublicKey();
    const r = toBigInt(point.subarray(1, 1 + size)) % n;
    if (r === 0n) continue;
    const s = (modPow(k, n - 2n, n) * ((e + r * d) % n)) % n;
    if (s === 0n) continue;
    return ecdsaRawToDer(Uint8Array.from([...toBytes(r, size), ...toBytes(s, size)]));
  }
}
