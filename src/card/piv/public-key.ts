import { createPublicKey, type KeyObject } from 'node:crypto';
import { checkBytes, checkName } from '../../errors/guards.js';
import { decodeTlv, encodeTlv, findTlv } from '../apdu/tlv.js';
import { CardProtocolError } from '../errors.js';
import { KEY_ALGORITHM_ID, type PivKeyAlgorithm, PivTag, RSA_2048_BYTES } from './constants.js';

/** Field size in bytes of each curve (SEC 2 §2.4.2, §2.5.1). */
const CURVE_BYTES = { 'P-256': 32, 'P-384': 48 } as const;
/** Uncompressed point marker (SEC 1 §2.3.3). */
const POINT_UNCOMPRESSED = 0x04;

function b64url(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString('base64url');
}

/**
 * Turns the content of a 7F49 public key template (SP 800-73-4 Part 2 Table 11) into a DER
 * SubjectPublicKeyInfo (RFC 5280 §4.1.2.7).
 *
 * @throws VALIDATION when `template` is not a Uint8Array or `algorithm` not a PIV key
 * algorithm.
 * @throws CARD_PROTOCOL when the template lacks the modulus, exponent or point, or the
 * point is not on the curve.
 * @example
 * ```ts
 * const spki = publicKeyTemplateToSpki(template, 'P-256');
 * ```
 */
export function publicKeyTemplateToSpki(
  template: Uint8Array,
  algorithm: PivKeyAlgorithm,
): Uint8Array {
  checkBytes(template, 'publicKeyTemplateToSpki input', 'template');
  checkName(algorithm, KEY_ALGORITHM_ID, 'publicKeyTemplateToSpki input', 'algorithm');
  const items = decodeTlv(template);
  try {
    if (algorithm === 'RSA-2048') {
      const n = findTlv(items, PivTag.RSA_MODULUS);
      const e = findTlv(items, PivTag.RSA_EXPONENT);
      if (n === undefined || e === undefined) {
        throw new CardProtocolError('RSA public key: modulus (81) or exponent (82) missing');
      }
      if (n.length !== RSA_2048_BYTES)
        throw new CardProtocolError(`RSA-2048 modulus of ${n.length} bytes`);
      return exportSpki(
        createPublicKey({ key: { kty: 'RSA', n: b64url(n), e: b64url(e) }, format: 'jwk' }),
      );
    }
    const point = findTlv(items, PivTag.ECC_POINT);
    const size = CURVE_BYTES[algorithm];
    if (point === undefined) throw new CardProtocolError('EC public key: point (86) missing');
    if (point.length !== 1 + 2 * size || point[0] !== POINT_UNCOMPRESSED) {
      throw new CardProtocolError(`EC public key: not an uncompressed ${algorithm} point`);
    }
    const jwk = {
      kty: 'EC',
      crv: algorithm,
      x: b64url(point.subarray(1, 1 + size)),
      y: b64url(point.subarray(1 + size)),
    };
    return exportSpki(createPublicKey({ key: jwk, format: 'jwk' }));
  } catch (error) {
    if (error instanceof CardProtocolError) throw error;
    throw new CardProtocolError(`the card returned an invalid ${algorithm} public key`, {
      cause: error,
    });
  }
}

function exportSpki(key: KeyObject): Uint8Array {
  return new Uint8Array(key.export({ type: 'spki', format: 'der' }));
}

/**
 * Encodes a public key as the 7F49 template a PIV card returns from GENERATE ASYMMETRIC
 * KEY PAIR (SP 800-73-4 Part 2 Table 11). Used by the simulator.
 *
 * @throws CARD_PROTOCOL for a key type other than RSA or EC P-256/P-384.
 * @example
 * ```ts
 * const answer = publicKeyTemplate(publicKey);
 * ```
 */
export function publicKeyTemplate(key: KeyObject): Uint8Array {
  const jwk = key.export({ format: 'jwk' });
  if (jwk.kty === 'RSA' && jwk.n !== undefined && jwk.e !== undefined) {
    return encodeTlv(
      PivTag.PUBLIC_KEY,
      encodeTlv(PivTag.RSA_MODULUS, Buffer.from(jwk.n, 'base64url')),
      encodeTlv(PivTag.RSA_EXPONENT, Buffer.from(jwk.e, 'base64url')),
    );
  }
  if (jwk.kty === 'EC' && jwk.x !== undefined && jwk.y !== undefined) {
    return encodeTlv(
      PivTag.PUBLIC_KEY,
      encodeTlv(
        PivTag.ECC_POINT,
        Uint8Array.of(POINT_UNCOMPRESSED),
        Buffer.from(jwk.x, 'base64url'),
        Buffer.from(jwk.y, 'base64url'),
      ),
    );
  }
  throw new CardProtocolError(`cannot encode a ${String(jwk.kty)} key for PIV`);
}
