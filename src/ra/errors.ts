import type { Uuid } from '../domain/uuid.js';
import { CareIdError } from '../errors/care-id-error.js';

/**
 * ID-06: the new profile may be the same person as existing ones (same NI number, or same
 * name and date of birth). Nothing was written; an RA agent may create it anyway with a
 * `duplicateOverride` reason.
 *
 * @example
 * ```ts
 * catch (e) { if (e instanceof PossibleDuplicateError) show(e.matches) }
 * ```
 */
export class PossibleDuplicateError extends CareIdError<'DUPLICATE'> {
  override name = 'PossibleDuplicateError';
  /** The existing profiles and why each matched. */
  readonly matches: readonly { readonly uuid: Uuid; readonly because: string }[];

  constructor(matches: readonly { readonly uuid: Uuid; readonly because: string }[]) {
    const list = matches.map((m) => `${m.uuid} (${m.because})`).join(', ');
    super(
      'DUPLICATE',
      `Possible duplicate of ${list} (ID-06): check them, or create the profile with a duplicateOverride reason`,
    );
    this.matches = matches;
  }
}
