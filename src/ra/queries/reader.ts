import type { z } from 'zod';
import type { AuditEvent } from '../../domain/audit-event.js';
import type { Decision } from '../../policy/engine.js';
import type { RulePack } from '../../policy/packs/schema.js';
import type { Store } from '../../storage/ports.js';
import type { ActivityPipeline, ActorContext } from '../activity.js';

export { refuse } from '../activity.js';

/** What a read works with inside its transaction: the pipeline's actor context. */
export type ReadContext = ActorContext;

/** What an allowed read writes to the audit log, when it writes anything. */
export interface ReadAudit {
  readonly target: string;
  readonly details: AuditEvent['details'];
  readonly decision: Decision;
}

/** Runs policy-checked reads (queries and reports) through the RA's activity pipeline. */
export interface Reader {
  readonly store: Store;
  readonly pack: RulePack;
  readonly clock: () => Date;
  /**
   * Parses `input` with `schema`, loads the actor and runs `fn` in one transaction. Bad
   * input is a ValidationError (audited as `failed`); a denial is audited and thrown as a
   * PolicyDeniedError; a failure is audited. When `fn` returns an `audit`, the allowed read
   * is audited too, in the same transaction.
   */
  run<S extends z.ZodType, T>(
    actor: string,
    activity: string,
    schema: S,
    input: unknown,
    fn: (ctx: ReadContext, query: z.output<S>) => Promise<{ result: T; audit?: ReadAudit }>,
  ): Promise<T>;
}

/**
 * The runner the RA's queries and reports share: the activity pipeline, with a read's
 * activity naming its input in validation errors.
 *
 * @example
 * ```ts
 * const reader = createReader(createActivityPipeline({ store, pack, clock }));
 * await reader.run(actor, 'user.find', schema, input, async (ctx, q) => ({ result: [] }));
 * ```
 */
export function createReader(pipeline: ActivityPipeline): Reader {
  return {
    store: pipeline.store,
    pack: pipeline.pack,
    clock: pipeline.clock,
    run: (actor, activity, schema, input, fn) =>
      pipeline.runInTransaction(
        { activity, what: activity, schema, actor, input },
        async (ctx, query) => {
          const { result, audit } = await fn(ctx, query);
          return { result, audit: audit === undefined ? undefined : { ...audit, activity } };
        },
      ),
  };
}
