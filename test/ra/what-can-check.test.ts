import { afterEach, describe, expect, it } from 'vitest';
import { whatCan } from '../../src/policy/index.js';
import { loadActor } from '../../src/ra/context.js';
import { createRegistrationAuthority, seed, UnknownActorError } from '../../src/ra/index.js';
import { NotFoundError, type Store } from '../../src/storage/index.js';
import { AT, applicant, ICB, NOW, PHARMACY, people, seedData } from './fixtures.js';
import { storeCases } from './stores.js';

const auditSeq = (store: Store) =>
  store.transaction((tx) => tx.audit.head()).then((head) => head.seq);
const lastAudit = async (store: Store) => {
  const page = await store.transaction((tx) => tx.audit.read({ limit: 500 }));
  return page.items.at(-1)?.event;
};
const pharmacyPath = { organisationPath: [PHARMACY, ICB] };
const unknownActor = '555000000099';

for (const storeCase of storeCases) {
  describe.skipIf(storeCase.skip !== undefined)(
    `ra.whatCan and ra.check on ${storeCase.name}${storeCase.skip ? ` (skipped: ${storeCase.skip})` : ''}`,
    () => {
      let dispose: (() => Promise<void>) | undefined;
      afterEach(async () => {
        await dispose?.();
        dispose = undefined;
      });

      async function setUp() {
        const made = await storeCase.create();
        dispose = made.dispose;
        await seed(made.store, seedData, { at: AT, by: 'test-seed' });
        return {
          store: made.store,
          ra: createRegistrationAuthority({ store: made.store, clock: () => NOW }),
        };
      }

      it('ROLE-02 whatCan reads the actor from the store: an RA agent at the ICB may create a profile at its pharmacy, and the answer is the policy whatCan on that actor', async () => {
        const { store, ra } = await setUp();
        const can = await ra.whatCan(people.agent, pharmacyPath);
        expect(can.map((c) => c.activity)).toContain('user.create');
        const create = can.find((c) => c.activity === 'user.create');
        expect(create?.decision.reasons[0]).toMatchObject({ rule: 'ROLE-02', role: 'RAA' });
        const actor = await store.transaction((tx) =>
          loadActor(tx, people.agent as never, ra.pack),
        );
        expect(can).toEqual(whatCan(actor, pharmacyPath, { pack: ra.pack, at: AT }));
      });

      it('ROLE-02 ra.actor is the actor as whatCan reads it: in the browser, careid/policy on it gives the server`s answer; unaudited; unknown and malformed UUIDs refused', async () => {
        const { store, ra } = await setUp();
        const before = await auditSeq(store);
        const actor = await ra.actor(people.agent);
        expect(actor).toMatchObject({ uuid: people.agent, status: 'open' });
        expect(actor.assignments.map((a) => [a.organisation, a.roles])).toEqual([[ICB, ['RAA']]]);
        // Plain JSON: it crosses the wire as it is and decides the same there.
        const wired = JSON.parse(JSON.stringify(actor));
        expect(whatCan(wired, pharmacyPath, { pack: ra.pack, at: AT })).toEqual(
          await ra.whatCan(people.agent, pharmacyPath, { at: AT }),
        );
        const sponsor = await ra.actor(people.sponsor);
        expect(sponsor.assignments[0]).toMatchObject({
          roles: ['S'],
          assignable: ['pos-dispenser'],
        });
        expect((await ra.actor(people.trainee)).assignments).toEqual([]);
        expect(await auditSeq(store)).toBe(before);
        await expect(ra.actor(unknownActor)).rejects.toBeInstanceOf(UnknownActorError);
        await expect(ra.actor('12')).rejects.toMatchObject({
          code: 'VALIDATION',
          message: expect.stringMatching(/actor/),
        });
      });

      it('ROLE-02 whatCan: outside the actor`s organisations, and for a user with no RA role, no RA activity is offered', async () => {
        const { ra } = await setUp();
        const elsewhere = await ra.whatCan(people.agent, { organisationPath: ['ZZ999'] });
        expect(elsewhere.map((c) => c.activity)).not.toContain('user.create');
        const trainee = await ra.whatCan(people.trainee, pharmacyPath);
        expect(trainee.map((c) => c.activity)).not.toContain('user.create');
        expect(trainee.map((c) => c.activity)).toContain('user.find');
        const limited = await ra.whatCan(people.agent, pharmacyPath, {
          activities: ['user.create', 'position.create'],
        });
        expect(limited.map((c) => c.activity)).toEqual(['user.create']);
      });

      it('ROLE-01 whatCan: a closed profile is offered nothing; whatCan writes no audit record', async () => {
        const { store, ra } = await setUp();
        await store.transaction(async (tx) => {
          const u = await tx.users.get(people.agent as never);
          await tx.users.update({ ...u!, status: 'closed' });
        });
        const before = await auditSeq(store);
        expect(await ra.whatCan(people.agent, pharmacyPath)).toEqual([]);
        expect(await auditSeq(store)).toBe(before);
      });

      it('ROLE-01 an actor UUID with no profile is a NOT_FOUND naming the UUID, not "your profile is closed"; execute audits it as failed', async () => {
        const { store, ra } = await setUp();
        const notFound = { code: 'NOT_FOUND', kind: 'user', key: unknownActor };
        await expect(ra.whatCan(unknownActor, pharmacyPath)).rejects.toBeInstanceOf(
          UnknownActorError,
        );
        await expect(ra.whatCan(unknownActor, pharmacyPath)).rejects.toMatchObject(notFound);
        await expect(
          ra.check(unknownActor, { type: 'user.create', ...applicant }),
        ).rejects.toBeInstanceOf(NotFoundError);
        const error = await ra.users.create(unknownActor, applicant).catch((e: unknown) => e);
        expect(error).toMatchObject(notFound);
        expect((error as Error).message).toContain(unknownActor);
        expect((error as Error).message).not.toMatch(/closed/i);
        expect(await lastAudit(store)).toMatchObject({
          actor: unknownActor,
          activity: 'user.create',
          outcome: 'failed',
          reasons: [{ rule: 'OUTCOME', code: 'NOT_FOUND' }],
        });
      });

      it('ROLE-02 check is a dry run of execute: the same decision, nothing written and nothing audited', async () => {
        const { store, ra } = await setUp();
        const command = {
          type: 'assignment.assign',
          user: people.trainee,
          position: 'pos-dispenser',
          start: '2026-12-01',
        } as const;
        const before = await auditSeq(store);
        const dry = await ra.check(people.agent, command);
        expect(dry).toMatchObject({ allowed: true, activity: 'assignment.assign' });
        expect(dry.reasons[0]).toMatchObject({ rule: 'ROLE-02' });
        expect(await auditSeq(store)).toBe(before);
        const held = () =>
          store.transaction((tx) =>
            tx.positionAssignments.historyForUser(people.trainee as never, { limit: 10 }),
          );
        expect((await held()).items).toEqual([]);
        const created = await ra.check(people.agent, { type: 'user.create', ...applicant });
        expect(created.allowed).toBe(true);
        const rivers = await store.transaction((tx) => tx.users.searchByName({ family: 'Rivers' }));
        expect(rivers.items).toEqual([]);
        const real = await ra.execute(people.agent, command);
        expect(real.decision).toEqual(dry);
        expect((await held()).items).toHaveLength(1);
      });

      it('ROLE-02 check returns a denial as a decision (rule and what would grant), unaudited; bad input is a ValidationError', async () => {
        const { store, ra } = await setUp();
        const before = await auditSeq(store);
        const denied = await ra.check(people.trainee, {
          type: 'position.create',
          organisation: PHARMACY,
          name: 'Dispenser 2',
          jobRole: 'R8004',
          approval: { method: 'local-policy', approvedBy: [people.ram] },
        });
        expect(denied.allowed).toBe(false);
        expect(denied.reasons.length).toBeGreaterThan(0);
        expect(denied.wouldGrant.length).toBeGreaterThan(0);
        await expect(ra.check(people.agent, { type: 'user.create' })).rejects.toMatchObject({
          code: 'VALIDATION',
        });
        await expect(ra.check('not-a-uuid', { type: 'user.create' })).rejects.toMatchObject({
          code: 'VALIDATION',
          field: '',
        });
        expect(await auditSeq(store)).toBe(before);
      });
    },
  );
}
