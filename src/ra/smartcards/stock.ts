import { refuse } from '../activity.js';
import { stockCardCommandSchema } from './commands.js';
import { allowedEvent, type SmartcardContext } from './context.js';
import { runOnCard } from './operation.js';
import type { CardReader } from './ports.js';
import type { SmartcardResult } from './types.js';

/**
 * Takes the blank card in the reader into stock (see {@link SmartcardOperations.stock}).
 *
 * @throws POLICY_DENIED, DUPLICATE, CARD_*.
 * @example
 * ```ts
 * await stock(ctx, agent, {}, reader);
 * ```
 */
export async function stock(
  ctx: SmartcardContext,
  actorInput: string,
  input: unknown,
  reader: CardReader,
): Promise<SmartcardResult> {
  const { store } = ctx;
  const activity = 'smartcard.stock';
  const command = { activity, schema: stockCardCommandSchema, actorInput, input };
  return runOnCard(ctx, command, reader, async (begun, card) => {
    // Taking a blank card into stock is what clearing ends in: the same roles
    // (RAM, RAA(A), RAA), decided on the blank card.
    const decision = await begun.inTransaction(async ({ check }) =>
      check('smartcard.clear', { card: { serial: card.serial, status: 'stock' } }),
    );
    if (!decision.allowed) refuse(decision, { activity, target: card.serial });
    const stored = await store.transaction(async (tx) => {
      const record = await tx.smartcards.insert({
        serial: card.serial,
        status: 'stock',
        renewalCount: 0,
        selfRenewalCount: 0,
        version: 0,
      });
      await tx.audit.append(
        allowedEvent(begun, activity, card.serial, decision, { reader: reader.name }),
      );
      return record;
    });
    return {
      type: activity,
      card: stored,
      decision,
      revoked: [],
      apdus: card.piv.apduCount,
    };
  });
}
