import { z } from 'zod';
import { randomInt } from '../crypto/random.js';
import { CareIdError } from '../errors/care-id-error.js';

/** ID-05: a user's identifier is a 12-digit number, unique, assigned by the system. */
export const uuidSchema = z
  .string()
  .regex(/^\d{12}$/, { message: 'must be a UUID of exactly 12 digits (ID-05)' })
  .brand<'Uuid'>();

/** A user's 12-digit identifier (ID-05). Not an RFC 4122 UUID: the NHS calls it that. */
export type Uuid = z.infer<typeof uuidSchema>;

/** A source of random integers in `[0, max)`; injectable so tests can be reproducible. */
export type RandomInt = (max: number) => number;

const UUID_SPACE = 1_000_000_000_000;
const MAX_ATTEMPTS = 64;

/**
 * Generates a 12-digit UUID (ID-05) not yet taken. Uniqueness is checked against
 * `isTaken`; the store's unique index is the final guard.
 *
 * @throws CONFLICT when 64 random candidates in a row are taken (the space is nearly full).
 * @example
 * ```ts
 * const uuid = generateUuid((u) => existing.has(u));
 * ```
 */
export function generateUuid(
  isTaken: (candidate: Uuid) => boolean = () => false,
  random: RandomInt = randomInt,
): Uuid {
  for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
    // Leading digit 1-9 so a UUID never loses a digit when a spreadsheet reads it as a number.
    const value = 100_000_000_000 + random(UUID_SPACE - 100_000_000_000);
    const candidate = String(value) as Uuid;
    if (!isTaken(candidate)) return candidate;
  }
  throw new CareIdError(
    'CONFLICT',
    'Could not find a free UUID: 64 random candidates were all taken',
  );
}
