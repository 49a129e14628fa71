import { expect } from 'vitest';
import type { VirtualPivCard } from '../../../src/card/index.js';
import { CareIdError } from '../../../src/errors/index.js';
import { StoreUnavailableError } from '../../../src/storage/errors.js';
import type { Store, StoreTx } from '../../../src/storage/index.js';
import { verifyAudit } from '../../../src/storage/index.js';
import { inspect } from './harness.js';

const WRITES = new Set(['insert', 'update', 'append', 'put', 'next']);

/**
 * A store that fails its n-th write (insert, update, audit append, authority put, counter
 * next) once, with STORE_UNAVAILABLE: the transaction it is in rolls back. Counts writes
 * when unarmed, so a clean run tells how many writes an operation makes.
 */
export function faultyStore(inner: Store) {
  let writes = 0;
  let failAt: number | undefined;
  const wrapRepo = (repo: object) =>
    new Proxy(repo, {
      get(target, key, receiver) {
        const value = Reflect.get(target, key, receiver);
        if (typeof value !== 'function') return value;
        if (!WRITES.has(String(key))) return value.bind(target);
        return (...args: unknown[]) => {
          writes += 1;
          if (failAt !== undefined && writes === failAt) {
            failAt = undefined;
            return Promise.reject(new StoreUnavailableError(`injected failure at write ${writes}`));
          }
          return value.apply(target, args);
        };
      },
    });
  const store: Store = {
    adapter: inner.adapter,
    transaction: (fn) =>
      inner.transaction((tx) => {
        const wrapped = new Proxy(tx, {
          get: (target, key) => wrapRepo(Reflect.get(target, key) as object),
        }) as StoreTx;
        return fn(wrapped);
      }),
    bulkLoad: (kind, records, event) => inner.bulkLoad(kind, records, event),
    close: () => inner.close(),
  };
  return {
    store,
    /** Writes so far. */
    get writes() {
      return writes;
    },
    /** Fails the n-th write from now (1 = the next). */
    failIn(n: number) {
      failAt = writes + n;
    },
    disarm() {
      failAt = undefined;
    },
  };
}

/**
 * The store, the CA's records (the same store) and the cards agree (issue 7, "nothing
 * lost"): every active certificate is on a card whose record is issued or locked and
 * which holds it in 9A; a stock card is blank; an issued card holds its holder's UUID; a
 * card flagged for repair has no active certificate; the audit chain verifies.
 */
export async function expectAgreement(
  store: Store,
  holder: string,
  cards: ReadonlyMap<string, VirtualPivCard>,
): Promise<void> {
  const { certificates, records } = await store.transaction(async (tx) => ({
    certificates: await tx.certificates.byHolder(holder as never),
    records: await Promise.all([...cards.keys()].map((s) => tx.smartcards.get(s as never))),
  }));
  const physical = new Map<string, Awaited<ReturnType<typeof inspect>>>();
  for (const [serial, card] of cards) {
    card.insert();
    physical.set(serial, await inspect(card));
  }
  for (const c of certificates.filter((c) => c.status === 'active')) {
    expect(c.card, `active certificate ${c.serial} is on no card`).toBeDefined();
    const record = records.find((r) => r?.serial === c.card);
    expect(['issued', 'locked'], `certificate ${c.serial}`).toContain(record?.status);
    const seen = physical.get(c.card as string);
    if (seen) expect(seen.certificateSerial, `card ${c.card} holds ${c.serial}`).toBe(c.serial);
  }
  for (const record of records) {
    if (record === undefined) continue;
    const seen = physical.get(record.serial)!;
    const active = certificates.filter((c) => c.card === record.serial && c.status === 'active');
    if (record.status === 'stock') {
      expect(seen.certificateSerial, `stock card ${record.serial} is blank`).toBeUndefined();
      expect(seen.holder).toBeUndefined();
      expect(active).toEqual([]);
    } else if (record.status === 'issued' || record.status === 'locked') {
      expect(active).toHaveLength(1);
      expect(seen.holder).toBe(record.holder);
    } else {
      expect(active, `card ${record.serial} is ${record.status}`).toEqual([]);
    }
  }
  expect(await verifyAudit(store)).toMatchObject({ ok: true });
}

/** The failure is one of careid's typed errors, with a stable code. */
export function expectTyped(error: unknown): void {
  expect(error).toBeInstanceOf(CareIdError);
}
