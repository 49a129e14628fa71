/**
 * fast-check arbitraries for property-testing careid and a host's own rule packs.
 * `fast-check` is an optional peer dependency: install it to use this subpath.
 *
 * @example
 * ```ts
 * import fc from 'fast-check';
 * import { decide } from 'careid/policy';
 * import { worldArb, decisionRequestArb } from 'careid/testing';
 *
 * // A closed profile never gains anything, whatever my pack says.
 * fc.assert(fc.property(
 *   worldArb().chain((w) => fc.tuple(fc.constant(w), decisionRequestArb(w, w.actors[0]!.uuid))),
 *   ([world, request]) => {
 *     const actor = { ...world.actors[0]!, status: 'closed' as const };
 *     return !decide({ pack: myPack, actor, ...request }).allowed;
 *   },
 * ));
 * ```
 *
 * @packageDocumentation
 */
export {
  actorArb,
  actorAssignmentArb,
  decisionRequestArb,
  edgeDateArb,
  isoDateArb,
  niNumberArb,
  odsCodeArb,
  orgTreeArb,
  rulePackArb,
  type TreeOrganisation,
  uuidArb,
  type World,
  worldArb,
  worldDates,
} from './arbitraries.js';
export {
  initialRaModel,
  type ModelAssignment,
  type RaModel,
  type RaModelWorld,
  type RaSystem,
  raModelCommands,
  raModelWorld,
} from './ra-model.js';
