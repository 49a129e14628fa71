import { clearCard, flagForRepair } from '../../domain/transitions/card.js';
import { clearCardCommandSchema } from './commands.js';
import { reasonsOf, type SmartcardContext } from './context.js';
import type { SmartcardResult } from './lifecycle.js';
import type { CardReader } from './ports.js';

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
  const {
    store,
    keyVault,
    now,
    begin,
    decideIn,
    refuse,
    userTarget,
    cardTarget,
    mustGetCard,
    revokeActive,
    withCard,
    guarded,
  } = ctx;
  const activity = 'smartcard.clear';
  const begun = await begin(activity, actorInput, clearCardCommandSchema, input);
  let serial = '';
  return guarded(
    begun,
    activity,
    () => serial,
    () =>
      withCard(reader, async (card) => {
        serial = card.serial;
        const { decision } = await store.transaction(async (tx) => {
          const record = await mustGetCard(tx, card.serial);
          const holder = record.holder ? await tx.users.get(record.holder) : undefined;
          const decision = await decideIn(
            tx,
            begun.actor,
            activity,
            begun.at,
            {
              ...(holder ? await userTarget(tx, holder) : {}),
              card: await cardTarget(tx, record),
            },
            {},
          );
          return { decision };
        });
        if (!decision.allowed) return refuse(begun, activity, card.serial, decision);
        // CARD-09: the certificates are revoked first, with the card flagged until wiped.
        const revoked = await store.transaction(async (tx) => {
          const record = await mustGetCard(tx, card.serial);
          const revoked = await revokeActive(tx, card.serial, 'cessationOfOperation', begun.at);
          // Refuses a cancelled card: the revocations roll back with it.
          clearCard(record, { revokedCertificates: revoked });
          if (record.status !== 'stock' && record.status !== 'needs-repair') {
            await tx.smartcards.update(flagForRepair(record, 'clearing').state);
          }
          await tx.audit.append({
            at: begun.at,
            actor: begun.actor,
            activity,
            target: card.serial,
            outcome: 'allowed',
            reasons: reasonsOf(decision),
            details: { step: 'reserved', revoked },
          });
          return revoked;
        });
        await card.piv.factoryReset();
        await keyVault.delete(card.serial);
        const stored = await store.transaction(async (tx) => {
          const { state, events } = clearCard(await mustGetCard(tx, card.serial), {
            revokedCertificates: revoked,
          });
          const next = await tx.smartcards.update(state);
          await tx.audit.append({
            at: now(),
            actor: begun.actor,
            activity,
            target: card.serial,
            outcome: 'allowed',
            reasons: reasonsOf(decision),
            details: {
              step: 'finalised',
              events: events.map((e) => e.type),
              apdus: card.piv.apduCount,
            },
          });
          return next;
        });
        return { type: activity, card: stored, decision, revoked, apdus: card.piv.apduCount };
      }),
  );
}
