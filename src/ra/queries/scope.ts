import type { IsoDate } from '../../domain/dates.js';
import type { OdsCode } from '../../domain/ods-code.js';
import type { Uuid } from '../../domain/uuid.js';
import type { Decision } from '../../policy/engine.js';
import type { ActorInput, TargetInput } from '../../policy/input.js';
import type { ActivityId } from '../../policy/matrix.js';
import type { StoreTx } from '../../storage/ports.js';
import { allPages, organisationPath } from '../context.js';
import { type ReadContext, refuse } from './reader.js';

/** ROLE-02: whether an actor's assignment is in force on a date (start <= date < end, not removed). */
function inForce(a: ActorInput['assignments'][number], date: IsoDate): boolean {
  return !a.removed && a.start <= date && (a.end === undefined || date < a.end);
}

/**
 * An organisation and every organisation below it, the organisation first.
 *
 * @example
 * ```ts
 * await subtree(tx, 'QVV' as OdsCode) // ['QVV', 'FA123', ...]
 * ```
 */
export async function subtree(tx: StoreTx, root: OdsCode): Promise<OdsCode[]> {
  const below = await allPages((page) => tx.organisations.descendants(root, page));
  return [root, ...below.map((o) => o.odsCode)];
}

/**
 * ROLE-02: the organisations an actor's RA roles cover on a date: every organisation where
 * an assignment in force gives a role, and everything below it.
 *
 * @example
 * ```ts
 * const covered = await roleScope(ctx.tx, ctx.actor, ctx.today);
 * ```
 */
export async function roleScope(
  tx: StoreTx,
  actor: ActorInput,
  date: IsoDate,
): Promise<Set<OdsCode>> {
  const covered = new Set<OdsCode>();
  for (const a of actor.assignments) {
    const root = a.organisation as OdsCode;
    if (a.roles.length === 0 || !inForce(a, date) || covered.has(root)) continue;
    for (const code of await subtree(tx, root)) covered.add(code);
  }
  return covered;
}

/**
 * What a finder (user.find, organisation.find: every open profile, "ALL") may see: the
 * organisations the actor's RA roles cover (ROLE-02), plus the organisations where the
 * actor holds any position in force (their own workplace, without what lies below).
 */
export interface FindScope {
  /** The organisations the actor may see. */
  readonly organisations: ReadonlySet<OdsCode>;
  /** Whether the actor holds an RA role anywhere today: they also see unassigned profiles. */
  readonly holdsRole: boolean;
}

/**
 * Works out a finder's scope (see {@link FindScope}).
 *
 * @example
 * ```ts
 * const scope = await findScope(ctx);
 * ```
 */
export async function findScope(ctx: ReadContext): Promise<FindScope> {
  const organisations = await roleScope(ctx.tx, ctx.actor, ctx.today);
  const holdsRole = organisations.size > 0;
  for (const a of await ctx.tx.positionAssignments.activeForUser(ctx.actorUuid, ctx.today)) {
    organisations.add(a.organisation);
  }
  return { organisations, holdsRole };
}

/**
 * Which of these users an actor may find (`user.find`): their own profile; users who hold
 * or held a position at an organisation in the actor's scope; and, for RA role holders,
 * profiles with no position anywhere yet. One store query whatever their number (a page of
 * a search must not cost a query per user).
 *
 * @example
 * ```ts
 * const visible = await usersVisible(ctx, scope, page.items.map((u) => u.uuid));
 * ```
 */
export async function usersVisible(
  ctx: ReadContext,
  scope: FindScope,
  users: readonly Uuid[],
): Promise<Set<Uuid>> {
  const others = users.filter((u) => u !== ctx.actorUuid);
  const visible = new Set(users.filter((u) => u === ctx.actorUuid));
  if (others.length === 0) return visible;
  const held = await ctx.tx.positionAssignments.organisationsOfUsers(others);
  for (const user of others) {
    const organisations = held.get(user) ?? [];
    const seen =
      organisations.length === 0
        ? scope.holdsRole
        : organisations.some((o) => scope.organisations.has(o));
    if (seen) visible.add(user);
  }
  return visible;
}

/**
 * Decides an activity at each organisation and keeps those where it is allowed; when it is
 * allowed nowhere, refuses with the first denial (audited by the reader). With no
 * organisation at all, decides once without one (a role anywhere).
 *
 * @throws POLICY_DENIED (through the reader) when no organisation is allowed.
 * @example
 * ```ts
 * const allowed = await allowedAt(ctx, 'assignment.view-history', ['QVV', 'FA123'], { user });
 * ```
 */
export async function allowedAt(
  ctx: ReadContext,
  activity: ActivityId,
  organisations: Iterable<OdsCode>,
  target: TargetInput = {},
): Promise<{ allowed: Set<OdsCode>; decision: Decision }> {
  const allowed = new Set<OdsCode>();
  let first: Decision | undefined;
  let denial: Decision | undefined;
  for (const organisation of new Set(organisations)) {
    const path = await organisationPath(ctx.tx, organisation);
    const decision = ctx.check(activity, { ...target, organisationPath: path });
    if (decision.allowed) {
      allowed.add(organisation);
      first ??= decision;
    } else denial ??= decision;
  }
  if (first !== undefined) return { allowed, decision: first };
  if (denial !== undefined) refuse(denial);
  return { allowed, decision: ctx.authorize(activity, target) };
}
