import { InvalidTransitionError } from '../../domain/errors.js';
import type { CardSerial } from '../../domain/smartcard.js';
import type { Uuid } from '../../domain/uuid.js';
import { cancelIn } from './cancel.js';
import { issueCardCommandSchema, replaceCardCommandSchema } from './commands.js';
import { assertIssuable, type SmartcardContext } from './context.js';
import type { CardCallOptions, SmartcardResult } from './lifecycle.js';
import { personalise } from './personalise.js';
import type { CardReader } from './ports.js';

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
  const {
    store,
    begin,
    decideIn,
    refuse,
    userTarget,
    cardTarget,
    mustGetCard,
    mustGetUser,
    withCard,
    guarded,
  } = ctx;
  const activity = 'smartcard.issue';
  const begun = await begin(activity, actorInput, issueCardCommandSchema, input, ['passcode']);
  let serial = '';
  return guarded(
    begun,
    activity,
    () => serial,
    () =>
      withCard(reader, async (card) => {
        serial = card.serial;
        const { record, holder, decision } = await store.transaction(async (tx) => {
          const record = await mustGetCard(tx, card.serial);
          const holder = await mustGetUser(tx, begun.command.user as Uuid);
          const decision = await decideIn(
            tx,
            begun.actor,
            activity,
            begun.at,
            { ...(await userTarget(tx, holder)), card: await cardTarget(tx, record) },
            { userPresent: begun.command.userPresent },
          );
          return { record, holder, decision };
        });
        if (!decision.allowed) return refuse(begun, activity, card.serial, decision);
        assertIssuable(record, holder.uuid);
        return personalise(ctx, {
          begun,
          activity,
          card,
          reader,
          record,
          holder,
          decision,
          photo: begun.command.photo,
          passcode: begun.command.passcode,
          repair: false,
          progress: options.progress ?? (() => undefined),
        });
      }),
  );
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
  const {
    store,
    begin,
    decideIn,
    refuse,
    userTarget,
    cardTarget,
    mustGetCard,
    mustGetUser,
    withCard,
    guarded,
  } = ctx;
  const activity = 'smartcard.replace';
  const begun = await begin(activity, actorInput, replaceCardCommandSchema, input);
  const old = begun.command.serial as CardSerial;
  return guarded(
    begun,
    activity,
    () => old,
    () =>
      withCard(reader, async (card) => {
        const oldRecord = await store.transaction((tx) => mustGetCard(tx, old));
        if (oldRecord.holder === undefined) {
          throw new InvalidTransitionError('CARD-10', `Card ${old} has no holder to replace`);
        }
        // The new card is checked first: a wrong card in the reader cancels nothing.
        const { record, holder, decision } = await store.transaction(async (tx) => {
          const record = await mustGetCard(tx, card.serial);
          const holder = await mustGetUser(tx, oldRecord.holder as Uuid);
          const decision = await decideIn(
            tx,
            begun.actor,
            'smartcard.issue',
            begun.at,
            { ...(await userTarget(tx, holder)), card: await cardTarget(tx, record) },
            // CARD-10: issued locked; the holder sets a passcode in person when unlocking.
            { userPresent: true },
          );
          return { record, holder, decision };
        });
        if (!decision.allowed) return refuse(begun, 'smartcard.issue', card.serial, decision);
        assertIssuable(record, holder.uuid);
        // A rerun after a failed issue finds the old card already cancelled.
        if (oldRecord.status !== 'cancelled') await cancelIn(ctx, begun, old, begun.command.reason);
        return personalise(ctx, {
          begun,
          activity: 'smartcard.issue',
          card,
          reader,
          record,
          holder,
          decision,
          photo: begun.command.photo,
          passcode: undefined,
          replaces: old,
          repair: false,
          progress: options.progress ?? (() => undefined),
        });
      }),
  );
}
