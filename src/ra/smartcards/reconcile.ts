import { type IsoDateTime, toIsoDateTime } from '../../domain/dates.js';
import type { CardSerial, Smartcard } from '../../domain/smartcard.js';
import type { RevocationReason } from '../../pki/revocation-reason.js';
import type { StoreTx } from '../../storage/ports.js';
import type { CertificateRecord } from '../../storage/records.js';
import { refuse } from '../activity.js';
import { reconcileCardsCommandSchema } from './commands.js';
import { END_OF_TIME, reasonsOf, type SmartcardContext } from './context.js';
import { runCommand } from './operation.js';
import type { ReconcileResult } from './types.js';

/** Certificates read per page of the sweep. */
const PAGE = 500;

/**
 * Why an active certificate cannot be trusted to be on a usable card, or `undefined` when
 * it can (its card is issued or locked) or when the operation writing it may still be
 * running (reserved, or issued by the CA, after `cutoff`).
 */
function untrusted(
  c: CertificateRecord,
  card: Smartcard | undefined,
  cutoff: IsoDateTime,
): RevocationReason | undefined {
  // The PIV content signer's certificate is on no card by design (revoked only on purpose).
  if (c.purpose === 'content-signer') return undefined;
  // Issued by the CA, linked to no card: the process died before the card took it.
  if (c.card === undefined) return c.notBefore <= cutoff ? 'cessationOfOperation' : undefined;
  if (card?.status === 'issued' || card?.status === 'locked') return undefined;
  const reservation = card?.reservation;
  if (card?.status === 'needs-repair' && reservation !== undefined && reservation.at > cutoff) {
    return undefined;
  }
  // A renewal may have replaced the key in 9A: superseded, so running it again resumes it.
  return reservation?.operation === 'renewal' ? 'superseded' : 'cessationOfOperation';
}

/**
 * After a crash: revokes every active certificate that may not be on a usable card (see
 * {@link SmartcardOperationsWithRecovery.reconcile}).
 *
 * @throws VALIDATION, POLICY_DENIED, STORE_UNAVAILABLE.
 * @example
 * ```ts
 * await reconcile(ctx, agent, { olderThanMinutes: 15 });
 * ```
 */
export async function reconcile(
  ctx: SmartcardContext,
  actorInput: string,
  input: unknown = {},
): Promise<ReconcileResult> {
  const { store, clock } = ctx;
  const activity = 'smartcard.reconcile';
  const command = { activity, schema: reconcileCardsCommandSchema, actorInput, input };
  return runCommand(
    ctx,
    command,
    () => '',
    async (begun) => {
      const decision = await begun.inTransaction(async ({ check }) => check('smartcard.clear', {}));
      if (!decision.allowed) refuse(decision, { activity });
      const cutoff = toIsoDateTime(
        new Date(clock().getTime() - begun.command.olderThanMinutes * 60_000),
      );
      // Transaction functions only assign what they return: PostgreSQL may run them twice.
      const { revoked, cards } = await store.transaction(async (tx) => {
        const swept = await sweep(tx, cutoff, begun.at);
        await tx.audit.append({
          at: begun.at,
          actor: begun.actor,
          activity,
          target: '',
          outcome: swept.revoked.length > 0 ? 'compensated' : 'allowed',
          reasons: reasonsOf(decision),
          details: { revoked: swept.revoked, cards: swept.cards, cutoff },
        });
        return swept;
      });
      return { type: activity, revoked, cards, decision };
    },
  );
}

/** One pass over the active certificates, revoking the untrusted ones in `tx`. */
async function sweep(tx: StoreTx, cutoff: IsoDateTime, at: IsoDateTime) {
  const revoked: string[] = [];
  const cards = new Set<string>();
  const records = new Map<string, Smartcard | undefined>();
  let cursor: string | undefined;
  do {
    const page = await tx.certificates.expiring(
      { before: END_OF_TIME, status: 'active' },
      { limit: PAGE, ...(cursor ? { cursor } : {}) },
    );
    for (const c of page.items) {
      let card: Smartcard | undefined;
      if (c.card !== undefined) {
        if (!records.has(c.card))
          records.set(c.card, await tx.smartcards.get(c.card as CardSerial));
        card = records.get(c.card);
      }
      const reason = untrusted(c, card, cutoff);
      if (reason === undefined) continue;
      await tx.certificates.update({ ...c, status: 'revoked', revocation: { reason, at } });
      revoked.push(c.serial);
      if (c.card !== undefined) cards.add(c.card);
    }
    cursor = page.nextCursor;
  } while (cursor !== undefined);
  return { revoked, cards: [...cards] };
}
