import { createHash, randomInt, timingSafeEqual } from 'node:crypto';
import { produce } from 'immer';
import type { z } from 'zod';
import type { AuditEvent } from '../../domain/audit-event.js';
import { type IsoDateTime, toIsoDateTime } from '../../domain/dates.js';
import { InvalidTransitionError } from '../../domain/errors.js';
import { passcodeProblem } from '../../domain/passcode.js';
import type { CardSerial, Smartcard } from '../../domain/smartcard.js';
import {
  cancelCard,
  clearCard,
  flagForRepair,
  issueCard,
  renewCard,
  unlockCard,
} from '../../domain/transitions/card.js';
import type { UserProfile } from '../../domain/user.js';
import type { Uuid } from '../../domain/uuid.js';
import { uuidSchema } from '../../domain/uuid.js';
import { CareIdError } from '../../errors/care-id-error.js';
import { ValidationError } from '../../errors/validation-error.js';
import type { CertificateAuthority, IssuedCertificate } from '../../pki/certificate-authority.js';
import { createCsr } from '../../pki/csr.js';
import { type RevocationReason, revocationReasonForCard } from '../../pki/revocation-reason.js';
import { decide } from '../../policy/decide.js';
import type { Decision } from '../../policy/engine.js';
import type { FactsInput, TargetInput } from '../../policy/input.js';
import type { ActivityId } from '../../policy/matrix.js';
import type { RulePack } from '../../policy/packs/schema.js';
import { PolicyDeniedError } from '../../policy/policy-denied-error.js';
import { NotFoundError } from '../../storage/errors.js';
import type { Store, StoreTx } from '../../storage/ports.js';
import type { CertificateRecord } from '../../storage/records.js';
import { allAssignmentsOf, loadActor, organisationPath } from '../context.js';
import {
  AUTH_SLOT,
  CARD_KEY,
  certificateHolder,
  freshSecrets,
  type OpenCard,
  openCard,
  personaliseCard,
  tryWipe,
} from './card-steps.js';
import {
  cancelCardCommandSchema,
  clearCardCommandSchema,
  issueCardCommandSchema,
  reconcileCardsCommandSchema,
  renewCardCommandSchema,
  repairCardCommandSchema,
  replaceCardCommandSchema,
  selfUnlockConfirmCommandSchema,
  selfUnlockRequestCommandSchema,
  stockCardCommandSchema,
  unlockCardCommandSchema,
} from './commands.js';
import type { CardReader, KeyVault, Notifier, UnlockCodeStore } from './ports.js';
import { memoryUnlockCodes } from './unlock-codes.js';

/** CARD-03: a self-service code lasts 15 minutes. */
const CODE_LIFETIME_MS = 15 * 60_000;
/** CARD-03: wrong codes allowed before the code is void. */
const CODE_TRIES = 3;
const CODE_DIGITS = 6;
/** Later than any certificate's `notAfter`: lists every active certificate. */
const END_OF_TIME = '9999-12-31T23:59:59.999Z' as IsoDateTime;

/** What a smartcard operation returns: the card record as stored and the decision that allowed it. */
export interface SmartcardResult {
  readonly type: string;
  /** The card record as stored afterwards. */
  readonly card: Smartcard;
  /** The decision that allowed it (rule IDs and reasons). */
  readonly decision: Decision;
  /** The certificate the card now holds, when the operation issued one. */
  readonly certificate?: {
    readonly serial: string;
    readonly notBefore: IsoDateTime;
    readonly notAfter: IsoDateTime;
  };
  /** Certificates revoked by the operation, by serial. */
  readonly revoked: readonly string[];
  /** APDUs sent to the card (0 when no card was involved). */
  readonly apdus: number;
}

/** What a self-service unlock request returns: where the code went and until when it works. */
export interface SelfUnlockRequested {
  readonly type: 'smartcard.self-unlock.request';
  readonly channel: 'email' | 'mobile';
  readonly expiresAt: IsoDateTime;
  readonly decision: Decision;
}

/** What a reconciliation did: the certificates on no card it revoked. */
export interface ReconcileResult {
  readonly type: 'smartcard.reconcile';
  /** Certificates revoked because no card holds them, by serial. */
  readonly revoked: readonly string[];
  readonly decision: Decision;
}

/** Options of one card operation call. */
export interface CardCallOptions {
  /** Called before each slow step (key generation, signing) with a sentence for a person. */
  readonly progress?: (step: string) => void;
}

/**
 * The smartcard operations of the RA (CARD-01..CARD-11): each reads the card in the reader
 * handed in, decides, reserves its record, runs the card and CA steps outside any store
 * transaction, then finalises the record with its audit record. A failed step is
 * compensated (a certificate on no card revoked, a card with no record wiped or flagged
 * for repair), audited, and thrown as the step's typed error.
 */
export interface SmartcardOperations {
  /**
   * Takes the blank card in the reader into stock.
   * @throws POLICY_DENIED, DUPLICATE (already in stock), CARD_*.
   */
  stock(
    actor: string,
    input: z.input<typeof stockCardCommandSchema>,
    reader: CardReader,
  ): Promise<SmartcardResult>;
  /**
   * CARD-01/02/11: issues the blank card in the reader to a present user who sets their passcode.
   * @throws VALIDATION, POLICY_DENIED, NOT_FOUND, INVALID_TRANSITION, CARD_*, PKI_*, STORE_UNAVAILABLE, CONFLICT.
   */
  issue(
    actor: string,
    input: z.input<typeof issueCardCommandSchema>,
    reader: CardReader,
    options?: CardCallOptions,
  ): Promise<SmartcardResult>;
  /**
   * CARD-03: RA unlock with the user present typing a new passcode (PUK from the vault).
   * @throws VALIDATION, POLICY_DENIED, NOT_FOUND, INVALID_TRANSITION, CARD_*.
   */
  unlock(
    actor: string,
    input: z.input<typeof unlockCardCommandSchema>,
    reader: CardReader,
  ): Promise<SmartcardResult>;
  /** CARD-03 self-service unlock. */
  readonly selfUnlock: {
    /**
     * Sends a one-time code (15 minutes, single use) to the actor's verified email or mobile.
     * @throws VALIDATION (no verified contact, no notifier), POLICY_DENIED (certificates expired, not the holder).
     */
    request(
      actor: string,
      input: z.input<typeof selfUnlockRequestCommandSchema>,
    ): Promise<SelfUnlockRequested>;
    /**
     * Unlocks the actor's card in their reader with the code and a new passcode.
     * @throws POLICY_DENIED (wrong, expired or used code), VALIDATION, CARD_*.
     */
    confirm(
      actor: string,
      input: z.input<typeof selfUnlockConfirmCommandSchema>,
      reader: CardReader,
    ): Promise<SmartcardResult>;
  };
  /**
   * CARD-05/06/07: renews the certificate of the card in the reader (self, sponsor, LSA, RA).
   * @throws VALIDATION, POLICY_DENIED, INVALID_TRANSITION, CARD_*, PKI_*.
   */
  renew(
    actor: string,
    input: z.input<typeof renewCardCommandSchema>,
    reader: CardReader,
    options?: CardCallOptions,
  ): Promise<SmartcardResult>;
  /**
   * CARD-08: rewrites the card's identity and certificate for the same holder.
   * @throws VALIDATION, POLICY_DENIED, INVALID_TRANSITION, CARD_*, PKI_*.
   */
  repair(
    actor: string,
    input: z.input<typeof repairCardCommandSchema>,
    reader: CardReader,
    options?: CardCallOptions,
  ): Promise<SmartcardResult>;
  /**
   * CARD-09: revokes the card's certificates, wipes it and returns it to stock.
   * @throws POLICY_DENIED, INVALID_TRANSITION (cancelled), CARD_*.
   */
  clear(
    actor: string,
    input: z.input<typeof clearCardCommandSchema>,
    reader: CardReader,
  ): Promise<SmartcardResult>;
  /**
   * CARD-10: cancels a card with a reason, revoking its certificates; no card needed.
   * @throws VALIDATION, POLICY_DENIED, NOT_FOUND, INVALID_TRANSITION.
   */
  cancel(actor: string, input: z.input<typeof cancelCardCommandSchema>): Promise<SmartcardResult>;
  /**
   * CARD-10: cancels the old card and issues the blank one in the reader to the same holder, locked.
   * @throws VALIDATION, POLICY_DENIED, NOT_FOUND, INVALID_TRANSITION, CARD_*, PKI_*.
   */
  replace(
    actor: string,
    input: z.input<typeof replaceCardCommandSchema>,
    reader: CardReader,
    options?: CardCallOptions,
  ): Promise<SmartcardResult>;
}

/** The smartcard operations, with the recovery sweep a host runs after a crash. */
export interface SmartcardOperationsWithRecovery extends SmartcardOperations {
  /**
   * ARCHITECTURE step 5 after a crash (when no compensation could run): revokes every
   * active certificate that no card record holds, issued at least `olderThanMinutes` ago.
   * Cards a crash left mid-operation stay flagged for repair (needs-repair) until an RA
   * repairs, clears or re-issues them with the card present.
   * @throws VALIDATION, POLICY_DENIED (RAM, RAA(A), RAA only), STORE_UNAVAILABLE.
   */
  reconcile(
    actor: string,
    input?: z.input<typeof reconcileCardsCommandSchema>,
  ): Promise<ReconcileResult>;
}

/** What the smartcard operations are built from. */
export interface SmartcardDependencies {
  readonly store: Store;
  readonly pack: RulePack;
  readonly clock: () => Date;
  /**
   * The CA; its repository must be `storeCaRepository(store)` over the same store, so its
   * records and the RA's are one: revocations written with a card's change are on the CRL.
   */
  readonly certificateAuthority: CertificateAuthority | undefined;
  readonly keyVault: KeyVault;
  readonly notifier: Notifier | undefined;
  /** The domain of the UPN written into certificates (`<uuid>@<domain>`). */
  readonly upnDomain: string;
  /** Where pending self-service unlock codes wait (default: in memory). */
  readonly unlockCodes?: UnlockCodeStore | undefined;
}

const reasonsOf = (decision: Decision) =>
  decision.reasons.map((r) => ({ rule: r.rule, code: r.code, message: r.message }));

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

function expiryOf(certificates: readonly CertificateRecord[]) {
  let earliest: string | undefined;
  for (const c of certificates) {
    if (c.status === 'active' && (earliest === undefined || c.notAfter < earliest))
      earliest = c.notAfter;
  }
  return earliest?.slice(0, 10);
}

/**
 * Builds the smartcard operations over the RA's store, pack and clock, a CA, a key vault
 * and a notifier. The certificates repository is the one source of truth for certificate
 * status (the CA writes it through `storeCaRepository`); a card record's own
 * `certificates` list is left empty and the card's certificates are found with
 * `certificates.byCard(serial)`.
 *
 * @example
 * ```ts
 * const smartcards = createSmartcardOperations({ store, pack, clock, certificateAuthority: ca, keyVault, notifier, upnDomain: 'nhs.net' });
 * ```
 */
export function createSmartcardOperations(
  deps: SmartcardDependencies,
): SmartcardOperationsWithRecovery {
  const { store, pack, clock, keyVault } = deps;
  const codes = deps.unlockCodes ?? memoryUnlockCodes();
  const now = () => toIsoDateTime(clock());

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

  const audit = (event: AuditEvent) =>
    store.transaction((tx) => tx.audit.append(event)).then(() => undefined);

  /** Audits without letting an unreachable store hide the error being reported. */
  const auditQuietly = (event: AuditEvent) => audit(event).catch(() => undefined);

  interface Begun<C> {
    readonly at: IsoDateTime;
    readonly actor: Uuid;
    readonly command: C;
  }

  async function begin<S extends z.ZodType>(
    activity: string,
    actorInput: string,
    schema: S,
    input: unknown,
    passcodes: readonly string[] = [],
  ): Promise<Begun<z.output<S>>> {
    const at = now();
    const actor = uuidSchema.safeParse(actorInput);
    const parsed = schema.safeParse(input);
    let error: ValidationError | undefined;
    if (!actor.success) error = ValidationError.fromZod('actor', actor.error);
    else if (!parsed.success) error = ValidationError.fromZod(`command ${activity}`, parsed.error);
    else {
      for (const field of passcodes) {
        const value = (parsed.data as Record<string, unknown>)[field];
        const problem =
          typeof value === 'string' ? passcodeProblem(value, pack.passcode) : undefined;
        if (problem !== undefined) {
          error = new ValidationError(`command ${activity}`, [
            { field, message: `${problem} (CARD-02)` },
          ]);
          break;
        }
      }
    }
    if (error !== undefined) {
      await audit({
        at,
        actor: String(actorInput).slice(0, 64) || 'unknown',
        activity,
        target: '',
        outcome: 'failed',
        reasons: [{ rule: 'INPUT', code: 'VALIDATION', message: error.message.slice(0, 500) }],
        details: { field: error.field },
      });
      throw error;
    }
    return { at, actor: actor.data as Uuid, command: parsed.data as z.output<S> };
  }

  async function decideIn(
    tx: StoreTx,
    actor: Uuid,
    activity: ActivityId,
    at: IsoDateTime,
    target: TargetInput,
    facts: FactsInput,
  ): Promise<Decision> {
    return decide({ pack, actor: await loadActor(tx, actor, pack), activity, at, target, facts });
  }

  async function refuse(
    begun: Begun<unknown>,
    activity: string,
    target: string,
    decision: Decision,
  ): Promise<never> {
    await audit({
      at: begun.at,
      actor: begun.actor,
      activity,
      target,
      outcome: 'denied',
      reasons: reasonsOf(decision),
      details: {},
    });
    throw new PolicyDeniedError(decision);
  }

  async function failed(
    begun: Begun<unknown>,
    activity: string,
    target: string,
    error: unknown,
    details: AuditEvent['details'] = {},
  ): Promise<void> {
    const code = error instanceof CareIdError ? error.code : 'UNEXPECTED';
    await auditQuietly({
      at: now(),
      actor: begun.actor,
      activity,
      target,
      outcome: 'failed',
      reasons: [{ rule: 'OUTCOME', code, message: messageOf(error) }],
      details,
    });
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
    const expires = expiryOf(await tx.certificates.byCard(card.serial));
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

  /**
   * Issue, repair and replace share this: reserve the record (needs-repair with its
   * holder), personalise the card, finalise; on failure revoke the certificate that
   * reached no card and wipe the card (back to stock) or leave it flagged for repair.
   */
  async function personalise(p: {
    readonly begun: Begun<unknown>;
    readonly activity: string;
    readonly card: OpenCard;
    readonly reader: CardReader;
    readonly record: Smartcard;
    readonly holder: UserProfile;
    readonly decision: Decision;
    readonly photo: string;
    readonly passcode: string | undefined;
    readonly replaces?: CardSerial;
    readonly repair: boolean;
    readonly progress: (step: string) => void;
  }): Promise<SmartcardResult> {
    const ca = requireCa();
    const { begun, card } = p;
    const serial = card.serial;
    const secrets = freshSecrets();
    // Transaction functions only assign what they return: PostgreSQL may run them twice.
    let reservedRevoked: string[] = [];
    const reserved = await store.transaction(async (tx) => {
      const current = await mustGetCard(tx, serial);
      // CARD-08: repair rewrites the card, so the certificates it held are superseded now.
      reservedRevoked = p.repair ? await revokeActive(tx, serial, 'superseded', begun.at) : [];
      const next = produce(current, (d) => {
        d.status = 'needs-repair';
        d.holder = p.holder.uuid;
      });
      const stored = await tx.smartcards.update(next);
      await tx.audit.append({
        at: begun.at,
        actor: begun.actor,
        activity: p.activity,
        target: serial,
        outcome: 'allowed',
        reasons: reasonsOf(p.decision),
        details: { step: 'reserved', holder: p.holder.uuid, reader: p.reader.name },
      });
      return stored;
    });
    let issued: IssuedCertificate | undefined;
    try {
      // The secrets are in the vault before the card holds them: a crash never loses them.
      await keyVault.put(serial, secrets);
      await personaliseCard({
        piv: card.piv,
        ca,
        holder: certificateHolder(p.holder, deps.upnDomain),
        secrets,
        photo: Buffer.from(p.photo, 'base64'),
        passcode: p.passcode,
        wipeFirst: p.repair || p.record.status === 'needs-repair',
        now: clock,
        onIssued: (c) => {
          issued = c;
        },
        progress: p.progress,
      });
      const done = issued as IssuedCertificate;
      const at = now();
      const stored = await store.transaction(async (tx) => {
        const current = await mustGetCard(tx, serial);
        if (current.version !== reserved.version) {
          throw new InvalidTransitionError(
            'CARD-01',
            `Card ${serial} changed while it was being written; check it and repair it`,
          );
        }
        const locked = p.passcode === undefined;
        const base = produce(current, (d) => {
          d.status = 'stock';
        });
        const { state, events } = issueCard(base, {
          holder: p.holder.uuid,
          certificates: [],
          at,
          locked,
          ...(p.replaces ? { replaces: p.replaces } : {}),
        });
        const next = await tx.smartcards.update(state);
        const cert = await tx.certificates.get(done.serialHex);
        if (cert === undefined) throw new NotFoundError('certificate', done.serialHex);
        await tx.certificates.update({ ...cert, card: serial });
        await tx.audit.append({
          at,
          actor: begun.actor,
          activity: p.activity,
          target: serial,
          outcome: 'allowed',
          reasons: reasonsOf(p.decision),
          details: {
            step: 'finalised',
            holder: p.holder.uuid,
            certificate: done.serialHex,
            locked,
            events: events.map((e) => e.type),
            apdus: card.piv.apduCount,
          },
        });
        return next;
      });
      return {
        type: p.activity,
        card: stored,
        decision: p.decision,
        certificate: certificateOf(done),
        revoked: reservedRevoked,
        apdus: card.piv.apduCount,
      };
    } catch (error) {
      const notes: string[] = [];
      await revokeOrphan(issued, notes);
      // A new card with no record is wiped back to stock; a card being repaired keeps its
      // holder, flagged, so the repair can simply run again.
      const wiped = p.repair ? false : await tryWipe(p.reader, serial);
      if (wiped) await keyVault.delete(serial).catch(() => undefined);
      await store
        .transaction(async (tx) => {
          const current = await tx.smartcards.get(serial);
          if (current !== undefined && current.status === 'needs-repair') {
            // A wiped card holds nothing: back to stock (a repaired card's certificates were
            // superseded at the reservation). Otherwise it stays flagged for repair.
            if (wiped) {
              await revokeActive(tx, serial, 'cessationOfOperation', now());
              await tx.smartcards.update(clearCard(current).state);
            }
          }
          await tx.audit.append({
            at: now(),
            actor: begun.actor,
            activity: p.activity,
            target: serial,
            outcome: 'compensated',
            reasons: [{ rule: 'OUTCOME', code: codeOf(error), message: messageOf(error) }],
            details: {
              wiped,
              card: wiped ? 'wiped, back in stock' : 'flagged for repair',
              notes,
            },
          });
        })
        .catch(() => undefined);
      throw error;
    }
  }

  /** Card operations that end in one finalising transaction; failures are audited. */
  async function guarded<T>(
    begun: Begun<unknown>,
    activity: string,
    target: () => string,
    fn: () => Promise<T>,
  ): Promise<T> {
    try {
      return await fn();
    } catch (error) {
      if (!(error instanceof PolicyDeniedError)) await failed(begun, activity, target(), error);
      throw error;
    }
  }

  async function issue(
    actorInput: string,
    input: unknown,
    reader: CardReader,
    options: CardCallOptions = {},
  ): Promise<SmartcardResult> {
    const activity = 'smartcard.issue';
    const begun = await begin(activity, actorInput, issueCardCommandSchema, input, ['passcode']);
    let serial = '';
    return guarded(
      begun,
      activity,
      () => serial,
      () =>
        withCard(reader, async (card) => {
          serial = card.serial;
          const { record, holder, decision } = await store.transaction(async (tx) => {
            const record = await mustGetCard(tx, card.serial);
            const holder = await mustGetUser(tx, begun.command.user as Uuid);
            const decision = await decideIn(
              tx,
              begun.actor,
              activity,
              begun.at,
              { ...(await userTarget(tx, holder)), card: await cardTarget(tx, record) },
              { userPresent: begun.command.userPresent },
            );
            return { record, holder, decision };
          });
          if (!decision.allowed) return refuse(begun, activity, card.serial, decision);
          assertIssuable(record, holder.uuid);
          return personalise({
            begun,
            activity,
            card,
            reader,
            record,
            holder,
            decision,
            photo: begun.command.photo,
            passcode: begun.command.passcode,
            repair: false,
            progress: options.progress ?? (() => undefined),
          });
        }),
    );
  }

  async function unlockWith(
    begun: Begun<unknown>,
    activity: 'smartcard.unlock' | 'smartcard.self-unlock',
    card: OpenCard,
    newPasscode: string,
    facts: FactsInput,
    expectHolder?: Uuid,
  ): Promise<SmartcardResult> {
    const { record, decision } = await store.transaction(async (tx) => {
      const record = await mustGetCard(tx, card.serial);
      if (record.holder === undefined) {
        throw new InvalidTransitionError('CARD-03', `Card ${card.serial} has no holder`);
      }
      const holder = await mustGetUser(tx, record.holder);
      const decision = await decideIn(
        tx,
        begun.actor,
        activity,
        begun.at,
        { ...(await userTarget(tx, holder)), card: await cardTarget(tx, record) },
        facts,
      );
      return { record, decision };
    });
    if (!decision.allowed) return refuse(begun, activity, card.serial, decision);
    if (expectHolder !== undefined && record.holder !== expectHolder) {
      throw new InvalidTransitionError('CARD-03', `Card ${card.serial} is not yours`);
    }
    unlockCard(record); // refuses a cancelled or stock card before the card is touched
    const secrets = await keyVault.get(card.serial);
    if (secrets === undefined) throw new NotFoundError('card secrets', card.serial);
    await card.piv.unblockPin(secrets.puk, newPasscode);
    const stored = await store.transaction(async (tx) => {
      const current = await mustGetCard(tx, card.serial);
      const { state, events } = unlockCard(current);
      const next = await tx.smartcards.update(state);
      await tx.audit.append({
        at: now(),
        actor: begun.actor,
        activity,
        target: card.serial,
        outcome: 'allowed',
        reasons: reasonsOf(decision),
        details: { events: events.map((e) => e.type), apdus: card.piv.apduCount },
      });
      return next;
    });
    return { type: activity, card: stored, decision, revoked: [], apdus: card.piv.apduCount };
  }

  async function renew(
    actorInput: string,
    input: unknown,
    reader: CardReader,
    options: CardCallOptions = {},
  ): Promise<SmartcardResult> {
    const begun = await begin('smartcard.renew', actorInput, renewCardCommandSchema, input, [
      'passcode',
    ]);
    let serial = '';
    let activity: ActivityId = 'smartcard.renew-before-expiry';
    return guarded(
      begun,
      'smartcard.renew',
      () => serial,
      () =>
        withCard(reader, async (card) => {
          serial = card.serial;
          const ca = requireCa();
          const progress = options.progress ?? (() => undefined);
          const loaded = await store.transaction(async (tx) => {
            const record = await mustGetCard(tx, card.serial);
            if (record.holder === undefined) {
              throw new InvalidTransitionError('CARD-05', `Card ${card.serial} has no holder`);
            }
            const holder = await mustGetUser(tx, record.holder);
            const linked = await tx.certificates.byCard(card.serial);
            const active = linked.find((c) => c.status === 'active');
            // A renewal that failed after the key was replaced left the card flagged with
            // its certificate superseded: running the renewal again resumes it, decided on
            // the certificate it was renewing.
            const interrupted =
              record.status === 'needs-repair' && active === undefined
                ? linked
                    .filter((c) => c.revocation?.reason === 'superseded')
                    .sort((a, b) => (a.notBefore < b.notBefore ? 1 : -1))[0]
                : undefined;
            const previous = active ?? interrupted;
            const target = {
              ...(await cardTarget(tx, record)),
              ...(interrupted ? { certificatesExpireOn: interrupted.notAfter.slice(0, 10) } : {}),
            };
            const expired =
              target.certificatesExpireOn !== undefined &&
              begun.at.slice(0, 10) >= target.certificatesExpireOn;
            activity =
              holder.uuid === begun.actor
                ? 'smartcard.self-renew'
                : expired
                  ? 'smartcard.renew-after-expiry'
                  : 'smartcard.renew-before-expiry';
            const decision = await decideIn(
              tx,
              begun.actor,
              activity,
              begun.at,
              { ...(await userTarget(tx, holder)), card: target },
              { userPresent: begun.command.userPresent },
            );
            return { record, holder, decision, previous, resuming: interrupted !== undefined };
          });
          const { record, holder, decision, previous, resuming } = loaded;
          if (!decision.allowed) return refuse(begun, activity, card.serial, decision);
          if ((record.status !== 'issued' && !resuming) || previous === undefined) {
            throw new InvalidTransitionError(
              'CARD-05',
              `Card ${card.serial} is ${record.status}${previous ? '' : ' with no active certificate'}; only an issued card renews (repair it otherwise)`,
            );
          }
          const secrets = await keyVault.get(card.serial);
          if (secrets === undefined) throw new NotFoundError('card secrets', card.serial);
          // The holder's passcode first: a wrong one fails before anything changes.
          await card.piv.verifyPin(begun.command.passcode);
          const reserved = await store.transaction(async (tx) => {
            const next = await tx.smartcards.update(
              flagForRepair(await mustGetCard(tx, card.serial), 'renewal in progress').state,
            );
            await tx.audit.append({
              at: begun.at,
              actor: begun.actor,
              activity,
              target: card.serial,
              outcome: 'allowed',
              reasons: reasonsOf(decision),
              details: { step: 'reserved', reader: reader.name },
            });
            return next;
          });
          let issued: IssuedCertificate | undefined;
          let keyReplaced = false;
          try {
            await card.piv.authenticate(secrets.managementKey, secrets.managementAlgorithm);
            progress('generating the new key on the card (slot 9A)');
            keyReplaced = true;
            const publicKey = await card.piv.generateKey(AUTH_SLOT, 'P-256');
            const signer = card.piv.signer({ publicKey, algorithm: CARD_KEY });
            const csr = await createCsr(signer, {
              commonName: `${holder.name.given} ${holder.name.family}`.slice(0, 64),
            });
            progress('issuing the renewed certificate');
            const certificateFor = certificateHolder(holder, deps.upnDomain);
            // A resumed renewal's previous certificate is already superseded: a fresh issue.
            issued = resuming
              ? await ca.issue({ csr, holder: certificateFor, now: clock() })
              : await ca.renew({
                  csr,
                  holder: certificateFor,
                  now: clock(),
                  previousSerialHex: previous.serial,
                });
            await card.piv.writeCertificate(AUTH_SLOT, issued.certificate);
            const done = issued;
            const at = now();
            let revoked: string[] = [];
            const stored = await store.transaction(async (tx) => {
              const current = await mustGetCard(tx, card.serial);
              if (current.version !== reserved.version) {
                throw new InvalidTransitionError(
                  'CARD-05',
                  `Card ${card.serial} changed meanwhile`,
                );
              }
              const { state, events } = renewCard(
                produce(current, (d) => {
                  d.status = 'issued';
                }),
                {
                  certificate: {
                    serial: done.serialHex,
                    notBefore: toIsoDateTime(done.notBefore),
                    notAfter: toIsoDateTime(done.notAfter),
                    status: 'active',
                  },
                  self: activity === 'smartcard.self-renew',
                },
              );
              const next = await tx.smartcards.update(
                produce(state, (d) => {
                  d.certificates = [];
                }),
              );
              const cert = await tx.certificates.get(done.serialHex);
              if (cert === undefined) throw new NotFoundError('certificate', done.serialHex);
              await tx.certificates.update({ ...cert, card: card.serial });
              revoked = await revokeActive(tx, card.serial, 'superseded', at, done.serialHex);
              await tx.audit.append({
                at,
                actor: begun.actor,
                activity,
                target: card.serial,
                outcome: 'allowed',
                reasons: reasonsOf(decision),
                details: {
                  step: 'finalised',
                  certificate: done.serialHex,
                  superseded: revoked,
                  events: events.map((e) => e.type),
                  apdus: card.piv.apduCount,
                },
              });
              return next;
            });
            return {
              type: activity,
              card: stored,
              decision,
              certificate: certificateOf(done),
              revoked,
              apdus: card.piv.apduCount,
            };
          } catch (error) {
            const notes: string[] = [];
            await revokeOrphan(issued, notes);
            let superseded: string[] = [];
            await store
              .transaction(async (tx) => {
                superseded = [];
                const current = await tx.smartcards.get(card.serial);
                if (current?.status === 'needs-repair') {
                  if (!keyReplaced && !resuming) {
                    // Nothing on the card changed: the reservation is released.
                    await tx.smartcards.update(
                      produce(current, (d) => {
                        d.status = record.status;
                      }),
                    );
                  } else {
                    // The old key is gone from 9A: its certificate is on no usable card.
                    superseded = await revokeActive(tx, card.serial, 'superseded', now());
                  }
                }
                await tx.audit.append({
                  at: now(),
                  actor: begun.actor,
                  activity,
                  target: card.serial,
                  outcome: 'compensated',
                  reasons: [{ rule: 'OUTCOME', code: codeOf(error), message: messageOf(error) }],
                  details: {
                    card: keyReplaced ? 'flagged for repair' : 'unchanged',
                    notes,
                    superseded,
                  },
                });
              })
              .catch(() => undefined);
            throw error;
          }
        }),
    );
  }

  return {
    async reconcile(actorInput, input = {}) {
      const activity = 'smartcard.reconcile';
      const begun = await begin(activity, actorInput, reconcileCardsCommandSchema, input);
      return guarded(
        begun,
        activity,
        () => '',
        async () => {
          const decision = await store.transaction((tx) =>
            decideIn(tx, begun.actor, 'smartcard.clear', begun.at, {}, {}),
          );
          if (!decision.allowed) return refuse(begun, activity, '', decision);
          const cutoff = toIsoDateTime(
            new Date(clock().getTime() - begun.command.olderThanMinutes * 60_000),
          );
          let revoked: string[] = [];
          await store.transaction(async (tx) => {
            revoked = [];
            let cursor: string | undefined;
            do {
              const page = await tx.certificates.expiring(
                { before: END_OF_TIME, status: 'active' },
                { limit: 500, ...(cursor ? { cursor } : {}) },
              );
              for (const c of page.items) {
                if (c.card !== undefined || c.notBefore > cutoff) continue;
                await tx.certificates.update({
                  ...c,
                  status: 'revoked',
                  revocation: { reason: 'cessationOfOperation', at: begun.at },
                });
                revoked.push(c.serial);
              }
              cursor = page.nextCursor;
            } while (cursor !== undefined);
            await tx.audit.append({
              at: begun.at,
              actor: begun.actor,
              activity,
              target: '',
              outcome: revoked.length > 0 ? 'compensated' : 'allowed',
              reasons: reasonsOf(decision),
              details: { revoked },
            });
          });
          return { type: activity, revoked, decision };
        },
      );
    },

    async stock(actorInput, input, reader) {
      const activity = 'smartcard.stock';
      const begun = await begin(activity, actorInput, stockCardCommandSchema, input);
      let serial = '';
      return guarded(
        begun,
        activity,
        () => serial,
        () =>
          withCard(reader, async (card) => {
            serial = card.serial;
            // Taking a blank card into stock is what clearing ends in: the same roles
            // (RAM, RAA(A), RAA), decided on the blank card.
            const decision = await store.transaction((tx) =>
              decideIn(
                tx,
                begun.actor,
                'smartcard.clear',
                begun.at,
                { card: { serial: card.serial, status: 'stock' } },
                {},
              ),
            );
            if (!decision.allowed) return refuse(begun, activity, card.serial, decision);
            const stored = await store.transaction(async (tx) => {
              const record = await tx.smartcards.insert({
                serial: card.serial,
                status: 'stock',
                certificates: [],
                renewalCount: 0,
                selfRenewalCount: 0,
                version: 0,
              });
              await tx.audit.append({
                at: begun.at,
                actor: begun.actor,
                activity,
                target: card.serial,
                outcome: 'allowed',
                reasons: reasonsOf(decision),
                details: { reader: reader.name },
              });
              return record;
            });
            return {
              type: activity,
              card: stored,
              decision,
              revoked: [],
              apdus: card.piv.apduCount,
            };
          }),
      );
    },

    issue,

    async unlock(actorInput, input, reader) {
      const activity = 'smartcard.unlock';
      const begun = await begin(activity, actorInput, unlockCardCommandSchema, input, [
        'newPasscode',
      ]);
      let serial = '';
      return guarded(
        begun,
        activity,
        () => serial,
        () =>
          withCard(reader, (card) => {
            serial = card.serial;
            return unlockWith(begun, activity, card, begun.command.newPasscode, {
              userPresent: begun.command.userPresent,
            });
          }),
      );
    },

    selfUnlock: {
      async request(actorInput, input) {
        const activity = 'smartcard.self-unlock';
        const begun = await begin(activity, actorInput, selfUnlockRequestCommandSchema, input);
        const serial = begun.command.serial as CardSerial;
        return guarded(
          begun,
          activity,
          () => serial,
          async () => {
            const { user, decision } = await store.transaction(async (tx) => {
              const record = await mustGetCard(tx, serial);
              const user = await mustGetUser(tx, begun.actor);
              // Everything but the code itself: it is checked at confirmation.
              const decision = await decideIn(
                tx,
                begun.actor,
                activity,
                begun.at,
                { ...(await userTarget(tx, user)), card: await cardTarget(tx, record) },
                { oneTimeCodeVerified: true },
              );
              if (decision.allowed && record.holder !== begun.actor) {
                throw new InvalidTransitionError('CARD-03', `Card ${serial} is not yours`);
              }
              return { user, decision };
            });
            if (!decision.allowed) return refuse(begun, activity, serial, decision);
            const channel = begun.command.channel;
            const address = channel === 'email' ? user.contact.email : user.contact.mobile;
            const verified =
              channel === 'email' ? user.contact.emailVerified : user.contact.mobileVerified;
            if (address === undefined || !verified) {
              throw new ValidationError(`command ${activity}`, [
                {
                  field: 'channel',
                  message: `the profile has no verified ${channel} (CARD-03); verify it first`,
                },
              ]);
            }
            if (deps.notifier === undefined) {
              throw new ValidationError('registration authority options', [
                { field: 'notifier', message: 'self-service unlock needs a notifier' },
              ]);
            }
            let code = '';
            for (let i = 0; i < CODE_DIGITS; i++) code += String(randomInt(10));
            const expires = clock().getTime() + CODE_LIFETIME_MS;
            await deps.notifier.send({
              uuid: user.uuid,
              channel,
              address,
              code,
              expiresAt: new Date(expires),
            });
            await codes.put(user.uuid, {
              serial,
              digest: sha256(`${user.uuid}:${serial}:${code}`),
              expires,
              triesLeft: CODE_TRIES,
            });
            const expiresAt = toIsoDateTime(new Date(expires));
            await audit({
              at: begun.at,
              actor: begun.actor,
              activity,
              target: serial,
              outcome: 'allowed',
              reasons: reasonsOf(decision),
              details: { step: 'code-sent', channel, expiresAt },
            });
            return { type: 'smartcard.self-unlock.request', channel, expiresAt, decision };
          },
        );
      },

      async confirm(actorInput, input, reader) {
        const activity = 'smartcard.self-unlock';
        const begun = await begin(activity, actorInput, selfUnlockConfirmCommandSchema, input, [
          'newPasscode',
        ]);
        let serial = '';
        return guarded(
          begun,
          activity,
          () => serial,
          () =>
            withCard(reader, async (card) => {
              serial = card.serial;
              const pending = await codes.get(begun.actor);
              let verified = false;
              if (pending !== undefined && pending.serial === card.serial) {
                if (clock().getTime() >= pending.expires || pending.triesLeft <= 0) {
                  await codes.delete(begun.actor);
                } else {
                  const digest = sha256(`${begun.actor}:${card.serial}:${begun.command.code}`);
                  verified = timingSafeEqual(Buffer.from(digest), Buffer.from(pending.digest));
                  if (!verified && pending.triesLeft <= 1) await codes.delete(begun.actor);
                  else if (!verified) {
                    await codes.put(begun.actor, { ...pending, triesLeft: pending.triesLeft - 1 });
                  }
                }
              }
              const result = await unlockWith(
                begun,
                activity,
                card,
                begun.command.newPasscode,
                { oneTimeCodeVerified: verified },
                begun.actor,
              );
              await codes.delete(begun.actor); // single use
              return result;
            }),
        );
      },
    },

    renew,

    async repair(actorInput, input, reader, options = {}) {
      const activity = 'smartcard.repair';
      const begun = await begin(activity, actorInput, repairCardCommandSchema, input, ['passcode']);
      let serial = '';
      return guarded(
        begun,
        activity,
        () => serial,
        () =>
          withCard(reader, async (card) => {
            serial = card.serial;
            const { record, holder, decision } = await store.transaction(async (tx) => {
              const record = await mustGetCard(tx, card.serial);
              if (record.holder === undefined) {
                throw new InvalidTransitionError(
                  'CARD-08',
                  `Card ${card.serial} has no holder; issue it instead`,
                );
              }
              const holder = await mustGetUser(tx, record.holder);
              const decision = await decideIn(
                tx,
                begun.actor,
                activity,
                begun.at,
                { ...(await userTarget(tx, holder)), card: await cardTarget(tx, record) },
                { userPresent: begun.command.userPresent },
              );
              return { record, holder, decision };
            });
            if (!decision.allowed) return refuse(begun, activity, card.serial, decision);
            flagForRepair(record, 'repair'); // refuses a cancelled card
            return personalise({
              begun,
              activity,
              card,
              reader,
              record,
              holder,
              decision,
              photo: begun.command.photo,
              passcode: begun.command.passcode,
              repair: true,
              progress: options.progress ?? (() => undefined),
            });
          }),
      );
    },

    async clear(actorInput, input, reader) {
      const activity = 'smartcard.clear';
      const begun = await begin(activity, actorInput, clearCardCommandSchema, input);
      let serial = '';
      return guarded(
        begun,
        activity,
        () => serial,
        () =>
          withCard(reader, async (card) => {
            serial = card.serial;
            const { decision } = await store.transaction(async (tx) => {
              const record = await mustGetCard(tx, card.serial);
              const holder = record.holder ? await tx.users.get(record.holder) : undefined;
              const decision = await decideIn(
                tx,
                begun.actor,
                activity,
                begun.at,
                {
                  ...(holder ? await userTarget(tx, holder) : {}),
                  card: await cardTarget(tx, record),
                },
                {},
              );
              return { decision };
            });
            if (!decision.allowed) return refuse(begun, activity, card.serial, decision);
            // CARD-09: the certificates are revoked first, with the card flagged until wiped.
            const revoked = await store.transaction(async (tx) => {
              const record = await mustGetCard(tx, card.serial);
              clearCard(record); // refuses a cancelled card
              const revoked = await revokeActive(tx, card.serial, 'cessationOfOperation', begun.at);
              if (record.status !== 'stock' && record.status !== 'needs-repair') {
                await tx.smartcards.update(flagForRepair(record, 'clearing').state);
              }
              await tx.audit.append({
                at: begun.at,
                actor: begun.actor,
                activity,
                target: card.serial,
                outcome: 'allowed',
                reasons: reasonsOf(decision),
                details: { step: 'reserved', revoked },
              });
              return revoked;
            });
            await card.piv.factoryReset();
            await keyVault.delete(card.serial);
            const stored = await store.transaction(async (tx) => {
              const { state, events } = clearCard(await mustGetCard(tx, card.serial));
              const next = await tx.smartcards.update(state);
              await tx.audit.append({
                at: now(),
                actor: begun.actor,
                activity,
                target: card.serial,
                outcome: 'allowed',
                reasons: reasonsOf(decision),
                details: {
                  step: 'finalised',
                  events: events.map((e) => e.type),
                  apdus: card.piv.apduCount,
                },
              });
              return next;
            });
            return { type: activity, card: stored, decision, revoked, apdus: card.piv.apduCount };
          }),
      );
    },

    async cancel(actorInput, input) {
      const activity = 'smartcard.cancel';
      const begun = await begin(activity, actorInput, cancelCardCommandSchema, input);
      const serial = begun.command.serial as CardSerial;
      return guarded(
        begun,
        activity,
        () => serial,
        () => cancelIn(begun, serial, begun.command.reason),
      );
    },

    async replace(actorInput, input, reader, options = {}) {
      const activity = 'smartcard.replace';
      const begun = await begin(activity, actorInput, replaceCardCommandSchema, input);
      const old = begun.command.serial as CardSerial;
      return guarded(
        begun,
        activity,
        () => old,
        () =>
          withCard(reader, async (card) => {
            const oldRecord = await store.transaction((tx) => mustGetCard(tx, old));
            if (oldRecord.holder === undefined) {
              throw new InvalidTransitionError('CARD-10', `Card ${old} has no holder to replace`);
            }
            // The new card is checked first: a wrong card in the reader cancels nothing.
            const { record, holder, decision } = await store.transaction(async (tx) => {
              const record = await mustGetCard(tx, card.serial);
              const holder = await mustGetUser(tx, oldRecord.holder as Uuid);
              const decision = await decideIn(
                tx,
                begun.actor,
                'smartcard.issue',
                begun.at,
                { ...(await userTarget(tx, holder)), card: await cardTarget(tx, record) },
                // CARD-10: issued locked; the holder sets a passcode in person when unlocking.
                { userPresent: true },
              );
              return { record, holder, decision };
            });
            if (!decision.allowed) return refuse(begun, 'smartcard.issue', card.serial, decision);
            assertIssuable(record, holder.uuid);
            // A rerun after a failed issue finds the old card already cancelled.
            if (oldRecord.status !== 'cancelled') await cancelIn(begun, old, begun.command.reason);
            return personalise({
              begun,
              activity: 'smartcard.issue',
              card,
              reader,
              record,
              holder,
              decision,
              photo: begun.command.photo,
              passcode: undefined,
              replaces: old,
              repair: false,
              progress: options.progress ?? (() => undefined),
            });
          }),
      );
    },
  };

  async function cancelIn(
    begun: Begun<unknown>,
    serial: CardSerial,
    reason: 'lost' | 'stolen' | 'damaged' | 'returned' | 'replaced',
  ): Promise<SmartcardResult> {
    const activity = 'smartcard.cancel';
    const { decision } = await store.transaction(async (tx) => {
      const record = await mustGetCard(tx, serial);
      const holder = record.holder ? await tx.users.get(record.holder) : undefined;
      const decision = await decideIn(
        tx,
        begun.actor,
        activity,
        begun.at,
        { ...(holder ? await userTarget(tx, holder) : {}), card: await cardTarget(tx, record) },
        {},
      );
      return { decision };
    });
    if (!decision.allowed) return refuse(begun, activity, serial, decision);
    // One transaction: the card's state and its revocations (the CA's records) together.
    let revoked: string[] = [];
    const stored = await store.transaction(async (tx) => {
      const { state, events } = cancelCard(await mustGetCard(tx, serial), {
        by: begun.actor,
        at: begun.at,
        reason,
      });
      const next = await tx.smartcards.update(state);
      revoked = await revokeActive(tx, serial, revocationReasonForCard(reason), begun.at);
      await tx.audit.append({
        at: begun.at,
        actor: begun.actor,
        activity,
        target: serial,
        outcome: 'allowed',
        reasons: reasonsOf(decision),
        details: { reason, revoked, events: events.map((e) => e.type) },
      });
      return next;
    });
    return { type: activity, card: stored, decision, revoked, apdus: 0 };
  }
}

/** CARD-01: blank stock, or a card a failed issue to the same holder left flagged. */
function assertIssuable(record: Smartcard, holder: Uuid): void {
  const leftByFailedIssue =
    record.status === 'needs-repair' && (record.holder === undefined || record.holder === holder);
  if (record.status !== 'stock' && !leftByFailedIssue) {
    throw new InvalidTransitionError(
      'CARD-01',
      `Card ${record.serial} is ${record.status}, not blank stock`,
    );
  }
}

function codeOf(error: unknown): string {
  return error instanceof CareIdError ? error.code : 'UNEXPECTED';
}

/** An error's message for the audit log; careid's messages never carry secrets (AUD-02). */
function messageOf(error: unknown): string {
  return error instanceof CareIdError
    ? error.message.slice(0, 500)
    : 'an unexpected error (see the application log)';
}
