import { toIsoDateTime } from '../../domain/dates.js';
import { refuse } from '../activity.js';
import { reconcileCardsCommandSchema } from './commands.js';
import { END_OF_TIME, reasonsOf, type SmartcardContext } from './context.js';
import { runCommand } from './operation.js';
import type { ReconcileResult } from './types.js';

/**
 * After a crash: revokes certificates on no card (see {@link SmartcardOperationsWithRecovery.reconcile}).
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
}
