import { flagForRepair } from '../../domain/transitions/card.js';
import { repairCardCommandSchema } from './commands.js';
import type { SmartcardContext } from './context.js';
import { decideOnCard, runOnCard } from './operation.js';
import { personalise } from './personalise.js';
import type { CardReader } from './ports.js';
import type { CardCallOptions, SmartcardResult } from './types.js';

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
  const activity = 'smartcard.repair';
  const command = {
    activity,
    schema: repairCardCommandSchema,
    passcodes: ['passcode'],
    actorInput,
    input,
  };
  return runOnCard(ctx, command, reader, async (begun, card) => {
    const decided = await decideOnCard(ctx, begun, {
      activity,
      serial: card.serial,
      requireHolder: { rule: 'CARD-08', advice: 'issue it instead' },
      facts: { userPresent: begun.command.userPresent },
    });
    flagForRepair(decided.record, 'repair'); // refuses a cancelled card
    return personalise(ctx, {
      begun,
      activity,
      card,
      reader,
      decided,
      photo: begun.command.photo,
      passcode: begun.command.passcode,
      repair: true,
      progress: options.progress,
    });
  });
}
