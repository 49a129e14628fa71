import { cancel } from './cancel.js';
import { clear } from './clear.js';
import { createSmartcardContext } from './context.js';
import { issue, replace } from './issue.js';
import { reconcile } from './reconcile.js';
import { renew } from './renew.js';
import { repair } from './repair.js';
import { stock } from './stock.js';
import type { SmartcardDependencies, SmartcardOperationsWithRecovery } from './types.js';
import { confirmSelfUnlock, requestSelfUnlock, unlock } from './unlock.js';

export type {
  CardCallOptions,
  ReconcileResult,
  SelfUnlockRequested,
  SmartcardDependencies,
  SmartcardOperations,
  SmartcardOperationsWithRecovery,
  SmartcardResult,
} from './types.js';

/**
 * Builds the smartcard operations over the RA's activity pipeline, a CA, a key vault
 * and a notifier. The certificates repository is the one source of truth for certificate
 * status (the CA writes it through `storeCaRepository`); a card record's own
 * `certificates` list is left empty and the card's certificates are found with
 * `certificates.byCard(serial)`.
 *
 * @example
 * ```ts
 * const smartcards = createSmartcardOperations({ pipeline, certificateAuthority: ca, keyVault, notifier, upnDomain: 'nhs.net' });
 * ```
 */
export function createSmartcardOperations(
  deps: SmartcardDependencies,
): SmartcardOperationsWithRecovery {
  const ctx = createSmartcardContext(deps);
  return {
    reconcile: (actor, input) => reconcile(ctx, actor, input),
    stock: (actor, input, reader) => stock(ctx, actor, input, reader),
    issue: (actor, input, reader, options) => issue(ctx, actor, input, reader, options),
    unlock: (actor, input, reader) => unlock(ctx, actor, input, reader),
    selfUnlock: {
      request: (actor, input) => requestSelfUnlock(ctx, actor, input),
      confirm: (actor, input, reader) => confirmSelfUnlock(ctx, actor, input, reader),
    },
    renew: (actor, input, reader, options) => renew(ctx, actor, input, reader, options),
    repair: (actor, input, reader, options) => repair(ctx, actor, input, reader, options),
    clear: (actor, input, reader) => clear(ctx, actor, input, reader),
    cancel: (actor, input) => cancel(ctx, actor, input),
    replace: (actor, input, reader, options) => replace(ctx, actor, input, reader, options),
  };
}
