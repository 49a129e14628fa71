import type { CareIdErrorCode } from './codes.js';

/** Options every careid error accepts. */
export interface CareIdErrorOptions {
  /** The lower-level error or value that led to this one; `undefined` when there is none. */
  readonly cause?: unknown;
}

/**
 * The one base class of every error careid throws: a stable `code`, a message a person
 * can act on, and the `cause` (always present, `undefined` when there is none).
 *
 * @example
 * ```ts
 * try { decide(input) } catch (e) {
 *   if (e instanceof CareIdError && e.code === 'VALIDATION') console.error(e.message);
 * }
 * ```
 */
export class CareIdError<C extends CareIdErrorCode = CareIdErrorCode> extends Error {
  /** The stable, machine-readable code. */
  readonly code: C;
  /** What led to this error, or `undefined`. */
  override readonly cause: unknown;
  override name = 'CareIdError';

  constructor(code: C, message: string, options: CareIdErrorOptions = {}) {
    super(message, { cause: options.cause });
    this.code = code;
    this.cause = options.cause;
  }
}

/**
 * Whether `value` is a careid error, optionally with the given code.
 *
 * @example
 * ```ts
 * if (isCareIdError(e, 'CONFLICT')) retry();
 * ```
 */
export function isCareIdError<C extends CareIdErrorCode>(
  value: unknown,
  code?: C,
): value is CareIdError<C> {
  return value instanceof CareIdError && (code === undefined || value.code === code);
}
