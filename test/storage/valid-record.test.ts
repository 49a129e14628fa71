import { describe, expect, it } from 'vitest';
import type { UserProfile } from '../../src/domain/index.js';
import { memoryStore, type Store } from '../../src/storage/index.js';
import { validRecord } from '../../src/storage/kinds.js';
import { sqliteStore } from '../../src/storage/sqlite/index.js';
import { fixtureUser } from '../../src/storage/testing/index.js';

// validRecord lets the store's boundary skip its second parse of a record a use case
// built; these tests check that nothing unvalidated gets past the boundary that way.
const stores: [string, () => Store][] = [
  ['memory', () => memoryStore()],
  ['sqlite', () => sqliteStore(':memory:')],
];

const code = async (p: Promise<unknown>) =>
  p.then(
    () => 'stored',
    (e: { code?: string }) => e.code,
  );

describe('validRecord', () => {
  it('returns the parsed record deeply frozen', () => {
    const user = validRecord('users', fixtureUser('100000000001'));
    expect(Object.isFrozen(user)).toBe(true);
    expect(Object.isFrozen(user.name)).toBe(true);
    expect(Object.isFrozen(user.trainingCertificates)).toBe(true);
    expect(() => {
      (user.name as { family: string }).family = '';
    }).toThrow(TypeError);
  });

  it('refuses an invalid record with VALIDATION, named as asked', () => {
    expect(() => validRecord('users', { ...fixtureUser('1'), uuid: 'x' }, 'user profile')).toThrow(
      /user profile/,
    );
  });

  for (const [name, open] of stores) {
    describe(name, () => {
      it('stores a record it made, and still parses a host-built, copied or other-kind one', async () => {
        const store = open();
        const made = validRecord('users', fixtureUser('100000000002'));
        expect(await code(store.transaction((tx) => tx.users.insert(made)))).toBe('stored');
        expect(await store.transaction((tx) => tx.users.get(made.uuid))).toEqual(made);

        // A host-built object with a bad field: never validated, so refused.
        const hostBuilt = { ...fixtureUser('100000000003'), name: { given: '', family: '' } };
        expect(await code(store.transaction((tx) => tx.users.insert(hostBuilt)))).toBe(
          'VALIDATION',
        );
        // A copy of a validated record with a bad field is a new object: parsed, refused.
        const copy = { ...made, uuid: '100000000004', dateOfBirth: 'not a date' } as never;
        expect(await code(store.transaction((tx) => tx.users.insert(copy)))).toBe('VALIDATION');
        // A record validated as a user is parsed as a position when written as one.
        const asPosition = validRecord('users', fixtureUser('100000000005')) as unknown;
        expect(
          await code(store.transaction((tx) => tx.positions.insert(asPosition as never))),
        ).toBe('VALIDATION');
        const stored = (await store.transaction((tx) =>
          tx.users.get('100000000004' as UserProfile['uuid']),
        )) as UserProfile | undefined;
        expect(stored).toBeUndefined();
        await store.close();
      });
    });
  }
});
