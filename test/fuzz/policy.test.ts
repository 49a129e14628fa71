import fc from 'fast-check';
import { describe, it } from 'vitest';
import * as policy from '../../src/policy/index.js';
import { decisionRequestArb, worldArb } from '../../src/testing/index.js';
import { functionsOf, fuzzFunction, member } from './modules.js';
import { CASES_PER_ENTRY_POINT } from './support.js';

const { nationalPack } = policy;
const decider = policy.createDecider(nationalPack);
/** A well-formed decision (actor and request) for the calls to start from. */
const requests = worldArb().chain((world) =>
  decisionRequestArb(world, world.actors[0]!.uuid).map((request) => ({
    ...request,
    actor: world.actors[0]!,
  })),
);

describe('issue 13: any JavaScript value at careid/policy`s functions', () => {
  it.each(functionsOf(policy))(
    `AUD-01 %s: ${CASES_PER_ENTRY_POINT} generated calls, a value or a CareIdError only`,
    (name) =>
      fuzzFunction(name, member(policy, name), policy, [
        fc.oneof(requests, fc.constant(nationalPack)),
      ]),
    300_000,
  );
  it.each(functionsOf(decider))(
    `AUD-01 createDecider(pack).%s: ${CASES_PER_ENTRY_POINT} generated calls, a value or a CareIdError only`,
    (name) =>
      fuzzFunction(`decider.${name}`, member(decider, name), decider, [
        requests.map((r) => r.actor),
        requests,
      ]),
    300_000,
  );
});
