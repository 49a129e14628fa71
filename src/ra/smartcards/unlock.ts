import { constantTimeEqualText } from '../../crypto/equal.js';
import { randomDigits } from '../../crypto/random.js';
import { toIsoDateTime } from '../../domain/dates.js';
import { InvalidTransitionError } from '../../domain/errors.js';
import { unlockCard } from '../../domain/transitions/card.js';
import type { Uuid } from '../../domain/uuid.js';
import { ValidationError } from '../../errors/validation-error.js';
import type { FactsInput } from '../../policy/input.js';
import { NotFoundError } from '../../storage/errors.js';
import type { OpenCard } from './card-steps.js';
import {
  selfUnlockConfirmCommandSchema,
  selfUnlockRequestCommandSchema,
  unlockCardCommandSchema,
} from './commands.js';
import {
  allowedEvent,
  type Begun,
  CODE_DIGITS,
  CODE_LIFETIME_MS,
  CODE_TRIES,
  type SmartcardContext,
} from './context.js';
import { decideOnCard, runCommand, runOnCard, serialOf } from './operation.js';
import type { CardReader } from './ports.js';
import type { SelfUnlockRequested, SmartcardResult } from './types.js';

/**
 * CARD-03: decides and unblocks the PIN with the PUK from the vault, then finalises.
 *
 * @throws POLICY_DENIED, NOT_FOUND, INVALID_TRANSITION, CARD_*.
 * @example
 * ```ts
 * await unlockWith(ctx, begun, 'smartcard.unlock', card, newPasscode, { userPresent: true });
 * ```
 */
export async function unlockWith(
  ctx: SmartcardContext,
  begun: Begun<unknown>,
  activity: 'smartcard.unlock' | 'smartcard.self-unlock',
  card: OpenCard,
  newPasscode: string,
  facts: FactsInput,
  expectHolder?: Uuid,
): Promise<SmartcardResult> {
  const { store, keyVault, now, mustGetCard } = ctx;
  const { record, decision } = await decideOnCard(ctx, begun, {
    activity,
    serial: card.serial,
    requireHolder: { rule: 'CARD-03' },
    facts,
  });
  if (expectHolder !== undefined && record.holder !== expectHolder) {
    throw new InvalidTransitionError('CARD-03', `Card ${card.serial} is not yours`);
  }
  unlockCard(record); // refuses a cancelled or stock card before the card is touched
  const secrets = await keyVault.get(card.serial);
  if (secrets === undefined) throw new NotFoundError('card secrets', card.serial);
  await card.piv.unblockPin(secrets.puk, newPasscode);
  // CARD-12: the card goes back with the new passcode unverified.
  await card.piv.resetPinStatus();
  const stored = await store.transaction(async (tx) => {
    const current = await mustGetCard(tx, card.serial);
    const { state, events } = unlockCard(current);
    const next = await tx.smartcards.update(state);
    await tx.audit.append(
      allowedEvent(
        begun,
        activity,
        card.serial,
        decision,
        { events: events.map((e) => e.type), apdus: card.piv.apduCount },
        now(),
      ),
    );
    return next;
  });
  return { type: activity, card: stored, decision, revoked: [], apdus: card.piv.apduCount };
}

/**
 * CARD-03: RA unlock with the user present (see {@link SmartcardOperations.unlock}).
 *
 * @throws VALIDATION, POLICY_DENIED, NOT_FOUND, INVALID_TRANSITION, CARD_*.
 * @example
 * ```ts
 * await unlock(ctx, agent, { newPasscode, userPresent: true }, reader);
 * ```
 */
export async function unlock(
  ctx: SmartcardContext,
  actorInput: string,
  input: unknown,
  reader: CardReader,
): Promise<SmartcardResult> {
  const activity = 'smartcard.unlock';
  const command = {
    activity,
    schema: unlockCardCommandSchema,
    passcodes: ['newPasscode'],
    actorInput,
    input,
  };
  return runOnCard(ctx, command, reader, (begun, card) =>
    unlockWith(ctx, begun, activity, card, begun.command.newPasscode, {
      userPresent: begun.command.userPresent,
    }),
  );
}

/**
 * CARD-03 self-service: sends a one-time code (see {@link SmartcardOperations.selfUnlock}).
 *
 * @throws VALIDATION, POLICY_DENIED.
 * @example
 * ```ts
 * await requestSelfUnlock(ctx, holder, { serial, channel: 'email' });
 * ```
 */
export async function requestSelfUnlock(
  ctx: SmartcardContext,
  actorInput: string,
  input: unknown,
): Promise<SelfUnlockRequested> {
  const { clock, codes, audit, deps, digestOf } = ctx;
  const activity = 'smartcard.self-unlock';
  const command = { activity, schema: selfUnlockRequestCommandSchema, actorInput, input };
  return runCommand(ctx, command, serialOf, async (begun) => {
    const serial = serialOf(begun);
    const { record, user, decision } = await decideOnCard(ctx, begun, {
      activity,
      serial,
      user: begun.actor,
      // Everything but the code itself: it is checked at confirmation.
      facts: { oneTimeCodeVerified: true },
    });
    if (record.holder !== begun.actor) {
      throw new InvalidTransitionError('CARD-03', `Card ${serial} is not yours`);
    }
    const channel = begun.command.channel;
    const address = channel === 'email' ? user.contact.email : user.contact.mobile;
    const verified = channel === 'email' ? user.contact.emailVerified : user.contact.mobileVerified;
    if (address === undefined || !verified) {
      throw new ValidationError(`command ${activity}`, [
        {
          field: 'channel',
          message: `the profile has no verified ${channel} (CARD-03); verify it first`,
        },
      ]);
    }
    if (deps.notifier === undefined) {
      throw new ValidationError('registration authority options', [
        { field: 'notifier', message: 'self-service unlock needs a notifier' },
      ]);
    }
    const code = randomDigits(CODE_DIGITS);
    const expires = clock().getTime() + CODE_LIFETIME_MS;
    await deps.notifier.send({
      uuid: user.uuid,
      channel,
      address,
      code,
      expiresAt: new Date(expires),
    });
    await codes.put(user.uuid, {
      serial,
      digest: digestOf(user.uuid, serial, code),
      expires,
      triesLeft: CODE_TRIES,
    });
    const expiresAt = toIsoDateTime(new Date(expires));
    await audit(
      allowedEvent(begun, activity, serial, decision, { step: 'code-sent', channel, expiresAt }),
    );
    return { type: 'smartcard.self-unlock.request', channel, expiresAt, decision };
  });
}

/**
 * CARD-03 self-service: unlocks with the code and a new passcode (see {@link SmartcardOperations.selfUnlock}).
 *
 * @throws POLICY_DENIED, VALIDATION, CARD_*.
 * @example
 * ```ts
 * await confirmSelfUnlock(ctx, holder, { code, newPasscode }, reader);
 * ```
 */
export async function confirmSelfUnlock(
  ctx: SmartcardContext,
  actorInput: string,
  input: unknown,
  reader: CardReader,
): Promise<SmartcardResult> {
  const { clock, codes, digestOf } = ctx;
  const activity = 'smartcard.self-unlock';
  const command = {
    activity,
    schema: selfUnlockConfirmCommandSchema,
    passcodes: ['newPasscode'],
    actorInput,
    input,
  };
  return runOnCard(ctx, command, reader, async (begun, card) => {
    const pending = await codes.get(begun.actor);
    let verified = false;
    if (pending !== undefined && pending.serial === card.serial) {
      if (clock().getTime() >= pending.expires || pending.triesLeft <= 0) {
        await codes.delete(begun.actor);
      } else {
        const digest = digestOf(begun.actor, card.serial, begun.command.code);
        verified = constantTimeEqualText(digest, pending.digest);
        if (!verified && pending.triesLeft <= 1) await codes.delete(begun.actor);
        else if (!verified) {
          await codes.put(begun.actor, { ...pending, triesLeft: pending.triesLeft - 1 });
        }
      }
    }
    const result = await unlockWith(
      ctx,
      begun,
      activity,
      card,
      begun.command.newPasscode,
      { oneTimeCodeVerified: verified },
      begun.actor,
    );
    await codes.delete(begun.actor); // single use
    return result;
  });
}
