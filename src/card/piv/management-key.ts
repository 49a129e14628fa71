// Block ciphers from libraries, never Node's crypto, so careid's root runs anywhere: AES from
// @noble/ciphers (audited), 3DES from des.js (the DES of crypto-browserify, checked against
// NIST's and OpenSSL's answers in test/card/management-key.test.ts). Neither Web Crypto
// nor @noble/ciphers offers 3DES or a bare AES block, which 9B authentication needs.
import { ecb } from '@noble/ciphers/aes.js';
import des from 'des.js';
import { checkBytes, checkName } from '../../errors/guards.js';
import { ValidationError } from '../../errors/validation-error.js';
import { MANAGEMENT_ALGORITHM, type ManagementKeyAlgorithm } from './constants.js';

/**
 * The factory-default card management key, 3DES (SP 800-73-4 leaves it to the issuer;
 * every PIV vendor ships this one). Change it at issue.
 * @example
 * ```ts
 * await piv.authenticate(DEFAULT_MANAGEMENT_KEY, '3DES');
 * ```
 */
export const DEFAULT_MANAGEMENT_KEY: Uint8Array = Uint8Array.of(
  1,
  2,
  3,
  4,
  5,
  6,
  7,
  8,
  1,
  2,
  3,
  4,
  5,
  6,
  7,
  8,
  1,
  2,
  3,
  4,
  5,
  6,
  7,
  8,
);

/**
 * Checks the key length for the algorithm (SP 800-78-4 Table 6-2).
 *
 * @throws VALIDATION when the algorithm is not one of PIV's, the key is not a Uint8Array or
 * its length is wrong (the message never shows the key, AUD-02).
 * @example
 * ```ts
 * checkManagementKey('AES-128', key);
 * ```
 */
export function checkManagementKey(algorithm: ManagementKeyAlgorithm, key: Uint8Array): void {
  checkName(algorithm, MANAGEMENT_ALGORITHM, 'management key', 'algorithm');
  checkBytes(key, 'management key', 'key');
  const expected = MANAGEMENT_ALGORITHM[algorithm].keyLength;
  if (key.length !== expected) {
    throw new ValidationError('management key', [
      { field: '', message: `${algorithm} needs ${expected} bytes, got ${key.length}` },
    ]);
  }
}

/**
 * Encrypts (or decrypts) exactly one block in ECB mode without padding, as PIV
 * management-key authentication does (SP 800-73-4 Part 2 Appendix A.1).
 *
 * @throws VALIDATION when the key or block length is wrong.
 * @example
 * ```ts
 * const response = managementCipher('3DES', key, challenge, 'encrypt');
 * ```
 */
export function managementCipher(
  algorithm: ManagementKeyAlgorithm,
  key: Uint8Array,
  block: Uint8Array,
  direction: 'encrypt' | 'decrypt',
): Uint8Array {
  checkManagementKey(algorithm, key);
  const size = MANAGEMENT_ALGORITHM[algorithm].block;
  if (block.length !== size) {
    throw new ValidationError('management key block', [
      { field: '', message: `${algorithm} blocks are ${size} bytes, got ${block.length}` },
    ]);
  }
  if (algorithm === '3DES') {
    const cipher = des.EDE.create({ type: direction, key, padding: false });
    return Uint8Array.from([...cipher.update(block), ...cipher.final()]);
  }
  const aes = ecb(key, { disablePadding: true });
  return direction === 'encrypt' ? aes.encrypt(block) : aes.decrypt(block);
}
