import { newChallenge } from '../../authn/ceremonies.js';
import { WebAuthnError } from '../../authn/errors.js';
import type { RelyingParty } from '../../authn/relying-party.js';
import { addMinutes, type IsoDateTime, type WebAuthnChallenge } from '../../domain/index.js';
import type { StoreTx } from '../../storage/ports.js';

/** Spent and expired challenges stay this long past their expiry, so a late replay is named as one. */
const KEEP_MINUTES = 60;

/**
 * Issues a challenge: clears the long-expired ones, stores a fresh one with its expiry.
 *
 * @example
 * ```ts
 * const challenge = await issueChallenge(tx, rp, at, { ceremony: 'authentication' });
 * ```
 */
export async function issueChallenge<
  C extends Omit<WebAuthnChallenge, 'challenge' | 'createdAt' | 'expiresAt' | 'usedAt'>,
>(tx: StoreTx, rp: RelyingParty, at: IsoDateTime, fields: C): Promise<WebAuthnChallenge> {
  await tx.webAuthnChallenges.purgeExpired(addMinutes(at, -KEEP_MINUTES));
  return tx.webAuthnChallenges.insert({
    ...fields,
    challenge: newChallenge(),
    createdAt: at,
    expiresAt: addMinutes(at, rp.challengeTtlSeconds / 60),
  } as WebAuthnChallenge);
}

/**
 * The stored challenge a response answers, refused unless it is this ceremony's, unspent
 * and in time; `belongs` says whether it is the asker's (a registration's actor).
 *
 * @throws WEBAUTHN_CHALLENGE_UNKNOWN, WEBAUTHN_CHALLENGE_USED, WEBAUTHN_CHALLENGE_EXPIRED.
 * @example
 * ```ts
 * const record = await openChallenge(tx, data.challenge, 'registration', at, (c) => c.actor === actor);
 * ```
 */
export async function openChallenge<K extends WebAuthnChallenge['ceremony']>(
  tx: StoreTx,
  challenge: string,
  ceremony: K,
  at: IsoDateTime,
  belongs: (record: Extract<WebAuthnChallenge, { ceremony: K }>) => boolean = () => true,
): Promise<Extract<WebAuthnChallenge, { ceremony: K }>> {
  const wellFormed = /^[A-Za-z0-9_-]{22,86}$/.test(challenge);
  const record = wellFormed ? await tx.webAuthnChallenges.get(challenge) : undefined;
  if (record === undefined || record.ceremony !== ceremony || !belongs(record as never)) {
    throw new WebAuthnError(
      'WEBAUTHN_CHALLENGE_UNKNOWN',
      `The response answers no ${ceremony} challenge this RA gave you: ask for new options and answer those`,
      { check: 'challenge' },
    );
  }
  if (record.usedAt !== undefined) {
    throw new WebAuthnError(
      'WEBAUTHN_CHALLENGE_USED',
      `This ${ceremony} challenge was already answered at ${record.usedAt}: a response is accepted once; ask for new options`,
      { check: 'challenge' },
    );
  }
  if (record.expiresAt <= at) {
    throw new WebAuthnError(
      'WEBAUTHN_CHALLENGE_EXPIRED',
      `This ${ceremony} challenge expired at ${record.expiresAt}: ask for new options and answer within the time allowed`,
      { check: 'challenge' },
    );
  }
  return record as Extract<WebAuthnChallenge, { ceremony: K }>;
}

/**
 * Spends the challenge in the transaction that stores the outcome: of two responses
 * verified at once, the second finds it spent.
 *
 * @throws WEBAUTHN_CHALLENGE_USED when another transaction spent it first.
 * @example
 * ```ts
 * await spendChallenge(tx, record.challenge, at);
 * ```
 */
export async function spendChallenge(tx: StoreTx, challenge: string, at: IsoDateTime) {
  if (!(await tx.webAuthnChallenges.consume(challenge, at))) {
    throw new WebAuthnError(
      'WEBAUTHN_CHALLENGE_USED',
      'This challenge was answered by another response just now: a response is accepted once',
      { check: 'challenge' },
    );
  }
}

/**
 * The relying-party settings, or the refusal of an RA created without them.
 *
 * @throws WEBAUTHN_NOT_CONFIGURED when the RA has no `webauthn` settings.
 * @example
 * ```ts
 * const rp = relyingPartyOf(settings);
 * ```
 */
export function relyingPartyOf(rp: RelyingParty | undefined): RelyingParty {
  if (rp === undefined) {
    throw new WebAuthnError(
      'WEBAUTHN_NOT_CONFIGURED',
      'WebAuthn is not set up on this RA: create it with webauthn: { rpId, rpName, origins }',
    );
  }
  return rp;
}
