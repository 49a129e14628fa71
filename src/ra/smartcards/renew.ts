import { InvalidTransitionError } from '../../domain/errors.js';
import { dateIn } from '../../domain/time-zone.js';
import { releaseCard, renewCard, reserveCard } from '../../domain/transitions/card.js';
import type { IssuedCertificate } from '../../pki/certificate-authority.js';
import { createCsr } from '../../pki/csr.js';
import { certificateNotAfter } from '../../policy/certificate-life.js';
import type { ActivityId } from '../../policy/matrix.js';
import { NotFoundError } from '../../storage/errors.js';
import { refuse } from '../activity.js';
import { AUTH_SLOT, CARD_KEY, certificateHolder } from './card-steps.js';
import { renewCardCommandSchema } from './commands.js';
import {
  activeCertificate,
  allowedEvent,
  codeOf,
  messageOf,
  type SmartcardContext,
} from './context.js';
import { runOnCard } from './operation.js';
import type { CardReader } from './ports.js';
import type { CardCallOptions, SmartcardResult } from './types.js';

/**
 * CARD-05/06/07: renews the certificate of the card in the reader (see {@link SmartcardOperations.renew}).
 *
 * @throws VALIDATION, POLICY_DENIED, INVALID_TRANSITION, CARD_*, PKI_*.
 * @example
 * ```ts
 * await renew(ctx, agent, { passcode, userPresent: true }, reader);
 * ```
 */
export async function renew(
  ctx: SmartcardContext,
  actorInput: string,
  input: unknown,
  reader: CardReader,
  options: CardCallOptions = {},
): Promise<SmartcardResult> {
  const {
    store,
    clock,
    keyVault,
    now,
    requireCa,
    userTarget,
    cardTarget,
    mustGetCard,
    mustGetUser,
    revokeActive,
    revokeOrphan,
    certificateOf,
    deps,
  } = ctx;
  const command = {
    activity: 'smartcard.renew',
    schema: renewCardCommandSchema,
    passcodes: ['passcode'],
    actorInput,
    input,
  };
  return runOnCard(ctx, command, reader, async (begun, card) => {
    let activity: ActivityId = 'smartcard.renew-before-expiry';
    const ca = requireCa();
    const progress = options.progress ?? (() => undefined);
    const loaded = await begun.inTransaction(async ({ tx, check }) => {
      const record = await mustGetCard(tx, card.serial);
      if (record.holder === undefined) {
        throw new InvalidTransitionError('CARD-05', `Card ${card.serial} has no holder`);
      }
      const holder = await mustGetUser(tx, record.holder);
      const linked = await tx.certificates.byCard(card.serial);
      const active = linked.find((c) => c.status === 'active');
      // A renewal that failed, or whose process died, after the card was reserved for it
      // left the card flagged, its certificate active (no reconcile yet) or superseded:
      // running the renewal again resumes it, decided on the certificate it was renewing.
      const reservedForRenewal =
        record.status === 'needs-repair' &&
        (record.reservation?.operation === 'renewal' ||
          (record.reservation === undefined && active === undefined));
      const interrupted = reservedForRenewal
        ? (active ??
          linked
            .filter((c) => c.revocation?.reason === 'superseded')
            .sort((a, b) => (a.notBefore < b.notBefore ? 1 : -1))[0])
        : undefined;
      const previous = active ?? interrupted;
      const target = {
        ...(await cardTarget(tx, record)),
        ...(interrupted
          ? { certificatesExpireOn: dateIn(interrupted.notAfter, deps.pipeline.pack.timeZone) }
          : {}),
      };
      const expired =
        target.certificatesExpireOn !== undefined &&
        dateIn(begun.at, deps.pipeline.pack.timeZone) >= target.certificatesExpireOn;
      activity =
        holder.uuid === begun.actor
          ? 'smartcard.self-renew'
          : expired
            ? 'smartcard.renew-after-expiry'
            : 'smartcard.renew-before-expiry';
      const decision = check(
        activity,
        { ...(await userTarget(tx, holder)), card: target },
        { userPresent: begun.command.userPresent },
      );
      return { record, holder, decision, previous, resuming: interrupted !== undefined };
    });
    const { record, holder, decision, previous, resuming } = loaded;
    if (!decision.allowed) refuse(decision, { activity, target: card.serial });
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
        reserveCard(await mustGetCard(tx, card.serial), { operation: 'renewal', at: begun.at })
          .state,
      );
      await tx.audit.append(
        allowedEvent(begun, activity, card.serial, decision, {
          step: 'reserved',
          reader: reader.name,
        }),
      );
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
      const certificateFor = certificateHolder(
        holder,
        deps.upnDomain,
        deps.pipeline.pack.certificateSubject,
      );
      const csr = await createCsr(signer, {
        commonName: certificateFor.commonName ?? certificateFor.uuid,
      });
      progress('issuing the renewed certificate');
      // CARD-04: the pack's certificate life from the renewal.
      const issuedAt = clock();
      const notAfter = certificateNotAfter(deps.pipeline.pack, issuedAt);
      // A resumed renewal's previous certificate may be superseded already: a fresh issue.
      issued =
        previous.status !== 'active'
          ? await ca.issue({ csr, holder: certificateFor, now: issuedAt, notAfter })
          : await ca.renew({
              csr,
              holder: certificateFor,
              now: issuedAt,
              notAfter,
              previousSerialHex: previous.serial,
            });
      await card.piv.writeCertificate(AUTH_SLOT, issued.certificate);
      // CARD-12: the holder's passcode was verified to renew; the card goes back unverified.
      await card.piv.resetPinStatus();
      const done = issued;
      const at = now();
      let revoked: string[] = [];
      const stored = await store.transaction(async (tx) => {
        const current = await mustGetCard(tx, card.serial);
        if (current.version !== reserved.version) {
          throw new InvalidTransitionError('CARD-05', `Card ${card.serial} changed meanwhile`);
        }
        const cert = await activeCertificate(tx, done.serialHex, 'CARD-05');
        await tx.certificates.update({ ...cert, card: card.serial });
        revoked = await revokeActive(tx, card.serial, 'superseded', at, done.serialHex);
        const { state, events } = renewCard(current, {
          self: activity === 'smartcard.self-renew',
          supersededCertificates: revoked,
          reserved: true,
        });
        const next = await tx.smartcards.update(state);
        await tx.audit.append(
          allowedEvent(
            begun,
            activity,
            card.serial,
            decision,
            {
              step: 'finalised',
              certificate: done.serialHex,
              superseded: revoked,
              events: events.map((e) => e.type),
              apdus: card.piv.apduCount,
            },
            at,
          ),
        );
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
              // Nothing on the card changed: the reservation is released (only an issued
              // card is reserved for a renewal that is not resumed).
              await tx.smartcards.update(releaseCard(current, 'issued').state);
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
  });
}
