import type { z } from 'zod';
import { randomInt } from '../../crypto/random.js';
import { duplicateMatches } from '../../domain/duplicates.js';
import { assertIdentityCheckComplete } from '../../domain/identity-check.js';
import { type UserProfile, userProfileSchema } from '../../domain/user.js';
import type { Uuid } from '../../domain/uuid.js';
import type { createUserCommandSchema } from '../commands.js';
import { organisationPath } from '../context.js';
import { PossibleDuplicateError } from '../errors.js';
import type { CommandResult, UseCaseContext, UseCaseOutcome } from '../use-case.js';

/** What creating a profile returns: the new UUID. */
export interface CreateUserResult extends CommandResult {
  readonly type: 'user.create';
  readonly uuid: Uuid;
}

const FIRST_UUID = 100_000_000_000;

/** What the profile schema defaults on a new profile (contact details given none), from the schema. */
const NEW_PROFILE = userProfileSchema
  .unwrap()
  .pick({
    contact: true,
    locallyChangedEsrFields: true,
    esrLinked: true,
    trainingCertificates: true,
  })
  .parse({ contact: {} });

const randomUuid = () => String(FIRST_UUID + randomInt(1_000_000_000_000 - FIRST_UUID)) as Uuid;

/** A UUID no profile has: `first` (already looked up: `taken`), or another random one. */
async function freshUuid(ctx: UseCaseContext, first: Uuid, taken: boolean): Promise<Uuid> {
  // ID-05: 12 digits, leading digit 1-9; the unique index is the final guard (DUPLICATE).
  if (!taken) return first;
  for (let attempt = 1; attempt < 16; attempt++) {
    const candidate = randomUuid();
    if ((await ctx.tx.users.get(candidate)) === undefined) return candidate;
  }
  throw new RangeError('no free UUID after 16 random tries');
}

/**
 * ID-01..ID-06: creates a profile after a complete identity check, refusing a possible
 * duplicate unless overridden with a reason.
 *
 * @throws POLICY_DENIED (via the RA), VALIDATION for an incomplete identity check, DUPLICATE for a possible duplicate.
 */
export async function createUser(
  ctx: UseCaseContext,
  command: z.output<typeof createUserCommandSchema>,
): Promise<UseCaseOutcome<CreateUserResult>> {
  const { tx, pack, at, today, actorUuid } = ctx;
  // Every read the command needs, asked for together (one round trip a step on
  // PostgreSQL); a denied or incomplete command has then read more than it needed, and
  // written nothing.
  const candidate = randomUuid();
  const [path, sameNi, sameName, taken] = await Promise.all([
    organisationPath(tx, command.organisation),
    command.niNumber ? tx.users.byNiNumber(command.niNumber) : [],
    tx.users.searchByName({
      family: command.name.family,
      given: command.name.given,
      dateOfBirth: command.dateOfBirth,
    }),
    tx.users.get(candidate),
  ]);
  const decision = ctx.authorize(
    'user.create',
    { organisationPath: path },
    command.sponsoredBy !== undefined ? { sponsoredBy: command.sponsoredBy } : {},
  );
  const identityCheck = { ...command.identityCheck, checkedBy: actorUuid, checkedAt: at };
  assertIdentityCheckComplete(identityCheck, pack, today);

  const matches = duplicateMatches(command, [...sameNi, ...sameName.items]);
  if (matches.length > 0 && command.duplicateOverride === undefined) {
    throw new PossibleDuplicateError(matches);
  }

  const uuid = await freshUuid(ctx, candidate, taken !== undefined);
  // Built from validated parts, the schema's defaults spread first; the store validates
  // every record it is given (one parse, not two: this one was 5 % of a user.create).
  const profile: UserProfile = {
    ...NEW_PROFILE,
    uuid,
    name: command.name,
    dateOfBirth: command.dateOfBirth,
    ...(command.niNumber !== undefined ? { niNumber: command.niNumber } : {}),
    contact: command.contact ?? NEW_PROFILE.contact,
    status: 'open',
    identityCheck,
    createdAt: at,
    createdBy: actorUuid,
    ...(matches.length > 0 && command.duplicateOverride
      ? { duplicateOverride: { by: actorUuid, reason: command.duplicateOverride.reason } }
      : {}),
    version: 0,
  };
  const stored = await tx.users.insert(profile);
  return {
    result: {
      type: 'user.create',
      uuid,
      changed: [{ kind: 'users', key: uuid, op: 'insert', version: stored.version }],
      decision,
    },
    target: uuid,
    details: {
      organisation: command.organisation,
      documents: identityCheck.documents.map((d) => d.kind),
      ...(matches.length > 0 ? { duplicateOverride: matches.map((m) => m.uuid) } : {}),
    },
  };
}
