import type { CareIdErrorCode } from './codes.js';
import { errorFields } from './to-json.js';

/**
 * A careid error as JSON (what `JSON.stringify(error)` writes): its name, code and
 * message, and the fields its class adds (a validation error's `issues`, a denial's
 * `decision`). Never its `cause` or stack, never bytes, never a field named like a secret
 * (AUD-02).
 */
export interface CareIdErrorJson {
  /** The class name, e.g. `ValidationError`. */
  readonly name: string;
  /** The stable, machine-readable code. */
  readonly code: CareIdErrorCode;
  /** The sentence a person can act on. */
  readonly message: string;
  /** The fields the error's class adds. */
  readonly [field: string]: unknown;
}

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

  /**
   * The error as plain JSON: name, code, message and the fields its class adds, as plain
   * data. The `cause` (a driver error may quote a connection string), the stack, bytes
   * and fields named like a secret (passcode, PIN, PUK, key material, one-time code,
   * token) are left out, so a serialised error carries no secret (AUD-02).
   *
   * @example
   * ```ts
   * catch (e) { if (e instanceof CareIdError) res.end(JSON.stringify(e)) } // {"name":…,"code":…,"message":…}
   * ```
   */
  toJSON(): CareIdErrorJson {
    return { ...errorFields(this), name: this.name, code: this.code, message: this.message };
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
