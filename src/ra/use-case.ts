import type { AuditEvent } from '../domain/audit-event.js';
import type { IsoDate, IsoDateTime } from '../domain/dates.js';
import type { RequestId } from '../domain/ids.js';
import type { Uuid } from '../domain/uuid.js';
import type { Decision } from '../policy/engine.js';
import type { ActorInput, FactsInput, TargetInput } from '../policy/input.js';
import type { ActivityId } from '../policy/matrix.js';
import type { RulePack } from '../policy/packs/schema.js';
import type { RecordKind, StoreTx } from '../storage/ports.js';

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

/** What a use case works with inside its transaction. */
export interface UseCaseContext {
  readonly tx: StoreTx;
  readonly pack: RulePack;
  readonly actor: ActorInput;
  readonly actorUuid: Uuid;
  readonly at: IsoDateTime;
  readonly today: IsoDate;
  /**
   * Decides the activity for the actor; a denial stops the use case (nothing is written)
   * and is audited and thrown as a PolicyDeniedError by the RA.
   */
  authorize(
    activity: ActivityId,
    target: TargetInput,
    facts?: FactsInput,
    route?: 'direct' | 'via-request',
  ): Decision;
  /** Decides like `authorize`, but hands a denial back instead of stopping (batch items). */
  check(
    activity: ActivityId,
    target: TargetInput,
    facts?: FactsInput,
    route?: 'direct' | 'via-request',
  ): Decision;
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
