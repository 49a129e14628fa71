import type { Uuid } from '../domain/uuid.js';
import { CareIdError } from '../errors/care-id-error.js';
import { NotFoundError } from '../storage/errors.js';

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

/**
 * The actor's UUID names no profile on record: whoever signed the host in is not a user of
 * this RA (a mistyped UUID, another environment's user, a profile never created). A
 * {@link NotFoundError} of kind `user` keyed by the UUID; nothing was written, the attempt
 * is audited as failed.
 *
 * @example
 * ```ts
 * catch (e) { if (e instanceof UnknownActorError) signOut(e.key) }
 * ```
 */
export class UnknownActorError extends NotFoundError {
  override name = 'UnknownActorError';

  constructor(uuid: string) {
    super('user', uuid);
    this.message = `No user profile has UUID ${uuid}: the actor must be a user on record (check the signed-in UUID)`;
  }
}
