import { hmacSha256Hex } from '../../crypto/hash.js';
import type { AuditEvent } from '../../domain/audit-event.js';
import { type IsoDate, type IsoDateTime, toIsoDateTime } from '../../domain/dates.js';
import { InvalidTransitionError } from '../../domain/errors.js';
import type { CardSerial, Smartcard } from '../../domain/smartcard.js';
import { dateIn } from '../../domain/time-zone.js';
import { lockCard } from '../../domain/transitions/card.js';
import type { UserProfile } from '../../domain/user.js';
import type { Uuid } from '../../domain/uuid.js';
import { CareIdError } from '../../errors/care-id-error.js';
import { ValidationError } from '../../errors/validation-error.js';
import type { CertificateAuthority, IssuedCertificate } from '../../pki/certificate-authority.js';
import type { RevocationReason } from '../../pki/revocation-reason.js';
import type { Decision } from '../../policy/engine.js';
import type { TargetInput } from '../../policy/input.js';
import { NotFoundError } from '../../storage/errors.js';
import type { StoreTx } from '../../storage/ports.js';
import type { CertificateRecord } from '../../storage/records.js';
import {
  type Attempt,
  outcomeOf,
  allowedEvent as pipelineAllowedEvent,
  reasonsOf,
} from '../activity.js';
import { allAssignmentsOf, organisationPath } from '../context.js';
import { type OpenCard, openCard } from './card-steps.js';
import type { CardReader } from './ports.js';
import type { SmartcardDependencies } from './types.js';
import { memoryUnlockCodes } from './unlock-codes.js';

/** CARD-03: a self-service code lasts 15 minutes. */
export const CODE_LIFETIME_MS = 15 * 60_000;
/** CARD-03: wrong codes allowed before the code is void. */
export const CODE_TRIES = 3;
/** CARD-03: digits of a self-service code. */
export const CODE_DIGITS = 6;
/** Later than any certificate's `notAfter`: lists every active certificate. */
export const END_OF_TIME = '9999-12-31T23:59:59.999Z' as IsoDateTime;

/** A card operation's attempt: its parsed command, when and by whom (see the activity pipeline). */
export type Begun<C> = Attempt<C>;

export { reasonsOf };

/**
 * The audit record of an allowed step of a card operation: by the actor, with the reasons
 * that allowed it; at `begun.at` unless the step happened later. The pipeline's
 * `allowedEvent`, positionally.
 *
 * @example
 * ```ts
 * await tx.audit.append(allowedEvent(begun, activity, serial, decision, { step: 'reserved' }));
 * ```
 */
export function allowedEvent(
  begun: Begun<unknown>,
  activity: string,
  target: string,
  decision: Decision,
  details: AuditEvent['details'],
  at: IsoDateTime = begun.at,
): AuditEvent {
  return pipelineAllowedEvent(begun, { activity, target, decision, details, at });
}

/**
 * AUD-02: what is kept of a one-time code: HMAC-SHA-256 (hex) of `<uuid>:<serial>:<code>`
 * under the server's key, so the stored value alone cannot be brute-forced (a 6-digit
 * code's unkeyed hash falls in seconds).
 *
 * @example
 * ```ts
 * const digest = codeDigest(key, uuid, serial, code);
 * ```
 */
export const codeDigest = (key: Uint8Array, uuid: string, serial: string, code: string) =>
  hmacSha256Hex(key, `${uuid}:${serial}:${code}`);

/**
 * The certificate an operation is finalising, still active: a `reconcile` that took the
 * operation for a crashed one may have revoked it meanwhile, and then the card must not be
 * recorded as holding it (the operation fails, is compensated, and can be run again).
 *
 * @throws NOT_FOUND when the store holds no such certificate; INVALID_TRANSITION (under
 *   `rule`) when it was revoked.
 * @example
 * ```ts
 * const cert = await activeCertificate(tx, issued.serialHex, 'CARD-01');
 * ```
 */
export async function activeCertificate(
  tx: StoreTx,
  serial: string,
  rule: string,
): Promise<CertificateRecord> {
  const cert = await tx.certificates.get(serial);
  if (cert === undefined) throw new NotFoundError('certificate', serial);
  if (cert.status !== 'active') {
    throw new InvalidTransitionError(
      rule,
      `Certificate ${serial} was revoked while the card was being written (a reconcile took the operation for a crashed one); run the operation again`,
    );
  }
  return cert;
}

/** The earliest `notAfter` of the active certificates, as a date in `timeZone` (the pack's). */
export function expiryOf(certificates: readonly CertificateRecord[], timeZone: string) {
  let earliest: string | undefined;
  for (const c of certificates) {
    if (c.status === 'active' && (earliest === undefined || c.notAfter < earliest))
      earliest = c.notAfter;
  }
  return earliest === undefined ? undefined : (dateIn(earliest, timeZone) as IsoDate);
}

/** The helpers every smartcard operation runs with: one per RA. */
export type SmartcardContext = ReturnType<typeof createSmartcardContext>;

/**
 * The shared steps of the smartcard operations over the RA's dependencies (parsing,
 * deciding and auditing outcomes are the activity pipeline's): load targets, revoke in a
 * transaction, open the card, compensate.
 *
 * @example
 * ```ts
 * const ctx = createSmartcardContext(deps);
 * ```
 */
export function createSmartcardContext(deps: SmartcardDependencies) {
  const { pipeline, keyVault } = deps;
  const { store, pack, clock, now, audit } = pipeline;
  const codes = deps.unlockCodes ?? memoryUnlockCodes();
  const codeKey = deps.unlockCodeKey;
  /** AUD-02: the keyed digest a pending code is kept as. */
  const digestOf = (uuid: string, serial: string, code: string) =>
    codeDigest(codeKey, uuid, serial, code);

  function requireCa(): CertificateAuthority {
    if (deps.certificateAuthority === undefined) {
      throw new ValidationError('registration authority options', [
        {
          field: 'certificateAuthority',
          message: 'card operations need a certificate authority (createCertificateAuthority)',
        },
      ]);
    }
    return deps.certificateAuthority;
  }

  async function userTarget(tx: StoreTx, user: UserProfile): Promise<TargetInput> {
    const first = (await allAssignmentsOf(tx, user.uuid))[0];
    return {
      ...(first ? { organisationPath: await organisationPath(tx, first.organisation) } : {}),
      user: {
        uuid: user.uuid,
        status: user.status,
        identityChecked: user.identityCheck !== undefined,
        hasNiNumber: user.niNumber !== undefined,
      },
    };
  }

  async function cardTarget(tx: StoreTx, card: Smartcard) {
    const expires = expiryOf(await tx.certificates.byCard(card.serial), pack.timeZone);
    return {
      serial: card.serial,
      status: card.status,
      ...(card.holder ? { holder: card.holder } : {}),
      ...(expires ? { certificatesExpireOn: expires } : {}),
      selfRenewalCount: card.selfRenewalCount,
    };
  }

  async function mustGetCard(tx: StoreTx, serial: CardSerial): Promise<Smartcard> {
    const card = await tx.smartcards.get(serial);
    if (card === undefined) throw new NotFoundError('smartcard', serial);
    return card;
  }

  async function mustGetUser(tx: StoreTx, uuid: Uuid): Promise<UserProfile> {
    const user = await tx.users.get(uuid);
    if (user === undefined) throw new NotFoundError('user', uuid);
    return user;
  }

  /** Revokes a card's active certificates in the transaction (the CA's records are the store's). */
  async function revokeActive(
    tx: StoreTx,
    serial: CardSerial,
    reason: RevocationReason,
    at: IsoDateTime,
    keep?: string,
  ): Promise<string[]> {
    const revoked: string[] = [];
    for (const c of await tx.certificates.byCard(serial)) {
      if (c.status !== 'active' || c.serial === keep) continue;
      await tx.certificates.update({ ...c, status: 'revoked', revocation: { reason, at } });
      revoked.push(c.serial);
    }
    return revoked;
  }

  /**
   * CARD-12: after a card operation failed on the PIN (wrong or blocked), reads the retry
   * counter (one APDU, no try spent); a blocked PIN makes an issued card's record locked
   * (the domain's `lockCard`), with its audit record, so the store says what the card is.
   */
  async function recordPinBlocked(
    begun: Begun<unknown>,
    activity: string,
    card: OpenCard,
    error: unknown,
  ): Promise<void> {
    const code = error instanceof CareIdError ? error.code : undefined;
    if (code !== 'CARD_BLOCKED' && code !== 'CARD_PIN_INCORRECT') return;
    const blocked = await card.piv.pinStatus().then(
      (status) => status.triesLeft === 0,
      () => false,
    );
    if (!blocked) return;
    await store
      .transaction(async (tx) => {
        const record = await tx.smartcards.get(card.serial);
        if (record?.status !== 'issued') return;
        const { state, events } = lockCard(record);
        await tx.smartcards.update(state);
        await tx.audit.append({
          at: now(),
          actor: begun.actor,
          activity: 'smartcard.lock',
          target: card.serial,
          outcome: 'allowed',
          reasons: [
            {
              rule: 'CARD-02',
              code: 'PIN_BLOCKED',
              message:
                'The card answered that its passcode is blocked; its record now says locked (CARD-12)',
            },
          ],
          details: { events: events.map((e) => e.type), during: activity },
        });
      })
      .catch(() => undefined);
  }

  async function withCard<T>(reader: CardReader, fn: (card: OpenCard) => Promise<T>): Promise<T> {
    const card = await openCard(reader);
    try {
      return await fn(card);
    } finally {
      await card.close().catch(() => undefined);
    }
  }

  /** A certificate that reached no card: revoked, never left active (ARCHITECTURE step 5). */
  async function revokeOrphan(issued: IssuedCertificate | undefined, notes: string[]) {
    if (issued === undefined) return;
    try {
      await requireCa().revoke(issued.serialHex, 'cessationOfOperation', clock());
      notes.push(`certificate ${issued.serialHex} revoked`);
    } catch (error) {
      if (error instanceof CareIdError && error.code === 'PKI_REVOKED') return;
      notes.push(`certificate ${issued.serialHex} could not be revoked (${codeOf(error)})`);
    }
  }

  const certificateOf = (issued: IssuedCertificate) => ({
    serial: issued.serialHex,
    notBefore: toIsoDateTime(issued.notBefore),
    notAfter: toIsoDateTime(issued.notAfter),
  });

  return {
    deps,
    pipeline,
    store,
    pack,
    clock,
    keyVault,
    codes,
    digestOf,
    now,
    requireCa,
    audit,
    userTarget,
    cardTarget,
    mustGetCard,
    mustGetUser,
    revokeActive,
    withCard,
    recordPinBlocked,
    revokeOrphan,
    certificateOf,
  };
}

/** An error's code for the audit log: careid's code, or UNEXPECTED. */
export function codeOf(error: unknown): string {
  return outcomeOf(error).code;
}

/** An error's message for the audit log; careid's messages never carry secrets (AUD-02). */
export function messageOf(error: unknown): string {
  return outcomeOf(error).message;
}
