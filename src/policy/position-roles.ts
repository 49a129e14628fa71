import type { Position } from '../domain/position.js';
import type { RulePack } from './packs/schema.js';
import { type RaRole, raRoles } from './roles.js';

/**
 * ROLE-01: the RA roles a position confers, from its job role and activity codes through
 * the pack's code map.
 *
 * @example
 * ```ts
 * rolesOfPosition({ jobRole: 'R5090', activities: ['B1300'] }, nationalPack) // ['RAA', 'S']
 * ```
 */
export function rolesOfPosition(
  position: Pick<Position, 'jobRole' | 'activities'>,
  pack: RulePack,
): readonly RaRole[] {
  const codes = new Set<string>([position.jobRole, ...position.activities]);
  return raRoles.filter((role) => (pack.roleCodes[role] ?? []).some((code) => codes.has(code)));
}
