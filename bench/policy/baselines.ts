import { createMongoAbility, type MongoAbility, subject } from '@casl/ability';
import type { ActorInput, DecisionRequestInput, RulePack } from '../../src/policy/index.js';
import { activityIds, activityRow, effectiveGrants } from '../../src/policy/index.js';

/*
 * CASL (@casl/ability), asked the question it can express: may this actor perform this
 * activity on this target, and which rule says so. One rule per (assignment, role,
 * activity) the matrix grants directly, with the organisation and the assignment's dates
 * as conditions (CASL decides dates at read time, as careid does, ASG-02); "All users"
 * rows as a rule for everyone (finding) or on one's own profile (self-service). Each rule
 * carries `reason: 'ROLE at ORG'`, read back with `relevantRuleFor`.
 */

/** The activities whose matrix row CASL expresses fully: only direct grants, or an "All users" row. */
export function caslExpresses(pack: RulePack) {
  return new Set(
    activityIds.filter((id) => {
      if (activityRow(id).allUsers !== undefined) return true;
      return Object.values(effectiveGrants(pack, id)).every((grant) => grant === 'direct');
    }),
  );
}

/** The CASL ability of one actor. */
export function caslAbility(pack: RulePack, actor: ActorInput): MongoAbility {
  const rules: {
    action: string;
    subject: string;
    conditions?: Record<string, unknown>;
    reason: string;
  }[] = [];
  for (const id of activityIds) {
    const scope = activityRow(id).allUsers;
    if (scope === 'any') rules.push({ action: id, subject: 'Target', reason: 'all users' });
    if (scope === 'own') {
      rules.push({
        action: id,
        subject: 'Target',
        conditions: { owner: actor.uuid },
        reason: 'own profile',
      });
    }
  }
  for (const a of actor.assignments) {
    if (a.removed) continue;
    const date = a.end === undefined ? { $gte: a.start } : { $gte: a.start, $lt: a.end };
    for (const id of activityIds) {
      const grants = effectiveGrants(pack, id);
      for (const role of a.roles) {
        if (grants[role] !== 'direct') continue;
        rules.push({
          action: id,
          subject: 'Target',
          conditions: { path: a.organisation, date },
          reason: `${role} at ${a.organisation}`,
        });
      }
    }
  }
  return createMongoAbility(rules);
}

/** The CASL subject of a target: its organisation path, the decision date, whose it is. */
export function caslSubject(request: DecisionRequestInput) {
  const target = request.target ?? {};
  const holder = target.card?.holder;
  const user = target.user?.uuid ?? holder;
  return subject('Target', {
    path: [...(target.organisationPath ?? [])],
    date: request.at.slice(0, 10),
    owner: holder === undefined || holder === user ? user : undefined,
  });
}
