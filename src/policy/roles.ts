import { ValidationError } from '../errors/validation-error.js';
/**
 * ROLE-01: the RA roles. `RAAA` is RA Agent (Advanced), written RAA(A) in the guidance.
 */
export const raRoles = ['RAM', 'RAAA', 'RAA', 'S', 'IDC', 'LSA'] as const;

/** An RA role (ROLE-01). */
export type RaRole = (typeof raRoles)[number];

/** The full title of each RA role, for messages. */
export const raRoleTitles: Readonly<Record<RaRole, string>> = {
  RAM: 'RA Manager',
  RAAA: 'RA Agent (Advanced)',
  RAA: 'RA Agent',
  S: 'Sponsor',
  IDC: 'ID Checker',
  LSA: 'Local Smartcard Administrator',
};

/** SOD-02: the roles that count as "RA agent" against the sponsor role. */
export const raAgentRoles: readonly RaRole[] = ['RAM', 'RAAA', 'RAA'];

/** SOD-04: the only roles that perform identity checks. */
export const identityCheckerRoles: readonly RaRole[] = ['RAM', 'RAAA', 'RAA', 'IDC'];

/** One bit per role, so a set of roles is a small integer. */
export const roleBit: Readonly<Record<RaRole, number>> = {
  RAM: 1,
  RAAA: 2,
  RAA: 4,
  S: 8,
  IDC: 16,
  LSA: 32,
};

/**
 * The bit mask of a list of roles.
 *
 * @throws VALIDATION when `roles` is not a list of RA roles.
 *
 * @example
 * ```ts
 * roleMask(['RAM', 'S']) // 9
 * ```
 */
export function roleMask(roles: readonly RaRole[]): number {
  const checked = roles as unknown;
  if (!Array.isArray(checked) || !checked.every((role) => raRoles.includes(role))) {
    throw new ValidationError('roles', [
      { field: '', message: `must be a list of RA roles (${raRoles.join(', ')})` },
    ]);
  }
  return maskOf(roles);
}

/** {@link roleMask} on roles already validated (the engine's own lists). */
export function maskOf(roles: readonly RaRole[]): number {
  let mask = 0;
  for (const role of roles) mask |= roleBit[role];
  return mask;
}
