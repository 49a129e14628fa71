import { invalidArgument } from '../../errors/guards.js';
import { decodeResponseApdu } from '../apdu/response.js';
import type { CardConnection } from '../connection.js';
import { CardRemovedError } from '../errors.js';
import { VirtualPivCard } from './virtual-piv-card.js';

/**
 * An in-process {@link CardConnection} to a {@link VirtualPivCard}: no PC/SC, no native
 * module. Like a PC/SC handle it dies when the card leaves: after a pull (even once the
 * card is back) every call fails with CARD_REMOVED; open a new connection.
 *
 * @throws VALIDATION when `card` is not a VirtualPivCard.
 * @throws CARD_REMOVED when the card is not in the reader.
 * @example
 * ```ts
 * const connection = connectVirtualCard(new VirtualPivCard());
 * ```
 */
export function connectVirtualCard(card: VirtualPivCard): CardConnection {
  if (!(card instanceof VirtualPivCard)) {
    throw invalidArgument('connectVirtualCard input', 'card', 'a VirtualPivCard', card);
  }
  if (!card.present) throw new CardRemovedError('no card in the virtual reader');
  const generation = card.generation;
  let closed = false;
  return {
    atr: card.atr,
    transmit: async (apdu: Uint8Array) => {
      if (closed) throw new CardRemovedError('the connection is closed');
      if (card.generation !== generation || !card.present) throw new CardRemovedError();
      const answer = card.transmit(apdu);
      if (answer === undefined)
        throw new CardRemovedError('the card was removed during the command');
      return decodeResponseApdu(answer);
    },
    close: async () => {
      closed = true;
    },
  };
}
