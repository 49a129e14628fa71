import type { z } from 'zod';
import type { AuditEvent } from '../domain/audit-event.js';
import { type IsoDate, type IsoDateTime, toIsoDateTime } from '../domain/dates.js';
import { dateIn } from '../domain/time-zone.js';
import { type Uuid, uuidSchema } from '../domain/uuid.js';
import { CareIdError } from '../errors/care-id-error.js';
import { parseWith } from '../errors/parse.js';
import { ValidationError } from '../errors/validation-error.js';
import { trustedActorDecider } from '../policy/decide.js';
import type { Decision } from '../policy/engine.js';
import type { ActorInput, FactsInput, TargetInput } from '../policy/input.js';
import type { ActivityId } from '../policy/matrix.js';
import type { RulePack } from '../policy/packs/schema.js';
import { PolicyDeniedError } from '../policy/policy-denied-error.js';
import type { Store, StoreTx } from '../storage/ports.js';
import { loadActor } from './context.js';

/*
 * The one activity pipeline of the RA. Commands (`execute` and the typed methods), queries,
 * reports, request listing and card operations all run through `run`:
 *
 *   parse actor and input -> (invalid: audited `failed` INPUT/VALIDATION, ValidationError)
 *   body: load the actor and decide in a transaction, transition, commit
 *     -> allowed: the body appends its audit record(s) with `allowedEvent`, in the
 *        transaction that commits the change
 *     -> denied:  a `refuse(decision)` anywhere in the body (or `ctx.authorize`) is audited
 *        `denied` and thrown as a PolicyDeniedError; nothing the transaction wrote stays
 *     -> failed:  any other error is audited `failed` (OUTCOME and the error's code) and
 *        rethrown AS IS. Errors that are not careid's (a host's notifier, a bug) are
 *        audited with code UNEXPECTED and a fixed message (their text may hold anything,
 *        AUD-02) and rethrown unchanged, so the host keeps their type and stack.
 *
 * Audit records of denials and failures are written in their own transaction after the
 * body's has rolled back; a store that cannot take them (STORE_UNAVAILABLE) does not hide
 * the error being reported.
 */

/** Longest actor, activity and message the audit log keeps from input (issue 13: bounded). */
const MAX_ID = 64;
const MAX_MESSAGE = 500;

/** Thrown to stop an attempt when the policy refuses; the pipeline audits it, never leaks it. */
class Refused extends Error {
  constructor(
    readonly decision: Decision,
    readonly activity: string | undefined,
    readonly target: string | undefined,
  ) {
    super('refused');
  }
}

/** Thrown at the end of a dry run's transaction to roll it back; never leaves the pipeline. */
class DryRunDone extends Error {
  constructor(readonly decision: Decision) {
    super('dry run');
  }
}

/**
 * Stops the attempt with a denial: the pipeline audits it (under `activity` and against
 * `target` when given, else the attempt's) and throws a PolicyDeniedError. Inside a
 * transaction, nothing the transaction wrote stays.
 *
 * @throws POLICY_DENIED, always (through the pipeline).
 * @example
 * ```ts
 * if (!decision.allowed) refuse(decision, { target: serial });
 * ```
 */
export function refuse(
  decision: Decision,
  audit: { readonly activity?: string; readonly target?: string } = {},
): never {
  throw new Refused(decision, audit.activity, audit.target);
}

/** The reasons of a decision as the audit log keeps them. */
export const reasonsOf = (decision: Decision) =>
  decision.reasons.map((r) => ({ rule: r.rule, code: r.code, message: r.message }));

/** What a policy-checked step works with inside its transaction. */
export interface ActorContext {
  readonly tx: StoreTx;
  readonly pack: RulePack;
  readonly actor: ActorInput;
  readonly actorUuid: Uuid;
  readonly at: IsoDateTime;
  readonly today: IsoDate;
  /**
   * Decides the activity for the actor; a denial stops the attempt (nothing is written)
   * and is audited and thrown as a PolicyDeniedError by the pipeline.
   */
  authorize(
    activity: ActivityId,
    target: TargetInput,
    facts?: FactsInput,
    route?: 'direct' | 'via-request',
  ): Decision;
  /** Decides like `authorize`, but hands a denial back instead of stopping (batch items, listings). */
  check(
    activity: ActivityId,
    target: TargetInput,
    facts?: FactsInput,
    route?: 'direct' | 'via-request',
  ): Decision;
}

/** One attempt at an activity, its actor and input parsed. */
export interface Attempt<C> {
  /** When it began: the decision instant. */
  readonly at: IsoDateTime;
  /** Who acts. */
  readonly actor: Uuid;
  /** The parsed input. */
  readonly command: C;
  /**
   * Runs `fn` in one store transaction with the actor loaded from the store (an unknown
   * UUID is an UnknownActorError). What `fn` writes commits with it, or not at all.
   */
  inTransaction<T>(fn: (ctx: ActorContext) => Promise<T>): Promise<T>;
}

/** What an attempt is: its audited activity, who asks, and its input with the schema. */
export interface ActivitySpec<S extends z.ZodType> {
  /** The audited activity (a command's type, a query's activity, a card operation). */
  readonly activity: string;
  readonly schema: S;
  /** Who asks (a UUID, validated). */
  readonly actor: unknown;
  /** The input (validated). */
  readonly input: unknown;
  /** Names the input in a ValidationError (default: `command <activity>`). */
  readonly what?: string;
  /** Checks beyond the schema (a passcode against the pack): a ValidationError or nothing. */
  readonly validate?: (parsed: z.output<S>) => ValidationError | undefined;
  /** What denials and failures are audited against (default: nothing, `''`). */
  readonly target?: () => string;
}

/** An allowed step's audit record: by the attempt's actor, with the decision's reasons. */
export interface Allowed {
  readonly activity: string;
  readonly target: string;
  readonly decision: Decision;
  readonly details: AuditEvent['details'];
  readonly requestId?: AuditEvent['requestId'];
  /** When the step happened (default: when the attempt began). */
  readonly at?: IsoDateTime;
}

/**
 * The audit record of an allowed step: the one way allowed outcomes are recorded.
 *
 * @example
 * ```ts
 * await tx.audit.append(allowedEvent(attempt, { activity, target: serial, decision, details: { step: 'reserved' } }));
 * ```
 */
export function allowedEvent(attempt: Attempt<unknown>, allowed: Allowed): AuditEvent {
  return {
    at: allowed.at ?? attempt.at,
    actor: attempt.actor,
    activity: allowed.activity,
    target: allowed.target,
    outcome: 'allowed',
    reasons: reasonsOf(allowed.decision),
    ...(allowed.requestId !== undefined ? { requestId: allowed.requestId } : {}),
    details: allowed.details,
  };
}

/** The one pipeline the RA's entry points run through (see the comment at the top). */
export interface ActivityPipeline {
  readonly store: Store;
  readonly pack: RulePack;
  readonly clock: () => Date;
  /** Now, by the RA's clock. */
  now(): IsoDateTime;
  /** Appends an audit record in its own transaction. */
  audit(event: AuditEvent): Promise<void>;
  /**
   * Parses, then runs `body` with the attempt, auditing its outcome (see above).
   *
   * @throws VALIDATION (audited), POLICY_DENIED (audited), and whatever `body` throws (audited).
   */
  run<S extends z.ZodType, T>(
    spec: ActivitySpec<S>,
    body: (attempt: Attempt<z.output<S>>) => Promise<T>,
  ): Promise<T>;
  /**
   * The dry run of an attempt: parses (a ValidationError, not audited), then runs `fn` in
   * a transaction that is rolled back whatever it wrote, and returns the decision `fn`
   * reached: the one it returns, or the denial it was refused with. Not audited.
   *
   * @throws VALIDATION, NOT_FOUND (unknown actor), and what `fn` throws but a refusal.
   */
  dryRun<S extends z.ZodType>(
    spec: Omit<ActivitySpec<S>, 'validate' | 'target'>,
    fn: (ctx: ActorContext, input: z.output<S>) => Promise<Decision>,
  ): Promise<Decision>;
  /**
   * {@link ActivityPipeline.run} for an activity done in one transaction: `fn` decides and
   * writes, and its `audit` (when it returns one) is appended in the same transaction.
   */
  runInTransaction<S extends z.ZodType, T>(
    spec: ActivitySpec<S>,
    fn: (
      ctx: ActorContext,
      input: z.output<S>,
      attempt: Attempt<z.output<S>>,
    ) => Promise<{ readonly result: T; readonly audit?: Allowed | undefined }>,
  ): Promise<T>;
}

/**
 * A ValidationError naming the field; an unknown key (a filter or option that does not
 * exist) is named itself, not the object holding it.
 */
function validationError(what: string, error: z.ZodError): ValidationError {
  const issues = error.issues.map((issue) => {
    const path = issue.path.map(String);
    if (issue.code === 'unrecognized_keys' && issue.keys[0] !== undefined) path.push(issue.keys[0]);
    return { field: path.join('.'), message: issue.message };
  });
  return new ValidationError(what, issues, { cause: error });
}

/** An input value as the audit log may name it: a bounded string, never an object's text. */
function boundedId(value: unknown): string {
  return typeof value === 'string' && value.length > 0 ? value.slice(0, MAX_ID) : 'unknown';
}

/** An error as the audit log records it; careid's messages never carry secrets (AUD-02). */
export function outcomeOf(error: unknown): { code: string; message: string } {
  return error instanceof CareIdError
    ? { code: error.code, message: error.message.slice(0, MAX_MESSAGE) }
    : { code: 'UNEXPECTED', message: 'an unexpected error (see the application log)' };
}

/**
 * Creates the RA's activity pipeline over its store, pack and clock.
 *
 * @example
 * ```ts
 * const pipeline = createActivityPipeline({ store, pack, clock });
 * await pipeline.runInTransaction({ activity: 'user.find', schema, actor, input }, async (ctx, q) => ({ result: [] }));
 * ```
 */
export function createActivityPipeline(options: {
  readonly store: Store;
  readonly pack: RulePack;
  readonly clock: () => Date;
}): ActivityPipeline {
  const { store, pack, clock } = options;
  const now = () => toIsoDateTime(clock());
  const audit = (event: AuditEvent) =>
    store.transaction((tx) => tx.audit.append(event)).then(() => undefined);
  /** Audits without letting an unreachable store hide the error being reported. */
  const auditQuietly = (event: AuditEvent) => audit(event).catch(() => undefined);

  async function actorContext(
    tx: StoreTx,
    actorUuid: Uuid,
    at: IsoDateTime,
    authorized: (decision: Decision) => void,
  ): Promise<ActorContext> {
    const actor = await loadActor(tx, actorUuid, pack);
    const decideFor = trustedActorDecider(pack, actor);
    const check: ActorContext['check'] = (activity, target, facts = {}, route) =>
      decideFor({ activity, at, target, facts, ...(route ? { route } : {}) });
    return {
      tx,
      pack,
      actor,
      actorUuid,
      at,
      // RULES.md "Dates": today is the date in the pack's time zone.
      today: dateIn(at, pack.timeZone) as IsoDate,
      check,
      authorize(activity, target, facts, route) {
        const decision = check(activity, target, facts, route);
        authorized(decision);
        if (!decision.allowed) refuse(decision);
        return decision;
      },
    };
  }

  async function dryRun<S extends z.ZodType>(
    spec: Omit<ActivitySpec<S>, 'validate' | 'target'>,
    fn: (ctx: ActorContext, input: z.output<S>) => Promise<Decision>,
  ): Promise<Decision> {
    const actorUuid = parseWith(uuidSchema, spec.actor, 'actor') as Uuid;
    const parsed = spec.schema.safeParse(spec.input);
    if (!parsed.success) {
      throw validationError(spec.what ?? `command ${boundedId(spec.activity)}`, parsed.error);
    }
    const at = now();
    try {
      await store.transaction(async (tx) => {
        const ctx = await actorContext(tx, actorUuid, at, () => undefined);
        let decision: Decision;
        try {
          decision = await fn(ctx, parsed.data as z.output<S>);
        } catch (error) {
          if (!(error instanceof Refused)) throw error;
          decision = error.decision;
        }
        // Rolls the transaction back: whatever `fn` wrote is undone.
        throw new DryRunDone(decision);
      });
    } catch (error) {
      if (error instanceof DryRunDone) return error.decision;
      throw error;
    }
    throw new Error('unreachable: a dry run always rolls back');
  }

  async function run<S extends z.ZodType, T>(
    spec: ActivitySpec<S>,
    body: (attempt: Attempt<z.output<S>>) => Promise<T>,
  ): Promise<T> {
    const at = now();
    const activity = boundedId(spec.activity);
    const actorParse = uuidSchema.safeParse(spec.actor);
    const parsed = spec.schema.safeParse(spec.input);
    let invalid: ValidationError | undefined;
    if (!actorParse.success) invalid = ValidationError.fromZod('actor', actorParse.error);
    else if (!parsed.success) {
      invalid = validationError(spec.what ?? `command ${activity}`, parsed.error);
    } else invalid = spec.validate?.(parsed.data as z.output<S>);
    if (invalid !== undefined || !actorParse.success || !parsed.success) {
      const error = invalid as ValidationError;
      await auditQuietly({
        at,
        actor: boundedId(spec.actor),
        activity,
        target: '',
        outcome: 'failed',
        reasons: [
          { rule: 'INPUT', code: 'VALIDATION', message: error.message.slice(0, MAX_MESSAGE) },
        ],
        details: { field: error.field.slice(0, MAX_ID) },
      });
      throw error;
    }
    const actorUuid = actorParse.data as Uuid;
    let lastDecision: Decision | undefined;
    const attempt: Attempt<z.output<S>> = {
      at,
      actor: actorUuid,
      command: parsed.data as z.output<S>,
      inTransaction: (fn) =>
        store.transaction(async (tx) =>
          fn(
            await actorContext(tx, actorUuid, at, (decision) => {
              lastDecision = decision;
            }),
          ),
        ),
    };
    try {
      return await body(attempt);
    } catch (error) {
      if (error instanceof Refused) {
        await auditQuietly({
          at,
          actor: actorUuid,
          activity: error.activity ?? activity,
          target: error.target ?? spec.target?.() ?? '',
          outcome: 'denied',
          reasons: reasonsOf(error.decision),
          details: {},
        });
        throw new PolicyDeniedError(error.decision);
      }
      const { code, message } = outcomeOf(error);
      await auditQuietly({
        at: now(),
        actor: actorUuid,
        activity,
        target: spec.target?.() ?? '',
        outcome: 'failed',
        reasons: [
          ...(lastDecision ? reasonsOf(lastDecision) : []),
          { rule: 'OUTCOME', code, message },
        ],
        details: error instanceof ValidationError ? { field: error.field.slice(0, MAX_ID) } : {},
      });
      throw error;
    }
  }

  return {
    store,
    pack,
    clock,
    now,
    audit,
    run,
    dryRun,
    runInTransaction: (spec, fn) =>
      run(spec, (attempt) =>
        attempt.inTransaction(async (ctx) => {
          const { result, audit: allowed } = await fn(ctx, attempt.command, attempt);
          if (allowed !== undefined) await ctx.tx.audit.append(allowedEvent(attempt, allowed));
          return result;
        }),
      ),
  };
}
