import type { RaRole } from './roles.js';

/**
 * How a role may perform an activity (ROLE-03): `direct`; `via-request` (`S*`: only by
 * raising a request an RA agent accepts); `assignable-only` (`S**`: directly for
 * positions on the sponsor's assignable list, by request for all others).
 */
export type Grant = 'direct' | 'via-request' | 'assignable-only';

/**
 * "All users" rows: `any` lets every user with an open profile act on any target (finding);
 * `own` only on their own profile (self-service).
 */
export type AllUsersScope = 'any' | 'own';

/** One row of the activity matrix. */
export interface ActivityRow {
  readonly id: string;
  readonly category: string;
  readonly title: string;
  readonly roles: Readonly<Partial<Record<RaRole, Grant>>>;
  readonly allUsers?: AllUsersScope;
  /** How a sentence says the activity, where the title does not read as a verb phrase. */
  readonly action?: string;
  /** Rows the seed's text describes rather than its table (marked (+) in ACTIVITIES.md). */
  readonly fromText?: true;
}

const RA: Readonly<Partial<Record<RaRole, Grant>>> = {
  RAM: 'direct',
  RAAA: 'direct',
  RAA: 'direct',
};
const RAM_RAAA: Readonly<Partial<Record<RaRole, Grant>>> = { RAM: 'direct', RAAA: 'direct' };
const RA_S: Readonly<Partial<Record<RaRole, Grant>>> = { ...RA, S: 'direct' };
const RA_S_LSA: Readonly<Partial<Record<RaRole, Grant>>> = { ...RA_S, LSA: 'direct' };
const REPORTS: Readonly<Partial<Record<RaRole, Grant>>> = { ...RA_S, IDC: 'direct' };

const FIND = 'Find a user or organisation';
const PROFILES = 'Manage user profiles';
const CARDS = 'Issue and service smartcards';
const SELF_AUTH = 'Self-register non-smartcard authenticators';
const MANAGE_AUTH = 'Manage non-smartcard authenticators';
const ASSIGNMENTS = 'Manage position assignments';
const POSITIONS = 'Manage access: positions';
const BATCH = 'Batch position management';
const WORKGROUPS = 'Manage access: workgroups';
const REQUESTS = 'Manage requests';
const REPORTS_CATEGORY = 'View and export reports';

/**
 * ROLE-03/ROLE-04: the activity matrix of the national CIM guidance, every row, as data.
 * Transcribed from `cim-guidance-index.txt` (see ACTIVITIES.md); read by the engine and
 * exported for front ends.
 */
export const activityMatrix = [
  { id: 'user.find', category: FIND, title: 'Find a user profile', roles: {}, allUsers: 'any' },
  {
    id: 'organisation.find',
    category: FIND,
    title: 'Find an organisation',
    roles: {},
    allUsers: 'any',
  },
  {
    id: 'user.create',
    category: PROFILES,
    title: 'Create a new user profile',
    roles: { ...RA, IDC: 'direct' },
  },
  {
    id: 'user.change-details',
    category: PROFILES,
    title: "Change a user's personal or contact details",
    roles: { ...RA, IDC: 'direct', S: 'via-request' },
  },
  {
    id: 'user.change-own-contact',
    category: PROFILES,
    title: 'Change your own contact details',
    roles: {},
    allUsers: 'own',
  },
  {
    id: 'user.close',
    category: PROFILES,
    title: 'Close a user profile',
    roles: { ...RA, S: 'via-request' },
  },
  {
    id: 'user.reopen',
    category: PROFILES,
    title: 'Reopen a closed user profile',
    roles: { ...RA, S: 'via-request' },
  },
  { id: 'smartcard.issue', category: CARDS, title: 'Issue a smartcard', roles: RA },
  { id: 'smartcard.unlock', category: CARDS, title: 'Unlock a smartcard', roles: RA_S_LSA },
  { id: 'smartcard.repair', category: CARDS, title: 'Repair a smartcard', roles: RA },
  {
    id: 'smartcard.clear',
    category: CARDS,
    title: 'Clear a smartcard so it can be reused',
    roles: RA,
  },
  {
    id: 'smartcard.renew-before-expiry',
    category: CARDS,
    title: 'Renew a smartcard (certificates due to expire)',
    roles: RA_S_LSA,
  },
  {
    id: 'smartcard.renew-after-expiry',
    category: CARDS,
    title: 'Renew a smartcard (certificates already expired)',
    roles: RA,
  },
  { id: 'smartcard.cancel', category: CARDS, title: 'Cancel a smartcard', roles: RA },
  {
    id: 'smartcard.self-unlock',
    category: CARDS,
    title: 'Unlock your own smartcard (self-service)',
    roles: {},
    allUsers: 'own',
    fromText: true,
  },
  {
    id: 'smartcard.self-renew',
    category: CARDS,
    title: 'Renew your own smartcard certificates',
    roles: {},
    allUsers: 'own',
    fromText: true,
  },
  {
    id: 'authenticator.self-register-ipad',
    category: SELF_AUTH,
    title: 'Register an iPad on your own profile',
    roles: {},
    allUsers: 'own',
  },
  {
    id: 'authenticator.self-register-ms-authenticator',
    category: SELF_AUTH,
    title: 'Register a Microsoft Authenticator device on your own profile',
    roles: {},
    allUsers: 'own',
  },
  {
    id: 'authenticator.self-register-security-key',
    category: SELF_AUTH,
    title: 'Register a security key on your own profile',
    roles: {},
    allUsers: 'own',
  },
  {
    id: 'authenticator.self-register-windows-hello',
    category: SELF_AUTH,
    title: 'Register a Windows Hello device on your own profile',
    roles: {},
    allUsers: 'own',
  },
  {
    id: 'authenticator.self-register-nhsnet-connect',
    category: SELF_AUTH,
    title: 'Register an NHS.net Connect account on your own profile',
    roles: {},
    allUsers: 'own',
  },
  {
    id: 'authenticator.manage-ipad',
    category: MANAGE_AUTH,
    title: 'Issue and remove iPads',
    roles: RA,
  },
  {
    id: 'authenticator.manage-windows-hello',
    category: MANAGE_AUTH,
    title: 'Issue and remove Windows Hello devices',
    roles: RA,
  },
  {
    id: 'authenticator.manage-ms-authenticator',
    category: MANAGE_AUTH,
    title: 'Issue and remove Microsoft Authenticator devices',
    roles: RA,
  },
  {
    id: 'authenticator.manage-security-key',
    category: MANAGE_AUTH,
    title: 'Issue and remove security keys',
    roles: RA,
  },
  {
    id: 'authenticator.manage-nhsnet-connect',
    category: MANAGE_AUTH,
    title: 'Register and remove NHS.net Connect accounts',
    roles: RA,
  },
  {
    id: 'assignment.assign',
    category: ASSIGNMENTS,
    title: 'Assign a position',
    roles: { ...RA, S: 'assignable-only' },
  },
  {
    id: 'assignment.edit-dates',
    category: ASSIGNMENTS,
    title: 'Edit a position assignment start or end date',
    roles: { ...RA, S: 'assignable-only' },
  },
  {
    id: 'assignment.remove',
    category: ASSIGNMENTS,
    title: 'Remove a position assignment',
    roles: { ...RA, S: 'assignable-only' },
  },
  {
    id: 'assignment.view-history',
    category: ASSIGNMENTS,
    title: 'View expired or removed position assignments',
    roles: RA_S,
  },
  {
    id: 'assignment.manage-multiple',
    category: ASSIGNMENTS,
    title: 'Manage multiple positions assignments on a user profile',
    roles: RAM_RAAA,
  },
  { id: 'position.create', category: POSITIONS, title: 'Create a new position', roles: RAM_RAAA },
  { id: 'position.copy', category: POSITIONS, title: 'Copy an existing position', roles: RAM_RAAA },
  { id: 'position.edit', category: POSITIONS, title: 'Edit a position', roles: RAM_RAAA },
  {
    id: 'position.manage-assignable',
    category: POSITIONS,
    title: 'Manage assignable positions',
    roles: RAM_RAAA,
  },
  { id: 'position.close', category: POSITIONS, title: 'Close a position', roles: RAM_RAAA },
  {
    id: 'position.find',
    category: POSITIONS,
    title: 'Find and view positions within an organisation',
    roles: RA,
  },
  {
    id: 'batch.manage-assignments',
    category: BATCH,
    title: 'Batch manage position assignments for multiple users',
    roles: RAM_RAAA,
  },
  { id: 'workgroup.create', category: WORKGROUPS, title: 'Create a workgroup', roles: RAM_RAAA },
  {
    id: 'workgroup.view-for-user',
    category: WORKGROUPS,
    title: 'View workgroups assigned to a user',
    roles: RAM_RAAA,
  },
  {
    id: 'workgroup.assign',
    category: WORKGROUPS,
    title: 'Directly assign a workgroup to a user',
    roles: RAM_RAAA,
  },
  {
    id: 'workgroup.edit-dates',
    category: WORKGROUPS,
    title: 'Edit the dates of a workgroup assignment',
    roles: RAM_RAAA,
  },
  {
    id: 'workgroup.history',
    category: WORKGROUPS,
    title: 'View workgroup history',
    roles: RAM_RAAA,
  },
  {
    id: 'workgroup.remove',
    category: WORKGROUPS,
    title: 'Remove a workgroup assignment',
    roles: RAM_RAAA,
  },
  { id: 'workgroup.close', category: WORKGROUPS, title: 'Close a workgroup', roles: RAM_RAAA },
  {
    id: 'request.overview',
    category: REQUESTS,
    title: 'Managing requests overview',
    roles: RA_S,
    action: 'see the requests overview',
  },
  {
    id: 'request.decide-esr-create',
    category: REQUESTS,
    title: 'Accept or reject a create user request from ESR',
    roles: RA_S,
  },
  {
    id: 'request.decide-esr-modify',
    category: REQUESTS,
    title: 'Accept or reject a modify user request from ESR',
    roles: RA_S,
  },
  {
    id: 'report.list',
    category: REPORTS_CATEGORY,
    title: 'What reports and filters are available',
    roles: REPORTS,
    action: 'list the reports and their filters',
  },
  {
    id: 'report.view',
    category: REPORTS_CATEGORY,
    title: 'How to view reports',
    roles: REPORTS,
    action: 'view reports',
  },
  {
    id: 'report.export',
    category: REPORTS_CATEGORY,
    title: 'How to export reports',
    roles: REPORTS,
    action: 'export reports',
  },
  {
    id: 'report.frequently-used',
    category: REPORTS_CATEGORY,
    title: 'Frequently used reports',
    roles: REPORTS,
    action: 'run the frequently used reports',
  },
] as const satisfies readonly ActivityRow[];

/** The ID of an activity of the matrix; an unknown ID is a compile error. */
export type ActivityId = (typeof activityMatrix)[number]['id'];

/** Every activity ID, in matrix order. */
export const activityIds: readonly ActivityId[] = activityMatrix.map((row) => row.id);

const rowsById = new Map<string, ActivityRow>(activityMatrix.map((row) => [row.id, row]));

/**
 * The matrix row of an activity.
 *
 * @example
 * ```ts
 * activityRow('smartcard.unlock').roles.LSA // 'direct'
 * ```
 */
export function activityRow(id: ActivityId): ActivityRow {
  return rowsById.get(id)!;
}

/**
 * Whether a string is an activity ID of the matrix.
 *
 * @example
 * ```ts
 * isActivityId('user.find') // true
 * ```
 */
export function isActivityId(value: string): value is ActivityId {
  return rowsById.has(value);
}
