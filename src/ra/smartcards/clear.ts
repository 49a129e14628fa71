import { clearCard, reserveCard } from '../../domain/transitions/card.js';
import { wipeCard } from './card-steps.js';
import { clearCardCommandSchema } from './commands.js';
import { allowedEvent, type SmartcardContext } from './context.js';
import { decideOnCard, runOnCard } from './operation.js';
import type { CardReader } from './ports.js';
import type { SmartcardResult } from './types.js';

/**
 * CARD-09: revokes, wipes, back to stock (see {@link SmartcardOperations.clear}).
 *
 * @throws POLICY_DENIED, INVALID_TRANSITION, CARD_*.
 * @example
 * ```ts
 * await clear(ctx, agent, {}, reader);
 * ```
 */
export async function clear(
  ctx: SmartcardContext,
  actorInput: string,
  input: unknown,
  reader: CardReader,
): Promise<SmartcardResult> {
  const { store, keyVault, now, mustGetCard, revokeActive } = ctx;
  const activity = 'smartcard.clear';
  const command = { activity, schema: clearCardCommandSchema, actorInput, input };
  return runOnCard(ctx, command, reader, async (begun, card) => {
    const { decision } = await decideOnCard(ctx, begun, {
      activity,
      serial: card.serial,
      facts: {},
    });
    // CARD-09: the certificates are revoked first, with the card flagged until wiped.
    const revoked = await store.transaction(async (tx) => {
      const record = await mustGetCard(tx, card.serial);
      const revoked = await revokeActive(tx, card.serial, 'cessationOfOperation', begun.at);
      // Refuses a cancelled card: the revocations roll back with it.
      clearCard(record, { revokedCertificates: revoked });
      // Reserved for the clearing (a stock card has nothing to clear but its contents).
      if (record.status !== 'stock') {
        await tx.smartcards.update(
          reserveCard(record, { operation: 'clearing', at: begun.at }).state,
        );
      }
      await tx.audit.append(
        allowedEvent(begun, activity, card.serial, decision, { step: 'reserved', revoked }),
      );
      return revoked;
    });
    // The vault keeps the card's secrets until the wipe is done (a crash mid-wipe).
    await wipeCard(card.piv, keyVault, card.serial);
    const stored = await store.transaction(async (tx) => {
      const { state, events } = clearCard(await mustGetCard(tx, card.serial), {
        revokedCertificates: revoked,
      });
      const next = await tx.smartcards.update(state);
      await tx.audit.append(
        allowedEvent(
          begun,
          activity,
          card.serial,
          decision,
          {
            step: 'finalised',
            events: events.map((e) => e.type),
            apdus: card.piv.apduCount,
          },
          now(),
        ),
      );
      return next;
    });
    return { type: activity, card: stored, decision, revoked, apdus: card.piv.apduCount };
  });
}
