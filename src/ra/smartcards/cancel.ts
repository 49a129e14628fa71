import type { CardSerial } from '../../domain/smartcard.js';
import { cancelCard } from '../../domain/transitions/card.js';
import { revocationReasonForCard } from '../../pki/revocation-reason.js';
import { cancelCardCommandSchema } from './commands.js';
import { allowedEvent, type Begun, type SmartcardContext } from './context.js';
import { decideOnCard, runCommand, serialOf } from './operation.js';
import type { SmartcardResult } from './types.js';

/**
 * CARD-10: cancels a card with a reason (see {@link SmartcardOperations.cancel}).
 *
 * @throws VALIDATION, POLICY_DENIED, NOT_FOUND, INVALID_TRANSITION.
 * @example
 * ```ts
 * await cancel(ctx, agent, { serial, reason: 'lost' });
 * ```
 */
export async function cancel(
  ctx: SmartcardContext,
  actorInput: string,
  input: unknown,
): Promise<SmartcardResult> {
  const command = {
    activity: 'smartcard.cancel',
    schema: cancelCardCommandSchema,
    actorInput,
    input,
  };
  return runCommand(ctx, command, serialOf, (begun) =>
    cancelIn(ctx, begun, serialOf(begun), begun.command.reason),
  );
}

/**
 * CARD-10: decides and cancels in one transaction with the revocations (the CA's records).
 *
 * @throws POLICY_DENIED, NOT_FOUND, INVALID_TRANSITION.
 * @example
 * ```ts
 * await cancelIn(ctx, begun, serial, 'lost');
 * ```
 */
export async function cancelIn(
  ctx: SmartcardContext,
  begun: Begun<unknown>,
  serial: CardSerial,
  reason: 'lost' | 'stolen' | 'damaged' | 'returned' | 'replaced',
): Promise<SmartcardResult> {
  const { store, mustGetCard, revokeActive } = ctx;
  const activity = 'smartcard.cancel';
  const { decision } = await decideOnCard(ctx, begun, { activity, serial, facts: {} });
  // One transaction: the card's state and its revocations (the CA's records) together.
  let revoked: string[] = [];
  const stored = await store.transaction(async (tx) => {
    const current = await mustGetCard(tx, serial);
    revoked = await revokeActive(tx, serial, revocationReasonForCard(reason), begun.at);
    // Refuses a cancelled or stock card: the revocations roll back with it.
    const { state, events } = cancelCard(current, {
      by: begun.actor,
      at: begun.at,
      reason,
      revokedCertificates: revoked,
    });
    const next = await tx.smartcards.update(state);
    await tx.audit.append(
      allowedEvent(begun, activity, serial, decision, {
        reason,
        revoked,
        events: events.map((e) => e.type),
      }),
    );
    return next;
  });
  return { type: activity, card: stored, decision, revoked, apdus: 0 };
}
