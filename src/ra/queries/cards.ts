import type { z } from 'zod';
import type { Smartcard } from '../../domain/smartcard.js';
import type { Uuid } from '../../domain/uuid.js';
import { expiryOf } from '../smartcards/context.js';
import type { ReadContext } from './reader.js';
import type { CardSummary, ResultPage } from './results.js';
import type { findCardsQuerySchema } from './schemas.js';
import { findScope, usersVisible } from './scope.js';

/**
 * `smartcard.find` (ALL, as `user.find`): the cards of a user, or one card by serial, as
 * far as the actor may see their holder (the finder's ROLE-02 scope: their own cards, and
 * the cards of users at organisations the actor covers or works at). A card in stock has no
 * holder and is shown to RA role holders only. Cards come by serial, each with the date its
 * first active certificate expires.
 *
 * @throws POLICY_DENIED (through the reader) for a closed profile (ROLE-01).
 * @example
 * ```ts
 * await findCards(ctx, { type: 'smartcard.find', holder: '555000000006' })
 * ```
 */
export async function findCards(
  ctx: ReadContext,
  q: z.output<typeof findCardsQuerySchema>,
): Promise<{ result: ResultPage<CardSummary> }> {
  ctx.authorize('user.find', {});
  const scope = await findScope(ctx);
  let cards: readonly Smartcard[];
  if (q.holder !== undefined) {
    cards = await ctx.tx.smartcards.byHolder(q.holder as Uuid);
  } else {
    const card = await ctx.tx.smartcards.get(q.serial as Smartcard['serial']);
    cards = card ? [card] : [];
  }
  const holders = [...new Set(cards.flatMap((c) => (c.holder ? [c.holder] : [])))];
  const visible = await usersVisible(ctx, scope, holders);
  const items: CardSummary[] = [];
  for (const card of cards) {
    const seen = card.holder === undefined ? scope.holdsRole : visible.has(card.holder);
    if (seen)
      items.push(
        cardSummary(
          card,
          expiryOf(await ctx.tx.certificates.byCard(card.serial), ctx.pack.timeZone),
        ),
      );
  }
  return { result: { items } };
}

/** The finder's view of a card record. */
function cardSummary(card: Smartcard, certificatesExpireOn: string | undefined): CardSummary {
  return {
    serial: card.serial,
    status: card.status,
    ...(card.holder !== undefined ? { holder: card.holder } : {}),
    ...(card.issuedAt !== undefined ? { issuedAt: card.issuedAt } : {}),
    ...(certificatesExpireOn !== undefined ? { certificatesExpireOn } : {}),
    renewalCount: card.renewalCount,
    selfRenewalCount: card.selfRenewalCount,
    ...(card.cancelled !== undefined
      ? { cancelled: { at: card.cancelled.at, reason: card.cancelled.reason } }
      : {}),
  };
}
