import { InvalidTransitionError } from '../../domain/errors.js';
import { assertIssuable } from '../../domain/transitions/card.js';
import type { Uuid } from '../../domain/uuid.js';
import { cancelIn } from './cancel.js';
import { issueCardCommandSchema, replaceCardCommandSchema } from './commands.js';
import type { SmartcardContext } from './context.js';
import { decideOnCard, runCommand, runOnCard, serialOf } from './operation.js';
import { personalise } from './personalise.js';
import type { CardReader } from './ports.js';
import type { CardCallOptions, SmartcardResult } from './types.js';

/**
 * CARD-01/02/11: issues the blank card in the reader (see {@link SmartcardOperations.issue}).
 *
 * @throws VALIDATION, POLICY_DENIED, NOT_FOUND, INVALID_TRANSITION, CARD_*, PKI_*, STORE_UNAVAILABLE, CONFLICT.
 * @example
 * ```ts
 * await issue(ctx, agent, { user, passcode, photo, userPresent: true }, reader);
 * ```
 */
export async function issue(
  ctx: SmartcardContext,
  actorInput: string,
  input: unknown,
  reader: CardReader,
  options: CardCallOptions = {},
): Promise<SmartcardResult> {
  const activity = 'smartcard.issue';
  const command = {
    activity,
    schema: issueCardCommandSchema,
    passcodes: ['passcode'],
    actorInput,
    input,
  };
  return runOnCard(ctx, command, reader, async (begun, card) => {
    const decided = await decideOnCard(ctx, begun, {
      activity,
      serial: card.serial,
      user: begun.command.user as Uuid,
      facts: { userPresent: begun.command.userPresent },
    });
    assertIssuable(decided.record, decided.user.uuid);
    return personalise(ctx, {
      begun,
      activity,
      card,
      reader,
      decided,
      photo: begun.command.photo,
      passcode: begun.command.passcode,
      repair: false,
      progress: options.progress,
    });
  });
}

/**
 * CARD-10: cancels the old card and issues the one in the reader locked (see {@link SmartcardOperations.replace}).
 *
 * @throws VALIDATION, POLICY_DENIED, NOT_FOUND, INVALID_TRANSITION, CARD_*, PKI_*.
 * @example
 * ```ts
 * await replace(ctx, agent, { serial, reason: 'damaged', photo }, reader);
 * ```
 */
export async function replace(
  ctx: SmartcardContext,
  actorInput: string,
  input: unknown,
  reader: CardReader,
  options: CardCallOptions = {},
): Promise<SmartcardResult> {
  const command = {
    activity: 'smartcard.replace',
    schema: replaceCardCommandSchema,
    actorInput,
    input,
  };
  // Failures are audited against the card being replaced.
  return runCommand(ctx, command, serialOf, (begun) =>
    ctx.withCard(reader, async (card) => {
      const old = serialOf(begun);
      const oldRecord = await ctx.store.transaction((tx) => ctx.mustGetCard(tx, old));
      if (oldRecord.holder === undefined) {
        throw new InvalidTransitionError('CARD-10', `Card ${old} has no holder to replace`);
      }
      // The new card is checked first: a wrong card in the reader cancels nothing.
      const decided = await decideOnCard(ctx, begun, {
        activity: 'smartcard.issue',
        serial: card.serial,
        user: oldRecord.holder,
        // CARD-10: issued locked; the holder sets a passcode in person when unlocking.
        facts: { userPresent: true },
      });
      assertIssuable(decided.record, decided.user.uuid);
      // A rerun after a failed issue finds the old card already cancelled.
      if (oldRecord.status !== 'cancelled') await cancelIn(ctx, begun, old, begun.command.reason);
      return personalise(ctx, {
        begun,
        activity: 'smartcard.issue',
        card,
        reader,
        decided,
        photo: begun.command.photo,
        passcode: undefined,
        replaces: old,
        repair: false,
        progress: options.progress,
      });
    }),
  );
}
