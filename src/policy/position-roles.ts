import type { Position } from '../domain/position.js';
import { positionCodesSchema } from './decision-schema.js';
import { toValidPack } from './packs/registry.js';
import type { RulePack } from './packs/schema.js';
import { parseInput } from './parse.js';
import { type RaRole, raRoles } from './roles.js';

/**
 * ROLE-01: the RA roles a position confers, from its job role and activity codes through
 * the pack's code map.
 *
 * @throws VALIDATION when the position has no job role and activity codes, or the pack is not valid.
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
  // Validated here (a host may call it with anything); the pack check is a WeakSet lookup once valid.
  const valid = parseInput(positionCodesSchema, position, 'position');
  const codes = new Set<string>([valid.jobRole, ...valid.activities]);
  pack = toValidPack(pack);
  return raRoles.filter((role) => (pack.roleCodes[role] ?? []).some((code) => codes.has(code)));
}
