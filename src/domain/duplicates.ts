import type { UserProfile } from './user.js';

/** Why an existing profile may be the same person as a new one (ID-06). */
export interface DuplicateMatch {
  readonly uuid: UserProfile['uuid'];
  readonly because: 'same-ni-number' | 'same-name-and-date-of-birth';
}

const fold = (text: string) =>
  text
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/[^a-z]/gi, '')
    .toLowerCase();

/**
 * ID-06: the existing profiles that may be the same person as `candidate`: the same NI
 * number, or the same name (ignoring case, accents, spaces and hyphens) and date of birth.
 *
 * @example
 * ```ts
 * const matches = duplicateMatches(newProfile, store.usersByNameAndBirth(...));
 * ```
 */
export function duplicateMatches(
  candidate: Pick<UserProfile, 'name' | 'dateOfBirth' | 'niNumber'>,
  existing: readonly Pick<UserProfile, 'uuid' | 'name' | 'dateOfBirth' | 'niNumber'>[],
): readonly DuplicateMatch[] {
  const given = fold(candidate.name.given);
  const family = fold(candidate.name.family);
  const matches: DuplicateMatch[] = [];
  for (const other of existing) {
    if (candidate.niNumber !== undefined && other.niNumber === candidate.niNumber) {
      matches.push({ uuid: other.uuid, because: 'same-ni-number' });
    } else if (
      other.dateOfBirth === candidate.dateOfBirth &&
      fold(other.name.family) === family &&
      fold(other.name.given) === given
    ) {
      matches.push({ uuid: other.uuid, because: 'same-name-and-date-of-birth' });
    }
  }
  return matches;
}
