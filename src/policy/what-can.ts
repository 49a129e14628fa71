import { parseWith } from '../errors/parse.js';
import { compilePack } from './compiled-pack.js';
import type { Decision } from './engine.js';
import { evaluate } from './engine.js';
import {
  type ActorInput,
  actorSchema,
  decisionRequestSchema,
  type FactsInput,
  type TargetInput,
} from './input.js';
import { type ActivityId, activityIds } from './matrix.js';
import { nationalPack } from './packs/national.js';
import { toValidPack } from './packs/registry.js';
import type { RulePack } from './packs/schema.js';
import { prepareValidActor } from './prepared-actor.js';

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
 * buttons. Each entry carries its full decision.
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
  const compiled = compilePack(toValidPack(options.pack ?? nationalPack));
  const prepared = prepareValidActor(parseWith(actorSchema, actor, 'actor'));
  const capabilities: Capability[] = [];
  for (const activity of options.activities ?? activityIds) {
    const request = parseWith(
      decisionRequestSchema,
      { activity, at: options.at, target, facts: options.facts ?? {} },
      'whatCan input',
    );
    const decision = evaluate(compiled, prepared, request);
    if (decision.allowed && decision.route !== null)
      capabilities.push({ activity, route: decision.route, decision });
  }
  return capabilities;
}

/**
 * A decision as sentences a person can read: the verdict, then each reason with its rule.
 *
 * @example
 * ```ts
 * console.log(explain(decide(input)));
 * ```
 */
export function explain(decision: Decision): string {
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
