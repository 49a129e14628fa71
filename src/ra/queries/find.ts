import type { z } from 'zod';
import type { IsoDate } from '../../domain/dates.js';
import { foldName } from '../../domain/duplicates.js';
import type { WorkgroupId } from '../../domain/ids.js';
import type { OdsCode } from '../../domain/ods-code.js';
import type { UserProfile } from '../../domain/user.js';
import type { Uuid } from '../../domain/uuid.js';
import type { Workgroup } from '../../domain/workgroup.js';
import { NotFoundError } from '../../storage/errors.js';
import { decodeCursor, encodeCursor, type PageRequest } from '../../storage/paging.js';
import { allPages, organisationPath } from '../context.js';
import { filteredPage } from './paged.js';
import type { ReadContext } from './reader.js';
import {
  type AssignmentSummary,
  assignmentSummary,
  type OrganisationSummary,
  organisationSummary,
  type PositionSummary,
  positionSummary,
  type ResultPage,
  type UserAtOrganisation,
  type UserSummary,
  userSummary,
  type WorkgroupAssignmentSummary,
  workgroupAssignmentSummary,
} from './results.js';
import type {
  assignmentHistoryQuerySchema,
  findOrganisationsQuerySchema,
  findPositionsQuerySchema,
  findUsersQuerySchema,
  workgroupHistoryQuerySchema,
  workgroupsForUserQuerySchema,
} from './schemas.js';
import { allowedAt, findScope, usersVisible } from './scope.js';

/** What a read handler hands back to the reader. */
type Read<T> = Promise<{ result: T }>;

const one = <T>(items: readonly T[]): ResultPage<T> => ({ items });

/**
 * `user.find` (ALL): every open profile may search (ROLE-01); what it finds is scoped: the
 * actor's own profile, users who hold or held a position at an organisation the actor's
 * roles cover (ROLE-02) or where the actor works, and, for RA role holders, profiles with
 * no position anywhere yet.
 *
 * @throws POLICY_DENIED (through the reader) for a closed profile (ROLE-01).
 * @example
 * ```ts
 * await findUsers(ctx, { type: 'user.find', name: { family: 'riv' } })
 * ```
 */
export async function findUsers(
  ctx: ReadContext,
  q: z.output<typeof findUsersQuerySchema>,
): Read<ResultPage<UserSummary | UserAtOrganisation>> {
  ctx.authorize('user.find', {});
  const scope = await findScope(ctx);
  // One visibility query for each store page, never one per user (issue 13: flat costs).
  const onlyVisible = async (users: readonly UserProfile[]) => {
    const visible = await usersVisible(
      ctx,
      scope,
      users.map((u) => u.uuid),
    );
    return users.filter((u) => visible.has(u.uuid));
  };
  if (q.uuid !== undefined) {
    const user = await ctx.tx.users.get(q.uuid as Uuid);
    return { result: one((await onlyVisible(user ? [user] : [])).map(userSummary)) };
  }
  if (q.niNumber !== undefined) {
    const users = await ctx.tx.users.byNiNumber(q.niNumber);
    return { result: one((await onlyVisible(users)).map(userSummary)) };
  }
  if (q.name !== undefined) {
    const name = q.name;
    const result = await filteredPage(
      async (page) => {
        const found = await ctx.tx.users.searchByName(name, page);
        const visible = new Set(await onlyVisible(found.items));
        // Out-of-scope users become holes the filter drops; the store's cursor stays.
        return { ...found, items: found.items.map((u) => (visible.has(u) ? u : undefined)) };
      },
      q.page,
      (user) => (user === undefined ? undefined : userSummary(user)),
    );
    return { result };
  }
  const organisation = q.organisation as OdsCode;
  if (!scope.organisations.has(organisation)) return { result: one([]) };
  const options = q.history ? {} : { activeOn: ctx.today };
  const result = await filteredPage(
    async (page) => {
      const found = await ctx.tx.positionAssignments.atOrganisation(organisation, options, page);
      // The page's users in one query, never one per assignment (issue 13: flat costs).
      const users = await ctx.tx.users.getMany(found.items.map((a) => a.user));
      return { ...found, items: found.items.map((a) => ({ a, user: users.get(a.user) })) };
    },
    q.page,
    ({ a, user }): UserAtOrganisation | undefined =>
      user && { ...userSummary(user), assignment: assignmentSummary(a, ctx.today) },
  );
  return { result };
}

/** Organisations scanned per page of a name search before it returns what it has. */
const NAME_SCAN_LIMIT = 5000;

/**
 * `organisation.find` (ALL): by code, by name, or within a parent; only organisations in
 * the actor's scope (ROLE-02 coverage and their own workplaces) are shown.
 *
 * @throws POLICY_DENIED (through the reader) for a closed profile (ROLE-01).
 * @example
 * ```ts
 * await findOrganisations(ctx, { type: 'organisation.find', parent: 'QVV' })
 * ```
 */
export async function findOrganisations(
  ctx: ReadContext,
  q: z.output<typeof findOrganisationsQuerySchema>,
): Read<ResultPage<OrganisationSummary>> {
  ctx.authorize('organisation.find', {});
  const { organisations: scope } = await findScope(ctx);
  if (q.code !== undefined) {
    const org = scope.has(q.code) ? await ctx.tx.organisations.get(q.code) : undefined;
    return { result: one(org ? [organisationSummary(org)] : []) };
  }
  if (q.parent !== undefined) {
    const parent = q.parent;
    const read =
      q.depth === 'all'
        ? (page: PageRequest) => ctx.tx.organisations.descendants(parent, page)
        : (page: PageRequest) => ctx.tx.organisations.children(parent, page);
    const result = await filteredPage(read, q.page, (o) =>
      scope.has(o.odsCode) ? organisationSummary(o) : undefined,
    );
    return { result };
  }
  // By name: the scope is a bounded set of organisations, read in ODS code order.
  const wanted = foldName(q.name ?? '');
  const limit = q.page?.limit ?? 100;
  const after = q.page?.cursor === undefined ? '' : String(decodeCursor(q.page.cursor, 1)[0]);
  const codes = [...scope].filter((c) => c > after).sort();
  const items: OrganisationSummary[] = [];
  let last: OdsCode | undefined;
  let scanned = 0;
  for (const code of codes) {
    if (items.length === limit || scanned === NAME_SCAN_LIMIT) break;
    scanned++;
    last = code;
    const org = await ctx.tx.organisations.get(code);
    if (org && foldName(org.name).includes(wanted)) items.push(organisationSummary(org));
  }
  const more = last !== undefined && codes.indexOf(last) < codes.length - 1;
  return { result: more ? { items, nextCursor: encodeCursor([last as string]) } : { items } };
}

/** `position.find` (RAM, RAA(A), RAA): the positions of an organisation the actor's roles cover. *
 * @throws POLICY_DENIED (through the reader) outside the actor's scope or without an RA role.
 * @example
 * ```ts
 * await findPositions(ctx, { type: 'position.find', organisation: 'FA123' })
 * ```
 */
export async function findPositions(
  ctx: ReadContext,
  q: z.output<typeof findPositionsQuerySchema>,
): Read<ResultPage<PositionSummary>> {
  const organisation = q.organisation as OdsCode;
  ctx.authorize('position.find', {
    organisationPath: await organisationPath(ctx.tx, organisation),
  });
  const wanted = q.name === undefined ? undefined : foldName(q.name);
  const result = await filteredPage(
    (page) => ctx.tx.positions.atOrganisation(organisation, page),
    q.page,
    (p) =>
      (q.includeClosed || p.status === 'open') &&
      (wanted === undefined || foldName(p.name).includes(wanted))
        ? positionSummary(p)
        : undefined,
  );
  return { result };
}

async function profileOf(ctx: ReadContext, uuid: Uuid) {
  const user = await ctx.tx.users.get(uuid);
  if (user === undefined) throw new NotFoundError('user', uuid);
  return user;
}

/**
 * `assignment.view-history` (ASG-04; RAM, RAA(A), RAA, S): a user's position assignments,
 * expired and removed ones too, at the organisations where the actor may view them.
 *
 * @throws NOT_FOUND for an unknown user; POLICY_DENIED (through the reader) when no organisation of the user's is in scope.
 * @example
 * ```ts
 * await assignmentHistory(ctx, { type: 'assignment.view-history', user })
 * ```
 */
export async function assignmentHistory(
  ctx: ReadContext,
  q: z.output<typeof assignmentHistoryQuerySchema>,
): Read<ResultPage<AssignmentSummary>> {
  const user = await profileOf(ctx, q.user as Uuid);
  const history = await allPages((page) =>
    ctx.tx.positionAssignments.historyForUser(user.uuid, page),
  );
  const { allowed } = await allowedAt(
    ctx,
    'assignment.view-history',
    history.map((a) => a.organisation),
    { user: { uuid: user.uuid, status: user.status } },
  );
  const result = await filteredPage(
    (page) => ctx.tx.positionAssignments.historyForUser(user.uuid, page),
    q.page,
    (a) => (allowed.has(a.organisation) ? assignmentSummary(a, ctx.today) : undefined),
  );
  return { result };
}

/** Workgroups read once per query. */
function workgroupCache(ctx: ReadContext) {
  const cache = new Map<string, Workgroup | undefined>();
  return async (id: WorkgroupId) => {
    if (!cache.has(id)) cache.set(id, await ctx.tx.workgroups.get(id));
    return cache.get(id);
  };
}

/**
 * `workgroup.view-for-user` (WG-01; RAM, RAA(A)): the workgroups a user holds on a date, at
 * the organisations where the actor may view them.
 *
 * @throws NOT_FOUND for an unknown user; POLICY_DENIED (through the reader) without RAM or RA(A) over the user's organisations.
 * @example
 * ```ts
 * await workgroupsForUser(ctx, { type: 'workgroup.view-for-user', user })
 * ```
 */
export async function workgroupsForUser(
  ctx: ReadContext,
  q: z.output<typeof workgroupsForUserQuerySchema>,
): Read<ResultPage<WorkgroupAssignmentSummary>> {
  const user = await profileOf(ctx, q.user as Uuid);
  const on = (q.on ?? ctx.today) as IsoDate;
  const workgroupOf = workgroupCache(ctx);
  const held = await ctx.tx.workgroupAssignments.activeForUser(user.uuid, on);
  const organisations: OdsCode[] = [];
  for (const a of held) {
    const wg = await workgroupOf(a.workgroup);
    if (wg) organisations.push(wg.organisation);
  }
  if (organisations.length === 0) {
    const positions = await allPages((page) =>
      ctx.tx.positionAssignments.historyForUser(user.uuid, page),
    );
    organisations.push(...positions.map((a) => a.organisation));
  }
  const { allowed } = await allowedAt(ctx, 'workgroup.view-for-user', organisations, {
    user: { uuid: user.uuid, status: user.status },
  });
  const items: WorkgroupAssignmentSummary[] = [];
  for (const a of held) {
    const wg = await workgroupOf(a.workgroup);
    if (wg && allowed.has(wg.organisation)) {
      items.push(workgroupAssignmentSummary(a, ctx.today, wg));
    }
  }
  return { result: one(items) };
}

/**
 * `workgroup.history` (WG-01, ASG-04; RAM, RAA(A)): every assignment of a workgroup, or
 * every workgroup assignment of a user, ended and removed ones too.
 *
 * @throws NOT_FOUND for an unknown user or workgroup; POLICY_DENIED (through the reader) out of scope.
 * @example
 * ```ts
 * await workgroupHistory(ctx, { type: 'workgroup.history', workgroup: 'wg-1' })
 * ```
 */
export async function workgroupHistory(
  ctx: ReadContext,
  q: z.output<typeof workgroupHistoryQuerySchema>,
): Read<ResultPage<WorkgroupAssignmentSummary>> {
  const workgroupOf = workgroupCache(ctx);
  if (q.workgroup !== undefined) {
    const wg = await workgroupOf(q.workgroup as WorkgroupId);
    if (wg === undefined) throw new NotFoundError('workgroup', q.workgroup);
    ctx.authorize('workgroup.history', {
      organisationPath: await organisationPath(ctx.tx, wg.organisation),
    });
    const result = await filteredPage(
      (page) => ctx.tx.workgroupAssignments.forWorkgroup(wg.id, page),
      q.page,
      (a) => workgroupAssignmentSummary(a, ctx.today, wg),
    );
    return { result };
  }
  const user = await profileOf(ctx, q.user as Uuid);
  const history = await allPages((page) =>
    ctx.tx.workgroupAssignments.historyForUser(user.uuid, page),
  );
  const organisations: OdsCode[] = [];
  for (const a of history) {
    const wg = await workgroupOf(a.workgroup);
    if (wg) organisations.push(wg.organisation);
  }
  const { allowed } = await allowedAt(ctx, 'workgroup.history', organisations, {
    user: { uuid: user.uuid, status: user.status },
  });
  const result = await filteredPage(
    (page) => ctx.tx.workgroupAssignments.historyForUser(user.uuid, page),
    q.page,
    async (a) => {
      const wg = await workgroupOf(a.workgroup);
      return wg && allowed.has(wg.organisation)
        ? workgroupAssignmentSummary(a, ctx.today, wg)
        : undefined;
    },
  );
  return { result };
}
