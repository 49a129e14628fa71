import { CareIdError } from './care-id-error.js';

/** The outcome of a `safe*` call: a value, or the careid error the throwing call would throw. */
export type Result<T, E extends CareIdError = CareIdError> =
  | { readonly ok: true; readonly value: T }
  | { readonly ok: false; readonly error: E };

/**
 * Runs `fn` and returns its value as a Result; a careid error becomes `{ ok: false }`,
 * any other exception is rethrown (it is a bug, not an expected failure).
 *
 * @example
 * ```ts
 * const r = attempt(() => parseNiNumber('QQ123456C'));
 * ```
 */
export function attempt<T>(fn: () => T): Result<T> {
  try {
    return { ok: true, value: fn() };
  } catch (error) {
    if (error instanceof CareIdError) return { ok: false, error };
    throw error;
  }
}

/** Async form of {@link attempt}. */
export async function attemptAsync<T>(fn: () => Promise<T>): Promise<Result<T>> {
  try {
    return { ok: true, value: await fn() };
  } catch (error) {
    if (error instanceof CareIdError) return { ok: false, error };
    throw error;
  }
}
