// SHA-2 and HMAC from @noble/hashes (audited, synchronous, no Node built-in): the audit
// chain hashes on every command, synchronously, so Web Crypto's async digest does not fit.
import { hmac } from '@noble/hashes/hmac.js';
import { sha256, sha384, sha512 } from '@noble/hashes/sha2.js';
import { bytesToHex, utf8ToBytes } from '@noble/hashes/utils.js';

/** The SHA-2 hashes careid uses. */
export type Sha2 = 'SHA-256' | 'SHA-384' | 'SHA-512';

const HASHES = { 'SHA-256': sha256, 'SHA-384': sha384, 'SHA-512': sha512 } as const;

/**
 * The SHA-2 digest of bytes.
 *
 * @example
 * ```ts
 * const digest = sha2('SHA-256', data); // 32 bytes
 * ```
 */
export function sha2(name: Sha2, data: Uint8Array): Uint8Array {
  return HASHES[name](data);
}

/**
 * SHA-256 of UTF-8 text, lower-case hex.
 *
 * @example
 * ```ts
 * sha256Hex('') // 'e3b0c442…'
 * ```
 */
export function sha256Hex(text: string): string {
  return bytesToHex(sha256(utf8ToBytes(text)));
}

/**
 * HMAC-SHA-256 (RFC 2104) of UTF-8 text under `key`, lower-case hex.
 *
 * @example
 * ```ts
 * const mac = hmacSha256Hex(key, 'text');
 * ```
 */
export function hmacSha256Hex(key: Uint8Array, text: string): string {
  return bytesToHex(hmac(sha256, key, utf8ToBytes(text)));
}
