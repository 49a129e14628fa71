import { equalBytes } from '@noble/ciphers/utils.js';

/**
 * Whether two byte strings are equal, compared in constant time for equal lengths (a MAC,
 * a card's proof, a one-time code's digest); different lengths are simply unequal.
 *
 * @example
 * ```ts
 * if (!constantTimeEqual(expected, answer)) throw new CardAuthenticationError('...');
 * ```
 */
export function constantTimeEqual(a: Uint8Array, b: Uint8Array): boolean {
  return equalBytes(a, b);
}

/**
 * Whether two strings are equal, compared as UTF-8 in constant time (hex digests).
 *
 * @example
 * ```ts
 * constantTimeEqualText(digest, pending.digest)
 * ```
 */
export function constantTimeEqualText(a: string, b: string): boolean {
  const encoder = new TextEncoder();
  return equalBytes(encoder.encode(a), encoder.encode(b));
}
