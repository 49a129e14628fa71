import type { z } from 'zod';
import { CareIdError } from './care-id-error.js';

/** One problem found in an input: where it is and what is wrong. */
export interface ValidationIssue {
  /** Dotted path of the field, e.g. `actor.assignments.0.start`; `''` for the whole input. */
  readonly field: string;
  /** What is wrong and what would be right. */
  readonly message: string;
}

/**
 * Input that failed validation at a public boundary. Nothing was read or written.
 * `field` names the first offending field; `issues` lists them all.
 *
 * @example
 * ```ts
 * const r = safeParseUuid('12');
 * if (!r.ok) console.log(r.error.field, r.error.issues);
 * ```
 */
export class ValidationError extends CareIdError<'VALIDATION'> {
  override name = 'ValidationError';
  /** Dotted path of the first offending field. */
  readonly field: string;
  /** Every problem found. */
  readonly issues: readonly ValidationIssue[];

  constructor(what: string, issues: readonly ValidationIssue[], options: { cause?: unknown } = {}) {
    const first = issues[0] ?? { field: '', message: 'invalid' };
    const where = first.field === '' ? what : `${what}: field \`${first.field}\``;
    const more = issues.length > 1 ? ` (and ${issues.length - 1} more)` : '';
    super('VALIDATION', `Invalid ${where}: ${first.message}${more}`, options);
    this.field = first.field;
    this.issues = issues;
  }

  /**
   * The same error for an input nested under `prefix` (its fields become `prefix.field`).
   *
   * @example
   * ```ts
   * catch (e) { if (e instanceof ValidationError) throw e.within('pack', 'decision input') }
   * ```
   */
  within(prefix: string, what: string): ValidationError {
    const issues = this.issues.map((i) => ({
      ...i,
      field: i.field === '' ? prefix : `${prefix}.${i.field}`,
    }));
    return new ValidationError(what, issues, { cause: this });
  }

  /** Builds a ValidationError from a zod error, keeping it as the cause. */
  static fromZod(what: string, error: z.ZodError): ValidationError {
    const issues = error.issues.map((issue) => ({
      field: issue.path.map(String).join('.'),
      message: issue.message,
    }));
    return new ValidationError(what, issues, { cause: error });
  }
}
