import type { KeyObject } from 'node:crypto';
import { encodeTlv } from '../apdu/tlv.js';
import { CardProtocolError } from '../errors.js';
import { PivTag } from '../piv/constants.js';

/** Uncompressed point marker (SEC 1 §2.3.3). */
const POINT_UNCOMPRESSED = 0x04;

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
