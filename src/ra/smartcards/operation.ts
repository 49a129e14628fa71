import type { z } from 'zod';
import { InvalidTransitionError } from '../../domain/errors.js';
import { passcodeProblem } from '../../domain/passcode.js';
import type { CardSerial, Smartcard } from '../../domain/smartcard.js';
import type { UserProfile } from '../../domain/user.js';
import type { Uuid } from '../../domain/uuid.js';
import { ValidationError } from '../../errors/validation-error.js';
import type { Decision } from '../../policy/engine.js';
import type { FactsInput } from '../../policy/input.js';
import type { ActivityId } from '../../policy/matrix.js';
import { refuse } from '../activity.js';
import type { OpenCard } from './card-steps.js';
import type { Begun, SmartcardContext } from './context.js';
import type { CardReader } from './ports.js';

/** A smartcard command as the facade receives it: what it is and its raw input. */
export interface SmartcardCommand<S extends z.ZodType> {
  /** The audited activity: parse failures, refusals and failures are logged under it. */
  readonly activity: string;
  /** The command's schema. */
  readonly schema: S;
  /** Fields of the command that are new passcodes, checked against the pack (CARD-02). */
  readonly passcodes?: readonly string[];
  /** Who asks (a UUID, validated). */
  readonly actorInput: string;
  /** The command (validated). */
  readonly input: unknown;
}

/**
 * Every smartcard operation's frame: the RA's activity pipeline, which parses the actor
 * and command (with the new passcodes checked against the pack, CARD-02), runs `body` and
 * audits its outcome (invalid, denied, failed) against `target`.
 *
 * @throws VALIDATION, POLICY_DENIED, and whatever `body` throws.
 * @example
 * ```ts
 * await runCommand(ctx, { activity, schema, actorInput, input }, (b) => b.command.serial, body);
 * ```
 */
export async function runCommand<S extends z.ZodType, T>(
  ctx: SmartcardContext,
  command: SmartcardCommand<S>,
  target: (begun: Begun<z.output<S>>) => string,
  body: (begun: Begun<z.output<S>>) => Promise<T>,
): Promise<T> {
  const { activity, schema, actorInput, input, passcodes = [] } = command;
  let begun: Begun<z.output<S>> | undefined;
  return ctx.pipeline.run(
    {
      activity,
      schema,
      actor: actorInput,
      input,
      validate: (parsed) => passcodeError(ctx, activity, parsed, passcodes),
      target: () => (begun === undefined ? '' : target(begun)),
    },
    (attempt) => {
      begun = attempt;
      return body(attempt);
    },
  );
}

/** CARD-02: the first new passcode the pack refuses, as a ValidationError naming its field. */
function passcodeError(
  ctx: SmartcardContext,
  activity: string,
  parsed: unknown,
  passcodes: readonly string[],
): ValidationError | undefined {
  for (const field of passcodes) {
    const value = (parsed as Record<string, unknown>)[field];
    const problem =
      typeof value === 'string' ? passcodeProblem(value, ctx.pack.passcode) : undefined;
    if (problem !== undefined) {
      return new ValidationError(`command ${activity}`, [
        { field, message: `${problem} (CARD-02)` },
      ]);
    }
  }
  return undefined;
}

/**
 * The card a command names (its `serial`): what failures of a command that takes no card
 * from the reader are audited against.
 *
 * @example
 * ```ts
 * await runCommand(ctx, command, serialOf, (begun) => cancelIn(ctx, begun, serialOf(begun), 'lost'));
 * ```
 */
export const serialOf = (begun: Begun<{ readonly serial: string }>) =>
  begun.command.serial as CardSerial;

/**
 * {@link runCommand} for an operation on the card in the reader: the card is open for
 * `body` and closed after it, and failures are audited against its serial; a failure on a
 * blocked PIN records the card locked first (CARD-12).
 *
 * @throws VALIDATION, CARD_* (opening the card), and whatever `body` throws.
 * @example
 * ```ts
 * await runOnCard(ctx, { activity, schema, actorInput, input }, reader, (begun, card) => ...);
 * ```
 */
export async function runOnCard<S extends z.ZodType, T>(
  ctx: SmartcardContext,
  command: SmartcardCommand<S>,
  reader: CardReader,
  body: (begun: Begun<z.output<S>>, card: OpenCard) => Promise<T>,
): Promise<T> {
  let serial = '';
  return runCommand(
    ctx,
    command,
    () => serial,
    (begun) =>
      ctx.withCard(reader, async (card) => {
        serial = card.serial;
        try {
          return await body(begun, card);
        } catch (error) {
          await ctx.recordPinBlocked(begun, command.activity, card, error);
          throw error;
        }
      }),
  );
}

/** The card must have a holder: a card with none is refused under `rule`, with `advice`. */
export interface HolderRequirement {
  readonly rule: string;
  readonly advice?: string;
}

/** What a card operation decides on: the card's record and whose profile it concerns. */
export interface CardDecisionRequest {
  /** The policy activity decided (and refused under). */
  readonly activity: ActivityId;
  /** The card's serial. */
  readonly serial: CardSerial;
  /** The facts the policy needs beyond the records. */
  readonly facts: FactsInput;
  /** The user the decision is about; left out, the card's holder, if it has one. */
  readonly user?: Uuid;
  /** The card must have a holder: a card with none is refused under this rule. */
  readonly requireHolder?: HolderRequirement;
}

/** An allowed decision with what it was decided on. */
export interface CardDecision<H extends UserProfile | undefined> {
  readonly record: Smartcard;
  readonly user: H;
  readonly decision: Decision;
}

/**
 * Loads the card's record and the user it concerns in one read transaction and decides
 * the activity on them; a denial is refused (audited, POLICY_DENIED) against the card.
 *
 * @throws NOT_FOUND (card, or a named user or required holder), INVALID_TRANSITION (a
 *   required holder missing), POLICY_DENIED.
 * @example
 * ```ts
 * const { record, user } = await decideOnCard(ctx, begun, { activity, serial, facts: {}, requireHolder: { rule: 'CARD-08' } });
 * ```
 */
export async function decideOnCard(
  ctx: SmartcardContext,
  begun: Begun<unknown>,
  request: CardDecisionRequest &
    ({ readonly user: Uuid } | { readonly requireHolder: HolderRequirement }),
): Promise<CardDecision<UserProfile>>;
export async function decideOnCard(
  ctx: SmartcardContext,
  begun: Begun<unknown>,
  request: CardDecisionRequest,
): Promise<CardDecision<UserProfile | undefined>>;
export async function decideOnCard(
  ctx: SmartcardContext,
  begun: Begun<unknown>,
  request: CardDecisionRequest,
): Promise<CardDecision<UserProfile | undefined>> {
  const { userTarget, cardTarget, mustGetCard, mustGetUser } = ctx;
  const { activity, serial, facts, requireHolder } = request;
  const decided = await begun.inTransaction(async ({ tx, check }) => {
    const record = await mustGetCard(tx, serial);
    if (requireHolder !== undefined && record.holder === undefined) {
      const advice = requireHolder.advice === undefined ? '' : `; ${requireHolder.advice}`;
      throw new InvalidTransitionError(requireHolder.rule, `Card ${serial} has no holder${advice}`);
    }
    const uuid = request.user ?? record.holder;
    const user =
      uuid === undefined
        ? undefined
        : request.user !== undefined || requireHolder !== undefined
          ? await mustGetUser(tx, uuid)
          : await tx.users.get(uuid);
    const decision = check(
      activity,
      { ...(user ? await userTarget(tx, user) : {}), card: await cardTarget(tx, record) },
      facts,
    );
    return { record, user, decision };
  });
  if (!decided.decision.allowed) refuse(decided.decision, { activity, target: serial });
  return decided;
}
