/**
 * The RA rules engine: the activity matrix as data, rule packs, and `decide()`, which
 * answers who may do what, when, and why not, naming the rule IDs that decided.
 *
 * @packageDocumentation
 */
export { isTimeZone } from '../domain/time-zone.js';
export { certificateNotAfter } from './certificate-life.js';
export { effectiveGrants } from './compiled-pack.js';
export {
  type ActorFact,
  accessChangingActivities,
  type Condition,
  type ConditionActivity,
  type ConditionContext,
  conditions,
  type PersonField,
} from './conditions.js';
export { dateIn } from './dates.js';
export { createDecider, type Decider, type DecisionInput, decide, safeDecide } from './decide.js';
export { diffPacks, type GrantChange, type PackDiff, type SettingChange } from './diff-packs.js';
export type { Decision, GrantHint, PreparedRequest, Route } from './engine.js';
export {
  type Actor,
  type ActorInput,
  actorAssignmentSchema,
  actorSchema,
  type DecisionRequest,
  type DecisionRequestInput,
  decisionRequestSchema,
  type Facts,
  type FactsInput,
  factsSchema,
  type Target,
  type TargetInput,
  targetSchema,
} from './input.js';
export {
  type ActivityId,
  type ActivityRow,
  type AllUsersScope,
  activityIds,
  activityMatrix,
  activityRow,
  type Grant,
  isActivityId,
} from './matrix.js';
export { derivePack, type RulePackChanges } from './packs/derive.js';
export { dorsetPack } from './packs/dorset.js';
export { nationalPack } from './packs/national.js';
export { toValidPack } from './packs/registry.js';
export { type RulePack, type RulePackInput, rulePackSchema } from './packs/schema.js';
export { assertAllowed, PolicyDeniedError } from './policy-denied-error.js';
export {
  decideAt,
  type Population,
  type PreparedRequests,
  preparePopulation,
  prepareRequests,
} from './population.js';
export { rolesOfPosition } from './position-roles.js';
export type { PreparedActor } from './prepared-actor.js';
export type { Reason, ReasonCode, ReasonEffect } from './reasons.js';
export {
  identityCheckerRoles,
  type RaRole,
  raAgentRoles,
  raRoles,
  raRoleTitles,
  roleBit,
  roleMask,
} from './roles.js';
export { type Capability, explain, type WhatCanOptions, whatCan } from './what-can.js';
