import { fromBase64 } from '../../crypto/encoding.js';
import { InvalidTransitionError } from '../../domain/errors.js';
import type { CardSerial } from '../../domain/smartcard.js';
import { clearCard, issueCard, repairCard, reserveCard } from '../../domain/transitions/card.js';
import type { UserProfile } from '../../domain/user.js';
import type { IssuedCertificate } from '../../pki/certificate-authority.js';
import { certificateNotAfter } from '../../policy/certificate-life.js';
import type { OpenCard } from './card-steps.js';
import { certificateHolder, freshSecrets, personaliseCard, tryWipe } from './card-steps.js';
import {
  activeCertificate,
  allowedEvent,
  type Begun,
  codeOf,
  messageOf,
  type SmartcardContext,
} from './context.js';
import type { CardDecision } from './operation.js';
import type { CardReader } from './ports.js';
import type { SmartcardResult } from './types.js';

/** What {@link personalise} is asked to do. */
export interface PersonaliseRequest {
  readonly begun: Begun<unknown>;
  readonly activity: string;
  readonly card: OpenCard;
  readonly reader: CardReader;
  /** The allowed decision, on the card's record and its (future) holder. */
  readonly decided: CardDecision<UserProfile>;
  readonly photo: string;
  /** The holder's passcode; none issues the card locked (CARD-10). */
  readonly passcode: string | undefined;
  readonly replaces?: CardSerial;
  readonly repair: boolean;
  readonly progress?: ((step: string) => void) | undefined;
}

/**
 * Issue, repair and replace share this: reserve the record (needs-repair with its
 * holder), personalise the card, finalise; on failure revoke the certificate that
 * reached no card and wipe the card (back to stock) or leave it flagged for repair.
 *
 * @throws the card's, the CA's and the store's typed errors, after compensating.
 * @example
 * ```ts
 * await personalise(ctx, { begun, activity, card, reader, decided, photo, passcode, repair: false });
 * ```
 */
export async function personalise(
  ctx: SmartcardContext,
  p: PersonaliseRequest,
): Promise<SmartcardResult> {
  const {
    store,
    clock,
    keyVault,
    now,
    requireCa,
    mustGetCard,
    revokeActive,
    revokeOrphan,
    certificateOf,
    deps,
  } = ctx;
  const ca = requireCa();
  const { begun, card } = p;
  const { record, user: holder, decision } = p.decided;
  const serial = card.serial;
  const secrets = freshSecrets();
  // Transaction functions only assign what they return: PostgreSQL may run them twice.
  let reservedRevoked: string[] = [];
  const reserved = await store.transaction(async (tx) => {
    const current = await mustGetCard(tx, serial);
    // CARD-08: repair rewrites the card, so the certificates it held are superseded now.
    reservedRevoked = p.repair ? await revokeActive(tx, serial, 'superseded', begun.at) : [];
    const next = reserveCard(current, {
      operation: p.repair ? 'repair' : 'issue',
      holder: holder.uuid,
      at: begun.at,
    });
    const stored = await tx.smartcards.update(next.state);
    await tx.audit.append(
      allowedEvent(begun, p.activity, serial, decision, {
        step: 'reserved',
        holder: holder.uuid,
        reader: p.reader.name,
      }),
    );
    return stored;
  });
  let issued: IssuedCertificate | undefined;
  try {
    await personaliseCard({
      piv: card.piv,
      serial,
      vault: keyVault,
      ca,
      holder: certificateHolder(holder, deps.upnDomain, deps.pipeline.pack.certificateSubject),
      secrets,
      photo: fromBase64(p.photo),
      passcode: p.passcode,
      wipeFirst: p.repair || record.status === 'needs-repair',
      now: clock,
      validUntil: (at) => certificateNotAfter(deps.pipeline.pack, at),
      onIssued: (c) => {
        issued = c;
      },
      progress: p.progress ?? (() => undefined),
      chuidSigner: deps.chuidSigner,
    });
    // CARD-12: setting the passcode verified it; the holder's next use must verify again.
    await card.piv.resetPinStatus();
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
      // CARD-08: a repaired card keeps its issue date and counts; an issue starts them.
      const { state, events } = p.repair
        ? repairCard(current)
        : issueCard(current, {
            holder: holder.uuid,
            at,
            locked,
            ...(p.replaces ? { replaces: p.replaces } : {}),
          });
      const next = await tx.smartcards.update(state);
      const cert = await activeCertificate(tx, done.serialHex, p.repair ? 'CARD-08' : 'CARD-01');
      await tx.certificates.update({ ...cert, card: serial });
      await tx.audit.append(
        allowedEvent(
          begun,
          p.activity,
          serial,
          decision,
          {
            step: 'finalised',
            holder: holder.uuid,
            certificate: done.serialHex,
            locked,
            events: events.map((e) => e.type),
            apdus: card.piv.apduCount,
          },
          at,
        ),
      );
      return next;
    });
    return {
      type: p.activity,
      card: stored,
      decision: decision,
      certificate: certificateOf(done),
      revoked: reservedRevoked,
      apdus: card.piv.apduCount,
    };
  } catch (error) {
    const notes: string[] = [];
    await revokeOrphan(issued, notes);
    // A new card with no record is wiped back to stock; a card being repaired keeps its
    // holder, flagged, so the repair can simply run again.
    const wiped = p.repair ? false : await tryWipe(p.reader, serial, keyVault);
    await store
      .transaction(async (tx) => {
        const current = await tx.smartcards.get(serial);
        if (current !== undefined && current.status === 'needs-repair') {
          // A wiped card holds nothing: back to stock (a repaired card's certificates were
          // superseded at the reservation). Otherwise it stays flagged for repair.
          if (wiped) {
            const revoked = await revokeActive(tx, serial, 'cessationOfOperation', now());
            await tx.smartcards.update(clearCard(current, { revokedCertificates: revoked }).state);
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
