import { checkName } from '../errors/guards.js';

/**
 * CRLReason codes (RFC 5280 §5.3.1); 7 is not used. careid writes the code on every CRL
 * entry except `unspecified`, which §5.3.1 says to leave out.
 */
export const RevocationReasonCode = {
  /** No reason given; written without a reasonCode. */
  unspecified: 0,
  /** The private key may be known to others (CARD-10: lost, stolen). */
  keyCompromise: 1,
  /** The CA key may be known to others. */
  cACompromise: 2,
  /** The holder changed organisation. */
  affiliationChanged: 3,
  /** Replaced by a new certificate (CARD-10: replaced, renewal). */
  superseded: 4,
  /** No longer needed (CARD-10: damaged, returned). */
  cessationOfOperation: 5,
  /** Suspended (not used by careid). */
  certificateHold: 6,
  /** Delta-CRL removal (not used by careid). */
  removeFromCRL: 8,
  /** A privilege was withdrawn. */
  privilegeWithdrawn: 9,
  /** The attribute authority may be compromised. */
  aACompromise: 10,
} as const;

/** A revocation reason by its RFC 5280 name. */
export type RevocationReason = keyof typeof RevocationReasonCode;

/** Every reason name, for zod enums. */
export const REVOCATION_REASONS = Object.keys(RevocationReasonCode) as [
  RevocationReason,
  ...RevocationReason[],
];

const BY_CODE: ReadonlyMap<number, RevocationReason> = new Map(
  Object.entries(RevocationReasonCode).map(([k, v]) => [v, k as RevocationReason]),
);

/**
 * The reason name for a numeric CRLReason, or undefined for a code RFC 5280 does not define.
 *
 * @example
 * ```ts
 * revocationReasonFromCode(1); // 'keyCompromise'
 * ```
 */
export function revocationReasonFromCode(code: number): RevocationReason | undefined {
  return BY_CODE.get(code);
}

/** Why a card is cancelled (CARD-10). */
export type CardCancelReason = 'lost' | 'stolen' | 'damaged' | 'returned' | 'replaced';

const CARD_CANCEL: Readonly<Record<CardCancelReason, RevocationReason>> = {
  lost: 'keyCompromise',
  stolen: 'keyCompromise',
  damaged: 'cessationOfOperation',
  returned: 'cessationOfOperation',
  replaced: 'superseded',
};

/**
 * CARD-10: the revocation reason for a card cancelled as lost or stolen (keyCompromise),
 * damaged or returned (cessationOfOperation), or replaced (superseded).
 *
 * @throws VALIDATION when `reason` is not lost, stolen, damaged, returned or replaced.
 * @example
 * ```ts
 * await ca.revoke(serial, revocationReasonForCard('lost'), now); // keyCompromise
 * ```
 */
export function revocationReasonForCard(reason: CardCancelReason): RevocationReason {
  checkName(reason, CARD_CANCEL, 'revocationReasonForCard input', 'reason');
  return CARD_CANCEL[reason];
}
