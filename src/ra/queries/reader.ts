import type { z } from 'zod';
import type { AuditEvent } from '../../domain/audit-event.js';
import { dateOf, type IsoDate, type IsoDateTime, toIsoDateTime } from '../../domain/dates.js';
import { type Uuid, uuidSchema } from '../../domain/uuid.js';
import { CareIdError } from '../../errors/care-id-error.js';
import { ValidationError } from '../../errors/validation-error.js';
import { decide } from '../../policy/decide.js';
import type { Decision } from '../../policy/engine.js';
import type { ActorInput, TargetInput } from '../../policy/input.js';
import type { ActivityId } from '../../policy/matrix.js';
import type { RulePack } from '../../policy/packs/schema.js';
import { PolicyDeniedError } from '../../policy/policy-denied-error.js';
import type { Store, StoreTx } from '../../storage/ports.js';
import { loadActor } from '../context.js';

/** What a read works with inside its transaction. */
export interface ReadContext {
  readonly tx: StoreTx;
  readonly pack: RulePack;
  readonly actor: ActorInput;
  readonly actorUuid: Uuid;
  readonly at: IsoDateTime;
  readonly today: IsoDate;
  /** Decides the activity; a denial stops the read and is audited and thrown as PolicyDeniedError. */
  authorize(activity: ActivityId, target: TargetInput): Decision;
  /** Decides the activity without stopping: for reads that show only what is allowed. */
  check(activity: ActivityId, target: TargetInput): Decision;
}

/** What an allowed read writes to the audit log, when it writes anything. */
export interface ReadAudit {
  readonly target: string;
  readonly details: AuditEvent['details'];
  readonly decision: Decision;
}

/** Runs policy-checked reads: parse, load the actor, decide, read. */
export interface Reader {
  readonly store: Store;
  readonly pack: RulePack;
  readonly clock: () => Date;
  /**
   * Parses `input` with `schema`, loads the actor and runs `fn` in one transaction. Bad
   * input is a ValidationError (audited as `failed`); a denial is audited and thrown as a
   * PolicyDeniedError. When `fn` returns an `audit`, the allowed read is audited too, in
   * the same transaction.
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
 * A ValidationError naming the field; an unknown key (a filter that does not exist) is
 * named itself, not the object holding it.
 */
function validationError(what: string, error: z.ZodError): ValidationError {
  const issues = error.issues.map((issue) => {
    const path = issue.path.map(String);
    if (issue.code === 'unrecognized_keys' && issue.keys[0] !== undefined) path.push(issue.keys[0]);
    return { field: path.join('.'), message: issue.message };
  });
  return new ValidationError(what, issues, { cause: error });
}

/** Thrown inside a read's transaction when the policy refuses; never leaves the reader. */
class Refused extends Error {
  constructor(readonly decision: Decision) {
    super('refused');
  }
}

const reasonsOf = (decision: Decision) =>
  decision.reasons.map((r) => ({ rule: r.rule, code: r.code, message: r.message }));

/**
 * Creates the runner the RA's queries and reports share: the same parse, load and decide
 * steps as commands, with denials and bad input audited (AUD-01).
 *
 * @example
 * ```ts
 * const reader = createReader({ store, pack, clock });
 * await reader.run(actor, 'user.find', schema, input, async (ctx, q) => ({ result: [] }));
 * ```
 */
export function createReader(options: {
  readonly store: Store;
  readonly pack: RulePack;
  readonly clock: () => Date;
}): Reader {
  const { store, pack, clock } = options;
  const audit = (event: AuditEvent) =>
    store.transaction((tx) => tx.audit.append(event)).then(() => undefined);

  async function run<S extends z.ZodType, T>(
    actorInput: string,
    activity: string,
    schema: S,
    input: unknown,
    fn: (ctx: ReadContext, query: z.output<S>) => Promise<{ result: T; audit?: ReadAudit }>,
  ): Promise<T> {
    const at = toIsoDateTime(clock());
    const actorParse = uuidSchema.safeParse(actorInput);
    const parsed = schema.safeParse(input);
    if (!actorParse.success || !parsed.success) {
      const error = !actorParse.success
        ? ValidationError.fromZod('actor', actorParse.error)
        : validationError(activity, (parsed as { error: z.ZodError }).error);
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
    const actorUuid = actorParse.data as Uuid;
    try {
      return await store.transaction(async (tx) => {
        const actor = await loadActor(tx, actorUuid, pack);
        const check = (a: ActivityId, target: TargetInput) =>
          decide({ pack, actor, activity: a, at, target });
        const ctx: ReadContext = {
          tx,
          pack,
          actor,
          actorUuid,
          at,
          today: dateOf(at),
          check,
          authorize(a, target) {
            const decision = check(a, target);
            if (!decision.allowed) throw new Refused(decision);
            return decision;
          },
        };
        const { result, audit: allowed } = await fn(ctx, parsed.data as z.output<S>);
        if (allowed) {
          await tx.audit.append({
            at,
            actor: actorUuid,
            activity,
            target: allowed.target,
            outcome: 'allowed',
            reasons: reasonsOf(allowed.decision),
            details: allowed.details,
          });
        }
        return result;
      });
    } catch (error) {
      if (error instanceof Refused) {
        await audit({
          at,
          actor: actorUuid,
          activity,
          target: '',
          outcome: 'denied',
          reasons: reasonsOf(error.decision),
          details: {},
        });
        throw new PolicyDeniedError(error.decision);
      }
      if (error instanceof CareIdError && error.code !== 'STORE_UNAVAILABLE') {
        await audit({
          at,
          actor: actorUuid,
          activity,
          target: '',
          outcome: 'failed',
          reasons: [{ rule: 'OUTCOME', code: error.code, message: error.message.slice(0, 500) }],
          details: error instanceof ValidationError ? { field: error.field } : {},
        });
      }
      throw error;
    }
  }

  return { store, pack, clock, run };
}

/**
 * Throws the denial of the first refused decision, as the reader audits it.
 *
 * @throws POLICY_DENIED (inside a reader's `run`: audited, then thrown as PolicyDeniedError).
 * @example
 * ```ts
 * if (allowedOrganisations.size === 0) refuse(firstDenial);
 * ```
 */
export function refuse(decision: Decision): never {
  throw new Refused(decision);
}
