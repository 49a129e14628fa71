import { stockCardCommandSchema } from './commands.js';
import { reasonsOf, type SmartcardContext } from './context.js';
import type { SmartcardResult } from './lifecycle.js';
import type { CardReader } from './ports.js';

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
  const { store, begin, decideIn, refuse, withCard, guarded } = ctx;
  const activity = 'smartcard.stock';
  const begun = await begin(activity, actorInput, stockCardCommandSchema, input);
  let serial = '';
  return guarded(
    begun,
    activity,
    () => serial,
    () =>
      withCard(reader, async (card) => {
        serial = card.serial;
        // Taking a blank card into stock is what clearing ends in: the same roles
        // (RAM, RAA(A), RAA), decided on the blank card.
        const decision = await store.transaction((tx) =>
          decideIn(
            tx,
            begun.actor,
            'smartcard.clear',
            begun.at,
            { card: { serial: card.serial, status: 'stock' } },
            {},
          ),
        );
        if (!decision.allowed) return refuse(begun, activity, card.serial, decision);
        const stored = await store.transaction(async (tx) => {
          const record = await tx.smartcards.insert({
            serial: card.serial,
            status: 'stock',
            renewalCount: 0,
            selfRenewalCount: 0,
            version: 0,
          });
          await tx.audit.append({
            at: begun.at,
            actor: begun.actor,
            activity,
            target: card.serial,
            outcome: 'allowed',
            reasons: reasonsOf(decision),
            details: { reader: reader.name },
          });
          return record;
        });
        return {
          type: activity,
          card: stored,
          decision,
          revoked: [],
          apdus: card.piv.apduCount,
        };
      }),
  );
}
