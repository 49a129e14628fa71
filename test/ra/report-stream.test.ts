import { afterEach, describe, expect, it } from 'vitest';
import { createRegistrationAuthority } from '../../src/ra/index.js';
import type { Store, StoreTx } from '../../src/storage/index.js';
import { fixtureCertificate, fixtureEvent } from '../../src/storage/testing/index.js';
import { NOW, people } from './fixtures.js';
import { readers, seedReadWorld } from './read-fixtures.js';
import { storeCases } from './stores.js';

const ROWS = 5000;
const PAGE = 100;

/** The store, counting the pages of expiring certificates read through it. */
function counting(store: Store): { store: Store; pages: () => number } {
  let pages = 0;
  const certificatesOf = (tx: StoreTx): StoreTx['certificates'] => ({
    get: (k) => tx.certificates.get(k),
    insert: (r) => tx.certificates.insert(r),
    update: (r) => tx.certificates.update(r),
    byHolder: (h) => tx.certificates.byHolder(h),
    byCard: (c) => tx.certificates.byCard(c),
    expiring: (q, p) => {
      pages++;
      return tx.certificates.expiring(q, p);
    },
  });
  const wrapped: Store = {
    adapter: store.adapter,
    transaction: (fn) =>
      store.transaction((tx) =>
        fn(
          new Proxy(tx, {
            get: (target, key) =>
              key === 'certificates' ? certificatesOf(target) : Reflect.get(target, key),
          }),
        ),
      ),
    bulkLoad: (kind, records, event) => store.bulkLoad(kind, records, event),
    close: () => store.close(),
  };
  return { store: wrapped, pages: () => pages };
}

function* certificates() {
  for (let i = 0; i < ROWS; i++) {
    const notAfter = new Date(NOW.getTime() + (1 + (i % 20)) * 86_400_000).toISOString();
    yield fixtureCertificate((0x100000 + i).toString(16), readers.rivers, notAfter);
  }
}

for (const storeCase of storeCases) {
  describe.skipIf(storeCase.skip !== undefined)(
    `streamed report export on ${storeCase.name}${storeCase.skip ? ` (skipped: ${storeCase.skip})` : ''}`,
    () => {
      let dispose: (() => Promise<void>) | undefined;
      afterEach(async () => {
        await dispose?.();
        dispose = undefined;
      });

      it('REP-01 the export is lazy: it reads one store page at a time as the consumer pulls, and stops when the consumer stops', async () => {
        const made = await storeCase.create();
        dispose = made.dispose;
        await seedReadWorld(made.store);
        await made.store.bulkLoad(
          'certificates',
          certificates(),
          fixtureEvent('system.import', 'certificates'),
        );
        const { store, pages } = counting(made.store);
        const ra = createRegistrationAuthority({ store, clock: () => NOW });

        const query = { report: 'certificates-expiring', filters: { days: 30 }, pageSize: PAGE };
        const csv = await ra.reports.export(people.ram, query as never);
        expect(pages()).toBe(0);
        const iterator = csv[Symbol.asyncIterator]();
        const first = await iterator.next();
        expect(first.done).toBe(false);
        const afterFirst = pages();
        const totalPages = Math.ceil((ROWS + 1) / PAGE);
        expect(afterFirst).toBeGreaterThan(0);
        expect(afterFirst).toBeLessThan(totalPages / 2);
        await iterator.return?.();
        expect(pages()).toBe(afterFirst);

        // Read to the end: every row once, the pages read as the chunks are taken.
        const before = pages();
        const seenAt: number[] = [];
        let lines = 0;
        for await (const chunk of await ra.reports.export(people.ram, query as never)) {
          seenAt.push(pages() - before);
          lines += chunk.split('\r\n').length - 1;
        }
        expect(lines).toBe(ROWS + 1 + 1);
        expect(seenAt.length).toBeGreaterThan(3);
        expect(seenAt[0]).toBeLessThan(seenAt.at(-1) as number);
        expect(pages() - before).toBeGreaterThanOrEqual(totalPages);
      });
    },
  );
}
