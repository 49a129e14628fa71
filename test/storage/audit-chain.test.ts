import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { ValidationError } from '../../src/errors/index.js';
import {
  AuditBrokenError,
  type AuditRecord,
  assertAuditIntact,
  auditHash,
  canonicalJson,
  memoryStore,
  type Store,
  type StoreTx,
  verifyAudit,
} from '../../src/storage/index.js';
import { fixtureEvent } from '../../src/storage/testing/index.js';

/** A store whose audit log reads are passed through `tamper`, as if the records had been edited. */
function tampered(
  store: Store,
  tamper: (records: readonly AuditRecord[]) => AuditRecord[],
  head?: (h: { seq: number; hash: string }) => { seq: number; hash: string },
): Store {
  return {
    ...store,
    transaction: (fn) =>
      store.transaction((tx) => {
        const audit: StoreTx['audit'] = {
          ...tx.audit,
          read: async (page) => {
            const result = await tx.audit.read(page);
            return { ...result, items: tamper(result.items) };
          },
          head: async () => (head ?? ((h) => h))(await tx.audit.head()),
        };
        return fn({ ...tx, audit });
      }),
  };
}

async function chainOf(n: number): Promise<Store> {
  const store = memoryStore();
  for (let i = 1; i <= n; i++) {
    await store.transaction((tx) => tx.audit.append(fixtureEvent('user.create', String(i))));
  }
  return store;
}

describe('canonical JSON', () => {
  it('sorts keys at every depth and drops undefined properties', () => {
    expect(canonicalJson({ b: { d: 1, c: [2, { f: 1, e: null }] }, a: 'x', z: undefined })).toBe(
      '{"a":"x","b":{"c":[2,{"e":null,"f":1}],"d":1}}',
    );
  });

  it('refuses what JSON cannot carry faithfully (VALIDATION)', () => {
    const cyclic: Record<string, unknown> = {};
    cyclic['self'] = cyclic;
    for (const bad of [{ at: new Date(0) }, { n: Number.NaN }, { f: () => 1 }, { b: 1n }, cyclic]) {
      expect(() => canonicalJson(bad)).toThrow(expect.objectContaining({ code: 'VALIDATION' }));
    }
  });

  it('names the dotted path of what it refuses, at any depth', () => {
    const at = (value: unknown) => {
      try {
        canonicalJson(value);
        return 'accepted';
      } catch (error) {
        return (error as ValidationError).field;
      }
    };
    expect(at({ a: [1, { b: () => 1 }] })).toBe('a.1.b');
    expect(at({ x: { y: Number.POSITIVE_INFINITY } })).toBe('x.y');
    expect(at([{ d: new Date(0) }])).toBe('0.d');
    expect(at(() => 1)).toBe('');
  });

  it('AUD-01 is JSON of the same value with keys sorted by code unit, whatever order they were built in', () => {
    // The plain definition, written the obvious way (JSON.stringify would put integer-like
    // keys first, as objects order them).
    const sorted = (v: unknown): string =>
      Array.isArray(v)
        ? `[${v.map(sorted).join(',')}]`
        : v !== null && typeof v === 'object'
          ? `{${Object.keys(v)
              .sort()
              .map((k) => `${JSON.stringify(k)}:${sorted((v as Record<string, unknown>)[k])}`)
              .join(',')}}`
          : JSON.stringify(v);
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        const text = canonicalJson(value);
        expect(text).toBe(sorted(value));
        expect(JSON.parse(text)).toEqual(JSON.parse(JSON.stringify(value)));
        expect(canonicalJson(JSON.parse(text))).toBe(text);
      }),
      { numRuns: 500 },
    );
  });
});

describe('AUD-01 verifyAudit', () => {
  it('accepts an intact chain and an empty log', async () => {
    expect(await verifyAudit(memoryStore())).toMatchObject({ ok: true, count: 0 });
    const store = await chainOf(7);
    expect(await verifyAudit(store, { pageSize: 3 })).toMatchObject({ ok: true, count: 7 });
    expect((await assertAuditIntact(store)).seq).toBe(7);
  });

  it('finds a changed record (hash)', async () => {
    const store = tampered(await chainOf(5), (records) =>
      records.map((r) =>
        r.seq === 3 ? { ...r, event: { ...r.event, target: 'someone else' } } : r,
      ),
    );
    expect(await verifyAudit(store, { pageSize: 2 })).toMatchObject({
      ok: false,
      seq: 3,
      reason: 'hash',
      count: 2,
    });
    await expect(assertAuditIntact(store)).rejects.toBeInstanceOf(AuditBrokenError);
    await expect(assertAuditIntact(store)).rejects.toMatchObject({ code: 'AUDIT_BROKEN', seq: 3 });
  });

  it('finds a record rewritten with a fresh hash: the next link breaks (prev-hash)', async () => {
    const store = tampered(await chainOf(5), (records) =>
      records.map((r) => {
        if (r.seq !== 2) return r;
        const event = { ...r.event, outcome: 'denied' as const };
        return { ...r, event, hash: auditHash(r.seq, r.prevHash, event) };
      }),
    );
    expect(await verifyAudit(store)).toMatchObject({ ok: false, seq: 3, reason: 'prev-hash' });
  });

  it('finds a deleted record and a truncated log (missing)', async () => {
    const gap = tampered(await chainOf(5), (records) => records.filter((r) => r.seq !== 4));
    expect(await verifyAudit(gap, { pageSize: 2 })).toMatchObject({
      ok: false,
      seq: 4,
      reason: 'missing',
    });
    const truncated = tampered(await chainOf(5), (records) => records.filter((r) => r.seq <= 3));
    expect(await verifyAudit(truncated)).toMatchObject({ ok: false, seq: 4, reason: 'missing' });
  });

  it('finds a head that does not point at the last record (head)', async () => {
    const store = tampered(
      await chainOf(3),
      (records) => [...records],
      (h) => ({ ...h, hash: 'f'.repeat(64) }),
    );
    expect(await verifyAudit(store)).toMatchObject({ ok: false, seq: 3, reason: 'head' });
  });
});
