import { afterEach, describe, expect, it } from 'vitest';
import { derivePack, nationalPack, PolicyDeniedError } from '../../src/policy/index.js';
import { createRegistrationAuthority, PossibleDuplicateError, seed } from '../../src/ra/index.js';
import { type Store, verifyAudit } from '../../src/storage/index.js';
import {
  fixtureAuthenticator,
  fixtureCard,
  fixtureCertificate,
  fixtureRequest,
} from '../../src/storage/testing/index.js';
import { AT, applicant, goodCheck, NOW, people, seedData } from './fixtures.js';
import { storeCases } from './stores.js';

async function auditTrail(store: Store) {
  const page = await store.transaction((tx) => tx.audit.read({ limit: 500 }));
  return page.items.map((r) => r.event);
}

async function userCount(store: Store, family: string) {
  const page = await store.transaction((tx) => tx.users.searchByName({ family }));
  return page.items.length;
}

for (const storeCase of storeCases) {
  describe.skipIf(storeCase.skip !== undefined)(
    `RegistrationAuthority on ${storeCase.name}${storeCase.skip ? ` (skipped: ${storeCase.skip})` : ''}`,
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

      it('ID-01..ID-05 an RA agent creates a profile after a complete identity check; the change and its audit commit together (AUD-01)', async () => {
        const { store, ra } = await setUp();
        const result = await ra.users.create(people.agent, applicant);
        expect(result.uuid).toMatch(/^[1-9]\d{11}$/);
        expect(result.changed).toEqual([
          { kind: 'users', key: result.uuid, op: 'insert', version: 0 },
        ]);
        expect(result.decision.reasons[0]).toMatchObject({
          rule: 'ROLE-02',
          role: 'RAA',
          organisation: 'QVV',
        });
        const stored = await store.transaction((tx) => tx.users.get(result.uuid as never));
        expect(stored?.identityCheck).toMatchObject({ checkedBy: people.agent, checkedAt: AT });
        const last = (await auditTrail(store)).at(-1);
        expect(last).toMatchObject({
          actor: people.agent,
          activity: 'user.create',
          target: result.uuid,
          outcome: 'allowed',
        });
        expect(last?.reasons[0]?.rule).toBe('ROLE-02');
        expect(await verifyAudit(store)).toMatchObject({ ok: true });
      });

      it('ID-01 an incomplete identity check is a ValidationError; nothing is written and the attempt is audited', async () => {
        const { store, ra } = await setUp();
        const incomplete = {
          ...applicant,
          identityCheck: { ...goodCheck, documents: [goodCheck.documents[0]!] },
        };
        await expect(ra.users.create(people.agent, incomplete)).rejects.toMatchObject({
          code: 'VALIDATION',
          field: 'identityCheck.documents',
        });
        expect(await userCount(store, 'Rivers')).toBe(0);
        expect((await auditTrail(store)).at(-1)).toMatchObject({
          activity: 'user.create',
          outcome: 'failed',
        });
        expect(await verifyAudit(store)).toMatchObject({ ok: true });
      });

      it('ID-06 a possible duplicate blocks creation unless an RA agent overrides it with a reason', async () => {
        const { store, ra } = await setUp();
        const first = await ra.users.create(people.agent, applicant);
        const again = ra.users.create(people.agent, {
          ...applicant,
          niNumber: 'CE123456A',
          name: { given: 'alex', family: 'RIVERS' },
        });
        await expect(again).rejects.toBeInstanceOf(PossibleDuplicateError);
        await expect(again).rejects.toMatchObject({
          matches: [{ uuid: first.uuid, because: 'same-name-and-date-of-birth' }],
        });
        expect(await userCount(store, 'Rivers')).toBe(1);
        const twin = await ra.users.create(people.agent, {
          ...applicant,
          niNumber: 'CE123456A',
          duplicateOverride: { reason: 'twin: different NI number seen on HMRC letter' },
        });
        const stored = await store.transaction((tx) => tx.users.get(twin.uuid as never));
        expect(stored?.duplicateOverride).toEqual({
          by: people.agent,
          reason: 'twin: different NI number seen on HMRC letter',
        });
      });

      it('ID-06 the duplicate check equates ß with ss and dotless ı with i', async () => {
        const { ra } = await setUp();
        const first = await ra.users.create(people.agent, {
          ...applicant,
          name: { given: 'Jürgen', family: 'Straße' },
        });
        const second = await ra.users.create(people.agent, {
          ...applicant,
          niNumber: 'CE123456A',
          name: { given: 'Ayşe', family: 'Yıldız' },
        });
        for (const [name, uuid] of [
          [{ given: 'JURGEN', family: 'STRASSE' }, first.uuid],
          [{ given: 'Ayse', family: 'YILDIZ' }, second.uuid],
        ] as const) {
          const again = ra.users.create(people.agent, {
            ...applicant,
            niNumber: 'JG103759A',
            name,
          });
          await expect(again).rejects.toBeInstanceOf(PossibleDuplicateError);
          await expect(again).rejects.toMatchObject({
            matches: [{ uuid, because: 'same-name-and-date-of-birth' }],
          });
        }
      });

      it('SOD-01 the sponsor of an application cannot create the profile; the denial changes nothing and is audited', async () => {
        const { store, ra } = await setUp();
        const denied = ra.users.create(people.agent, { ...applicant, sponsoredBy: people.agent });
        await expect(denied).rejects.toBeInstanceOf(PolicyDeniedError);
        await expect(denied).rejects.toMatchObject({ rules: ['SOD-01'] });
        expect(await userCount(store, 'Rivers')).toBe(0);
        expect((await auditTrail(store)).at(-1)).toMatchObject({
          activity: 'user.create',
          outcome: 'denied',
          reasons: [{ rule: 'SOD-01' }],
        });
      });

      it('ROLE-03 a sponsor assigns positions on its assignable list; any other is refused with its reason', async () => {
        const { ra } = await setUp();
        const { uuid } = await ra.users.create(people.agent, applicant);
        const ok = await ra.assignments.assign(people.sponsor, {
          user: uuid,
          position: 'pos-dispenser',
          start: '2026-11-22',
        });
        expect(ok.assignment).toMatchObject({
          user: uuid,
          position: 'pos-dispenser',
          organisation: 'FA123',
          version: 0,
        });
        expect(ok.decision.reasons[0]).toMatchObject({
          rule: 'ROLE-03',
          code: 'ASSIGNABLE_POSITION',
        });
        await expect(
          ra.assignments.assign(people.sponsor, {
            user: uuid,
            position: 'pos-pharmacist',
            start: '2026-11-22',
          }),
        ).rejects.toMatchObject({
          code: 'POLICY_DENIED',
          decision: { reasons: [{ rule: 'ROLE-03', code: 'NOT_ASSIGNABLE' }] },
        });
        const byAgent = await ra.assignments.assign(people.agent, {
          user: uuid,
          position: 'pos-pharmacist',
          start: '2026-11-22',
        });
        expect(byAgent.decision.reasons[0]).toMatchObject({ rule: 'ROLE-02', role: 'RAA' });
      });

      it('SOD-03 nobody assigns a position to themselves; SOD-06 an RA or sponsor position needs training on record', async () => {
        const { ra } = await setUp();
        await expect(
          ra.assignments.assign(people.agent, {
            user: people.agent,
            position: 'pos-dispenser',
            start: '2026-11-22',
          }),
        ).rejects.toMatchObject({ rules: ['SOD-03'] });
        await expect(
          ra.assignments.assign(people.ram, {
            user: people.trainee,
            position: 'pos-sponsor',
            start: '2026-11-22',
          }),
        ).rejects.toMatchObject({ rules: ['SOD-06'] });
      });

      it('ASG-01 once started only the end date changes; ASG-04 a removed assignment stays in the history; accessOn reads it back', async () => {
        const { store, ra } = await setUp();
        const { uuid } = await ra.users.create(people.agent, applicant);
        const { assignment } = await ra.assignments.assign(people.agent, {
          user: uuid,
          position: 'pos-dispenser',
          start: '2026-06-01',
        });
        await expect(
          ra.assignments.editDates(people.agent, {
            assignment: assignment.id,
            start: '2026-05-01',
          }),
        ).rejects.toMatchObject({ rules: ['ASG-01'] });
        const ended = await ra.assignments.editDates(people.agent, {
          assignment: assignment.id,
          end: '2027-06-01',
        });
        expect(ended.assignment).toMatchObject({ end: '2027-06-01', version: 1 });
        const removed = await ra.assignments.remove(people.agent, { assignment: assignment.id });
        expect(removed.assignment.removed).toEqual({ at: AT, by: people.agent });
        await expect(
          ra.assignments.remove(people.agent, { assignment: assignment.id }),
        ).rejects.toMatchObject({ code: 'INVALID_TRANSITION' });
        const history = await store.transaction((tx) =>
          tx.positionAssignments.historyForUser(uuid as never),
        );
        expect(history.items.map((a) => a.id)).toEqual([assignment.id]);
        expect((await ra.accessOn(uuid, '2026-07-01')).positions.map((p) => p.position)).toEqual([
          'pos-dispenser',
        ]);
        expect((await ra.accessOn(uuid, '2026-11-22')).positions).toEqual([]);
        expect((await ra.accessOn(people.sponsor, '2026-07-01')).roles).toEqual(['S']);
        expect(await verifyAudit(store)).toMatchObject({ ok: true });
      });

      it('PROF-01 closing a profile needs a reason and takes everything with it in one transaction; PROF-02 reopening gives no access back', async () => {
        const { store, ra } = await setUp();
        const { uuid } = await ra.users.create(people.agent, applicant);
        const { assignment } = await ra.assignments.assign(people.agent, {
          user: uuid,
          position: 'pos-dispenser',
          start: '2026-01-01',
        });
        await store.transaction(async (tx) => {
          await tx.smartcards.insert(fixtureCard('2112345678', uuid));
          await tx.certificates.insert(
            fixtureCertificate('0a1b', uuid, '2029-01-01T00:00:00.000Z', '2112345678'),
          );
          await tx.authenticators.insert(fixtureAuthenticator('auth-1', uuid));
          await tx.requests.insert({
            ...fixtureRequest('req-1', { organisation: 'FA123' }),
            subject: uuid as never,
          });
        });
        await expect(
          ra.users.close(people.sponsor, { user: uuid, reason: 'left' }),
        ).rejects.toMatchObject({
          decision: { reasons: [{ rule: 'ROLE-03', code: 'VIA_REQUEST_ONLY' }] },
        });
        await expect(
          ra.execute(people.agent, { type: 'user.close', user: uuid, reason: ' ' }),
        ).rejects.toMatchObject({ field: 'reason' });
        const closed = await ra.users.close(people.agent, { user: uuid, reason: 'left the NHS' });
        expect(closed.user).toMatchObject({
          status: 'closed',
          closed: { by: people.agent, reason: 'left the NHS' },
        });
        expect(closed.changed.map((c) => c.kind).sort()).toEqual(
          [
            'authenticators',
            'certificates',
            'positionAssignments',
            'requests',
            'smartcards',
            'users',
          ].sort(),
        );
        const after = await store.transaction(async (tx) => ({
          assignment: await tx.positionAssignments.get(assignment.id),
          card: await tx.smartcards.get('2112345678' as never),
          certificate: await tx.certificates.get('0a1b'),
          authenticator: await tx.authenticators.get('auth-1' as never),
          request: await tx.requests.get('req-1' as never),
        }));
        expect(after.assignment?.end).toBe('2026-11-22');
        expect(after.card).toMatchObject({
          status: 'cancelled',
          cancelled: { reason: 'profile-closed' },
        });
        expect(after.certificate).toMatchObject({
          status: 'revoked',
          revocation: { reason: 'cessationOfOperation' },
        });
        expect(after.authenticator?.removed).toEqual({ at: AT, by: people.agent });
        expect(after.request?.state).toBe('closed');
        await expect(
          ra.users.close(people.agent, { user: uuid, reason: 'again' }),
        ).rejects.toMatchObject({ rules: ['PROF-02'] });
        const reopened = await ra.users.reopen(people.agent, { user: uuid, reason: 'came back' });
        expect(reopened.user.status).toBe('open');
        expect((await ra.accessOn(uuid, '2026-11-22')).positions).toEqual([]);
        expect(await verifyAudit(store)).toMatchObject({ ok: true });
      });

      it('PROF-03 a change of name needs a reason; a local change to an ESR-mastered field is flagged', async () => {
        const { store, ra } = await setUp();
        const { uuid } = await ra.users.create(people.agent, applicant);
        await store.transaction(async (tx) => {
          const u = (await tx.users.get(uuid as never))!;
          await tx.users.update({ ...u, esrLinked: true });
        });
        const newName = { given: 'Alex', family: 'Brook' };
        await expect(
          ra.users.changeDetails(people.agent, { user: uuid, name: newName }),
        ).rejects.toMatchObject({ code: 'INVALID_TRANSITION' });
        await expect(
          ra.users.changeDetails(people.sponsor, { user: uuid, name: newName, reason: 'marriage' }),
        ).rejects.toMatchObject({
          decision: { reasons: [{ rule: 'ROLE-03', code: 'VIA_REQUEST_ONLY' }] },
        });
        const changed = await ra.users.changeDetails(people.agent, {
          user: uuid,
          name: newName,
          reason: 'marriage certificate seen',
        });
        expect(changed.user).toMatchObject({ name: newName, locallyChangedEsrFields: ['name'] });
        const last = (await auditTrail(store)).at(-1);
        expect(last?.details).toMatchObject({
          fields: ['name'],
          flaggedEsrFields: ['name'],
          reason: 'marriage certificate seen',
        });
      });

      it('PROF-04 every user changes their own contact details, and only their own', async () => {
        const { ra } = await setUp();
        const changed = await ra.users.changeOwnContact(people.trainee, {
          email: 'trainee@nhs.net',
        });
        expect(changed.user.contact).toMatchObject({
          email: 'trainee@nhs.net',
          emailVerified: false,
        });
        expect(changed.decision.reasons[0]).toMatchObject({
          rule: 'ROLE-01',
          code: 'SELF_SERVICE',
        });
        await expect(ra.users.changeOwnContact(people.trainee, {})).rejects.toMatchObject({
          code: 'VALIDATION',
        });
      });

      it('POS-01/POS-02 an RA manager creates a position recording its approval; only a B1300 position carries an assignable list', async () => {
        const { store, ra } = await setUp();
        const created = await ra.positions.create(people.ram, {
          organisation: 'FA123',
          name: 'Accuracy checking technician',
          jobRole: 'R8005',
          activities: ['B0082'],
          approval: {
            method: 'local-policy',
            approvedBy: [people.ram],
            notes: 'pharmacy manager asked',
          },
        });
        expect(created.position).toMatchObject({
          organisation: 'FA123',
          status: 'open',
          approval: { method: 'local-policy', approvedBy: [people.ram], at: AT },
        });
        await expect(
          ra.positions.create(people.ram, {
            organisation: 'FA123',
            name: 'x',
            jobRole: 'R8005',
            activities: [],
            assignable: ['pos-dispenser'],
            approval: { method: 'other', approvedBy: [people.ram] },
          }),
        ).rejects.toMatchObject({ code: 'VALIDATION', field: 'assignable' });
        await expect(
          ra.positions.create(people.agent, {
            organisation: 'FA123',
            name: 'x',
            jobRole: 'R8005',
            approval: { method: 'other', approvedBy: [people.ram] },
          }),
        ).rejects.toMatchObject({
          code: 'POLICY_DENIED',
          decision: { wouldGrant: [{ role: 'RAM' }, { role: 'RAAA' }] },
        });
        const stored = await store.transaction((tx) => tx.positions.get(created.position.id));
        expect(stored?.name).toBe('Accuracy checking technician');
      });

      it('POS-03 a position adding a sensitive activity needs Information Governance approval first', async () => {
        const made = await storeCase.create();
        dispose = made.dispose;
        await seed(made.store, seedData, { at: AT, by: 'test-seed' });
        const pack = derivePack(nationalPack, {
          id: 'ig',
          name: 'IG',
          igApprovalActivities: ['B0264'],
        });
        const ra = createRegistrationAuthority({ store: made.store, pack, clock: () => NOW });
        const input = {
          organisation: 'FA123',
          name: 'Records',
          jobRole: 'R8005',
          activities: ['B0264'],
        };
        await expect(
          ra.positions.create(people.ram, {
            ...input,
            approval: { method: 'local-policy', approvedBy: [people.ram] },
          }),
        ).rejects.toMatchObject({ rules: ['POS-03'] });
        const approved = await ra.positions.create(people.ram, {
          ...input,
          approval: { method: 'information-governance', approvedBy: [people.ram] },
        });
        expect(approved.position.activities).toEqual(['B0264']);
      });

      it('POS-04 closing a position ends its assignments', async () => {
        const { store, ra } = await setUp();
        const { uuid } = await ra.users.create(people.agent, applicant);
        const { assignment } = await ra.assignments.assign(people.agent, {
          user: uuid,
          position: 'pos-dispenser',
          start: '2026-01-01',
        });
        const closed = await ra.positions.close(people.ram, {
          position: 'pos-dispenser',
          reason: 'role retired',
        });
        expect(closed.position).toMatchObject({ status: 'closed', closedAt: AT });
        expect(closed.changed.map((c) => c.kind)).toEqual(['positions', 'positionAssignments']);
        const ended = await store.transaction((tx) => tx.positionAssignments.get(assignment.id));
        expect(ended?.end).toBe('2026-11-22');
        await expect(
          ra.assignments.assign(people.agent, {
            user: uuid,
            position: 'pos-dispenser',
            start: '2026-12-01',
          }),
        ).rejects.toMatchObject({ code: 'INVALID_TRANSITION' });
        expect(await verifyAudit(store)).toMatchObject({ ok: true });
      });

      it('WG-01 workgroups: RAM and RAA(A) create, assign, edit dates and remove; closing needs a confirmation and records its approval', async () => {
        const { store, ra } = await setUp();
        const { uuid } = await ra.users.create(people.agent, applicant);
        await expect(
          ra.workgroups.create(people.agent, { organisation: 'FA123', name: 'Dispensary' }),
        ).rejects.toMatchObject({ code: 'POLICY_DENIED' });
        const { workgroup } = await ra.workgroups.create(people.ram, {
          organisation: 'FA123',
          name: 'Dispensary',
        });
        const wg = workgroup!;
        const { assignment } = await ra.workgroups.assign(people.ram, {
          user: uuid,
          workgroup: wg.id,
          start: '2026-11-01',
        });
        const a = assignment!;
        await expect(
          ra.workgroups.assign(people.ram, {
            user: people.ram,
            workgroup: wg.id,
            start: '2026-11-01',
          }),
        ).rejects.toMatchObject({ rules: ['SOD-03'] });
        await expect(
          ra.workgroups.editDates(people.ram, { assignment: a.id, start: '2026-10-01' }),
        ).rejects.toMatchObject({ rules: ['ASG-01'] });
        const ended = await ra.workgroups.editDates(people.ram, {
          assignment: a.id,
          end: '2027-01-01',
        });
        expect(ended.assignment).toMatchObject({ end: '2027-01-01', version: 1 });
        await expect(
          ra.execute(people.ram, {
            type: 'workgroup.close',
            workgroup: wg.id,
            confirm: false as never,
            approval: 'RAM',
          }),
        ).rejects.toMatchObject({ field: 'confirm' });
        const closed = await ra.workgroups.close(people.ram, {
          workgroup: wg.id,
          confirm: true,
          approval: 'RAM approval, ticket 4411',
        });
        expect(closed.workgroup).toMatchObject({
          status: 'closed',
          closed: { by: people.ram, approval: 'RAM approval, ticket 4411' },
        });
        const after = await store.transaction((tx) => tx.workgroupAssignments.get(a.id));
        expect(after?.end).toBe('2026-11-22');
        await expect(
          ra.workgroups.assign(people.ram, { user: uuid, workgroup: wg.id, start: '2026-12-01' }),
        ).rejects.toMatchObject({ code: 'INVALID_TRANSITION' });
        const second = await ra.workgroups.create(people.ram, {
          organisation: 'FA123',
          name: 'Counter',
        });
        const other = await ra.workgroups.assign(people.ram, {
          user: uuid,
          workgroup: second.workgroup!.id,
          start: '2026-12-01',
        });
        const removed = await ra.workgroups.remove(people.ram, {
          assignment: other.assignment!.id,
        });
        expect(removed.assignment?.removed).toEqual({ at: AT, by: people.ram });
        expect(await verifyAudit(store)).toMatchObject({ ok: true });
      });

      it('AUTH-01 every user registers the record kinds on their own profile; AUTH-02 RA agents issue and remove them on others, user present; AUTH-03 the WebAuthn kinds only through their ceremony', async () => {
        const { store, ra } = await setUp();
        for (const kind of ['ipad', 'ms-authenticator', 'nhsnet-connect'] as const) {
          const own = await ra.authenticators.register(people.trainee, {
            kind,
            label: `my ${kind}`,
          });
          expect(own.authenticator).toMatchObject({
            user: people.trainee,
            kind,
            route: 'self',
            registeredBy: people.trainee,
          });
          expect(own.decision.reasons[0]).toMatchObject({ rule: 'ROLE-01', code: 'SELF_SERVICE' });
        }
        for (const kind of ['security-key', 'windows-hello']) {
          await expect(
            ra.execute(people.trainee, {
              type: 'authenticator.register',
              kind,
              label: 'k',
            } as never),
          ).rejects.toMatchObject({
            code: 'VALIDATION',
            field: 'kind',
            message: expect.stringContaining('WebAuthn ceremony'),
          });
        }
        await expect(
          ra.authenticators.register(people.agent, {
            user: people.trainee,
            kind: 'ipad',
            label: 'Ward iPad',
          }),
        ).rejects.toMatchObject({ rules: ['AUTH-02'] });
        await expect(
          ra.authenticators.register(people.sponsor, {
            user: people.trainee,
            kind: 'ipad',
            label: 'Ward iPad',
            userPresent: true,
          }),
        ).rejects.toMatchObject({ code: 'POLICY_DENIED' });
        const issued = await ra.authenticators.register(people.agent, {
          user: people.trainee,
          kind: 'ipad',
          label: 'Ward iPad',
          userPresent: true,
        });
        expect(issued.authenticator).toMatchObject({ route: 'ra', registeredBy: people.agent });
        const removed = await ra.authenticators.remove(people.agent, {
          authenticator: issued.authenticator.id,
          userPresent: true,
        });
        expect(removed.authenticator.removed).toEqual({ at: AT, by: people.agent });
        await expect(
          ra.authenticators.remove(people.agent, {
            authenticator: issued.authenticator.id,
            userPresent: true,
          }),
        ).rejects.toMatchObject({ code: 'INVALID_TRANSITION' });
        const list = await store.transaction((tx) =>
          tx.authenticators.byUser(people.trainee as never),
        );
        expect(list).toHaveLength(4);
      });

      it('bad input: a malformed command is a ValidationError naming the field; nothing written; the attempt audited', async () => {
        const { store, ra } = await setUp();
        const before = (await auditTrail(store)).length;
        await expect(
          ra.execute(people.agent, {
            type: 'assignment.assign',
            user: '42',
            position: 'pos-dispenser',
            start: '2026-11-22',
          }),
        ).rejects.toMatchObject({ code: 'VALIDATION', field: 'user' });
        await expect(
          ra.assignments.assign(people.agent, {
            user: people.trainee,
            position: 'pos-dispenser',
            start: '2026-11-22',
            end: '2026-11-01',
          }),
        ).rejects.toMatchObject({ field: 'end' });
        await expect(
          ra.execute('not-a-uuid', { type: 'assignment.remove', assignment: 'asg-ram' }),
        ).rejects.toMatchObject({ code: 'VALIDATION' });
        await expect(
          ra.assignments.remove(people.agent, { assignment: 'asg-missing' }),
        ).rejects.toMatchObject({ code: 'NOT_FOUND' });
        const trail = await auditTrail(store);
        expect(trail.slice(before).map((e) => e.outcome)).toEqual([
          'failed',
          'failed',
          'failed',
          'failed',
        ]);
        expect(await verifyAudit(store)).toMatchObject({ ok: true });
      });
    },
  );
}
