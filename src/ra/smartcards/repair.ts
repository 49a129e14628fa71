import { InvalidTransitionError } from '../../domain/errors.js';
import { flagForRepair } from '../../domain/transitions/card.js';
import { repairCardCommandSchema } from './commands.js';
import type { SmartcardContext } from './context.js';
import type { CardCallOptions, SmartcardResult } from './lifecycle.js';
import { personalise } from './personalise.js';
import type { CardReader } from './ports.js';

/**
 * CARD-08: rewrites identity and certificate for the same holder (see {@link SmartcardOperations.repair}).
 *
 * @throws VALIDATION, POLICY_DENIED, INVALID_TRANSITION, CARD_*, PKI_*.
 * @example
 * ```ts
 * await repair(ctx, agent, { passcode, photo, userPresent: true }, reader);
 * ```
 */
export async function repair(
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
  const activity = 'smartcard.repair';
  const begun = await begin(activity, actorInput, repairCardCommandSchema, input, ['passcode']);
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
          if (record.holder === undefined) {
            throw new InvalidTransitionError(
              'CARD-08',
              `Card ${card.serial} has no holder; issue it instead`,
            );
          }
          const holder = await mustGetUser(tx, record.holder);
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
        flagForRepair(record, 'repair'); // refuses a cancelled card
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
          repair: true,
          progress: options.progress ?? (() => undefined),
        });
      }),
  );
}
