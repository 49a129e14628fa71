/**
 * The hash a signer applies to the bytes it is given. careid never signs with SHA-1.
 */
export type SignatureHash = 'SHA-256' | 'SHA-384' | 'SHA-512';

/** What kind of key a signer holds and how it signs. */
export type SignerAlgorithm =
  | {
      /** ECDSA (RFC 5480). */
      readonly kind: 'ecdsa';
      /** The curve; careid accepts P-256 and P-384 only. */
      readonly curve: 'P-256' | 'P-384';
      /** The hash signed over. */
      readonly hash: SignatureHash;
    }
  | {
      /** RSA PKCS#1 v1.5 (RFC 8017 §8.2). */
      readonly kind: 'rsa-pkcs1';
      /** Modulus size in bits. */
      readonly modulusBits: 2048 | 3072 | 4096;
      /** The hash signed over. */
      readonly hash: SignatureHash;
    };

/**
 * The port every signing key sits behind: a software key, a key on a smartcard (PIV slot
 * 9A), an HSM or a cloud KMS. `sign` receives the whole message (for a certificate or a
 * CSR, the DER of the to-be-signed part), hashes it with `algorithm.hash`, and returns the
 * signature in its X.509 form: a DER `ECDSA-Sig-Value` for ECDSA (RFC 5480 §2.2 / RFC 3279
 * §2.2.3), the PKCS#1 v1.5 signature block for RSA (RFC 8017 §8.2).
 *
 * @example
 * ```ts
 * const signature = await signer.sign(tbsBytes);
 * ```
 */
export interface Signer {
  /** Key type and hash. */
  readonly algorithm: SignerAlgorithm;
  /** The public key as a DER SubjectPublicKeyInfo (RFC 5280 §4.1.2.7). */
  readonly publicKey: Uint8Array;
  /** Hashes `data` and signs the digest; the result is in X.509 form (see above). */
  sign(data: Uint8Array): Promise<Uint8Array>;
}
