import { describe, expect, it } from 'vitest';
import {
  addDays,
  type CardSerial,
  type IsoDate,
  type IsoDateTime,
  inDefaultListing,
  type NiNumber,
  type OdsCode,
  type Uuid,
} from '../../domain/index.js';
import { isCareIdError } from '../../errors/care-id-error.js';
import { verifyAudit } from '../audit-chain.js';
import type { Page } from '../paging.js';
import type { Store, StoreTx } from '../ports.js';
import type { CertificateRecord } from '../records.js';
import {
  fixtureAssignment,
  fixtureAuthenticator,
  fixtureCard,
  fixtureCertificate,
  fixtureChallenge,
  fixtureCredential,
  fixtureEvent,
  fixtureOrganisation,
  fixturePosition,
  fixtureRequest,
  fixtureUser,
  fixtureWorkgroup,
  fixtureWorkgroupAssignment,
} from './fixtures.js';
import { describeModelTests } from './model.js';

/** How the conformance suite gets a store to test. */
export interface StoreConformanceOptions {
  /** The adapter's name in test titles. */
  readonly name: string;
  /** A new, empty store (each test gets its own). */
  readonly create: () => Store | Promise<Store>;
  /** Cleans up after a store was closed (drop its schema, delete its file). */
  readonly destroy?: (store: Store) => void | Promise<void>;
  /** When set, the suite is skipped and this reason is shown in its title. */
  readonly skip?: string | undefined;
  /** Runs of each model-based property (default 25). */
  readonly numRuns?: number;
}

/** A `create`/`destroy` pair: runs `body` with a fresh store and always cleans up. */
export type WithStore = <T>(body: (store: Store) => Promise<T>) => Promise<T>;

function withStoreOf(options: StoreConformanceOptions): WithStore {
  return async (body) => {
    const store = await options.create();
    try {
      return await body(store);
    } finally {
      await store.close();
      await options.destroy?.(store);
    }
  };
}

/** The careid error code a promise rejects with. */
async function codeOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (error) {
    if (isCareIdError(error)) return error.code;
    throw error;
  }
  return 'no error';
}

async function all<T>(read: (cursor: string | undefined) => Promise<Page<T>>): Promise<T[]> {
  const out: T[] = [];
  let cursor: string | undefined;
  do {
    const page = await read(cursor);
    out.push(...page.items);
    cursor = page.nextCursor;
  } while (cursor !== undefined);
  return out;
}

const u = (n: number) => `1000000000${String(n).padStart(2, '0')}` as Uuid;
const d = (s: string) => s as IsoDate;
const EVENT = fixtureEvent('test.write', 'target');

/**
 * The behavioural contract of a careid {@link Store}: one suite that every adapter's tests
 * call, error contract and model-based properties (fast-check) included. Rule IDs appear
 * in the titles of the tests that cover them.
 *
 * @example
 * ```ts
 * import { describeStoreConformance } from 'careid/storage/testing';
 * describeStoreConformance({ name: 'memory', create: () => memoryStore() });
 * ```
 */
export function describeStoreConformance(options: StoreConformanceOptions): void {
  const title = `Store conformance: ${options.name}`;
  if (options.skip !== undefined) {
    describe.skip(`${title} (skipped: ${options.skip})`, () => {
      it('is skipped', () => undefined);
    });
    return;
  }
  const withStore = withStoreOf(options);
  const tx = <T>(store: Store, fn: (tx: StoreTx) => Promise<T>) => store.transaction(fn);

  describe(title, () => {
    describe('records and the error contract', () => {
      it('round-trips every kind of record and bumps the version on update', async () => {
        await withStore(async (store) => {
          const cert = fixtureCertificate('0a1b', u(1), '2029-01-01T00:00:00.000Z', '0712345678');
          const renewal = {
            ...fixtureCertificate('a', u(1), '2032-01-01T00:00:00.000Z'),
            renews: '0a1b',
          };
          await tx(store, async (t) => {
            await t.organisations.insert(fixtureOrganisation('QVV'));
            await t.users.insert(fixtureUser(u(1), { niNumber: 'AB123456C' }));
            await t.positions.insert(fixturePosition('pos_1', 'QVV'));
            await t.positionAssignments.insert(fixtureAssignment('asg_1', u(1)));
            await t.workgroups.insert(fixtureWorkgroup('wg_1', 'QVV'));
            await t.workgroupAssignments.insert(fixtureWorkgroupAssignment('wga_1', u(1), 'wg_1'));
            await t.smartcards.insert(fixtureCard('0712345678', u(1)));
            await t.certificates.insert(cert);
            await t.certificates.insert(renewal);
            await t.authenticators.insert(fixtureAuthenticator('auth_1', u(1)));
            await t.webAuthnCredentials.insert(fixtureCredential('AQID', u(1), 'auth_1'));
            await t.requests.insert(fixtureRequest('req_1', { state: 'rejected' }));
          });
          await tx(store, async (t) => {
            expect(await t.organisations.get('QVV' as OdsCode)).toEqual(fixtureOrganisation('QVV'));
            expect(await t.users.get(u(1))).toEqual(fixtureUser(u(1), { niNumber: 'AB123456C' }));
            expect(await t.positions.get(fixturePosition('pos_1', 'QVV').id)).toEqual(
              fixturePosition('pos_1', 'QVV'),
            );
            const asg = fixtureAssignment('asg_1', u(1));
            expect(await t.positionAssignments.get(asg.id)).toEqual(asg);
            const wg = fixtureWorkgroup('wg_1', 'QVV');
            expect(await t.workgroups.get(wg.id)).toEqual(wg);
            const wga = fixtureWorkgroupAssignment('wga_1', u(1), 'wg_1');
            expect(await t.workgroupAssignments.get(wga.id)).toEqual(wga);
            expect(await t.smartcards.get('0712345678' as CardSerial)).toEqual(
              fixtureCard('0712345678', u(1)),
            );
            expect(await t.certificates.get('a')).toEqual(renewal);
            const stored = await t.certificates.get('0a1b');
            expect(stored).toEqual(cert);
            expect(stored?.der).toBeInstanceOf(Uint8Array);
            const auth = fixtureAuthenticator('auth_1', u(1));
            expect(await t.authenticators.get(auth.id)).toEqual(auth);
            expect(await t.webAuthnCredentials.get('AQID')).toEqual(
              fixtureCredential('AQID', u(1), 'auth_1'),
            );
            const req = fixtureRequest('req_1', { state: 'rejected' });
            expect(await t.requests.get(req.id)).toEqual(req);
          });
          const updated = await tx(store, async (t) => {
            const user = await t.users.get(u(1));
            return t.users.update({ ...user!, name: { given: 'Anne', family: 'Smith' } });
          });
          expect(updated.version).toBe(1);
          expect(await tx(store, (t) => t.users.get(u(1)))).toMatchObject({
            version: 1,
            name: { given: 'Anne' },
          });
        });
      });

      it('keeps quotes, backslashes, unicode and bytes intact, whatever statement comes first', async () => {
        await withStore(async (store) => {
          const family = `O'Brien \\ "quoted" -- ; Zoë ? $1 ☃`;
          const user = fixtureUser(u(1), { family, given: "D'Arcy" });
          const cert = {
            ...fixtureCertificate('ff', u(1), '2029-01-01T00:00:00.000Z'),
            der: Uint8Array.from([0, 39, 92, 255, 63]),
          };
          await tx(store, (t) => t.users.insert(user));
          await tx(store, (t) => t.certificates.insert(cert));
          expect(await tx(store, (t) => t.users.get(u(1)))).toEqual(user);
          expect(await tx(store, (t) => t.certificates.get('ff'))).toEqual(cert);
          const found = await tx(store, (t) => t.users.searchByName({ family: "o'brien \\" }));
          expect(found.items.map((x) => x.uuid)).toEqual([u(1)]);
        });
      });

      it('ID-05 refuses a second user with the same UUID (DUPLICATE) and keeps the first', async () => {
        await withStore(async (store) => {
          await tx(store, (t) => t.users.insert(fixtureUser(u(1), { family: 'First' })));
          expect(
            await codeOf(tx(store, (t) => t.users.insert(fixtureUser(u(1), { family: 'Second' })))),
          ).toBe('DUPLICATE');
          expect((await tx(store, (t) => t.users.get(u(1))))?.name.family).toBe('First');
        });
      });

      it('refuses a second card with the same serial (DUPLICATE)', async () => {
        await withStore(async (store) => {
          await tx(store, (t) => t.smartcards.insert(fixtureCard('0712345678', u(1))));
          expect(
            await codeOf(tx(store, (t) => t.smartcards.insert(fixtureCard('0712345678', u(2))))),
          ).toBe('DUPLICATE');
          expect(
            (await tx(store, (t) => t.smartcards.get('0712345678' as CardSerial)))?.holder,
          ).toBe(u(1));
        });
      });

      it('refuses a write from a stale version (CONFLICT) and never overwrites', async () => {
        await withStore(async (store) => {
          await tx(store, (t) => t.users.insert(fixtureUser(u(1))));
          const read = (await tx(store, (t) => t.users.get(u(1))))!;
          await tx(store, (t) =>
            t.users.update({ ...read, name: { given: 'Winner', family: 'Smith' } }),
          );
          const lost = tx(store, (t) =>
            t.users.update({ ...read, name: { given: 'Loser', family: 'Smith' } }),
          );
          expect(await codeOf(lost)).toBe('CONFLICT');
          expect(await tx(store, (t) => t.users.get(u(1)))).toMatchObject({
            version: 1,
            name: { given: 'Winner' },
          });
        });
      });

      it('refuses to update a record that does not exist (NOT_FOUND)', async () => {
        await withStore(async (store) => {
          expect(await codeOf(tx(store, (t) => t.users.update(fixtureUser(u(9)))))).toBe(
            'NOT_FOUND',
          );
          expect(
            await codeOf(tx(store, (t) => t.smartcards.update(fixtureCard('0799999999')))),
          ).toBe('NOT_FOUND');
          expect(await tx(store, (t) => t.users.get(u(9)))).toBeUndefined();
        });
      });

      it('validates records and queries (VALIDATION naming the field)', async () => {
        await withStore(async (store) => {
          const bad = { ...fixtureUser(u(1)), dateOfBirth: '1980-13-40' } as never;
          const error = await tx(store, (t) => t.users.insert(bad)).catch((e: unknown) => e);
          expect(error).toMatchObject({ code: 'VALIDATION', field: 'dateOfBirth' });
          expect(await codeOf(tx(store, (t) => t.users.get('12' as Uuid)))).toBe('VALIDATION');
          expect(await codeOf(tx(store, (t) => t.users.searchByName({})))).toBe('VALIDATION');
          expect(
            await codeOf(
              tx(store, (t) => t.users.searchByName({ family: 'a' }, { cursor: 'nonsense' })),
            ),
          ).toBe('VALIDATION');
          expect(await codeOf(tx(store, (t) => t.audit.read({ limit: 0 })))).toBe('VALIDATION');
          expect(await tx(store, (t) => t.users.get(u(1)))).toBeUndefined();
        });
      });

      it('leaves no trace of a transaction that throws, audit records included', async () => {
        await withStore(async (store) => {
          await tx(store, (t) => t.users.insert(fixtureUser(u(1))));
          const boom = new Error('boom');
          const failed = tx(store, async (t) => {
            await t.users.insert(fixtureUser(u(2)));
            const one = (await t.users.get(u(1)))!;
            await t.users.update({ ...one, status: 'closed' });
            await t.smartcards.insert(fixtureCard('0712345678', u(2)));
            await t.audit.append(EVENT);
            throw boom;
          });
          await expect(failed).rejects.toBe(boom);
          await tx(store, async (t) => {
            expect(await t.users.get(u(2))).toBeUndefined();
            expect(await t.users.get(u(1))).toMatchObject({ status: 'open', version: 0 });
            expect(await t.smartcards.get('0712345678' as CardSerial)).toBeUndefined();
            expect((await t.audit.head()).seq).toBe(0);
          });
        });
      });

      it('isolates concurrent transactions: nobody sees a write that is later rolled back', async () => {
        await withStore(async (store) => {
          let started!: () => void;
          const began = new Promise<void>((resolve) => {
            started = resolve;
          });
          const doomed = tx(store, async (t) => {
            await t.users.insert(fixtureUser(u(1)));
            started();
            await new Promise((resolve) => setTimeout(resolve, 30));
            throw new Error('rolled back');
          });
          // Settled at once: on a store whose transactions queue, `doomed` fails while the
          // read below still waits for it.
          const outcome = doomed.then(
            () => 'committed',
            (error: unknown) => (error as Error).message,
          );
          await began;
          const seen = await tx(store, (t) => t.users.get(u(1)));
          expect(await outcome).toBe('rolled back');
          expect(seen).toBeUndefined();
          expect(await tx(store, (t) => t.users.get(u(1)))).toBeUndefined();
        });
      });

      it('loses no update when concurrent transactions read and write the same record', async () => {
        await withStore(async (store) => {
          await tx(store, (t) => t.users.insert(fixtureUser(u(1))));
          const outcomes = await Promise.all(
            Array.from({ length: 8 }, () =>
              codeOf(
                tx(store, async (t) => {
                  const user = (await t.users.get(u(1)))!;
                  await new Promise((resolve) => setTimeout(resolve, 1));
                  await t.users.update(user);
                }),
              ),
            ),
          );
          expect(outcomes.every((o) => o === 'no error' || o === 'CONFLICT')).toBe(true);
          const landed = outcomes.filter((o) => o === 'no error').length;
          expect(landed).toBeGreaterThan(0);
          expect((await tx(store, (t) => t.users.get(u(1))))?.version).toBe(landed);
        });
      });

      it('AUD-01 queues overlapping writers: read-then-append transactions on different records all commit, each after the one before, one chain', async () => {
        await withStore(async (store) => {
          const outcomes = await Promise.all(
            Array.from({ length: 8 }, (_, i) =>
              codeOf(
                tx(store, async (t) => {
                  const head = await t.audit.head();
                  await new Promise((resolve) => setTimeout(resolve, 2));
                  await t.users.insert(fixtureUser(u(i + 1)));
                  await t.audit.append(fixtureEvent('user.create', u(i + 1), { saw: head.seq }));
                }),
              ),
            ),
          );
          expect(outcomes).toEqual(Array(8).fill('no error'));
          const log = await tx(store, (t) => t.audit.read());
          expect(log.items.map((r) => r.event.details['saw'])).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
          expect(await verifyAudit(store)).toMatchObject({ ok: true, count: 8 });
        });
      });

      it('ends the tx with its transaction (STORE_UNAVAILABLE after fn returns)', async () => {
        await withStore(async (store) => {
          const leaked = await tx(store, async (t) => t);
          expect(await codeOf(leaked.users.get(u(1)))).toBe('STORE_UNAVAILABLE');
        });
      });

      it('returns records the caller cannot change behind the store', async () => {
        await withStore(async (store) => {
          const cert = fixtureCertificate('0a1b', u(1), '2029-01-01T00:00:00.000Z');
          await tx(store, (t) => t.certificates.insert(cert));
          cert.der[0] = 0xff;
          const read = (await tx(store, (t) => t.certificates.get('0a1b')))!;
          expect(read.der[0]).toBe(0x30);
          read.der[0] = 0xee;
          expect((await tx(store, (t) => t.certificates.get('0a1b')))?.der[0]).toBe(0x30);
        });
      });
    });

    describe('queries', () => {
      it('ID-06 duplicate lookup: by NI number, and by name prefix (any case) and date of birth', async () => {
        await withStore(async (store) => {
          await tx(store, async (t) => {
            await t.users.insert(
              fixtureUser(u(1), { family: 'Smith', given: 'Ann', niNumber: 'AB123456C' }),
            );
            await t.users.insert(
              fixtureUser(u(2), { family: 'SMITH', given: 'anna', dateOfBirth: '1990-01-01' }),
            );
            await t.users.insert(fixtureUser(u(3), { family: 'Smithers', given: 'Bob' }));
            await t.users.insert(fixtureUser(u(4), { family: 'Jones', given: 'Ann' }));
            await t.users.insert(fixtureUser(u(5), { family: 'Smit', given: 'Ann' }));
          });
          await tx(store, async (t) => {
            expect((await t.users.byNiNumber('AB123456C' as NiNumber)).map((x) => x.uuid)).toEqual([
              u(1),
            ]);
            const ids = async (q: Parameters<StoreTx['users']['searchByName']>[0]) =>
              (await t.users.searchByName(q)).items.map((x) => x.uuid);
            expect(await ids({ family: 'smith' })).toEqual([u(1), u(2), u(3)]);
            expect(await ids({ family: 'SMITH', given: 'ann' })).toEqual([u(1), u(2)]);
            expect(
              await ids({ family: 'smith', given: 'Ann', dateOfBirth: d('1980-05-17') }),
            ).toEqual([u(1)]);
            expect(await ids({ given: 'ANN' })).toEqual([u(4), u(5), u(1), u(2)]);
            expect(await ids({ family: 'x' })).toEqual([]);
          });
        });
      });

      it('ID-06 matches names as the duplicate check folds them: accents, spaces, hyphens, apostrophes', async () => {
        await withStore(async (store) => {
          await tx(store, async (t) => {
            await t.users.insert(fixtureUser(u(1), { family: "O'Brien-Smith", given: 'Zoë' }));
            await t.users.insert(fixtureUser(u(2), { family: 'Obrien', given: 'Zoe Ann' }));
            await t.users.insert(fixtureUser(u(3), { family: 'Øberg', given: 'Åsa' }));
          });
          await tx(store, async (t) => {
            const ids = async (q: Parameters<StoreTx['users']['searchByName']>[0]) =>
              (await t.users.searchByName(q)).items.map((x) => x.uuid);
            expect(await ids({ family: 'obrien smith' })).toEqual([u(1)]);
            expect(await ids({ family: "O'BRIEN" })).toEqual([u(2), u(1)]);
            expect(await ids({ given: 'zoe', family: 'o brien' })).toEqual([u(2), u(1)]);
            expect(await ids({ given: 'ZOË-A' })).toEqual([u(2)]);
            expect(await ids({ family: 'øb' })).toEqual([u(3)]);
            expect(await codeOf(t.users.searchByName({ family: "-'" }))).toBe('VALIDATION');
          });
        });
      });

      it('ID-06 folds names in full: ß as ss, dotless ı as i', async () => {
        await withStore(async (store) => {
          await tx(store, async (t) => {
            await t.users.insert(fixtureUser(u(1), { family: 'Straße', given: 'Jürgen' }));
            await t.users.insert(fixtureUser(u(2), { family: 'Yıldız', given: 'Ayşe' }));
          });
          await tx(store, async (t) => {
            const ids = async (q: Parameters<StoreTx['users']['searchByName']>[0]) =>
              (await t.users.searchByName(q)).items.map((x) => x.uuid);
            expect(await ids({ family: 'STRASSE', given: 'jurgen' })).toEqual([u(1)]);
            expect(await ids({ family: 'strass' })).toEqual([u(1)]);
            expect(await ids({ family: 'YILDIZ', given: 'ayse' })).toEqual([u(2)]);
          });
        });
      });

      it('pages with an opaque cursor: every item once, in order', async () => {
        await withStore(async (store) => {
          const families = ['Ab', 'ab', 'Abb', 'Ac', 'Aa', 'Abc', 'A', 'Ab'];
          await tx(store, async (t) => {
            for (const [i, family] of families.entries()) {
              await t.users.insert(fixtureUser(u(10 + i), { family, given: `G${i % 3}` }));
            }
          });
          const full = await tx(store, (t) =>
            t.users.searchByName({ family: 'a' }, { limit: 1000 }),
          );
          expect(full.nextCursor).toBeUndefined();
          for (const limit of [1, 2, 3]) {
            const paged = await all((cursor) =>
              tx(store, (t) => t.users.searchByName({ family: 'A' }, { limit, cursor })),
            );
            expect(paged.map((x) => x.uuid)).toEqual(full.items.map((x) => x.uuid));
          }
          const keys = full.items.map((x) => [
            x.name.family.toLowerCase(),
            x.name.given.toLowerCase(),
            x.uuid,
          ]);
          const byTuple = (a: string[], b: string[]) => {
            const i = a.findIndex((part, n) => part !== b[n]);
            return i < 0 ? 0 : (a[i] as string) < (b[i] as string) ? -1 : 1;
          };
          expect(full.items).toHaveLength(families.length);
          expect(keys).toEqual([...keys].sort(byTuple));
        });
      });

      it('ASG-02 decides active-on-date at read time (start inclusive, end exclusive, removed never)', async () => {
        await withStore(async (store) => {
          await tx(store, async (t) => {
            await t.positionAssignments.insert(
              fixtureAssignment('a1', u(1), { start: '2026-01-01', end: '2026-02-01' }),
            );
            await t.positionAssignments.insert(
              fixtureAssignment('a2', u(1), { start: '2026-01-15' }),
            );
            await t.positionAssignments.insert(
              fixtureAssignment('a3', u(1), { start: '2026-01-01', removed: true }),
            );
            await t.positionAssignments.insert(
              fixtureAssignment('a4', u(2), { start: '2026-01-01' }),
            );
          });
          const active = (date: string) =>
            tx(store, async (t) =>
              (await t.positionAssignments.activeForUser(u(1), d(date))).map((a) => a.id),
            );
          expect(await active('2025-12-31')).toEqual([]);
          expect(await active('2026-01-01')).toEqual(['a1']);
          expect(await active('2026-01-15')).toEqual(['a1', 'a2']);
          expect(await active('2026-01-31')).toEqual(['a1', 'a2']);
          expect(await active('2026-02-01')).toEqual(['a2']);
        });
      });

      it('ASG-04 keeps expired and removed assignments in the history', async () => {
        await withStore(async (store) => {
          await tx(store, async (t) => {
            await t.positionAssignments.insert(
              fixtureAssignment('a1', u(1), { start: '2025-01-01', end: '2025-02-01' }),
            );
            await t.positionAssignments.insert(
              fixtureAssignment('a2', u(1), { start: '2026-01-15' }),
            );
            await t.workgroupAssignments.insert(
              fixtureWorkgroupAssignment('w1', u(1), 'wg_1', {
                start: '2025-01-01',
                end: '2025-03-01',
              }),
            );
          });
          await tx(store, async (t) => {
            const a2 = (await t.positionAssignments.get('a2' as never))!;
            await t.positionAssignments.update({
              ...a2,
              removed: { at: '2026-02-01T00:00:00.000Z' as IsoDateTime, by: u(0) },
            });
          });
          const history = await all((cursor) =>
            tx(store, (t) => t.positionAssignments.historyForUser(u(1), { limit: 1, cursor })),
          );
          expect(history.map((a) => [a.id, a.removed !== undefined])).toEqual([
            ['a1', false],
            ['a2', true],
          ]);
          const today = d('2026-03-01');
          expect(await tx(store, (t) => t.positionAssignments.activeForUser(u(1), today))).toEqual(
            [],
          );
          const wg = await tx(store, (t) => t.workgroupAssignments.historyForUser(u(1)));
          expect(wg.items.map((a) => a.id)).toEqual(['w1']);
          expect(await tx(store, (t) => t.workgroupAssignments.activeForUser(u(1), today))).toEqual(
            [],
          );
        });
      });

      it('ID-05 reads many profiles by UUID in one call: unknown UUIDs are left out, repeated ones read once', async () => {
        await withStore(async (store) => {
          await tx(store, async (t) => {
            for (const n of [1, 2, 3]) await t.users.insert(fixtureUser(u(n)));
          });
          const found = await tx(store, (t) => t.users.getMany([u(3), u(1), u(9), u(3)]));
          expect([...found.keys()].sort()).toEqual([u(1), u(3)]);
          expect(found.get(u(3))).toMatchObject({ uuid: u(3), version: 0 });
          expect(await tx(store, (t) => t.users.getMany([]))).toEqual(new Map());
          expect(await codeOf(tx(store, (t) => t.users.getMany(['x' as Uuid])))).toBe('VALIDATION');
          const many = Array.from({ length: 1001 }, (_, i) => String(100_000_000_000 + i) as Uuid);
          expect(await codeOf(tx(store, (t) => t.users.getMany(many)))).toBe('VALIDATION');
        });
      });

      it('ROLE-02 ASG-04 lists the organisations of many users in one call: expired and removed assignments count, each code once, in order', async () => {
        await withStore(async (store) => {
          await tx(store, async (t) => {
            for (const n of [1, 2, 3]) await t.users.insert(fixtureUser(u(n)));
            const at = (id: string, user: Uuid, organisation: string, more = {}) =>
              t.positionAssignments.insert(fixtureAssignment(id, user, { organisation, ...more }));
            await at('a1', u(1), 'QVV');
            await at('a2', u(1), 'FA123', { end: '2026-02-01' });
            await at('a3', u(1), 'QVV', { start: '2026-03-01' });
            await at('a4', u(2), 'A81001', { removed: true });
          });
          const found = await tx(store, (t) =>
            t.positionAssignments.organisationsOfUsers([u(3), u(1), u(2), u(9)]),
          );
          expect([...found]).toEqual([
            [u(3), []],
            [u(1), ['FA123', 'QVV']],
            [u(2), ['A81001']],
            [u(9), []],
          ]);
          expect(await tx(store, (t) => t.positionAssignments.organisationsOfUsers([]))).toEqual(
            new Map(),
          );
          expect(
            await codeOf(
              tx(store, (t) => t.positionAssignments.organisationsOfUsers(['x' as Uuid])),
            ),
          ).toBe('VALIDATION');
        });
      });

      it('ROLE-02 finds an organisation and its descendants at any depth', async () => {
        await withStore(async (store) => {
          await tx(store, async (t) => {
            await t.organisations.insert(fixtureOrganisation('QVV'));
            await t.organisations.insert(fixtureOrganisation('A11', 'QVV'));
            await t.organisations.insert(fixtureOrganisation('B22', 'QVV'));
            await t.organisations.insert(fixtureOrganisation('C33', 'A11'));
            await t.organisations.insert(fixtureOrganisation('D44', 'C33'));
            await t.organisations.insert(fixtureOrganisation('RXX'));
            await t.organisations.insert(fixtureOrganisation('E55', 'RXX'));
          });
          const below = await all((cursor) =>
            tx(store, (t) => t.organisations.descendants('QVV' as OdsCode, { limit: 2, cursor })),
          );
          expect(below.map((o) => o.odsCode)).toEqual(['A11', 'B22', 'C33', 'D44']);
          const children = await tx(store, (t) => t.organisations.children('QVV' as OdsCode));
          expect(children.items.map((o) => o.odsCode)).toEqual(['A11', 'B22']);
          expect(
            (await tx(store, (t) => t.organisations.descendants('D44' as OdsCode))).items,
          ).toEqual([]);
        });
      });

      it('ROLE-02 reads an organisation and its ancestors nearest first, in one read when the adapter has ancestors', async () => {
        await withStore(async (store) => {
          await tx(store, async (t) => {
            await t.organisations.insert(fixtureOrganisation('QVV'));
            await t.organisations.insert(fixtureOrganisation('A11', 'QVV'));
            await t.organisations.insert(fixtureOrganisation('C33', 'A11'));
            await t.organisations.insert(fixtureOrganisation('D44', 'C33'));
            await t.organisations.insert(fixtureOrganisation('E55', 'ZZZ')); // parent not on record
          });
          const codes = (ods: string) =>
            tx(store, async (t) =>
              t.organisations.ancestors === undefined
                ? undefined
                : (await t.organisations.ancestors(ods as OdsCode)).map((o) => o.odsCode),
            );
          if ((await codes('QVV')) === undefined) return; // optional: the adapter reads by get
          expect(await codes('D44')).toEqual(['D44', 'C33', 'A11', 'QVV']);
          expect(await codes('QVV')).toEqual(['QVV']);
          expect(await codes('E55')).toEqual(['E55']);
          expect(await codes('XYZ')).toEqual([]);
          // A cycle ends the chain at the first organisation met again.
          await tx(store, async (t) => {
            const qvv = await t.organisations.get('QVV' as OdsCode);
            if (qvv === undefined) throw new Error('QVV is missing');
            await t.organisations.update({ ...qvv, parent: 'C33' as OdsCode });
          });
          expect(await codes('D44')).toEqual(['D44', 'C33', 'A11', 'QVV']);
          expect(await codes('A11')).toEqual(['A11', 'QVV', 'C33']);
          expect(
            await codeOf(
              tx(store, (t) => t.organisations.ancestors?.('' as OdsCode) ?? Promise.resolve([])),
            ),
          ).toBe('VALIDATION');
        });
      });

      it('lists the positions a user holds or held, once each, in one read when the adapter has heldBy', async () => {
        await withStore(async (store) => {
          await tx(store, async (t) => {
            await t.positions.insert(fixturePosition('p1', 'QVV'));
            await t.positions.insert(fixturePosition('p2', 'RXX'));
            await t.positions.insert(fixturePosition('p3', 'RXX'));
            await t.positionAssignments.insert(fixtureAssignment('a1', u(1), { position: 'p2' }));
            await t.positionAssignments.insert(
              fixtureAssignment('a2', u(1), { position: 'p1', end: '2026-02-01' }),
            );
            await t.positionAssignments.insert(
              fixtureAssignment('a3', u(1), { position: 'p2', removed: true }),
            );
            await t.positionAssignments.insert(fixtureAssignment('a4', u(2), { position: 'p3' }));
          });
          const ids = (user: string) =>
            tx(store, async (t) =>
              t.positions.heldBy === undefined
                ? undefined
                : (await t.positions.heldBy(user as Uuid)).map((p) => p.id),
            );
          if ((await ids(u(1))) === undefined) return; // optional: the adapter reads by get
          expect(await ids(u(1))).toEqual(['p1', 'p2']);
          expect(await ids(u(2))).toEqual(['p3']);
          expect(await ids(u(3))).toEqual([]);
          expect(
            await codeOf(
              tx(store, (t) => t.positions.heldBy?.('x' as Uuid) ?? Promise.resolve([])),
            ),
          ).toBe('VALIDATION');
        });
      });

      it('lists assignments at an organisation and of a position, positions and workgroups of an organisation', async () => {
        await withStore(async (store) => {
          await tx(store, async (t) => {
            await t.positions.insert(fixturePosition('p1', 'QVV'));
            await t.positions.insert(fixturePosition('p2', 'RXX'));
            await t.workgroups.insert(fixtureWorkgroup('wg1', 'QVV'));
            await t.positionAssignments.insert(
              fixtureAssignment('a1', u(1), {
                organisation: 'QVV',
                position: 'p1',
                end: '2026-02-01',
              }),
            );
            await t.positionAssignments.insert(
              fixtureAssignment('a2', u(2), { organisation: 'QVV', position: 'p1' }),
            );
            await t.positionAssignments.insert(
              fixtureAssignment('a3', u(3), { organisation: 'RXX', position: 'p2' }),
            );
            await t.workgroupAssignments.insert(fixtureWorkgroupAssignment('w1', u(1), 'wg1'));
          });
          await tx(store, async (t) => {
            const ids = (p: Page<{ id: string }>) => p.items.map((x) => x.id);
            expect(ids(await t.positionAssignments.atOrganisation('QVV' as OdsCode))).toEqual([
              'a1',
              'a2',
            ]);
            expect(
              ids(
                await t.positionAssignments.atOrganisation('QVV' as OdsCode, {
                  activeOn: d('2026-03-01'),
                }),
              ),
            ).toEqual(['a2']);
            expect(ids(await t.positionAssignments.forPosition('p2' as never))).toEqual(['a3']);
            expect(ids(await t.positions.atOrganisation('QVV' as OdsCode))).toEqual(['p1']);
            expect(ids(await t.workgroups.atOrganisation('QVV' as OdsCode))).toEqual(['wg1']);
            expect(ids(await t.workgroupAssignments.forWorkgroup('wg1' as never))).toEqual(['w1']);
          });
        });
      });

      it('finds cards by serial and holder, authenticators by user', async () => {
        await withStore(async (store) => {
          await tx(store, async (t) => {
            await t.smartcards.insert(fixtureCard('0712345679', u(1)));
            await t.smartcards.insert(fixtureCard('0712345678', u(1)));
            await t.smartcards.insert(fixtureCard('0712345680', u(2)));
            await t.smartcards.insert(fixtureCard('0712345681'));
            await t.authenticators.insert(fixtureAuthenticator('auth_2', u(1)));
            await t.authenticators.insert(fixtureAuthenticator('auth_1', u(1)));
          });
          await tx(store, async (t) => {
            expect((await t.smartcards.byHolder(u(1))).map((c) => c.serial)).toEqual([
              '0712345678',
              '0712345679',
            ]);
            expect((await t.smartcards.get('0712345681' as CardSerial))?.status).toBe('stock');
            expect((await t.authenticators.byUser(u(1))).map((a) => a.id)).toEqual([
              'auth_1',
              'auth_2',
            ]);
          });
        });
      });

      it('AUTH-03 finds WebAuthn credentials by ID, user and authenticator; a counter update is version-checked', async () => {
        await withStore(async (store) => {
          await tx(store, async (t) => {
            await t.webAuthnCredentials.insert(fixtureCredential('Bbbb', u(1), 'auth_2'));
            await t.webAuthnCredentials.insert(fixtureCredential('Aaaa', u(1), 'auth_1'));
            await t.webAuthnCredentials.insert(fixtureCredential('Cccc', u(2), 'auth_3'));
          });
          expect(
            await codeOf(
              tx(store, (t) => t.webAuthnCredentials.insert(fixtureCredential('Aaaa', u(2), 'x'))),
            ),
          ).toBe('DUPLICATE');
          const used = await tx(store, async (t) => {
            expect((await t.webAuthnCredentials.byUser(u(1))).map((c) => c.id)).toEqual([
              'Aaaa',
              'Bbbb',
            ]);
            expect(
              (await t.webAuthnCredentials.byAuthenticator('auth_3' as never)).map((c) => c.user),
            ).toEqual([u(2)]);
            const found = await t.webAuthnCredentials.get('Aaaa');
            return t.webAuthnCredentials.update({ ...found!, counter: 7 });
          });
          expect(used).toMatchObject({ counter: 7, version: 1 });
          const stale = { ...fixtureCredential('Aaaa', u(1), 'auth_1'), counter: 9 };
          expect(await codeOf(tx(store, (t) => t.webAuthnCredentials.update(stale)))).toBe(
            'CONFLICT',
          );
          expect((await tx(store, (t) => t.webAuthnCredentials.get('Aaaa')))?.counter).toBe(7);
          expect(
            await codeOf(
              tx(store, (t) =>
                t.webAuthnCredentials.insert({
                  ...fixtureCredential('Dddd', u(1), 'a'),
                  counter: -1,
                }),
              ),
            ),
          ).toBe('VALIDATION');
          expect(await codeOf(tx(store, (t) => t.webAuthnCredentials.get('not base64url!')))).toBe(
            'VALIDATION',
          );
        });
      });

      it('AUTH-03 spends a WebAuthn challenge once: a second consume, in series or concurrently, gets false', async () => {
        await withStore(async (store) => {
          const a = 'a'.repeat(43);
          const b = 'b'.repeat(43);
          const at = '2026-01-01T09:01:00.000Z' as IsoDateTime;
          await tx(store, async (t) => {
            await t.webAuthnChallenges.insert(fixtureChallenge(a));
            await t.webAuthnChallenges.insert(fixtureChallenge(b));
          });
          expect(
            await codeOf(tx(store, (t) => t.webAuthnChallenges.insert(fixtureChallenge(a)))),
          ).toBe('DUPLICATE');
          expect(await tx(store, (t) => t.webAuthnChallenges.get(a))).toEqual(fixtureChallenge(a));
          expect(await tx(store, (t) => t.webAuthnChallenges.consume(a, at))).toBe(true);
          expect(await tx(store, (t) => t.webAuthnChallenges.consume(a, at))).toBe(false);
          expect(await tx(store, (t) => t.webAuthnChallenges.get(a))).toEqual({
            ...fixtureChallenge(a),
            usedAt: at,
          });
          // Two transactions race for one challenge: exactly one spends it.
          const raced = await Promise.all(
            [1, 2, 3].map(() => tx(store, (t) => t.webAuthnChallenges.consume(b, at))),
          );
          expect(raced.filter(Boolean)).toHaveLength(1);
          expect(await tx(store, (t) => t.webAuthnChallenges.consume('c'.repeat(43), at))).toBe(
            false,
          );
          expect(await codeOf(tx(store, (t) => t.webAuthnChallenges.get('short')))).toBe(
            'VALIDATION',
          );
        });
      });

      it('AUTH-03 a challenge spent in a transaction that throws stays unspent; purging removes only the expired', async () => {
        await withStore(async (store) => {
          const a = 'a'.repeat(43);
          const at = '2026-01-01T09:01:00.000Z' as IsoDateTime;
          await tx(store, async (t) => {
            await t.webAuthnChallenges.insert(fixtureChallenge(a, '2026-01-01T09:05:00.000Z'));
            await t.webAuthnChallenges.insert(
              fixtureChallenge('b'.repeat(43), '2026-01-01T09:02:00.000Z'),
            );
            await t.webAuthnChallenges.insert(
              fixtureChallenge('c'.repeat(43), '2026-01-01T09:03:00.000Z'),
            );
          });
          await expect(
            tx(store, async (t) => {
              expect(await t.webAuthnChallenges.consume(a, at)).toBe(true);
              expect(
                await t.webAuthnChallenges.purgeExpired('2026-01-01T10:00:00.000Z' as IsoDateTime),
              ).toBe(3);
              throw new Error('rolled back');
            }),
          ).rejects.toThrow('rolled back');
          expect((await tx(store, (t) => t.webAuthnChallenges.get(a)))?.usedAt).toBeUndefined();
          expect(
            await tx(store, (t) =>
              t.webAuthnChallenges.purgeExpired('2026-01-01T09:03:00.000Z' as IsoDateTime),
            ),
          ).toBe(1);
          expect(await tx(store, (t) => t.webAuthnChallenges.get('b'.repeat(43)))).toBeUndefined();
          expect(await tx(store, (t) => t.webAuthnChallenges.get('c'.repeat(43)))).toBeDefined();
          expect(await tx(store, (t) => t.webAuthnChallenges.consume(a, at))).toBe(true);
        });
      });

      it('REP-01 lists certificates expiring before a date, by expiry, with status and bounds', async () => {
        await withStore(async (store) => {
          await tx(store, async (t) => {
            await t.certificates.insert(
              fixtureCertificate('01', u(1), '2026-01-10T00:00:00.000Z', '0712345678'),
            );
            await t.certificates.insert(
              fixtureCertificate('02', u(1), '2026-01-05T00:00:00.000Z', '0712345678'),
            );
            await t.certificates.insert(fixtureCertificate('03', u(2), '2026-02-10T00:00:00.000Z'));
            await t.certificates.insert({
              ...fixtureCertificate('04', u(2), '2026-01-06T00:00:00.000Z'),
              status: 'revoked',
              revocation: {
                reason: 'keyCompromise',
                at: '2026-01-02T00:00:00.000Z' as IsoDateTime,
              },
            });
            await t.certificates.insert(fixtureCertificate('05', u(3), '2025-12-01T00:00:00.000Z'));
          });
          const expiring = (
            q: Parameters<StoreTx['certificates']['expiring']>[0],
            limit?: number,
          ) => all((cursor) => tx(store, (t) => t.certificates.expiring(q, { limit, cursor })));
          const at = (s: string) => s as IsoDateTime;
          expect(
            (await expiring({ before: at('2026-02-01T00:00:00.000Z') }, 1)).map((c) => c.serial),
          ).toEqual(['05', '02', '01']);
          expect(
            (
              await expiring({
                from: at('2026-01-01T00:00:00.000Z'),
                before: at('2026-01-10T00:00:00.000Z'),
              })
            ).map((c) => c.serial),
          ).toEqual(['02']);
          expect(
            (await expiring({ before: at('2027-01-01T00:00:00.000Z'), status: 'revoked' })).map(
              (c) => c.serial,
            ),
          ).toEqual(['04']);
          await tx(store, async (t) => {
            expect(
              (await t.certificates.byCard('0712345678' as CardSerial)).map((c) => c.serial),
            ).toEqual(['01', '02']);
            expect((await t.certificates.byHolder(u(2))).map((c) => c.serial)).toEqual([
              '03',
              '04',
            ]);
          });
        });
      });

      it("CARD-10 keeps a PIV content signer's certificate with no holder: revoked, listed with the revocations, never a user's or a card's", async () => {
        await withStore(async (store) => {
          const { holder: _none, ...rest } = fixtureCertificate(
            'c5',
            u(9),
            '2036-01-01T00:00:00.000Z',
          );
          const signer: CertificateRecord = { ...rest, purpose: 'content-signer' };
          await tx(store, async (t) => {
            await t.certificates.insert(signer);
            await t.certificates.insert(fixtureCertificate('c6', u(1), '2029-01-01T00:00:00.000Z'));
          });
          expect(await tx(store, (t) => t.certificates.get('c5'))).toEqual(signer);
          const revoked: CertificateRecord = {
            ...signer,
            status: 'revoked',
            revocation: { reason: 'keyCompromise', at: '2027-01-01T00:00:00.000Z' as IsoDateTime },
            version: 1,
          };
          await tx(store, (t) => t.certificates.update({ ...revoked, version: 0 }));
          const end = '9999-12-31T23:59:59.999Z' as IsoDateTime;
          await tx(store, async (t) => {
            expect(await t.certificates.get('c5')).toEqual(revoked);
            const listed = await t.certificates.expiring({ before: end, status: 'revoked' });
            expect(listed.items).toEqual([revoked]);
            expect((await t.certificates.byHolder(u(1))).map((c) => c.serial)).toEqual(['c6']);
            expect(await t.certificates.byHolder(u(9))).toEqual([]);
          });
          // A card certificate names its holder; a content signer names none, nor a card.
          const { holder: _h, ...noHolder } = fixtureCertificate(
            'c7',
            u(1),
            '2029-01-01T00:00:00.000Z',
          );
          expect(await codeOf(tx(store, (t) => t.certificates.insert(noHolder)))).toBe(
            'VALIDATION',
          );
          expect(
            await codeOf(
              tx(store, (t) =>
                t.certificates.insert({ ...signer, serial: 'c8', holder: u(1) as Uuid }),
              ),
            ),
          ).toBe('VALIDATION');
          expect(
            await codeOf(
              tx(store, (t) =>
                t.certificates.insert({
                  ...signer,
                  serial: 'c9',
                  card: '0712345678' as CardSerial,
                }),
              ),
            ),
          ).toBe('VALIDATION');
          expect(await tx(store, (t) => t.certificates.get('c7'))).toBeUndefined();
        });
      });

      it('REP-01 pages of expiring certificates resume after the cursor within a lower bound, ties on expiry by serial', async () => {
        await withStore(async (store) => {
          const same = '2026-03-01T00:00:00.000Z';
          await tx(store, async (t) => {
            for (const serial of ['a3', 'a1', 'a2']) {
              await t.certificates.insert(fixtureCertificate(serial, u(1), same));
            }
            await t.certificates.insert(fixtureCertificate('b1', u(2), '2026-02-01T00:00:00.000Z'));
            await t.certificates.insert(fixtureCertificate('c1', u(3), '2026-04-01T00:00:00.000Z'));
          });
          const query = {
            from: '2026-02-15T00:00:00.000Z' as IsoDateTime,
            before: '2026-05-01T00:00:00.000Z' as IsoDateTime,
          };
          for (const limit of [1, 2, 3]) {
            const serials = (
              await all((cursor) =>
                tx(store, (t) => t.certificates.expiring(query, { limit, cursor })),
              )
            ).map((c) => c.serial);
            expect(serials).toEqual(['a1', 'a2', 'a3', 'c1']);
          }
        });
      });

      it('REQ-04 lists requests by state, kind, organisation and requester, closed ones for 30 days', async () => {
        await withStore(async (store) => {
          await tx(store, async (t) => {
            await t.requests.insert(
              fixtureRequest('r1', { createdAt: '2026-01-01T00:00:00.000Z' }),
            );
            await t.requests.insert(
              fixtureRequest('r2', {
                createdAt: '2026-01-02T00:00:00.000Z',
                kind: 'position-change',
                organisation: 'RXX',
              }),
            );
            await t.requests.insert(
              fixtureRequest('r3', {
                createdAt: '2026-01-03T00:00:00.000Z',
                state: 'accepted',
                decidedAt: '2026-01-04T00:00:00.000Z',
                requestedBy: 'ESR',
              }),
            );
            await t.requests.insert(
              fixtureRequest('r4', {
                createdAt: '2026-01-01T12:00:00.000Z',
                state: 'rejected',
                decidedAt: '2026-03-01T00:00:00.000Z',
              }),
            );
          });
          const ids = async (filter: Parameters<StoreTx['requests']['list']>[0], limit = 100) =>
            (
              await all((cursor) => tx(store, (t) => t.requests.list(filter, { limit, cursor })))
            ).map((r) => r.id);
          expect(await ids(undefined, 1)).toEqual(['r1', 'r4', 'r2', 'r3']);
          expect(await ids({ state: 'open' })).toEqual(['r1', 'r2']);
          expect(await ids({ state: ['accepted', 'rejected'] })).toEqual(['r4', 'r3']);
          expect(await ids({ kind: 'position-change' })).toEqual(['r2']);
          expect(await ids({ organisation: 'RXX' as OdsCode })).toEqual(['r2']);
          expect(await ids({ requestedBy: 'ESR' })).toEqual(['r3']);
          expect(await ids({ decidedSince: '2026-02-01T00:00:00.000Z' as IsoDateTime })).toEqual([
            'r1',
            'r4',
            'r2',
          ]);
          // The same cut as the domain's inDefaultListing, for every day around the decisions.
          const every = await all((cursor) => tx(store, (t) => t.requests.list({}, { cursor })));
          for (const today of [
            '2026-01-20',
            '2026-02-03',
            '2026-02-04',
            '2026-03-30',
            '2026-03-31',
          ]) {
            const since = `${addDays(today as IsoDate, -30)}T00:00:00.000Z` as IsoDateTime;
            expect(await ids({ decidedSince: since }), today).toEqual(
              every
                .filter((r) => inDefaultListing(r, today as IsoDate, 30, 'UTC'))
                .map((r) => r.id),
            );
          }
        });
      });
    });

    describe('CA authorities and counters', () => {
      const der = (...bytes: number[]) => Uint8Array.from([0x30, bytes.length, ...bytes]);

      it('keeps one authority certificate per role, replaced on put, listed by role, bytes copied', async () => {
        await withStore(async (store) => {
          expect(await tx(store, (t) => t.authorities.list())).toEqual([]);
          const root = der(1);
          await tx(store, async (t) => {
            expect(await t.authorities.put({ role: 'root', der: root })).toEqual({
              role: 'root',
              der: der(1),
            });
            await t.authorities.put({ role: 'ocsp', der: der(2) });
            await t.authorities.put({ role: 'issuing', der: der(3) });
          });
          root[2] = 0xff;
          await tx(store, (t) => t.authorities.put({ role: 'ocsp', der: der(4, 4) }));
          const listed = await tx(store, (t) => t.authorities.list());
          expect(listed).toEqual([
            { role: 'issuing', der: der(3) },
            { role: 'ocsp', der: der(4, 4) },
            { role: 'root', der: der(1) },
          ]);
          (listed[0] as { der: Uint8Array }).der[2] = 0xee;
          const read = await tx(store, (t) => t.authorities.get('issuing'));
          expect(read).toEqual({ role: 'issuing', der: der(3) });
          expect(read?.der).toBeInstanceOf(Uint8Array);
        });
      });

      it('validates authority records and counter names (VALIDATION naming the field)', async () => {
        await withStore(async (store) => {
          const badRole = await tx(store, (t) =>
            t.authorities.put({ role: 'intermediate' as never, der: der(1) }),
          ).catch((e: unknown) => e);
          expect(badRole).toMatchObject({ code: 'VALIDATION', field: 'role' });
          const noBytes = await tx(store, (t) =>
            t.authorities.put({ role: 'root', der: new Uint8Array(0) }),
          ).catch((e: unknown) => e);
          expect(noBytes).toMatchObject({ code: 'VALIDATION', field: 'der' });
          expect(
            await codeOf(
              tx(store, (t) => t.authorities.put({ role: 'root', der: 'MII' as never })),
            ),
          ).toBe('VALIDATION');
          expect(await codeOf(tx(store, (t) => t.authorities.get('leaf' as never)))).toBe(
            'VALIDATION',
          );
          for (const name of ['', 'CRL', '1st', 'a b', 'x'.repeat(65), 7 as never]) {
            expect(await codeOf(tx(store, (t) => t.counters.next(name))), String(name)).toBe(
              'VALIDATION',
            );
            expect(await codeOf(tx(store, (t) => t.counters.current(name)))).toBe('VALIDATION');
          }
          expect(await tx(store, (t) => t.authorities.list())).toEqual([]);
        });
      });

      it('counts up from 1 per name, across transactions, and reads the last value', async () => {
        await withStore(async (store) => {
          expect(await tx(store, (t) => t.counters.current('crl-number'))).toBe(0n);
          expect(await tx(store, (t) => t.counters.next('crl-number'))).toBe(1n);
          const [a, b, other] = await tx(store, async (t) => [
            await t.counters.next('crl-number'),
            await t.counters.next('crl-number'),
            await t.counters.next('root.crl-number'),
          ]);
          expect([a, b, other]).toEqual([2n, 3n, 1n]);
          expect(await tx(store, (t) => t.counters.current('crl-number'))).toBe(3n);
          expect(await tx(store, (t) => t.counters.current('root.crl-number'))).toBe(1n);
          expect(await tx(store, (t) => t.counters.current('never-used'))).toBe(0n);
        });
      });

      it('leaves no trace of authorities and counters written by a transaction that throws', async () => {
        await withStore(async (store) => {
          await tx(store, async (t) => {
            await t.authorities.put({ role: 'ocsp', der: der(1) });
            await t.counters.next('crl-number');
          });
          const boom = new Error('boom');
          const failed = tx(store, async (t) => {
            await t.authorities.put({ role: 'ocsp', der: der(2) });
            await t.authorities.put({ role: 'root', der: der(3) });
            expect(await t.counters.next('crl-number')).toBe(2n);
            expect(await t.counters.next('other')).toBe(1n);
            throw boom;
          });
          await expect(failed).rejects.toBe(boom);
          await tx(store, async (t) => {
            expect(await t.authorities.list()).toEqual([{ role: 'ocsp', der: der(1) }]);
            expect(await t.counters.current('crl-number')).toBe(1n);
            expect(await t.counters.current('other')).toBe(0n);
          });
          // The rolled-back number is handed out again: CRL numbers have no gaps from failures.
          expect(await tx(store, (t) => t.counters.next('crl-number'))).toBe(2n);
        });
      });

      it('never hands one counter value to two concurrent transactions', async () => {
        await withStore(async (store) => {
          const outcomes = await Promise.all(
            Array.from({ length: 10 }, () =>
              tx(store, async (t) => {
                const value = await t.counters.next('crl-number');
                await new Promise((resolve) => setTimeout(resolve, 1));
                return value;
              }).catch((error: unknown) => {
                if (isCareIdError(error, 'CONFLICT')) return 'CONFLICT' as const;
                throw error;
              }),
            ),
          );
          const landed = outcomes.filter((o): o is bigint => typeof o === 'bigint');
          expect(landed.length).toBeGreaterThan(0);
          // Distinct and gap-free: a CONFLICT rolled its increment back.
          expect([...landed].sort((x, y) => Number(x - y))).toEqual(
            landed.map((_, i) => BigInt(i + 1)),
          );
          expect(await tx(store, (t) => t.counters.current('crl-number'))).toBe(
            BigInt(landed.length),
          );
        });
      });
    });

    describe('audit log', () => {
      it('AUD-01 chains every record to the one before and verifies', async () => {
        await withStore(async (store) => {
          for (let i = 0; i < 5; i++) {
            await tx(store, async (t) => {
              await t.users.insert(fixtureUser(u(i)));
              await t.audit.append(fixtureEvent('user.create', u(i), { b: 1, a: [i] }));
            });
          }
          const records = await all((cursor) =>
            tx(store, (t) => t.audit.read({ limit: 2, cursor })),
          );
          expect(records.map((r) => r.seq)).toEqual([1, 2, 3, 4, 5]);
          expect(records[0]?.prevHash).toBe('0'.repeat(64));
          for (let i = 1; i < records.length; i++) {
            expect(records[i]?.prevHash).toBe(records[i - 1]?.hash);
          }
          expect(records[2]?.event).toMatchObject({
            activity: 'user.create',
            target: u(2),
            details: { a: [2], b: 1 },
          });
          const head = await tx(store, (t) => t.audit.head());
          expect(head).toEqual({ seq: 5, hash: records[4]?.hash });
          expect(await verifyAudit(store, { pageSize: 2 })).toEqual({ ok: true, count: 5, head });
        });
      });

      it('AUD-01 writes audit records in the transaction of the change (rolled back with it)', async () => {
        await withStore(async (store) => {
          await tx(store, (t) => t.audit.append(EVENT));
          await expect(
            tx(store, async (t) => {
              await t.audit.append(EVENT);
              await t.users.insert(fixtureUser(u(1)));
              await t.users.insert(fixtureUser(u(1)));
            }),
          ).rejects.toMatchObject({ code: 'DUPLICATE' });
          const record = await tx(store, (t) => t.audit.append(EVENT));
          expect(record.seq).toBe(2);
          expect(await verifyAudit(store)).toMatchObject({ ok: true, count: 2 });
        });
      });

      it('AUD-02 refuses an audit event that carries a secret', async () => {
        await withStore(async (store) => {
          const leaky = fixtureEvent('smartcard.unlock', u(1), {
            card: '07',
            newPasscode: '123456',
          });
          const error = await tx(store, (t) => t.audit.append(leaky)).catch((e: unknown) => e);
          expect(error).toMatchObject({ code: 'VALIDATION', field: 'details.newPasscode' });
          const nested = fixtureEvent('smartcard.issue', u(1), { card: { puk: '12345678' } });
          expect(await codeOf(tx(store, (t) => t.audit.append(nested)))).toBe('VALIDATION');
          expect((await tx(store, (t) => t.audit.head())).seq).toBe(0);
        });
      });
    });

    describe('bulk load', () => {
      it('loads records all at once with one audit record, and refuses duplicates all or none', async () => {
        await withStore(async (store) => {
          const users = Array.from({ length: 120 }, (_, i) =>
            fixtureUser(`2000000${String(i).padStart(5, '0')}`, { family: `F${i % 7}` }),
          );
          async function* source() {
            yield* users;
          }
          const result = await store.bulkLoad(
            'users',
            source(),
            fixtureEvent('storage.bulk-load', 'users'),
          );
          expect(result.count).toBe(120);
          expect(result.audit.seq).toBe(1);
          const found = await all((cursor) =>
            tx(store, (t) => t.users.searchByName({ family: 'f3' }, { limit: 7, cursor })),
          );
          expect(found.map((x) => x.uuid).sort()).toEqual(
            users.filter((x) => x.name.family === 'F3').map((x) => x.uuid),
          );
          const again = [fixtureUser('300000000001'), users[5]!];
          expect(await codeOf(store.bulkLoad('users', again, EVENT))).toBe('DUPLICATE');
          expect(await tx(store, (t) => t.users.get('300000000001' as Uuid))).toBeUndefined();
          const repeated = [fixtureUser('300000000002'), fixtureUser('300000000002')];
          expect(await codeOf(store.bulkLoad('users', repeated, EVENT))).toBe('DUPLICATE');
          expect(
            await codeOf(
              store.bulkLoad(
                'users',
                [{ ...fixtureUser('300000000003'), uuid: 'x' } as never],
                EVENT,
              ),
            ),
          ).toBe('VALIDATION');
          expect(await verifyAudit(store)).toMatchObject({ ok: true, count: 1 });
        });
      });
    });

    describeModelTests(withStore, options.numRuns ?? 25);
  });
}
