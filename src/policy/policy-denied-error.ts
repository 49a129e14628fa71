import { CareIdError } from '../errors/care-id-error.js';
import { decisionSchema } from './decision-schema.js';
import type { Decision } from './engine.js';
import { parseInput } from './parse.js';

/**
 * An activity the policy refused. Carries the whole decision: the rule IDs, the reasons
 * and what would grant it.
 *
 * @example
 * ```ts
 * catch (e) { if (e instanceof PolicyDeniedError) show(e.decision.reasons) }
 * ```
 */
export class PolicyDeniedError extends CareIdError<'POLICY_DENIED'> {
  override name = 'PolicyDeniedError';
  /** The decision that refused. */
  readonly decision: Decision;
  /** The rule IDs that refused, in order. */
  readonly rules: readonly string[];

  constructor(decision: Decision, options: { cause?: unknown } = {}) {
    const first = decision.reasons[0];
    super(
      'POLICY_DENIED',
      first
        ? `${decision.activity} refused: ${first.rule}: ${first.message}`
        : `${decision.activity} refused`,
      options,
    );
    this.decision = decision;
    this.rules = decision.reasons.map((r) => r.rule);
  }
}

/**
 * Throws when a decision denies.
 *
 * @throws POLICY_DENIED carrying the decision; VALIDATION when `decision` is not one.
 * @example
 * ```ts
 * assertAllowed(decide(input));
 * ```
 */
export function assertAllowed(
  decision: Decision,
): asserts decision is Decision & { allowed: true } {
  parseInput(decisionSchema, decision, 'decision');
  if (!decision.allowed) throw new PolicyDeniedError(decision);
}
