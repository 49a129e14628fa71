import { toBase64Url } from '../../crypto/encoding.js';
import { checkBytes, checkName } from '../../errors/guards.js';
import { decodeTlv, findTlv } from '../apdu/tlv.js';
import { CardProtocolError } from '../errors.js';
import { KEY_ALGORITHM_ID, type PivKeyAlgorithm, PivTag, RSA_2048_BYTES } from './constants.js';

/** Field size in bytes of each curve (SEC 2 §2.4.2, §2.5.1). */
const CURVE_BYTES = { 'P-256': 32, 'P-384': 48 } as const;
/** Uncompressed point marker (SEC 1 §2.3.3). */
const POINT_UNCOMPRESSED = 0x04;

const b64url = toBase64Url;

/**
 * Turns the content of a 7F49 public key template (SP 800-73-4 Part 2 Table 11) into a DER
 * SubjectPublicKeyInfo (RFC 5280 §4.1.2.7), through Web Crypto (which checks an EC point
 * is on its curve).
 *
 * @throws VALIDATION when `template` is not a Uint8Array or `algorithm` not a PIV key
 * algorithm.
 * @throws CARD_PROTOCOL when the template lacks the modulus, exponent or point, or the
 * point is not on the curve.
 * @example
 * ```ts
 * const spki = await publicKeyTemplateToSpki(template, 'P-256');
 * ```
 */
export async function publicKeyTemplateToSpki(
  template: Uint8Array,
  algorithm: PivKeyAlgorithm,
): Promise<Uint8Array> {
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
      const jwk = { kty: 'RSA', n: b64url(n), e: b64url(e) };
      return await exportSpki(jwk, { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' });
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
    return await exportSpki(jwk, { name: 'ECDSA', namedCurve: algorithm });
  } catch (error) {
    if (error instanceof CardProtocolError) throw error;
    throw new CardProtocolError(`the card returned an invalid ${algorithm} public key`, {
      cause: error,
    });
  }
}

/** A public key given as a JWK, imported (and so checked) and exported as DER SPKI. */
async function exportSpki(
  jwk: Record<string, string>,
  algorithm: { readonly name: string; readonly hash?: string; readonly namedCurve?: string },
): Promise<Uint8Array> {
  const { subtle } = globalThis.crypto;
  const key = await subtle.importKey('jwk', jwk, algorithm, true, ['verify']);
  return new Uint8Array(await subtle.exportKey('spki', key));
}
