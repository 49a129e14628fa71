import type { AuditEvent } from '../domain/audit-event.js';
import type { RequestId } from '../domain/ids.js';
import type { Decision } from '../policy/engine.js';
import type { RecordKind } from '../storage/ports.js';
import type { ActorContext } from './activity.js';

/** One record a command wrote. */
export interface Change {
  readonly kind: RecordKind;
  readonly key: string;
  readonly op: 'insert' | 'update';
  readonly version: number;
}

/** What every command returns: what it changed, and the decision that allowed it. */
export interface CommandResult {
  readonly type: string;
  readonly changed: readonly Change[];
  readonly decision: Decision;
}

/**
 * What a use case works with inside its command's transaction: the pipeline's actor
 * context (`authorize` stops the command on a denial, `check` hands it back) and progress.
 */
export interface UseCaseContext extends ActorContext {
  /** Reports how far a long command got (BATCH-01); a re-run transaction reports again. */
  readonly progress?: ((done: number, total: number) => void) | undefined;
}

/** What a use case hands back: its result, and what its audit record says. */
export interface UseCaseOutcome<R extends CommandResult> {
  readonly result: R;
  readonly target: string;
  /** AUD-01: the request the command decided or raised. */
  readonly requestId?: RequestId;
  readonly details?: AuditEvent['details'];
}
