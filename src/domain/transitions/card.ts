import { produce } from 'immer';
import type { IsoDateTime } from '../dates.js';
import { InvalidTransitionError } from '../errors.js';
import type { Transition } from '../events.js';
import type { CancelReason, Smartcard } from '../smartcard.js';
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
 * CARD-01: whether a card may be issued to `holder`: blank stock, or a card reserved for
 * (or left flagged by a failed issue to) the same holder, or to nobody yet.
 *
 * @throws INVALID_TRANSITION when the card is neither.
 * @example
 * ```ts
 * assertIssuable(card, holder) // before the card is touched
 * ```
 */
export function assertIssuable(card: Smartcard, holder: Uuid): void {
  assertNotCancelled(card, 'issued');
  const reservedForHolder =
    card.status === 'needs-repair' && (card.holder === undefined || card.holder === holder);
  if (card.status !== 'stock' && !reservedForHolder) {
    throw new InvalidTransitionError(
      'CARD-01',
      `Card ${card.serial} is ${card.status}, not blank stock`,
    );
  }
}

/** What a card is reserved for while careid writes to it, and when (see {@link reserveCard}). */
export type CardReservation = (
  | { readonly operation: 'issue'; readonly holder: Uuid }
  | { readonly operation: 'repair'; readonly holder: Uuid }
  | { readonly operation: 'renewal' }
  | { readonly operation: 'clearing' }
) & {
  /** When the reservation is made: a reservation older than any write is a crashed one. */
  readonly at: IsoDateTime;
};

/**
 * CARD-01/05/08/09: the card is reserved before careid writes to it (issue, repair,
 * renewal, clearing): it is `needs-repair` with its (future) holder and the reservation
 * (operation and time) until the write is finalised, so a crash mid-write leaves it
 * flagged for an RA, never looking issued, and tells `reconcile` what was under way.
 * Finalise with {@link issueCard}, {@link repairCard}, {@link renewCard} (`reserved: true`)
 * or {@link clearCard}; give it back untouched with {@link releaseCard}.
 *
 * @throws INVALID_TRANSITION when the card is cancelled; for an issue, when it is not
 * issuable to the holder (CARD-01); for a repair, when the holder is not the card's
 * (CARD-08); for a renewal, when it is in stock (CARD-05).
 * @example
 * ```ts
 * reserveCard(card, { operation: 'issue', holder, at })
 * ```
 */
export function reserveCard(card: Smartcard, reservation: CardReservation): Transition<Smartcard> {
  assertNotCancelled(card, reservation.operation === 'issue' ? 'issued' : 'written to');
  if (reservation.operation === 'issue') assertIssuable(card, reservation.holder);
  if (reservation.operation === 'repair' && card.holder !== reservation.holder) {
    throw new InvalidTransitionError(
      'CARD-08',
      `Card ${card.serial} is not held by ${reservation.holder}; repair keeps the holder`,
    );
  }
  if (reservation.operation === 'renewal' && card.status === 'stock') {
    throw new InvalidTransitionError('CARD-05', `Card ${card.serial} is blank stock`);
  }
  const holder =
    reservation.operation === 'issue' || reservation.operation === 'repair'
      ? reservation.holder
      : card.holder;
  const state = produce(card, (draft) => {
    draft.status = 'needs-repair';
    if (holder !== undefined) draft.holder = holder;
    draft.reservation = { operation: reservation.operation, at: reservation.at };
  });
  return {
    state,
    events: [
      {
        type: 'card.reserved',
        serial: card.serial,
        operation: reservation.operation,
        ...(holder !== undefined ? { holder } : {}),
      },
    ],
  };
}

/**
 * A reservation given back because nothing was written to the card (a renewal stopped
 * before the card's key changed): the card returns to the state it had.
 *
 * @throws INVALID_TRANSITION when the card is not reserved (`needs-repair`), or `status` is
 * not a state a written card can have been in.
 * @example
 * ```ts
 * releaseCard(reserved, 'issued')
 * ```
 */
export function releaseCard(
  card: Smartcard,
  status: 'issued' | 'locked' | 'needs-repair',
): Transition<Smartcard> {
  if (card.status !== 'needs-repair') {
    throw new InvalidTransitionError(
      'CARD-05',
      `Card ${card.serial} is ${card.status}, not reserved`,
    );
  }
  const state = produce(card, (draft) => {
    draft.status = status;
    delete draft.reservation;
  });
  return { state, events: [{ type: 'card.released', serial: card.serial, status }] };
}

/**
 * CARD-01: a blank card from stock, or one reserved for the holder ({@link reserveCard}),
 * is issued to its holder; a replacement is issued locked (CARD-10) for the holder to
 * unlock in person. Its certificate is the CA's record, linked to the card by the caller.
 *
 * @throws INVALID_TRANSITION when the card is not blank stock nor reserved for the holder.
 * @example
 * ```ts
 * issueCard(card, { holder, at, locked: false })
 * ```
 */
export function issueCard(
  card: Smartcard,
  input: {
    readonly holder: Uuid;
    readonly at: IsoDateTime;
    readonly locked?: boolean;
    readonly replaces?: Smartcard['serial'];
  },
): Transition<Smartcard> {
  assertIssuable(card, input.holder);
  const locked = input.locked ?? false;
  const state = produce(card, (draft) => {
    draft.status = locked ? 'locked' : 'issued';
    draft.holder = input.holder;
    draft.renewalCount = 0;
    draft.selfRenewalCount = 0;
    draft.issuedAt = input.at;
    if (input.replaces) draft.replaces = input.replaces;
    delete draft.reservation;
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
 * CARD-05/06: a new certificate replaces the active ones, which the caller supersedes in
 * the certificates repository and names here for the event; the renewal counts go up
 * (self-renewals separately, CARD-05). A card reserved for the renewal ({@link reserveCard},
 * `reserved: true`) comes back issued: its holder's passcode was verified to renew it.
 *
 * @throws INVALID_TRANSITION when the card is cancelled, in stock, or needs repair (unless
 * reserved for this renewal); when `reserved` is set and the card is not reserved.
 * @example
 * ```ts
 * renewCard(card, { self: true, supersededCertificates: ['0a1b'] })
 * ```
 */
export function renewCard(
  card: Smartcard,
  input: {
    readonly self: boolean;
    readonly supersededCertificates: readonly string[];
    /** The card was reserved for this renewal with {@link reserveCard}. */
    readonly reserved?: boolean;
  },
): Transition<Smartcard> {
  assertNotCancelled(card, 'renewed');
  const renewable = input.reserved
    ? card.status === 'needs-repair'
    : card.status === 'issued' || card.status === 'locked';
  if (!renewable) {
    throw new InvalidTransitionError(
      'CARD-05',
      input.reserved
        ? `Card ${card.serial} is ${card.status}, not reserved for its renewal`
        : `Card ${card.serial} is ${card.status}; only an issued card renews`,
    );
  }
  const state = produce(card, (draft) => {
    if (input.reserved) draft.status = 'issued';
    delete draft.reservation;
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
        supersededCertificates: [...input.supersededCertificates],
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
 * CARD-08: the card's identity and certificate were rewritten (the certificates are the
 * CA's records); the owner is unchanged.
 *
 * @throws INVALID_TRANSITION when the card is cancelled or has no holder.
 * @example
 * ```ts
 * repairCard(card)
 * ```
 */
export function repairCard(card: Smartcard): Transition<Smartcard> {
  assertNotCancelled(card, 'repaired');
  if (card.holder === undefined) {
    throw new InvalidTransitionError(
      'CARD-08',
      `Card ${card.serial} has no holder; issue it instead`,
    );
  }
  const state = produce(card, (draft) => {
    draft.status = 'issued';
    delete draft.reservation;
  });
  return { state, events: [{ type: 'card.repaired', serial: card.serial }] };
}

/**
 * CARD-09: the card was wiped and returns to stock; the caller revokes its certificates in
 * the certificates repository and names them here for the event.
 *
 * @throws INVALID_TRANSITION when the card is cancelled.
 * @example
 * ```ts
 * clearCard(card, { revokedCertificates: ['0a1b'] })
 * ```
 */
export function clearCard(
  card: Smartcard,
  input: { readonly revokedCertificates: readonly string[] },
): Transition<Smartcard> {
  assertNotCancelled(card, 'cleared for reuse');
  const state = produce(card, (draft) => {
    draft.status = 'stock';
    delete draft.holder;
    delete draft.issuedAt;
    delete draft.replaces;
    delete draft.reservation;
    draft.renewalCount = 0;
    draft.selfRenewalCount = 0;
  });
  return {
    state,
    events: [
      {
        type: 'card.cleared',
        serial: card.serial,
        revokedCertificates: [...input.revokedCertificates],
      },
    ],
  };
}

/**
 * CARD-10: cancels a card with a reason. A cancelled card never becomes active again; the
 * caller revokes (or, replaced, supersedes) its active certificates in the certificates
 * repository and names them here for the event.
 *
 * @throws INVALID_TRANSITION when the card is already cancelled or blank stock.
 * @example
 * ```ts
 * cancelCard(card, { by, at, reason: 'lost', revokedCertificates: ['0a1b'] })
 * ```
 */
export function cancelCard(
  card: Smartcard,
  input: {
    readonly by: Uuid;
    readonly at: IsoDateTime;
    readonly reason: CancelReason;
    readonly revokedCertificates: readonly string[];
  },
): Transition<Smartcard> {
  assertNotCancelled(card, 'cancelled again');
  if (card.status === 'stock') {
    throw new InvalidTransitionError(
      'CARD-10',
      `Card ${card.serial} is blank stock; nothing to cancel`,
    );
  }
  const state = produce(card, (draft) => {
    draft.status = 'cancelled';
    draft.cancelled = { at: input.at, by: input.by, reason: input.reason };
    delete draft.reservation;
  });
  return {
    state,
    events: [
      {
        type: 'card.cancelled',
        serial: card.serial,
        reason: input.reason,
        revokedCertificates: [...input.revokedCertificates],
      },
    ],
  };
}
