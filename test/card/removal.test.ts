import { describe, expect, it } from 'vitest';
import {
  CardRemovedError,
  connectVirtualCard,
  PivSession,
  VirtualPivCard,
} from '../../src/card/index.js';
import { OPERATIONS } from './operations.js';

describe('a card removed at every step of every operation (in process)', () => {
  for (const [name, operation] of OPERATIONS) {
    it(`${name}: CARD_REMOVED at each APDU, then the card can be reopened`, async () => {
      // How many APDUs the operation takes after SELECT.
      const probe = await PivSession.open(connectVirtualCard(new VirtualPivCard()));
      const start = probe.apduCount;
      await operation(probe);
      const steps = probe.apduCount - start;
      expect(steps).toBeGreaterThan(0);
      for (let step = 0; step < steps; step += 1) {
        const card = new VirtualPivCard();
        const connection = connectVirtualCard(card);
        const piv = await PivSession.open(connection);
        card.pullAfter(step);
        const error = await operation(piv).then(
          () => undefined,
          (e: unknown) => e,
        );
        expect(error, `step ${step}`).toBeInstanceOf(CardRemovedError);
        expect(card.present).toBe(false);
        // The old connection stays dead, like a PC/SC handle after removal.
        card.insert();
        await expect(connection.transmit(Uint8Array.of(0, 0xa4, 4, 0))).rejects.toBeInstanceOf(
          CardRemovedError,
        );
        const again = await PivSession.open(connectVirtualCard(card));
        await expect(again.pinStatus()).resolves.toMatchObject({ verified: false });
        await operation(again);
      }
    });
  }
});
