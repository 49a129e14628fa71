import { effectiveGrants } from './compiled-pack.js';
import { type ActivityId, activityIds, type Grant } from './matrix.js';
import { toValidPack } from './packs/registry.js';
import type { RulePack } from './packs/schema.js';
import { type RaRole, raRoles } from './roles.js';

/** One role gaining, losing or changing its grant for one activity. */
export interface GrantChange {
  readonly activity: ActivityId;
  readonly role: RaRole;
  readonly from: Grant | null;
  readonly to: Grant | null;
}

/** One setting whose value differs. */
export interface SettingChange {
  readonly setting: string;
  readonly from: unknown;
  readonly to: unknown;
}

/** What changes from one pack to another. */
export interface PackDiff {
  readonly grants: readonly GrantChange[];
  readonly settings: readonly SettingChange[];
}

const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

/**
 * Which role gains or loses which activity, and which number or switch changes, going
 * from one pack to another.
 *
 * @throws VALIDATION naming the field when either pack is not valid.
 *
 * @example
 * ```ts
 * diffPacks(nationalPack, dorsetPack).settings.map((s) => s.setting) // ['id', 'name', 'selfRenewalLimit', ...]
 * ```
 */
export function diffPacks(from: RulePack, to: RulePack): PackDiff {
  const a = toValidPack(from);
  const b = toValidPack(to);
  const grants: GrantChange[] = [];
  for (const activity of activityIds) {
    const before = effectiveGrants(a, activity);
    const after = effectiveGrants(b, activity);
    for (const role of raRoles) {
      const from = before[role] ?? null;
      const to = after[role] ?? null;
      if (from !== to) grants.push({ activity, role, from, to });
    }
  }
  const settings: SettingChange[] = [];
  for (const key of Object.keys(a) as (keyof RulePack)[]) {
    if (key === 'grants') continue;
    if (!same(a[key], b[key])) settings.push({ setting: key, from: a[key], to: b[key] });
  }
  return { grants, settings };
}
