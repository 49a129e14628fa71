import { afterEach, describe, expect, it } from 'vitest';
import { PolicyDeniedError } from '../../src/policy/index.js';
import { createRegistrationAuthority, seed, seedAssignment, seedUser } from '../../src/ra/index.js';
import { type Store, verifyAudit } from '../../src/storage/index.js';
import { ICB, NOW, PHARMACY, people } from './fixtures.js';
import { EMPTY_PHARMACY, OTHER_ICB, PRACTICE, readers, seedReadWorld } from './read-fixtures.js';
import { storeCases } from './stores.js';

async function lastAudit(store: Store) {
  const page = await store.transaction((tx) => tx.audit.read({ limit: 1000 }));
  return page.items.at(-1)?.event;
}

async function auditCount(store: Store) {
  return (await store.transaction((tx) => tx.audit.head())).seq;
}

const uuids = (page: { items: readonly { uuid: string }[] }) =>
  page.items.map((u) => u.uuid).sort();

for (const storeCase of storeCases) {
  describe.skipIf(storeCase.skip !== undefined)(
    `RA read queries on ${storeCase.name}${storeCase.skip ? ` (skipped: ${storeCase.skip})` : ''}`,
    () => {
      let dispose: (() => Promise<void>) | undefined;
      afterEach(async () => {
        await dispose?.();
        dispose = undefined;
      });

      async function setUp() {
        const made = await storeCase.create();
        dispose = made.dispose;
        await seedReadWorld(made.store);
        return {
          store: made.store,
          ra: createRegistrationAuthority({ store: made.store, clock: () => NOW }),
        };
      }

      it('ROLE-02 user.find by name shows only users at organisations the actor covers; an allowed find writes no audit record', async () => {
        const { store, ra } = await setUp();
        const before = await auditCount(store);
        const found = await ra.queries.findUsers(people.agent, { name: { family: 'rivers' } });
        expect(uuids(found)).toEqual([readers.rivers]);
        expect(found.items[0]).toMatchObject({
          name: { family: 'Rivers' },
          email: 'sam@nhs.net',
          identityChecked: false,
        });
        expect(found.items[0]).not.toHaveProperty('identityCheck');
        const far = await ra.queries.findUsers(readers.farManager, { name: { family: 'Rivers' } });
        expect(uuids(far)).toEqual([readers.farRivers]);
        expect(await auditCount(store)).toBe(before);
      });

      it('ROLE-02 user.find by name scopes a page of users in one store query, not one per user (issue 13)', async () => {
        const { store } = await setUp();
        await seedRowes(store);
        const calls = { perUser: 0, perPage: 0 };
        const counted = countingReads(store, 'positionAssignments', (name) => {
          if (name === 'historyForUser') calls.perUser++;
          if (name === 'organisationsOfUsers') calls.perPage++;
        });
        const ra = createRegistrationAuthority({ store: counted, clock: () => NOW });
        const found = await ra.queries.findUsers(people.agent, {
          name: { family: 'Rowe' },
          page: { limit: 100 },
        });
        expect(found.items.length).toBe(20);
        expect(calls.perPage).toBeGreaterThan(0);
        // Each store page read costs one visibility query, however many users it holds.
        expect(calls.perPage).toBeLessThanOrEqual(2);
        expect(calls.perUser).toBeLessThanOrEqual(1); // loading the actor may read its own history
      });

      it('ROLE-02 user.find by organisation reads the profiles of a page of assignments in one store query, not one per row (issue 13)', async () => {
        const { store } = await setUp();
        await seedRowes(store);
        const calls = { perRow: 0, perPage: 0 };
        const counted = countingReads(store, 'users', (name) => {
          if (name === 'get') calls.perRow++;
          if (name === 'getMany') calls.perPage++;
        });
        const ra = createRegistrationAuthority({ store: counted, clock: () => NOW });
        const found = await ra.queries.findUsers(people.agent, {
          organisation: PHARMACY,
          page: { limit: 100 },
        });
        // The 20 seeded here and those the fixtures place at the pharmacy.
        expect(found.items.filter((x) => x.uuid.startsWith('7770000001'))).toHaveLength(20);
        expect(calls.perPage).toBe(1);
        expect(calls.perRow).toBeLessThanOrEqual(1); // loading the actor reads its own profile
      });

      it('ROLE-02 user.find by UUID, NI number and organisation; out of scope finds nothing; unassigned profiles are found by RA role holders', async () => {
        const { ra } = await setUp();
        expect(
          uuids(await ra.queries.findUsers(people.agent, { uuid: readers.farRivers })),
        ).toEqual([]);
        expect(
          uuids(await ra.queries.findUsers(people.agent, { niNumber: 'AB 12 34 56 C' })),
        ).toEqual([readers.rivers]);
        expect(uuids(await ra.queries.findUsers(people.agent, { uuid: readers.newcomer }))).toEqual(
          [readers.newcomer],
        );
        const atPharmacy = await ra.queries.findUsers(people.agent, { organisation: PHARMACY });
        expect(uuids(atPharmacy)).toEqual([people.sponsor, readers.rivers, readers.brook].sort());
        const withHistory = await ra.queries.findUsers(people.agent, {
          organisation: PHARMACY,
          history: true,
        });
        expect(withHistory.items.map((i) => ('assignment' in i ? i.assignment.state : ''))).toEqual(
          expect.arrayContaining(['expired', 'removed', 'active']),
        );
        expect(
          (await ra.queries.findUsers(people.agent, { organisation: PRACTICE })).items,
        ).toEqual([]);
      });

      it('ROLE-01 user.find (ALL): a user with no RA role finds their own profile and their colleagues, nothing else', async () => {
        const { ra } = await setUp();
        expect(
          uuids(await ra.queries.findUsers(readers.rivers, { name: { family: 'R' } })),
        ).toEqual([readers.rivers]);
        expect(uuids(await ra.queries.findUsers(readers.rivers, { uuid: readers.brook }))).toEqual([
          readers.brook,
        ]);
        expect(
          uuids(await ra.queries.findUsers(readers.rivers, { uuid: readers.newcomer })),
        ).toEqual([]);
        expect(
          uuids(await ra.queries.findUsers(readers.newcomer, { uuid: readers.newcomer })),
        ).toEqual([readers.newcomer]);
      });

      it('user.find pages a name search with a cursor, every visible user once', async () => {
        const { ra } = await setUp();
        const seen: string[] = [];
        let cursor: string | undefined;
        do {
          const page = await ra.queries.findUsers(people.ram, {
            name: { given: 'S' },
            page: { limit: 1, ...(cursor ? { cursor } : {}) },
          });
          expect(page.items.length).toBeLessThanOrEqual(1);
          seen.push(...page.items.map((u) => u.uuid));
          cursor = page.nextCursor;
        } while (cursor !== undefined);
        const everyoneButTheOtherIcb = [
          ...Object.values(people),
          readers.rivers,
          readers.brook,
          readers.newcomer,
        ];
        expect(seen.sort()).toEqual(everyoneButTheOtherIcb.sort());
      });

      it('a malformed query is a ValidationError naming the field, audited, nothing else written', async () => {
        const { store, ra } = await setUp();
        await expect(
          ra.queries.query(people.agent, { type: 'user.find', uuid: '12', page: {} } as never),
        ).rejects.toMatchObject({ code: 'VALIDATION', field: 'uuid' });
        expect(await lastAudit(store)).toMatchObject({
          activity: 'user.find',
          outcome: 'failed',
          details: { field: 'uuid' },
        });
        await expect(
          ra.queries.findUsers(people.agent, { uuid: readers.rivers, niNumber: 'AB123456C' }),
        ).rejects.toMatchObject({ code: 'VALIDATION' });
        await expect(
          ra.queries.findUsers(people.agent, { surname: 'x' } as never),
        ).rejects.toMatchObject({ code: 'VALIDATION', field: 'surname' });
        await expect(
          ra.queries.query(people.agent, { type: 'user.delete' } as never),
        ).rejects.toMatchObject({ code: 'VALIDATION', field: 'type' });
        expect(await verifyAudit(store)).toMatchObject({ ok: true });
      });

      it('ROLE-02 organisation.find by name, code and parent shows only organisations in scope', async () => {
        const { ra } = await setUp();
        const byName = await ra.queries.findOrganisations(people.agent, { name: 'pharm' });
        expect(byName.items.map((o) => o.odsCode)).toEqual([EMPTY_PHARMACY]);
        const below = await ra.queries.findOrganisations(people.agent, { parent: ICB });
        expect(below.items.map((o) => o.odsCode).sort()).toEqual([PHARMACY, EMPTY_PHARMACY].sort());
        expect(
          (await ra.queries.findOrganisations(people.agent, { code: PRACTICE })).items,
        ).toEqual([]);
        expect(
          (await ra.queries.findOrganisations(people.agent, { parent: OTHER_ICB })).items,
        ).toEqual([]);
        const far = await ra.queries.findOrganisations(readers.farManager, { name: 'surgery' });
        expect(far.items).toEqual([
          {
            odsCode: PRACTICE,
            name: 'Harbour Surgery',
            kind: 'practice',
            parent: OTHER_ICB,
            status: 'open',
          },
        ]);
        const paged = await ra.queries.findOrganisations(people.ram, {
          name: 'a',
          page: { limit: 1 },
        });
        expect(paged.items).toHaveLength(1);
        const rest = await ra.queries.findOrganisations(people.ram, {
          name: 'a',
          page: { limit: 10, cursor: paged.nextCursor as string },
        });
        expect(rest.items.map((o) => o.odsCode)).not.toContain(paged.items[0]?.odsCode);
      });

      it('ROLE-02 position.find: RA agents see the positions of organisations they cover; a sponsor is refused, and the denial is audited', async () => {
        const { store, ra } = await setUp();
        const found = await ra.queries.findPositions(people.agent, { organisation: PHARMACY });
        expect(found.items.map((p) => p.id).sort()).toEqual([
          'pos-dispenser',
          'pos-pharmacist',
          'pos-sponsor',
        ]);
        const byName = await ra.queries.findPositions(people.agent, {
          organisation: PHARMACY,
          name: 'dispens',
        });
        expect(byName.items.map((p) => p.id)).toEqual(['pos-dispenser']);
        const denied = ra.queries.findPositions(people.sponsor, { organisation: PHARMACY });
        await expect(denied).rejects.toBeInstanceOf(PolicyDeniedError);
        await expect(denied).rejects.toMatchObject({ rules: ['ROLE-02'] });
        expect(await lastAudit(store)).toMatchObject({
          actor: people.sponsor,
          activity: 'position.find',
          outcome: 'denied',
        });
        await expect(
          ra.queries.findPositions(people.agent, { organisation: PRACTICE }),
        ).rejects.toBeInstanceOf(PolicyDeniedError);
      });

      it('ASG-04 assignment history shows expired and removed assignments; sponsors may view it; an RA out of scope is refused', async () => {
        const { store, ra } = await setUp();
        const history = await ra.queries.assignmentHistory(people.agent, { user: readers.brook });
        expect(history.items.map((a) => [a.id, a.state]).sort()).toEqual([
          ['asg-brook-now', 'active'],
          ['asg-brook-old', 'expired'],
          ['asg-brook-removed', 'removed'],
        ]);
        expect(history.items.find((a) => a.state === 'removed')?.removed).toBeDefined();
        const bySponsor = await ra.queries.assignmentHistory(people.sponsor, {
          user: readers.brook,
        });
        expect(bySponsor.items).toHaveLength(3);
        const paged = await ra.queries.assignmentHistory(people.agent, {
          user: readers.brook,
          page: { limit: 2 },
        });
        expect(paged.items).toHaveLength(2);
        expect(paged.nextCursor).toBeDefined();
        await expect(
          ra.queries.assignmentHistory(readers.farManager, { user: readers.brook }),
        ).rejects.toBeInstanceOf(PolicyDeniedError);
        expect(await lastAudit(store)).toMatchObject({
          activity: 'assignment.view-history',
          outcome: 'denied',
        });
        await expect(
          ra.queries.assignmentHistory(readers.rivers, { user: readers.brook }),
        ).rejects.toMatchObject({ rules: ['ROLE-02'] });
        await expect(
          ra.queries.assignmentHistory(people.agent, { user: '999999999999' }),
        ).rejects.toMatchObject({ code: 'NOT_FOUND' });
      });

      it('WG-01 workgroups for a user and workgroup history: RAM and RA(A) only, within scope, ended assignments kept', async () => {
        const { ra } = await setUp();
        const now = await ra.queries.workgroupsForUser(people.ram, { user: readers.rivers });
        expect(now.items.map((w) => [w.id, w.workgroup, w.organisation, w.state])).toEqual([
          ['wga-1', 'wg-pharmacy', PHARMACY, 'active'],
        ]);
        const past = await ra.queries.workgroupsForUser(people.ram, {
          user: readers.rivers,
          on: '2025-03-01',
        });
        expect(past.items.map((w) => w.id)).toEqual(['wga-2']);
        const ofUser = await ra.queries.workgroupHistory(people.ram, { user: readers.rivers });
        expect(ofUser.items.map((w) => [w.id, w.state]).sort()).toEqual([
          ['wga-1', 'active'],
          ['wga-2', 'expired'],
        ]);
        const ofGroup = await ra.queries.workgroupHistory(people.ram, { workgroup: 'wg-pharmacy' });
        expect(ofGroup.items.map((w) => w.id).sort()).toEqual(['wga-1', 'wga-2']);
        await expect(
          ra.queries.workgroupsForUser(people.agent, { user: readers.rivers }),
        ).rejects.toBeInstanceOf(PolicyDeniedError);
        await expect(
          ra.queries.workgroupHistory(people.ram, { workgroup: 'wg-practice' }),
        ).rejects.toMatchObject({ rules: ['ROLE-02'] });
        const far = await ra.queries.workgroupHistory(readers.farManager, {
          user: readers.farRivers,
        });
        expect(far.items.map((w) => w.id)).toEqual(['wga-3']);
      });

      it('ROLE-02 smartcard.find: a user`s cards with their certificates` expiry, only for holders the actor may find; by serial too; no audit record', async () => {
        const { store, ra } = await setUp();
        const before = await auditCount(store);
        const cards = await ra.queries.findCards(people.agent, { holder: readers.rivers });
        expect(cards.items).toEqual([
          {
            serial: '0712345678',
            status: 'issued',
            holder: readers.rivers,
            issuedAt: expect.any(String),
            certificatesExpireOn: '2026-12-02',
            renewalCount: 0,
            selfRenewalCount: 0,
          },
        ]);
        // The far ICB's user is out of the agent's scope, by holder and by serial alike.
        expect(
          (await ra.queries.findCards(people.agent, { holder: readers.farRivers })).items,
        ).toEqual([]);
        expect(
          (await ra.queries.query(people.agent, { type: 'smartcard.find', serial: '0712345679' }))
            .items,
        ).toEqual([]);
        const far = await ra.queries.findCards(readers.farManager, { serial: '0712345679' });
        expect(far.items.map((c) => [c.serial, c.certificatesExpireOn])).toEqual([
          ['0712345679', '2026-11-27'],
        ]);
        // Holders see their own cards.
        expect(
          (await ra.queries.findCards(readers.rivers, { holder: readers.rivers })).items,
        ).toHaveLength(1);
        expect(await auditCount(store)).toBe(before);
        await expect(
          ra.queries.query(people.agent, {
            type: 'smartcard.find',
            holder: readers.rivers,
            serial: '0712345678',
          }),
        ).rejects.toMatchObject({ code: 'VALIDATION', field: 'holder' });
      });

      it('AUTH-01 AUTH-03 ROLE-02 authenticator.find: the authenticators in force on a profile, a security key with its credential (no public key), only for users the actor may find; no audit record', async () => {
        const { store, ra } = await setUp();
        const ipad = await ra.authenticators.register(readers.rivers, {
          kind: 'ipad',
          label: 'Ward iPad',
        });
        const old = await ra.authenticators.register(readers.rivers, {
          kind: 'ms-authenticator',
          label: 'Old phone',
        });
        await ra.authenticators.remove(readers.rivers, { authenticator: old.authenticator.id });
        // A security key as the WebAuthn ceremony stores it (AUTH-03): record and credential.
        const key = {
          id: 'auth-key-1',
          user: readers.rivers,
          kind: 'security-key',
          label: 'YubiKey 5 NFC',
          route: 'ra',
          registeredBy: people.agent,
          registeredAt: NOW.toISOString(),
          version: 0,
        } as const;
        const credentialId = 'q83vEjRWeJA';
        await store.transaction(async (tx) => {
          await tx.authenticators.insert(key as never);
          await tx.webAuthnCredentials.insert({
            id: credentialId,
            user: readers.rivers,
            authenticator: key.id,
            publicKey: 'pQECAyYgASFYIA',
            counter: 7,
            transports: ['usb', 'nfc'],
            deviceType: 'singleDevice',
            backedUp: false,
            discoverable: true,
            aaguid: '00000000-0000-0000-0000-000000000000',
            registeredAt: NOW.toISOString(),
            version: 0,
          } as never);
        });
        const before = await auditCount(store);
        const found = await ra.queries.findAuthenticators(people.agent, { user: readers.rivers });
        // In the order they were registered: the read world's key from January first.
        expect(found.items).toEqual([
          {
            id: 'auth-1',
            kind: 'security-key',
            label: 'Key',
            route: 'self',
            registeredBy: readers.rivers,
            registeredAt: '2026-01-01T09:00:00.000Z',
          },
          {
            id: key.id,
            kind: 'security-key',
            label: 'YubiKey 5 NFC',
            route: 'ra',
            registeredBy: people.agent,
            registeredAt: key.registeredAt,
            credential: { id: credentialId, transports: ['usb', 'nfc'], discoverable: true },
          },
          {
            id: ipad.authenticator.id,
            kind: 'ipad',
            label: 'Ward iPad',
            route: 'self',
            registeredBy: readers.rivers,
            registeredAt: ipad.authenticator.registeredAt,
          },
        ]);
        expect(JSON.stringify(found)).not.toContain('pQECAyYgASFYIA');
        // The holder sees their own; a user out of the actor's scope gives an empty page.
        expect(
          (
            await ra.queries.query(readers.rivers, {
              type: 'authenticator.find',
              user: readers.rivers,
            })
          ).items,
        ).toHaveLength(3);
        expect(
          (await ra.queries.findAuthenticators(readers.farManager, { user: readers.rivers })).items,
        ).toEqual([]);
        expect(await auditCount(store)).toBe(before);
        await expect(
          ra.queries.query(people.agent, { type: 'authenticator.find', user: 'nobody' } as never),
        ).rejects.toMatchObject({ code: 'VALIDATION', field: 'user' });
      });

      it('ROLE-01 a closed profile finds nothing: the denial is audited', async () => {
        const { store, ra } = await setUp();
        await store.transaction(async (tx) => {
          const u = await tx.users.get(readers.rivers as never);
          await tx.users.update({ ...u!, status: 'closed' });
        });
        await expect(
          ra.queries.findUsers(readers.rivers, { uuid: readers.rivers }),
        ).rejects.toMatchObject({ rules: ['ROLE-01'] });
        expect(await lastAudit(store)).toMatchObject({ activity: 'user.find', outcome: 'denied' });
      });
    },
  );
}

/**
 * Twenty more people at the pharmacy (in the agent's scope) and twenty at a practice of
 * another ICB (out of it), all with family names starting 'Rowe'.
 */
async function seedRowes(store: Store) {
  const by = { at: NOW, by: people.agent };
  const rowe = (i: number) => String(777_000_000_100 + i);
  await seed(
    store,
    {
      users: Array.from({ length: 40 }, (_, i) =>
        seedUser({ uuid: rowe(i), given: 'Jo', family: `Rowe${i}` }, by),
      ),
      assignments: Array.from({ length: 40 }, (_, i) =>
        seedAssignment(
          {
            id: `asg-rowe-${i}`,
            user: rowe(i),
            position:
              i < 20
                ? { id: 'pos-dispenser', organisation: PHARMACY }
                : { id: 'pos-practice', organisation: PRACTICE },
            start: '2025-04-01',
          },
          by,
        ),
      ),
    },
    by,
  );
}

/** The same store, with the methods of one repository counted as they are read: the host's view of what a search costs. */
function countingReads(
  store: Store,
  repository: string,
  count: (method: string | symbol) => void,
): Store {
  const counted = (repo: object) =>
    new Proxy(repo, {
      get(target, name, receiver) {
        count(name);
        return Reflect.get(target, name, receiver);
      },
    });
  return {
    ...store,
    transaction: (fn, ...rest) =>
      store.transaction(
        (tx) =>
          fn(
            new Proxy(tx, {
              get: (target, name) =>
                name === repository
                  ? counted(Reflect.get(target, name) as object)
                  : Reflect.get(target, name),
            }),
          ),
        ...rest,
      ),
  };
}
