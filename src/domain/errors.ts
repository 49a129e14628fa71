import { CareIdError } from '../errors/care-id-error.js';

/**
 * A domain transition that the record's current state does not allow (a cancelled card
 * made active, a started assignment's start date moved). Nothing changed.
 *
 * @example
 * ```ts
 * if (e instanceof InvalidTransitionError) console.log(e.rule, e.message);
 * ```
 */
export class InvalidTransitionError extends CareIdError<'INVALID_TRANSITION'> {
  override name = 'InvalidTransitionError';
  /** The rule ID that forbids the transition. */
  readonly rule: string;

  constructor(rule: string, message: string, options: { cause?: unknown } = {}) {
    super('INVALID_TRANSITION', `${message} (${rule})`, options);
    this.rule = rule;
  }
}
