import { ValidationError } from '../../errors/validation-error.js';
import { toValidPack } from './registry.js';
import type { RulePack, RulePackInput } from './schema.js';

/** What a derived pack changes: any setting; `grants` and `roleCodes` merge per key. */
export type RulePackChanges = Partial<Omit<RulePackInput, 'passcode' | 'roleCodes'>> & {
  readonly passcode?: Partial<RulePackInput['passcode']>;
  readonly roleCodes?: Partial<RulePackInput['roleCodes']>;
};

/**
 * Derives a rule pack from a base: settings replace the base's, `grants`, `roleCodes`
 * and `passcode` merge key by key. The result is validated.
 *
 * @throws VALIDATION naming the field when the result is not a valid pack (a negative limit, an unknown activity).
 * @example
 * ```ts
 * const myPack = derivePack(nationalPack, { id: 'my-icb', name: 'My ICB', batchLimit: 50 });
 * ```
 */
export function derivePack(baseInput: RulePack, changes: RulePackChanges): RulePack {
  const base = toValidPack(baseInput);
  if (typeof changes !== 'object' || changes === null || Array.isArray(changes)) {
    throw new ValidationError('pack changes', [
      { field: '', message: 'must be an object of the settings to change' },
    ]);
  }
  const grants: Record<string, unknown> = { ...base.grants };
  for (const [activity, roles] of Object.entries(changes.grants ?? {})) {
    grants[activity] = { ...(base.grants[activity as keyof RulePack['grants']] ?? {}), ...roles };
  }
  return toValidPack({
    ...base,
    ...changes,
    passcode: { ...base.passcode, ...changes.passcode },
    roleCodes: { ...base.roleCodes, ...changes.roleCodes },
    grants,
  });
}
