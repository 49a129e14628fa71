import { createMongoAbility, subject } from '@casl/ability';
import { newEnforcer, newModelFromString } from 'casbin';
import type { ActorInput, CompiledPack, DecisionRequestInput } from '../../src/policy/index.js';
import { activityIds, raRoles, roleBit } from '../../src/policy/index.js';

const dayOf = (date: string) => Math.floor(Date.parse(`${date}T00:00:00Z`) / 86_400_000);

/** What both bitset baselines precompute: organisation indexes, ancestor lists, grant masks. */
function bitsetTables(compiled: CompiledPack, paths: readonly (readonly string[])[]) {
  const orgIndex = new Map<string, number>();
  paths.forEach((p, i) => {
    orgIndex.set(p[0]!, i);
  });
  return {
    orgIndex,
    ancestors: paths.map((p) => Int32Array.from(p.map((o) => orgIndex.get(o)!))),
    activityMask: Int32Array.from(activityIds.map((a) => compiled.activities.get(a)!.directMask)),
    // "All users" finding rows are allowed to everyone; self-service rows need the target's owner.
    everyone: Uint8Array.from(
      activityIds.map((a) => (compiled.activities.get(a)!.row.allUsers === 'any' ? 1 : 0)),
    ),
  };
}

/**
 * The bare bitset check a careful engineer would write: assignments packed into typed
 * arrays (org index, role mask, start and end day), each organisation's ancestors as an
 * index list, one direct-grant mask per activity. Same permit semantics as decide()
 * (dates, scope, roles); no reasons, no separation of duties, no conditions.
 */
export function buildBitset(
  compiled: CompiledPack,
  actors: readonly ActorInput[],
  paths: readonly (readonly string[])[],
) {
  const { orgIndex, ancestors, activityMask, everyone } = bitsetTables(compiled, paths);
  const offsets = new Int32Array(actors.length + 1);
  let total = 0;
  actors.forEach((a, i) => {
    offsets[i] = total;
    total += a.assignments.length;
  });
  offsets[actors.length] = total;
  const org = new Int32Array(total);
  const mask = new Int32Array(total);
  const start = new Int32Array(total);
  const end = new Int32Array(total);
  let k = 0;
  for (const actor of actors) {
    for (const a of actor.assignments) {
      org[k] = orgIndex.get(a.organisation)!;
      let m = 0;
      for (const r of a.roles) m |= roleBit[r];
      mask[k] = a.removed ? 0 : m;
      start[k] = dayOf(a.start);
      end[k] = a.end ? dayOf(a.end) : 2 ** 31 - 1;
      k++;
    }
  }
  return {
    orgIndex,
    activityIndex: new Map(activityIds.map((a, i) => [a, i])),
    check(actor: number, activity: number, targetOrg: number, day: number): boolean {
      if (everyone[activity] === 1) return true;
      const need = activityMask[activity]!;
      const path = ancestors[targetOrg]!;
      for (let j = offsets[actor]!; j < offsets[actor + 1]!; j++) {
        if ((mask[j]! & need) === 0 || start[j]! > day || day >= end[j]!) continue;
        const o = org[j]!;
        for (let p = 0; p < path.length; p++) if (path[p] === o) return true;
      }
      return false;
    },
  };
}

/**
 * The same bitset check with one object per user (its assignments packed in its own
 * Int32Array), the layout a prepared actor has: it shows how much of the gap to the
 * columnar bitset is memory layout rather than logic.
 */
export function buildBitsetPerUser(
  compiled: CompiledPack,
  actors: readonly ActorInput[],
  paths: readonly (readonly string[])[],
) {
  const { orgIndex, ancestors, activityMask, everyone } = bitsetTables(compiled, paths);
  const users = actors.map((actor) => {
    const kept = actor.assignments.filter((a) => !a.removed && a.roles.length > 0);
    const grants = new Int32Array(kept.length * 4);
    kept.forEach((a, i) => {
      let m = 0;
      for (const r of a.roles) m |= roleBit[r];
      grants.set(
        [orgIndex.get(a.organisation)!, m, dayOf(a.start), a.end ? dayOf(a.end) : 2 ** 31 - 1],
        i * 4,
      );
    });
    return { uuid: actor.uuid, grants };
  });
  return {
    check(actor: number, activity: number, targetOrg: number, day: number): boolean {
      if (everyone[activity] === 1) return true;
      const need = activityMask[activity]!;
      const path = ancestors[targetOrg]!;
      const g = users[actor]!.grants;
      for (let j = 0; j < g.length; j += 4) {
        if ((g[j + 1]! & need) === 0 || g[j + 2]! > day || day >= g[j + 3]!) continue;
        for (let p = 0; p < path.length; p++) if (path[p] === g[j]) return true;
      }
      return false;
    },
  };
}

/**
 * CASL abilities for the actors: one rule per (assignment, role, activity) the matrix
 * grants directly, with the organisation and the assignment's dates as conditions, so
 * CASL decides dates at read time as decide() does (ASG-02).
 */
export function buildCasl(compiled: CompiledPack, actors: readonly ActorInput[]) {
  return actors.map((actor) => {
    const rules: { action: string; subject: string; conditions: Record<string, unknown> }[] = [];
    for (const a of actor.assignments) {
      if (a.removed) continue;
      const date = a.end === undefined ? { $gte: a.start } : { $gte: a.start, $lt: a.end };
      for (const activity of activityIds) {
        const grants = compiled.activities.get(activity)!.grants;
        for (const role of a.roles) {
          if (grants[role] === 'direct') {
            rules.push({
              action: activity,
              subject: 'Target',
              conditions: { path: a.organisation, date },
            });
          }
        }
      }
    }
    return createMongoAbility(rules);
  });
}

/** CASL subjects for the requests: the target's organisation path and the decision date. */
export function caslSubjects(requests: readonly DecisionRequestInput[]) {
  return requests.map((r) =>
    subject('Target', { path: [...(r.target?.organisationPath ?? [])], date: r.at.slice(0, 10) }),
  );
}

const CASBIN_MODEL = `
[request_definition]
r = sub, dom, act
[policy_definition]
p = sub, act
[role_definition]
g = _, _, _
[policy_effect]
e = some(where (p.eft == allow))
[matchers]
m = g(r.sub, p.sub, r.dom) && r.act == p.act
`;

/** casbin, RBAC with domains: a role per (user, organisation), policies per (role, activity); the hierarchy by walking the path. */
export async function buildCasbin(
  compiled: CompiledPack,
  actors: readonly ActorInput[],
  date: string,
) {
  const enforcer = await newEnforcer(newModelFromString(CASBIN_MODEL));
  const policies: string[][] = [];
  for (const activity of activityIds) {
    const grants = compiled.activities.get(activity)!.grants;
    for (const role of raRoles) if (grants[role] === 'direct') policies.push([role, activity]);
  }
  await enforcer.addPolicies(policies);
  const groupings: string[][] = [];
  for (const actor of actors) {
    for (const a of actor.assignments) {
      if (a.removed || a.start > date || (a.end !== undefined && date >= a.end)) continue;
      for (const role of a.roles) groupings.push([actor.uuid, role, a.organisation]);
    }
  }
  if (groupings.length > 0) await enforcer.addGroupingPolicies(groupings);
  return (user: string, path: readonly string[], activity: string): boolean => {
    for (const dom of path) if (enforcer.enforceSync(user, dom, activity)) return true;
    return false;
  };
}
