/**
 * AUD-03: the audit chain anchored by MACed checkpoints outside the database. Every kind
 * of tampering is done as an attacker would: with raw SQL on the database (SQLite,
 * PostgreSQL; the append-only triggers dropped first), or by editing the log in memory.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import type { AuditEvent } from '../../src/domain/index.js';
import { fileCheckpointSink } from '../../src/storage/file/index.js';
import {
  type AuditCheckpoint,
  type AuditRecord,
  auditHash,
  type CheckpointSink,
  GENESIS_HASH,
  memoryCheckpointSink,
  memoryStore,
  type Store,
  type StoreTx,
  signCheckpoint,
  verifyAudit,
  withAuditCheckpoints,
} from '../../src/storage/index.js';
import { postgresStore } from '../../src/storage/postgres/index.js';
import { sqliteStore } from '../../src/storage/sqlite/index.js';
import {
  describeStoreConformance,
  fixtureEvent,
  fixtureUser,
} from '../../src/storage/testing/index.js';
import { POSTGRES_URL, postgresUp } from '../support/postgres.js';

const dir = mkdtempSync(join(tmpdir(), 'careid-anchor-'));
const schemas: string[] = [];
afterAll(async () => {
  rmSync(dir, { recursive: true, force: true });
  if (!postgresUp) return;
  const client = new pg.Client(POSTGRES_URL);
  await client.connect();
  for (const schema of schemas) await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  await client.end();
});

/** What an attacker with write access to the log's storage (but not the key) can do. */
interface Attacker {
  /** Every record as stored, in order. */
  records(): Promise<AuditRecord[]>;
  /** Deletes the records after `seq` and moves the head back to record `seq` (0: the whole log). */
  truncateTo(seq: number): Promise<void>;
  /** Replaces records (same seq) and sets the head. */
  overwrite(records: readonly AuditRecord[], head: { seq: number; hash: string }): Promise<void>;
  /** Changes one record's event without recomputing anything. */
  scribble(seq: number, event: AuditEvent): Promise<void>;
}

interface Subject {
  /** The store under test (the real adapter). */
  readonly store: Store;
  /** The store as a verifier sees it after tampering. */
  readonly seen: () => Store;
  readonly attacker: Attacker;
  readonly sink: CheckpointSink;
}

/** Rehashes the chain from the first record changed on: what an attacker who knows the algorithm does. */
function rehash(
  records: readonly AuditRecord[],
  from: number,
  edit: (e: AuditEvent) => AuditEvent,
) {
  const out: AuditRecord[] = [];
  let prev = records[from - 2]?.hash ?? GENESIS_HASH;
  for (const record of records.slice(from - 1)) {
    const event = record.seq === from ? edit(record.event) : record.event;
    const hash = auditHash(record.seq, prev, event);
    out.push({ ...record, event, prevHash: prev, hash });
    prev = hash;
  }
  return out;
}

const KEY = randomBytes(32);

async function fill(store: Store): Promise<void> {
  for (let i = 1; i <= 6; i++) {
    await store.transaction(async (tx) => {
      await tx.users.insert(fixtureUser(`10000000000${i}`));
      await tx.audit.append(fixtureEvent('user.create', `10000000000${i}`, { n: i }));
    });
  }
}

function tamperingKinds(name: string, make: () => Promise<Subject>) {
  describe(`AUD-03 ${name}`, () => {
    it('checkpoints each committed append (none for a rolled-back one) and verifies an intact chain', async () => {
      const { store, seen, sink } = await make();
      await fill(store);
      await expect(
        store.transaction(async (tx) => {
          await tx.audit.append(fixtureEvent('doomed', 'x'));
          throw new Error('rolled back');
        }),
      ).rejects.toThrow('rolled back');
      const checkpoints = await sink.read();
      expect(checkpoints.map((c) => c.seq)).toEqual([1, 2, 3, 4, 5, 6]);
      expect(await verifyAudit(seen(), { checkpoints, key: KEY })).toMatchObject({
        ok: true,
        count: 6,
      });
    });

    it('detects a deleted tail with the head moved back, which the chain alone cannot', async () => {
      const { store, seen, attacker, sink } = await make();
      await fill(store);
      await attacker.truncateTo(3);
      expect(await verifyAudit(seen())).toMatchObject({ ok: true, count: 3 });
      expect(await verifyAudit(seen(), { checkpoints: await sink.read(), key: KEY })).toMatchObject(
        { ok: false, reason: 'truncated', seq: 4, count: 3 },
      );
    });

    it('detects a deleted log', async () => {
      const { store, seen, attacker, sink } = await make();
      await fill(store);
      await attacker.truncateTo(0);
      expect(await verifyAudit(seen())).toMatchObject({ ok: true, count: 0 });
      expect(await verifyAudit(seen(), { checkpoints: await sink.read(), key: KEY })).toMatchObject(
        { ok: false, reason: 'truncated', seq: 1 },
      );
    });

    it('detects a rewritten row whose hash and every later hash were recomputed', async () => {
      const { store, seen, attacker, sink } = await make();
      await fill(store);
      const forged = rehash(await attacker.records(), 2, (e) => ({ ...e, target: 'someone-else' }));
      const last = forged.at(-1) as AuditRecord;
      await attacker.overwrite(forged, { seq: last.seq, hash: last.hash });
      expect(await verifyAudit(seen())).toMatchObject({ ok: true, count: 6 });
      expect(await verifyAudit(seen(), { checkpoints: await sink.read(), key: KEY })).toMatchObject(
        { ok: false, reason: 'rewritten', seq: 2, count: 1 },
      );
    });

    it('detects a forged checkpoint: one made without the key, or a real one altered to match a rewrite', async () => {
      const { store, seen, attacker, sink } = await make();
      await fill(store);
      const forged = rehash(await attacker.records(), 2, (e) => ({ ...e, target: 'someone-else' }));
      const last = forged.at(-1) as AuditRecord;
      await attacker.overwrite(forged, { seq: last.seq, hash: last.hash });
      const real = await sink.read();
      // The attacker's own key: a well-formed checkpoint of the rewritten head.
      const ownKey = signCheckpoint(randomBytes(32), { seq: last.seq, hash: last.hash });
      expect(await verifyAudit(seen(), { checkpoints: [ownKey], key: KEY })).toMatchObject({
        ok: false,
        reason: 'forged-checkpoint',
        seq: 6,
        count: 0,
      });
      // The real checkpoints with their hashes edited to the rewritten chain's.
      const altered = real.map(
        (c): AuditCheckpoint => ({
          ...c,
          hash: forged.find((r) => r.seq === c.seq)?.hash ?? c.hash,
        }),
      );
      expect(await verifyAudit(seen(), { checkpoints: altered, key: KEY })).toMatchObject({
        ok: false,
        reason: 'forged-checkpoint',
      });
      // Garbage in the sink is no checkpoint either.
      expect(
        await verifyAudit(seen(), {
          checkpoints: [{ seq: 'x' } as unknown as AuditCheckpoint],
          key: KEY,
        }),
      ).toMatchObject({ ok: false, reason: 'forged-checkpoint' });
    });

    it('still detects what the chain alone detects: a row changed without rehashing', async () => {
      const { store, seen, attacker, sink } = await make();
      await fill(store);
      const records = await attacker.records();
      await attacker.scribble(4, { ...(records[3] as AuditRecord).event, target: 'nobody' });
      expect(await verifyAudit(seen(), { checkpoints: await sink.read(), key: KEY })).toMatchObject(
        { ok: false, reason: 'hash', seq: 4 },
      );
    });
  });
}

// Memory: the log lives in the process, so the attacker edits what the verifier is shown.
tamperingKinds('memory', async () => {
  const sink = memoryCheckpointSink();
  const store = withAuditCheckpoints(memoryStore(), { key: KEY, sink });
  let log: AuditRecord[] | undefined;
  let head: { seq: number; hash: string } | undefined;
  const load = async () => {
    if (log === undefined) {
      log = [...(await store.transaction((tx) => tx.audit.read({ limit: 1000 }))).items];
      head = await store.transaction((tx) => tx.audit.head());
    }
    return log;
  };
  const attacker: Attacker = {
    records: async () => [...(await load())],
    async truncateTo(seq) {
      const records = await load();
      records.length = seq;
      head = { seq, hash: records.at(-1)?.hash ?? GENESIS_HASH };
    },
    async overwrite(records, to) {
      const all = await load();
      for (const r of records) all[r.seq - 1] = r;
      head = to;
    },
    async scribble(seq, event) {
      const all = await load();
      all[seq - 1] = { ...(all[seq - 1] as AuditRecord), event };
    },
  };
  const seen = (): Store => {
    if (log === undefined) return store;
    const view = log;
    const viewHead = head as { seq: number; hash: string };
    return {
      ...store,
      transaction: async <T>(fn: (tx: StoreTx) => Promise<T> | T) =>
        fn({
          audit: {
            head: async () => viewHead,
            read: async (page?: { limit?: number; cursor?: string }) => {
              const after = page?.cursor === undefined ? 0 : Number(page.cursor);
              const items = view.filter((r) => r.seq > after).slice(0, page?.limit ?? 100);
              const more = view.some((r) => r.seq > (items.at(-1)?.seq ?? after));
              return more ? { items, nextCursor: String(items.at(-1)?.seq) } : { items };
            },
          },
        } as unknown as StoreTx),
    };
  };
  return { store, seen, attacker, sink };
});

function sqlAttacker(
  query: (sql: string, params?: unknown[]) => Promise<Record<string, unknown>[]>,
  table: (name: string) => string,
  unguard: () => Promise<void>,
): Attacker {
  const toRecord = (row: Record<string, unknown>): AuditRecord => ({
    seq: Number(row['seq']),
    at: String(row['at']) as AuditRecord['at'],
    prevHash: String(row['prev_hash']),
    hash: String(row['hash']),
    event: JSON.parse(String(row['event'])) as AuditEvent,
  });
  const setHead = (seq: number, hash: string) =>
    query(`UPDATE ${table('audit_head')} SET seq = $1, hash = $2 WHERE id = 1`, [seq, hash]);
  return {
    async records() {
      return (await query(`SELECT * FROM ${table('audit_log')} ORDER BY seq`)).map(toRecord);
    },
    async truncateTo(seq) {
      await unguard();
      const kept = await query(`SELECT hash FROM ${table('audit_log')} WHERE seq = $1`, [seq]);
      await query(`DELETE FROM ${table('audit_log')} WHERE seq > $1`, [seq]);
      await setHead(seq, kept[0] === undefined ? GENESIS_HASH : String(kept[0]['hash']));
    },
    async overwrite(records, head) {
      await unguard();
      for (const r of records) {
        await query(
          `UPDATE ${table('audit_log')} SET prev_hash = $1, hash = $2, event = $3 WHERE seq = $4`,
          [r.prevHash, r.hash, JSON.stringify(r.event), r.seq],
        );
      }
      await setHead(head.seq, head.hash);
    },
    async scribble(seq, event) {
      await unguard();
      await query(`UPDATE ${table('audit_log')} SET event = $1 WHERE seq = $2`, [
        JSON.stringify(event),
        seq,
      ]);
    },
  };
}

tamperingKinds('sqlite (raw SQL on the file; checkpoints in a file sink)', async () => {
  const file = join(dir, `${randomBytes(4).toString('hex')}.sqlite`);
  const sink = fileCheckpointSink(join(dir, `${randomBytes(4).toString('hex')}.json`));
  const store = withAuditCheckpoints(sqliteStore(file), { key: KEY, sink });
  const query = async (sql: string, params: unknown[] = []) => {
    const db = new Database(file);
    try {
      const statement = db.prepare(sql.replace(/\$\d+/g, '?'));
      if (statement.reader) return statement.all(...params) as Record<string, unknown>[];
      statement.run(...params);
      return [];
    } finally {
      db.close();
    }
  };
  const attacker = sqlAttacker(
    query,
    (t) => t,
    async () => {
      await query('DROP TRIGGER IF EXISTS audit_log_no_update');
      await query('DROP TRIGGER IF EXISTS audit_log_no_delete');
    },
  );
  return { store, seen: () => store, attacker, sink };
});

describe.skipIf(!postgresUp)('postgres', () => {
  tamperingKinds('postgres (raw SQL from another connection)', async () => {
    const schema = `careid_t_${randomBytes(6).toString('hex')}`;
    schemas.push(schema);
    const sink = memoryCheckpointSink();
    const store = withAuditCheckpoints(postgresStore(POSTGRES_URL, { schema }), {
      key: KEY,
      sink,
    });
    const query = async (sql: string, params: unknown[] = []) => {
      const client = new pg.Client(POSTGRES_URL);
      await client.connect();
      try {
        return (await client.query(sql, params)).rows as Record<string, unknown>[];
      } finally {
        await client.end();
      }
    };
    const attacker = sqlAttacker(
      query,
      (t) => `"${schema}".${t}`,
      async () => {
        await query(`ALTER TABLE "${schema}".audit_log DISABLE TRIGGER audit_log_append_only`);
      },
    );
    return { store, seen: () => store, attacker, sink };
  });
});

// The decorator is a store like any other.
describeStoreConformance({
  name: 'memory with audit checkpoints',
  numRuns: 20,
  create: () => withAuditCheckpoints(memoryStore(), { key: KEY, sink: memoryCheckpointSink() }),
});

describe('checkpoint sinks and options', () => {
  it('the file sink rewrites its file atomically (no temporary file left), keeps the newest `keep`, and reads them back', async () => {
    const path = join(dir, 'sub', 'checkpoints.json');
    const sink = fileCheckpointSink(path, { keep: 3 });
    expect(await sink.read()).toEqual([]);
    const store = withAuditCheckpoints(memoryStore(), { key: KEY, sink });
    await fill(store);
    const kept = await sink.read();
    expect(kept.map((c) => c.seq)).toEqual([4, 5, 6]);
    expect(JSON.parse(readFileSync(path, 'utf8'))).toEqual({ checkpoints: kept });
    expect(readdirSync(join(dir, 'sub'))).toEqual(['checkpoints.json']);
    expect(await verifyAudit(store, { checkpoints: kept, key: KEY })).toMatchObject({ ok: true });
    writeFileSync(path, '{"checkpoints":[{"seq":1}]}');
    await expect(sink.read()).rejects.toMatchObject({ code: 'VALIDATION' });
    expect(existsSync(path)).toBe(true);
  });

  it("keeps the adapter's own members: a wrapped SQLite store still has its path and migrate", async () => {
    const file = join(dir, `${randomBytes(4).toString('hex')}.sqlite`);
    const store = withAuditCheckpoints(sqliteStore(file), {
      key: KEY,
      sink: memoryCheckpointSink(),
    });
    expect(store.path).toBe(file);
    expect(await store.migrate()).toEqual([1, 2, 3, 4, 5, 6, 7]);
    await store.close();
  });

  it('checkpoints every N records, and on demand', async () => {
    const sink = memoryCheckpointSink();
    const store = withAuditCheckpoints(memoryStore(), { key: KEY, sink, every: 4 });
    await fill(store);
    expect(sink.checkpoints.map((c) => c.seq)).toEqual([4]);
    const now = await store.checkpoint();
    expect(now).toMatchObject({ seq: 6 });
    expect(sink.checkpoints.map((c) => c.seq)).toEqual([4, 6]);
  });

  it('refuses a short key, checkpoints without a key, and reports a failing sink without undoing the commit', async () => {
    expect(() =>
      withAuditCheckpoints(memoryStore(), { key: randomBytes(16), sink: memoryCheckpointSink() }),
    ).toThrow(expect.objectContaining({ code: 'VALIDATION' }));
    await expect(
      verifyAudit(memoryStore(), {
        checkpoints: [signCheckpoint(KEY, { seq: 1, hash: 'a'.repeat(64) })],
      }),
    ).rejects.toMatchObject({ code: 'VALIDATION' });
    const broken: CheckpointSink = {
      write: async () => {
        throw new Error('disk full');
      },
      read: async () => [],
    };
    const base = memoryStore();
    const store = withAuditCheckpoints(base, { key: KEY, sink: broken });
    await expect(
      store.transaction((tx) => tx.audit.append(fixtureEvent('user.create', 'x'))),
    ).rejects.toMatchObject({ code: 'STORE_UNAVAILABLE', message: /committed/ });
    expect((await base.transaction((tx) => tx.audit.head())).seq).toBe(1);
    const errors: unknown[] = [];
    const tolerant = withAuditCheckpoints(base, {
      key: KEY,
      sink: broken,
      onSinkError: (e) => errors.push(e),
    });
    await tolerant.transaction((tx) => tx.audit.append(fixtureEvent('user.create', 'y')));
    expect(errors).toHaveLength(1);
  });
});
