import { produce } from 'immer';
import type { IsoDateTime } from '../dates.js';
import { InvalidTransitionError } from '../errors.js';
import type { Transition } from '../events.js';
import type { CancelReason, CardCertificate, Smartcard } from '../smartcard.js';
import type { Uuid } from '../uuid.js';

function assertNotCancelled(card: Smartcard, what: string): void {
  if (card.status === 'cancelled') {
    throw new InvalidTransitionError(
      'CARD-10',
      `Card ${card.serial} was cancelled and can never be ${what}; issue a new card`,
    );
  }
}

/**
 * CARD-01: a blank card from stock is issued to its holder with its certificates;
 * a replacement is issued locked (CARD-10) for the holder to unlock in person.
 *
 * @throws INVALID_TRANSITION when the card is not blank stock.
 * @example
 * ```ts
 * issueCard(card, { holder, certificates, at, locked: false })
 * ```
 */
export function issueCard(
  card: Smartcard,
  input: {
    readonly holder: Uuid;
    readonly certificates: readonly CardCertificate[];
    readonly at: IsoDateTime;
    readonly locked?: boolean;
    readonly replaces?: Smartcard['serial'];
  },
): Transition<Smartcard> {
  assertNotCancelled(card, 'issued');
  if (card.status !== 'stock') {
    throw new InvalidTransitionError(
      'CARD-01',
      `Card ${card.serial} is ${card.status}, not blank stock`,
    );
  }
  const locked = input.locked ?? false;
  const state = produce(card, (draft) => {
    draft.status = locked ? 'locked' : 'issued';
    draft.holder = input.holder;
    draft.certificates = [...input.certificates];
    draft.renewalCount = 0;
    draft.selfRenewalCount = 0;
    draft.issuedAt = input.at;
    if (input.replaces) draft.replaces = input.replaces;
  });
  return {
    state,
    events: [{ type: 'card.issued', serial: card.serial, holder: input.holder, locked }],
  };
}

/**
 * CARD-02: records that the card locked itself after three wrong passcodes.
 *
 * @throws INVALID_TRANSITION when the card is not issued.
 * @example
 * ```ts
 * lockCard(card)
 * ```
 */
export function lockCard(card: Smartcard): Transition<Smartcard> {
  if (card.status !== 'issued') {
    throw new InvalidTransitionError(
      'CARD-02',
      `Card ${card.serial} is ${card.status}, not issued`,
    );
  }
  const state = produce(card, (draft) => {
    draft.status = 'locked';
  });
  return { state, events: [{ type: 'card.locked', serial: card.serial }] };
}

/**
 * CARD-03: the card was unlocked with a new passcode the user typed.
 *
 * @throws INVALID_TRANSITION when the card is cancelled or in stock.
 * @example
 * ```ts
 * unlockCard(card)
 * ```
 */
export function unlockCard(card: Smartcard): Transition<Smartcard> {
  assertNotCancelled(card, 'unlocked');
  if (card.status !== 'locked' && card.status !== 'issued') {
    throw new InvalidTransitionError(
      'CARD-03',
      `Card ${card.serial} is ${card.status}; only an issued card unlocks`,
    );
  }
  const state = produce(card, (draft) => {
    draft.status = 'issued';
  });
  return { state, events: [{ type: 'card.unlocked', serial: card.serial }] };
}

/**
 * CARD-05/06: new certificates replace the active ones, which become superseded; the
 * renewal counts go up (self-renewals separately, CARD-05).
 *
 * @throws INVALID_TRANSITION when the card is cancelled, in stock, or needs repair.
 * @example
 * ```ts
 * renewCard(card, { certificate, self: true })
 * ```
 */
export function renewCard(
  card: Smartcard,
  input: { readonly certificate: CardCertificate; readonly self: boolean },
): Transition<Smartcard> {
  assertNotCancelled(card, 'renewed');
  if (card.status !== 'issued' && card.status !== 'locked') {
    throw new InvalidTransitionError(
      'CARD-05',
      `Card ${card.serial} is ${card.status}; only an issued card renews`,
    );
  }
  const superseded: string[] = [];
  const state = produce(card, (draft) => {
    for (const cert of draft.certificates) {
      if (cert.status === 'active') {
        cert.status = 'superseded';
        superseded.push(cert.serial);
      }
    }
    draft.certificates.push(input.certificate);
    draft.renewalCount += 1;
    if (input.self) draft.selfRenewalCount += 1;
  });
  return {
    state,
    events: [
      {
        type: 'card.renewed',
        serial: card.serial,
        self: input.self,
        supersededCertificates: superseded,
      },
    ],
  };
}

/**
 * Marks a card whose contents and records disagree, for an RA to repair or clear.
 *
 * @throws INVALID_TRANSITION when the card is cancelled.
 * @example
 * ```ts
 * flagForRepair(card, 'certificate write failed')
 * ```
 */
export function flagForRepair(card: Smartcard, why: string): Transition<Smartcard> {
  assertNotCancelled(card, 'repaired');
  const state = produce(card, (draft) => {
    draft.status = 'needs-repair';
  });
  return { state, events: [{ type: 'card.flagged-for-repair', serial: card.serial, why }] };
}

/**
 * CARD-08: the card's identity and certificates were rewritten; the owner is unchanged.
 *
 * @throws INVALID_TRANSITION when the card is cancelled or has no holder.
 * @example
 * ```ts
 * repairCard(card, { certificates })
 * ```
 */
export function repairCard(
  card: Smartcard,
  input: { readonly certificates: readonly CardCertificate[] },
): Transition<Smartcard> {
  assertNotCancelled(card, 'repaired');
  if (card.holder === undefined) {
    throw new InvalidTransitionError(
      'CARD-08',
      `Card ${card.serial} has no holder; issue it instead`,
    );
  }
  const state = produce(card, (draft) => {
    draft.status = 'issued';
    draft.certificates = [...input.certificates];
  });
  return { state, events: [{ type: 'card.repaired', serial: card.serial }] };
}

/**
 * CARD-09: the card was wiped; its certificates are revoked and it returns to stock.
 *
 * @throws INVALID_TRANSITION when the card is cancelled.
 * @example
 * ```ts
 * clearCard(card)
 * ```
 */
export function clearCard(card: Smartcard): Transition<Smartcard> {
  assertNotCancelled(card, 'cleared for reuse');
  const revoked = card.certificates.filter((c) => c.status === 'active').map((c) => c.serial);
  const state = produce(card, (draft) => {
    draft.status = 'stock';
    delete draft.holder;
    delete draft.issuedAt;
    delete draft.replaces;
    draft.certificates = [];
    draft.renewalCount = 0;
    draft.selfRenewalCount = 0;
  });
  return {
    state,
    events: [{ type: 'card.cleared', serial: card.serial, revokedCertificates: revoked }],
  };
}

/**
 * CARD-10: cancels a card with a reason and revokes its active certificates. A cancelled
 * card never becomes active again.
 *
 * @throws INVALID_TRANSITION when the card is already cancelled or blank stock.
 * @example
 * ```ts
 * cancelCard(card, { by, at, reason: 'lost' })
 * ```
 */
export function cancelCard(
  card: Smartcard,
  input: { readonly by: Uuid; readonly at: IsoDateTime; readonly reason: CancelReason },
): Transition<Smartcard> {
  assertNotCancelled(card, 'cancelled again');
  if (card.status === 'stock') {
    throw new InvalidTransitionError(
      'CARD-10',
      `Card ${card.serial} is blank stock; nothing to cancel`,
    );
  }
  const revoked: string[] = [];
  const state = produce(card, (draft) => {
    draft.status = 'cancelled';
    draft.cancelled = { at: input.at, by: input.by, reason: input.reason };
    for (const cert of draft.certificates) {
      if (cert.status === 'active') {
        cert.status = input.reason === 'replaced' ? 'superseded' : 'revoked';
        revoked.push(cert.serial);
      }
    }
  });
  return {
    state,
    events: [
      {
        type: 'card.cancelled',
        serial: card.serial,
        reason: input.reason,
        revokedCertificates: revoked,
      },
    ],
  };
}
