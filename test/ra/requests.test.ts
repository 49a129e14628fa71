import { afterEach, describe, expect, it } from 'vitest';
import {
  derivePack,
  nationalPack,
  PolicyDeniedError,
  type RulePack,
} from '../../src/policy/index.js';
import {
  createRegistrationAuthority,
  seed,
  seedAssignment,
  seedPosition,
  seedUser,
} from '../../src/ra/index.js';
import { type Store, verifyAudit } from '../../src/storage/index.js';
import { AT, goodCheck, NOW, PHARMACY, people, seedData } from './fixtures.js';
import { storeCases } from './stores.js';

async function auditTrail(store: Store) {
  const page = await store.transaction((tx) => tx.audit.read({ limit: 1000 }));
  return page.items.map((r) => r.event);
}

const newStarter = {
  name: { given: 'Robin', family: 'Ashdown' },
  dateOfBirth: '1992-03-04',
  niNumber: 'CE123456A',
};

const esrCreate = {
  kind: 'create',
  esrPersonNumber: '12345678',
  organisation: PHARMACY,
  person: { name: { given: 'Sam', family: 'Lee' }, dateOfBirth: '1990-02-03' },
  jobTitle: 'Pharmacy technician',
  startDate: '2026-12-01',
};

for (const storeCase of storeCases) {
  describe.skipIf(storeCase.skip !== undefined)(
    `Requests on ${storeCase.name}${storeCase.skip ? ` (skipped: ${storeCase.skip})` : ''}`,
    () => {
      let dispose: (() => Promise<void>) | undefined;
      afterEach(async () => {
        await dispose?.();
        dispose = undefined;
      });

      async function setUp(pack: RulePack = nationalPack) {
        const made = await storeCase.create();
        dispose = made.dispose;
        await seed(made.store, seedData, { at: AT, by: 'test-seed' });
        const clock = { now: NOW };
        return {
          store: made.store,
          clock,
          ra: createRegistrationAuthority({ store: made.store, pack, clock: () => clock.now }),
        };
      }

      it('REQ-01 SOD-01 a sponsor raises a create-user request; an RA agent checks identity and accepts it, creating the profile and assigning the position', async () => {
        const { store, ra } = await setUp();
        const raised = await ra.requests.raise(people.sponsor, {
          request: {
            kind: 'sponsor-create-user',
            organisation: PHARMACY,
            person: newStarter,
            position: 'pos-dispenser',
            start: '2026-11-22',
          },
        });
        expect(raised.request).toMatchObject({
          kind: 'sponsor-create-user',
          state: 'open',
          requestedBy: people.sponsor,
          organisation: PHARMACY,
        });
        expect(raised.request.payload['requesterName']).toBe('Staff Sponsor');

        const accepted = await ra.requests.accept(people.agent, {
          request: raised.request.id,
          identityCheck: goodCheck,
        });
        expect(accepted.request.state).toBe('accepted');
        const uuid = accepted.user!;
        expect(accepted.request.subject).toBe(uuid);
        const profile = await store.transaction((tx) => tx.users.get(uuid as never));
        expect(profile?.identityCheck?.checkedBy).toBe(people.agent);
        const history = await store.transaction((tx) =>
          tx.positionAssignments.historyForUser(uuid as never),
        );
        expect(history.items.map((a) => a.position)).toEqual(['pos-dispenser']);
        expect(accepted.changed.map((c) => c.kind)).toEqual([
          'requests',
          'users',
          'positionAssignments',
        ]);
        const last = (await auditTrail(store)).at(-1);
        expect(last).toMatchObject({
          activity: 'request.accept',
          outcome: 'allowed',
          requestId: raised.request.id,
        });
        expect(await verifyAudit(store)).toMatchObject({ ok: true });
      });

      it('ID-01 accepting a create-user request without the identity check is a ValidationError; the request stays open', async () => {
        const { store, ra } = await setUp();
        const raised = await ra.requests.raise(people.sponsor, {
          request: { kind: 'sponsor-create-user', organisation: PHARMACY, person: newStarter },
        });
        await expect(
          ra.requests.accept(people.agent, { request: raised.request.id }),
        ).rejects.toMatchObject({ code: 'VALIDATION', field: 'identityCheck' });
        const stored = await store.transaction((tx) => tx.requests.get(raised.request.id));
        expect(stored?.state).toBe('open');
      });

      it('ROLE-03 a sponsor cannot close a profile directly, only by request, which an RA agent accepts (PROF-01)', async () => {
        const { store, ra } = await setUp();
        const created = await ra.users.create(people.agent, {
          organisation: PHARMACY,
          ...newStarter,
          identityCheck: goodCheck,
        });
        await ra.assignments.assign(people.sponsor, {
          user: created.uuid,
          position: 'pos-dispenser',
          start: '2026-11-22',
        });
        const direct = ra.users.close(people.sponsor, { user: created.uuid, reason: 'left' });
        await expect(direct).rejects.toBeInstanceOf(PolicyDeniedError);

        const raised = await ra.requests.raise(people.sponsor, {
          request: {
            kind: 'sponsor-activity',
            command: { type: 'user.close', user: created.uuid, reason: 'left the pharmacy' },
          },
        });
        expect(raised.decision.route).toBe('via-request');
        const accepted = await ra.requests.accept(people.agent, { request: raised.request.id });
        expect(accepted.request.state).toBe('accepted');
        const profile = await store.transaction((tx) => tx.users.get(created.uuid));
        expect(profile?.status).toBe('closed');
      });

      it('SOD-05 the requester never accepts or rejects their own request', async () => {
        const { store, ra } = await setUp();
        const created = await ra.users.create(people.agent, {
          organisation: PHARMACY,
          ...newStarter,
          identityCheck: goodCheck,
        });
        const raised = await ra.requests.raise(people.agent, {
          request: {
            kind: 'position-assignment',
            user: created.uuid,
            position: 'pos-pharmacist',
            start: '2026-12-01',
          },
          reason: 'covering the new branch',
        });
        const own = await ra.requests
          .accept(people.agent, { request: raised.request.id })
          .catch((e: unknown) => e);
        expect(own).toBeInstanceOf(PolicyDeniedError);
        expect((own as PolicyDeniedError).decision.reasons.map((r) => r.rule)).toContain('SOD-05');
        await expect(
          ra.requests.reject(people.agent, { request: raised.request.id, reason: 'mine' }),
        ).rejects.toBeInstanceOf(PolicyDeniedError);
        const accepted = await ra.requests.accept(people.ram, { request: raised.request.id });
        expect(accepted.changed.map((c) => c.kind)).toContain('positionAssignments');
        const denied = (await auditTrail(store)).filter((e) => e.outcome === 'denied');
        expect(denied.map((e) => e.activity)).toEqual(['request.accept', 'request.reject']);
      });

      it('REQ-02 opening a request locks it to the reviewer for 15 minutes; a rejection needs a reason', async () => {
        const { ra, clock } = await setUp();
        const raised = await ra.requests.raise(people.sponsor, {
          request: { kind: 'sponsor-create-user', organisation: PHARMACY, person: newStarter },
        });
        const opened = await ra.requests.open(people.agent, { request: raised.request.id });
        expect(opened.request.lock).toEqual({
          by: people.agent,
          until: '2026-11-22T10:15:00.000Z',
        });

        clock.now = new Date('2026-11-22T10:14:59.000Z');
        await expect(
          ra.requests.reject(people.ram, { request: raised.request.id, reason: 'duplicate' }),
        ).rejects.toMatchObject({ code: 'INVALID_TRANSITION', rule: 'REQ-02' });
        await expect(
          ra.execute(people.ram, { type: 'request.reject', request: raised.request.id } as never),
        ).rejects.toMatchObject({ code: 'VALIDATION', field: 'reason' });

        clock.now = new Date('2026-11-22T10:15:00.000Z');
        const rejected = await ra.requests.reject(people.ram, {
          request: raised.request.id,
          reason: 'already has a profile at another trust',
        });
        expect(rejected.request).toMatchObject({
          state: 'rejected',
          decision: {
            by: people.ram,
            outcome: 'rejected',
            reason: 'already has a profile at another trust',
          },
        });
        await expect(
          ra.requests.accept(people.agent, {
            request: raised.request.id,
            identityCheck: goodCheck,
          }),
        ).rejects.toMatchObject({ code: 'INVALID_TRANSITION', rule: 'REQ-02' });
      });

      it('REQ-01 ESR feed records become requests; an invalid record is refused with its field and audited, the rest still arrive', async () => {
        const { store, ra } = await setUp();
        const result = await ra.requests.receiveFromEsr([
          esrCreate,
          { ...esrCreate, esrPersonNumber: '12AB' },
          {
            ...esrCreate,
            kind: 'modify',
            uuid: '999999999999',
            changes: {},
            effectiveFrom: '2026-12-01',
          },
        ]);
        expect(result.received).toBe(1);
        expect(result.items[1]).toMatchObject({
          outcome: 'refused',
          code: 'VALIDATION',
          field: 'esrPersonNumber',
        });
        expect(result.items[2]).toMatchObject({ outcome: 'refused', code: 'VALIDATION' });
        const trail = (await auditTrail(store)).filter((e) => e.activity === 'request.receive-esr');
        expect(trail.map((e) => [e.actor, e.outcome])).toEqual([
          ['ESR', 'allowed'],
          ['ESR', 'failed'],
          ['ESR', 'failed'],
        ]);
        const first = result.items[0]!;
        if (first.outcome !== 'received') throw new Error('expected a request');
        const request = await store.transaction((tx) => tx.requests.get(first.request));
        expect(request).toMatchObject({
          kind: 'esr-create-user',
          requestedBy: 'ESR',
          state: 'open',
        });
      });

      it('REQ-02 PROF-03 a sponsor accepts an ESR create request by matching a profile, and an ESR modify request overwrites the ESR-mastered fields', async () => {
        const { store, ra } = await setUp();
        const created = await ra.users.create(people.agent, {
          organisation: PHARMACY,
          name: { given: 'Sam', family: 'Lee' },
          dateOfBirth: '1990-02-03',
          identityCheck: goodCheck,
        });
        await ra.assignments.assign(people.sponsor, {
          user: created.uuid,
          position: 'pos-dispenser',
          start: '2026-11-22',
        });
        const intake = await ra.requests.receiveFromEsr([esrCreate]);
        const id = (intake.items[0] as { request: string }).request;
        const linked = await ra.requests.accept(people.sponsor, {
          request: id as never,
          match: created.uuid,
        });
        expect(linked.decision.activity).toBe('request.decide-esr-create');
        let profile = await store.transaction((tx) => tx.users.get(created.uuid));
        expect(profile?.esrLinked).toBe(true);

        await ra.users.changeDetails(people.agent, { user: created.uuid, niNumber: 'AB123456C' });
        profile = await store.transaction((tx) => tx.users.get(created.uuid));
        expect(profile?.locallyChangedEsrFields).toEqual(['niNumber']);

        const modify = await ra.requests.receiveFromEsr([
          {
            kind: 'modify',
            esrPersonNumber: '12345678',
            uuid: created.uuid,
            organisation: PHARMACY,
            changes: { niNumber: 'CE654321B', name: { given: 'Sam', family: 'Hart' } },
            effectiveFrom: '2026-12-10',
          },
        ]);
        const modifyId = (modify.items[0] as { request: string }).request;
        await ra.requests.accept(people.sponsor, { request: modifyId as never });
        profile = await store.transaction((tx) => tx.users.get(created.uuid));
        expect(profile).toMatchObject({
          niNumber: 'CE654321B',
          name: { family: 'Hart' },
          locallyChangedEsrFields: [],
        });
      });

      it('REQ-03 REQ-04 a sponsor lists only the requests it may act on; closed ones leave the default listing after 30 days', async () => {
        const { ra, clock } = await setUp();
        await ra.requests.receiveFromEsr([esrCreate]);
        const change = await ra.requests.raise(people.agent, {
          request: {
            kind: 'position-change',
            position: 'pos-dispenser',
            change: { addActivities: ['B0360'] },
          },
          reason: 'dispensers now order stock',
        });
        const own = await ra.requests.raise(people.sponsor, {
          request: { kind: 'sponsor-create-user', organisation: PHARMACY, person: newStarter },
        });

        const sponsorView = await ra.requests.list(people.sponsor);
        expect(sponsorView.items.map((r) => r.kind).sort()).toEqual([
          'esr-create-user',
          'sponsor-create-user',
        ]);
        const ramView = await ra.requests.list(people.ram);
        expect(ramView.items.map((r) => r.id)).toContain(change.request.id);
        await expect(ra.requests.list(people.trainee)).rejects.toBeInstanceOf(PolicyDeniedError);
        await expect(
          ra.requests.list(people.ram, { kind: 'nonsense' } as never),
        ).rejects.toMatchObject({ code: 'VALIDATION', field: 'kind' });

        await ra.requests.withdraw(people.sponsor, { request: own.request.id });
        clock.now = new Date('2026-12-21T10:00:00.000Z');
        expect((await ra.requests.list(people.sponsor)).items.map((r) => r.id)).toContain(
          own.request.id,
        );
        clock.now = new Date('2026-12-23T10:00:00.000Z');
        expect((await ra.requests.list(people.sponsor)).items.map((r) => r.id)).not.toContain(
          own.request.id,
        );
        const history = await ra.requests.list(people.sponsor, { history: true });
        expect(history.items.map((r) => r.id)).toContain(own.request.id);
      });

      it('POS-03 a position change request needs IG approval for a sensitive activity; the completed change records the requester', async () => {
        const pack = derivePack(nationalPack, { igApprovalActivities: ['B0360'] });
        const { store, ra } = await setUp(pack);
        const raised = await ra.requests.raise(people.agent, {
          request: {
            kind: 'position-change',
            position: 'pos-dispenser',
            change: { addActivities: ['B0360'], description: 'order controlled drugs' },
          },
          reason: 'new service',
        });
        expect(raised.request.payload['requesterName']).toBe('Staff Agent');
        const withoutIg = await ra.requests
          .accept(people.ram, { request: raised.request.id })
          .catch((e: unknown) => e);
        expect((withoutIg as PolicyDeniedError).decision.reasons.map((r) => r.rule)).toContain(
          'POS-03',
        );
        const done = await ra.requests.accept(people.ram, {
          request: raised.request.id,
          igApproval: 'IG-2026-114',
        });
        expect(done.request.state).toBe('accepted');
        const position = await store.transaction((tx) =>
          tx.positions.get('pos-dispenser' as never),
        );
        expect(position?.activities).toContain('B0360');
        expect((await auditTrail(store)).at(-1)).toMatchObject({
          activity: 'request.accept',
          details: { requester: 'Staff Agent', igApproval: 'IG-2026-114' },
        });
        await expect(
          ra.requests.raise(people.agent, {
            request: {
              kind: 'position-change',
              position: 'pos-dispenser',
              change: { description: 'x' },
            },
          }),
        ).rejects.toMatchObject({ code: 'VALIDATION', field: 'reason' });
      });

      it('POS-03 a position change request is assessed by an RA Manager: an RA Agent (Advanced), who may edit positions directly, may not accept it', async () => {
        const { store, ra } = await setUp();
        // An RA Agent (Advanced) at the ICB (R5085 in the national pack).
        const advanced = '555000000009';
        const by = { at: AT, by: people.ram };
        const post = seedPosition(
          { id: 'pos-raaa', organisation: 'QVV', jobRole: 'R5085', activities: [] },
          by,
        );
        await seed(
          store,
          {
            positions: [post],
            users: [
              seedUser({ uuid: advanced, given: 'Ada', family: 'Advanced', training: true }, by),
            ],
            assignments: [
              seedAssignment(
                { id: 'asg-raaa', user: advanced, position: post, start: '2025-04-01' },
                by,
              ),
            ],
          },
          by,
        );
        const raised = await ra.requests.raise(people.agent, {
          request: {
            kind: 'position-change',
            position: 'pos-dispenser',
            change: { addActivities: ['B0360'] },
          },
          reason: 'dispensers now order stock',
        });
        const refused = await ra.requests
          .accept(advanced, { request: raised.request.id })
          .catch((e: unknown) => e);
        expect(refused).toBeInstanceOf(PolicyDeniedError);
        expect((refused as PolicyDeniedError).decision.reasons).toContainEqual(
          expect.objectContaining({ rule: 'POS-03', code: 'RAM_ASSESSES_POSITION_CHANGE' }),
        );
        const unchanged = await store.transaction((tx) =>
          tx.positions.get('pos-dispenser' as never),
        );
        expect(unchanged?.activities).not.toContain('B0360');
        // The same RA Agent (Advanced) edits a position directly, as the matrix allows.
        await ra.positions.edit(advanced, {
          position: 'pos-dispenser',
          change: { name: 'Dispenser (new)' },
        });
        const done = await ra.requests.accept(people.ram, { request: raised.request.id });
        expect(done.request.state).toBe('accepted');
      });

      it('ASG-03 an accepted ESR leaver record ends the assignments at that organisation; until then the leavers report lists them', async () => {
        const { store, ra, clock } = await setUp();
        const created = await ra.users.create(people.agent, {
          organisation: PHARMACY,
          ...newStarter,
          identityCheck: goodCheck,
        });
        const assigned = await ra.assignments.assign(people.sponsor, {
          user: created.uuid,
          position: 'pos-dispenser',
          start: '2026-11-01',
        });
        const intake = await ra.requests.receiveFromEsr([
          {
            kind: 'modify',
            esrPersonNumber: '12345678',
            uuid: created.uuid,
            organisation: PHARMACY,
            leftOn: '2026-11-20',
            effectiveFrom: '2026-11-20',
          },
        ]);
        const id = (intake.items[0] as { request: string }).request as never;
        const overdue = await ra.reports.view(people.sponsor, { report: 'leavers-overdue' });
        expect(overdue.rows).toEqual([
          expect.objectContaining({ assignment: assigned.assignment.id, leftOn: '2026-11-20' }),
        ]);
        clock.now = new Date('2026-11-22T11:00:00.000Z');
        const accepted = await ra.requests.accept(people.sponsor, { request: id });
        expect(accepted.changed.map((c) => c.kind)).toContain('positionAssignments');
        const history = await store.transaction((tx) =>
          tx.positionAssignments.historyForUser(created.uuid),
        );
        expect(history.items[0]).toMatchObject({ start: '2026-11-01', end: '2026-11-20' });
        const after = await ra.reports.view(people.sponsor, { report: 'leavers-overdue' });
        expect(after.rows).toEqual([]);
      });
    },
  );
}

describe('REQ-02 the review lock on ESR requests is a policy decision', () => {
  it('REQ-02 another reviewer inside the lock is denied with REQ-02 and the denial is audited', async () => {
    const made = await storeCases[0]!.create();
    await seed(made.store, seedData, { at: AT, by: 'test-seed' });
    const clock = { now: NOW };
    const ra = createRegistrationAuthority({ store: made.store, clock: () => clock.now });
    const intake = await ra.requests.receiveFromEsr([esrCreate]);
    const id = (intake.items[0] as { request: string }).request as never;
    await ra.requests.open(people.sponsor, { request: id });
    const denied = await ra.requests
      .reject(people.agent, { request: id, reason: 'not ours' })
      .catch((e: unknown) => e);
    expect(denied).toBeInstanceOf(PolicyDeniedError);
    expect((denied as PolicyDeniedError).decision.reasons.map((r) => r.rule)).toContain('REQ-02');
    const trail = await made.store.transaction((tx) => tx.audit.read({ limit: 100 }));
    expect(trail.items.at(-1)?.event).toMatchObject({
      activity: 'request.reject',
      outcome: 'denied',
    });
    clock.now = new Date(NOW.getTime() + 15 * 60_000);
    const rejected = await ra.requests.reject(people.agent, { request: id, reason: 'not ours' });
    expect(rejected.request.state).toBe('rejected');
    await made.dispose();
  });
});
