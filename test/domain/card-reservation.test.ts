import { describe, expect, it } from 'vitest';
import {
  isoDateTimeSchema,
  issueCard,
  releaseCard,
  removeAuthenticator,
  renewCard,
  repairCard,
  reserveCard,
} from '../../src/domain/index.js';
import { AGENT, AT, authenticator, card } from './fixtures.js';

const at = isoDateTimeSchema.parse(AT);
const holder = '100000000001' as never;
const other = '100000000002' as never;
const stock = () => card({ status: 'stock', holder: undefined });

describe('the domain owns card writes: reservation, release and finalisation', () => {
  it('CARD-01 a blank card is reserved for its holder (needs-repair until finalised), then issued from the reservation', () => {
    const reserved = reserveCard(stock(), { operation: 'issue', holder, at });
    expect(reserved.state).toMatchObject({ status: 'needs-repair', holder });
    expect(reserved.events[0]).toMatchObject({ type: 'card.reserved', operation: 'issue', holder });
    const issued = issueCard(reserved.state, { holder, at });
    expect(issued.state).toMatchObject({ status: 'issued', holder, issuedAt: at });
    expect(() => issueCard(reserved.state, { holder: other, at })).toThrow(
      expect.objectContaining({ code: 'INVALID_TRANSITION', rule: 'CARD-01' }),
    );
  });

  it('CARD-01 only stock, or a card flagged by a failed issue to the same holder, is reserved for an issue', () => {
    const flagged = card({ status: 'needs-repair', holder });
    expect(reserveCard(flagged, { operation: 'issue', holder, at }).state.status).toBe(
      'needs-repair',
    );
    for (const refused of [
      () => reserveCard(card(), { operation: 'issue', holder, at }),
      () => reserveCard(flagged, { operation: 'issue', holder: other, at }),
    ]) {
      expect(refused).toThrow(expect.objectContaining({ rule: 'CARD-01' }));
    }
    const cancelled = card({ status: 'cancelled' });
    expect(() => reserveCard(cancelled, { operation: 'issue', holder, at })).toThrow(
      expect.objectContaining({ rule: 'CARD-10' }),
    );
  });

  it('CARD-08 a repair is reserved for the card`s own holder and finalised as a repair: issue date and counts kept', () => {
    const held = card({ renewalCount: 2, issuedAt: at });
    expect(() => reserveCard(held, { operation: 'repair', holder: other, at })).toThrow(
      expect.objectContaining({ rule: 'CARD-08' }),
    );
    const reserved = reserveCard(held, { operation: 'repair', holder, at }).state;
    const repaired = repairCard(reserved);
    expect(repaired.state).toMatchObject({ status: 'issued', renewalCount: 2, issuedAt: at });
    expect(repaired.events[0]).toMatchObject({ type: 'card.repaired' });
  });

  it('CARD-05 a renewal is reserved, then renewed from the reservation (issued again); without the reservation a needs-repair card does not renew', () => {
    expect(() => reserveCard(stock(), { operation: 'renewal', at })).toThrow(
      expect.objectContaining({ rule: 'CARD-05' }),
    );
    const reserved = reserveCard(card({ status: 'locked' }), { operation: 'renewal', at }).state;
    expect(reserved).toMatchObject({ status: 'needs-repair', holder });
    expect(() => renewCard(reserved, { self: false, supersededCertificates: [] })).toThrow(
      expect.objectContaining({ rule: 'CARD-05' }),
    );
    const renewed = renewCard(reserved, {
      self: true,
      supersededCertificates: ['a1'],
      reserved: true,
    });
    expect(renewed.state).toMatchObject({ status: 'issued', renewalCount: 1, selfRenewalCount: 1 });
    expect(() =>
      renewCard(card(), { self: false, supersededCertificates: [], reserved: true }),
    ).toThrow(/not reserved/);
  });

  it('CARD-05 a reservation nothing was written under is released to the state the card had', () => {
    const reserved = reserveCard(card(), { operation: 'renewal', at }).state;
    const released = releaseCard(reserved, 'issued');
    expect(released.state.status).toBe('issued');
    expect(released.events[0]).toMatchObject({ type: 'card.released', status: 'issued' });
    expect(() => releaseCard(card(), 'issued')).toThrow(/not reserved/);
  });

  it('AUTH-02 removing an authenticator keeps it on record, marked; removing it again is refused', () => {
    const { state, events } = removeAuthenticator(authenticator(), { by: AGENT as never, at });
    expect(state.removed).toEqual({ at, by: AGENT });
    expect(events).toEqual([{ type: 'authenticator.removed', id: 'auth_1' }]);
    expect(() => removeAuthenticator(state, { by: AGENT as never, at })).toThrow(
      expect.objectContaining({ code: 'INVALID_TRANSITION', rule: 'AUTH-02' }),
    );
  });
});
