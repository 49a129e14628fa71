// AES-GCM from @noble/ciphers (audited, synchronous, no Node built-in): the envelope is
// sealed and opened synchronously by the key vault and the CLI alike.
import { gcm } from '@noble/ciphers/aes.js';
import { concatBytes } from '@noble/ciphers/utils.js';
import { randomBytes } from '../../crypto/random.js';

/**
 * The envelope careid seals secrets at rest in (AUD-02): AES-256-GCM (NIST SP 800-38D) as
 * format byte 1, a fresh 12-byte nonce, the 16-byte tag, then the ciphertext. The additional
 * authenticated data names what the secret is for (a card's serial, "careid CA keys v1"), so
 * one sealed blob copied over another does not open. Used by the card key vault and by the
 * CLI's sealed CA keys.
 */
const FORMAT_V1 = 1;
const NONCE_BYTES = 12;
const TAG_BYTES = 16;

/**
 * Seals `plain` under a 32-byte key, bound to `aad`. The caller zeroes `plain` afterwards.
 *
 * @example
 * ```ts
 * const sealed = sealEnvelope(key, utf8Bytes(json), utf8Bytes(serial));
 * ```
 */
export function sealEnvelope(key: Uint8Array, plain: Uint8Array, aad: Uint8Array): Uint8Array {
  const nonce = randomBytes(NONCE_BYTES);
  // noble answers ciphertext then tag; the envelope keeps the tag before the ciphertext.
  const out = gcm(key, nonce, aad).encrypt(plain);
  const body = out.subarray(0, out.length - TAG_BYTES);
  return concatBytes(Uint8Array.of(FORMAT_V1), nonce, out.subarray(body.length), body);
}

/** Why an envelope did not open: not in the format, or not under this key and purpose. */
export type EnvelopeFailure = 'format' | 'key';

/**
 * Opens an envelope sealed by {@link sealEnvelope} with the same key and `aad`, or says why
 * it cannot; the caller turns the failure into its own typed error and zeroes the result.
 *
 * @example
 * ```ts
 * const opened = openEnvelope(key, sealed, utf8Bytes(serial));
 * if (typeof opened === 'string') throw new ValidationError(...);
 * ```
 */
export function openEnvelope(
  key: Uint8Array,
  sealed: Uint8Array,
  aad: Uint8Array,
): Uint8Array | EnvelopeFailure {
  if (sealed[0] !== FORMAT_V1 || sealed.length < 1 + NONCE_BYTES + TAG_BYTES) return 'format';
  const nonce = sealed.subarray(1, 1 + NONCE_BYTES);
  const tag = sealed.subarray(1 + NONCE_BYTES, 1 + NONCE_BYTES + TAG_BYTES);
  const body = sealed.subarray(1 + NONCE_BYTES + TAG_BYTES);
  try {
    return gcm(key, nonce, aad).decrypt(concatBytes(body, tag));
  } catch {
    return 'key';
  }
}
