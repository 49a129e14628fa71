import { describe, expect, it } from 'vitest';
import { PolicyDeniedError } from '../../src/policy/index.js';
import { createRegistrationAuthority } from '../../src/ra/index.js';
import { memoryStore, type Store } from '../../src/storage/index.js';
import { fixtureAssignment } from '../../src/storage/testing/index.js';
import { NOW, PHARMACY, people } from './fixtures.js';
import { PRACTICE, readers, seedReadWorld } from './read-fixtures.js';

/*
 * ROLE-02/REQ-01: a sponsor raises a request (the `*` route) only about someone in the
 * sponsor's scope. Anyone else, and a user with no position at all, is a policy refusal
 * (PolicyDeniedError, audited), not bad input.
 */

async function setUp() {
  const store = memoryStore();
  await seedReadWorld(store);
  return { store, ra: createRegistrationAuthority({ store, clock: () => NOW }) };
}

const closeRequest = (user: string) => ({
  request: {
    kind: 'sponsor-activity' as const,
    command: { type: 'user.close' as const, user, reason: 'left the pharmacy' },
  },
});

async function lastAudit(store: Store) {
  const page = await store.transaction((tx) => tx.audit.read({ limit: 1000 }));
  return page.items.at(-1)?.event;
}

describe('a sponsor raising requests about people outside the scope', () => {
  it('ROLE-02 a user with no position is outside every sponsor scope: PolicyDeniedError with the rule, audited, nothing raised', async () => {
    const { store, ra } = await setUp();
    const error = await ra.requests
      .raise(people.sponsor, closeRequest(readers.newcomer))
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PolicyDeniedError);
    expect((error as PolicyDeniedError).decision.reasons[0]).toMatchObject({
      rule: 'ROLE-02',
      code: 'SUBJECT_OUT_OF_SCOPE',
    });
    expect((error as PolicyDeniedError).message).toContain(readers.newcomer);
    expect(await lastAudit(store)).toMatchObject({
      actor: people.sponsor,
      activity: 'user.close',
      outcome: 'denied',
      target: readers.newcomer,
    });
    const open = await store.transaction((tx) =>
      tx.requests.list({ state: 'open' }, { limit: 100 }),
    );
    expect(open.items.filter((r) => r.subject === readers.newcomer)).toEqual([]);
  });

  it('ROLE-02 a user working only at another ICB is outside the sponsor scope: PolicyDeniedError (NO_ROLE)', async () => {
    const { ra } = await setUp();
    const error = await ra.requests
      .raise(people.sponsor, closeRequest(readers.farRivers))
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PolicyDeniedError);
    expect((error as PolicyDeniedError).decision.reasons[0]).toMatchObject({ rule: 'ROLE-02' });
  });

  it('ROLE-02 a user who works elsewhere first and at the sponsor pharmacy too is in scope: the request is raised there', async () => {
    const { store, ra } = await setUp();
    await store.transaction((tx) =>
      tx.positionAssignments.insert(
        fixtureAssignment('asg-far-here', readers.farRivers, {
          organisation: PHARMACY,
          position: 'pos-dispenser',
        }),
      ),
    );
    const raised = await ra.requests.raise(people.sponsor, closeRequest(readers.farRivers));
    expect(raised.decision.route).toBe('via-request');
    expect(raised.request.organisation).toBe(PHARMACY);
    expect(PRACTICE).not.toBe(PHARMACY);
  });
});
