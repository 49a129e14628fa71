import { ValidationError } from '../errors/validation-error.js';
import { compilePack } from './compiled-pack.js';
import { actors, packOf, partsOf, planFor } from './decide.js';
import { decisionSchema } from './decision-schema.js';
import { type Decision, decidePrepared } from './engine.js';
import type { ActorInput, FactsInput, TargetInput } from './input.js';
import { activitySchema } from './input.js';
import { type ActivityId, activityIds, isActivityId } from './matrix.js';
import type { RulePack } from './packs/schema.js';
import { parseField, parseInput } from './parse.js';

/** One activity an actor may perform on a target, and how. */
export interface Capability {
  readonly activity: ActivityId;
  readonly route: 'direct' | 'via-request';
  readonly decision: Decision;
}

/** Options of {@link whatCan}. */
export interface WhatCanOptions {
  readonly pack?: RulePack;
  /** The decision instant. */
  readonly at: string;
  readonly facts?: FactsInput;
  /** Limit to these activities (default: the whole matrix). */
  readonly activities?: readonly ActivityId[];
}

/**
 * The activities an actor may perform on a target, for front ends to show or hide
 * buttons. Each entry carries its full decision. Validated as `decide()` validates (an
 * actor or target passed again holding the same data is not validated again).
 *
 * @throws VALIDATION naming the field of the actor, target or options.
 * @example
 * ```ts
 * whatCan(actor, { organisationPath: ['FA123', 'QVV'], user }, { at }).map((c) => c.activity)
 * ```
 */
export function whatCan(
  actor: ActorInput,
  target: TargetInput,
  options: WhatCanOptions,
): readonly Capability[] {
  if (typeof options !== 'object' || options === null) {
    throw new ValidationError('whatCan options', [
      { field: '', message: 'must be an object with the decision instant `at`' },
    ]);
  }
  const compiled = compilePack(packOf(options.pack));
  const prepared = actors.get(actor);
  const parts = partsOf({
    at: options.at,
    target,
    ...(options.facts === undefined ? {} : { facts: options.facts }),
  });
  const capabilities: Capability[] = [];
  for (const [i, activity] of (options.activities ?? activityIds).entries()) {
    if (!isActivityId(activity))
      parseField(activitySchema, activity, 'whatCan options', `activities.${i}`);
    const decision = decidePrepared(prepared, planFor(compiled, activity, parts));
    if (decision.allowed && decision.route !== null)
      capabilities.push({ activity, route: decision.route, decision });
  }
  return capabilities;
}

/**
 * A decision as sentences a person can read: the verdict, then each reason with its rule.
 *
 * @throws VALIDATION when `input` is not a decision (one sent back over a wire, say).
 *
 * @example
 * ```ts
 * console.log(explain(decide(input)));
 * ```
 */
export function explain(input: Decision): string {
  const decision = parseInput(decisionSchema, input, 'decision');
  const verdict = decision.allowed
    ? `ALLOWED ${decision.activity} (${decision.route})`
    : `DENIED ${decision.activity}`;
  const lines = decision.reasons.map((r) => `  ${r.rule} ${r.code}: ${r.message}`);
  if (decision.wouldGrant.length > 0) {
    const hints = decision.wouldGrant
      .map(
        (h) =>
          `${h.role}${h.organisation ? ` at ${h.organisation} or above` : ''}${h.route === 'via-request' ? ' (by request)' : ''}`,
      )
      .join('; ');
    lines.push(`  would be granted by: ${hints}`);
  }
  return [verdict, ...lines].join('\n');
}
