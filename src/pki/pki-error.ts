import { CareIdError, type CareIdErrorOptions } from '../errors/care-id-error.js';
import type { CareIdErrorCode } from '../errors/codes.js';

/** The `PKI_*` codes of {@link CareIdErrorCode}: what a PKI operation can fail with. */
export type PkiErrorCode = Extract<CareIdErrorCode, `PKI_${string}`>;

/**
 * An error from the PKI layer: malformed DER, a signature that does not verify, a weak
 * key, a chain that does not lead to the pinned root, a revoked or expired certificate.
 * Messages never carry key material (AUD-02).
 *
 * @example
 * ```ts
 * try { await parseCsr(der) } catch (e) {
 *   if (e instanceof PkiError && e.code === 'PKI_WEAK_KEY') reject('key too weak');
 * }
 * ```
 */
export class PkiError extends CareIdError<PkiErrorCode> {
  /** Always `PkiError`. */
  override name = 'PkiError';

  constructor(code: PkiErrorCode, message: string, options: CareIdErrorOptions = {}) {
    super(code, message, options);
  }
}

/**
 * Shorthand for a `PKI_MALFORMED` error about `what`.
 *
 * @example
 * ```ts
 * throw malformed('CSR', 'length runs past the end');
 * ```
 */
export function malformed(what: string, detail: string, cause?: unknown): PkiError {
  return new PkiError('PKI_MALFORMED', `Malformed ${what}: ${detail}`, { cause });
}
