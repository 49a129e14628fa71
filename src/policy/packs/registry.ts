import { parseInput } from '../parse.js';
import { type RulePack, rulePackSchema } from './schema.js';

const validated = new WeakSet<object>();

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const inner of Object.values(value)) deepFreeze(inner);
  }
  return value;
}

/**
 * Validates a rule pack once: the result is deeply frozen and remembered, so passing it
 * again costs nothing.
 *
 * @throws VALIDATION naming the field when the pack is not valid.
 * @example
 * ```ts
 * const pack = toValidPack(JSON.parse(text));
 * ```
 */
export function toValidPack(pack: unknown): RulePack {
  if (typeof pack === 'object' && pack !== null && validated.has(pack)) return pack as RulePack;
  const parsed = deepFreeze(parseInput(rulePackSchema, pack, 'rule pack'));
  validated.add(parsed);
  return parsed;
}
