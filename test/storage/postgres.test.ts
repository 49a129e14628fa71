import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import type { CardSerial, Uuid } from '../../src/domain/index.js';
import { type Store, verifyAudit } from '../../src/storage/index.js';
import { type PostgresStore, postgresStore } from '../../src/storage/postgres/index.js';
import type { SqlConn, SqlValue } from '../../src/storage/sql/conn.js';
import { migrations } from '../../src/storage/sql/migrations.js';
import { sqlTx } from '../../src/storage/sql/repositories.js';
import {
  describeStoreConformance,
  fixtureCard,
  fixtureCertificate,
  fixtureCredential,
  fixtureEvent,
  fixtureUser,
} from '../../src/storage/testing/index.js';
import { POSTGRES_URL, postgresUp } from '../support/postgres.js';
import { eightConcurrentWriters } from './concurrency.js';
import { everyQuery } from './every-query.js';

const URL = POSTGRES_URL;
const up = postgresUp;
const skip = up ? undefined : `PostgreSQL is not reachable at ${URL}`;

// Each store gets its own random schema, dropped afterwards: parallel runs never meet.
const schemas = new Set<string>();
const newSchema = () => {
  const schema = `careid_t_${randomBytes(6).toString('hex')}`;
  schemas.add(schema);
  return schema;
};
async function admin<T>(fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client(URL);
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}
async function dropSchema(schema: string): Promise<void> {
  await admin((c) => c.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`));
  schemas.delete(schema);
}
afterAll(async () => {
  if (up) for (const schema of [...schemas]) await dropSchema(schema);
});

describeStoreConformance({
  name: 'postgres',
  skip,
  numRuns: 15,
  create: () => postgresStore(URL, { schema: newSchema() }),
  destroy: (store: Store) => dropSchema((store as PostgresStore).schema),
});

describe.skipIf(!up)(`postgres adapter${up ? '' : ` (skipped: ${skip})`}`, () => {
  it('migrates idempotently, also when two app servers start at once', async () => {
    const schema = newSchema();
    const a = postgresStore(URL, { schema });
    const b = postgresStore(URL, { schema });
    const applied = await Promise.all([a.migrate(), b.migrate()]);
    expect(applied.flat()).toEqual([1, 2, 3, 4, 5, 6, 7]);
    expect(await a.migrate()).toEqual([]);
    const rows = await admin((c) =>
      c.query(`SELECT version FROM "${schema}".schema_version ORDER BY version`),
    );
    expect(rows.rows).toEqual([1, 2, 3, 4, 5, 6, 7].map((version) => ({ version })));
    await a.close();
    await b.close();
  });

  it('a card row an older careid wrote with a certificates list loads and saves without it', async () => {
    const schema = newSchema();
    const store = postgresStore(URL, { schema });
    const card = fixtureCard('0712345678', '100000000001');
    await store.transaction((tx) => tx.smartcards.insert(card));
    const at = '2026-01-01T09:00:00.000Z';
    const legacy = [{ serial: 'a1', notBefore: at, notAfter: at, status: 'active' }];
    await admin((c) =>
      c.query(
        `UPDATE "${schema}".smartcards SET doc = (doc::jsonb || jsonb_build_object('certificates', $1::jsonb))::text`,
        [JSON.stringify(legacy)],
      ),
    );
    const read = await store.transaction((tx) => tx.smartcards.get(card.serial));
    expect(read).toEqual(card);
    await store.transaction((tx) => tx.smartcards.update({ ...read!, status: 'locked' }));
    const rows = await admin((c) => c.query(`SELECT doc FROM "${schema}".smartcards`));
    expect(JSON.parse(rows.rows[0].doc)).not.toHaveProperty('certificates');
    await store.close();
  });

  it('upgrades a schema that an older careid left at version 2: keeps its data, adds authorities and counters', async () => {
    const schema = newSchema();
    const q = (t: string) => `"${schema}".${t}`;
    // Build the schema as careid at version 2 did (migrations 1 and 2 only) and write
    // through the shared SQL repositories, so no newer migration runs.
    await admin(async (client) => {
      const numbered = (sql: string) => {
        let n = 0;
        return sql.replace(/\?/g, () => `$${++n}`);
      };
      const conn: SqlConn = {
        dialect: 'postgres',
        async all(sql, params = []) {
          return (await client.query(numbered(sql), [...params])).rows;
        },
        async run(sql, params = []) {
          return (await client.query(numbered(sql), [...params])).rowCount ?? 0;
        },
        async insertMany() {
          return 0;
        },
      };
      await client.query(`CREATE SCHEMA "${schema}"`);
      await client.query(
        `CREATE TABLE ${q('schema_version')} (version INTEGER NOT NULL PRIMARY KEY, applied_at TEXT)`,
      );
      for (const m of migrations.filter((x) => x.version <= 2)) {
        for (const statement of m.statements('postgres', q)) await client.query(statement);
        await client.query(`INSERT INTO ${q('schema_version')} VALUES ($1, 'then')`, [m.version]);
      }
      const old = sqlTx({ conn, q, live: () => undefined });
      await old.users.insert(fixtureUser('100000000001'));
      await old.audit.append(fixtureEvent('user.create', '100000000001'));
      await old.certificates.insert(
        fixtureCertificate('0c1d', '100000000001', '2029-01-01T00:00:00.000Z', '0712345678'),
      );
    });
    const upgraded = postgresStore(URL, { schema });
    expect(await upgraded.migrate()).toEqual([3, 4, 5, 6, 7]);
    expect(await upgraded.migrate()).toEqual([]);
    await upgraded.transaction(async (tx) => {
      expect(await tx.users.get('100000000001' as Uuid)).toBeDefined();
      expect(await tx.counters.next('crl-number')).toBe(1n);
      await tx.authorities.put({ role: 'root', der: Uint8Array.of(0x30, 0) });
      // AUTH-03: version 5 adds the WebAuthn tables.
      await tx.webAuthnCredentials.insert(fixtureCredential('AQID', '100000000001', 'auth_1'));
      // Version 7: the certificates kept, and a content signer's, with no holder, stored.
      expect(await tx.certificates.get('0c1d')).toEqual(
        fixtureCertificate('0c1d', '100000000001', '2029-01-01T00:00:00.000Z', '0712345678'),
      );
      const { holder: _none, ...signer } = fixtureCertificate(
        '0c1e',
        '100000000001',
        '2036-01-01T00:00:00.000Z',
      );
      await tx.certificates.insert({ ...signer, purpose: 'content-signer' });
    });
    expect(
      (await upgraded.transaction((tx) => tx.certificates.byCard('0712345678' as CardSerial))).map(
        (c) => c.serial,
      ),
    ).toEqual(['0c1d']);
    expect(await upgraded.transaction((tx) => tx.authorities.list())).toHaveLength(1);
    expect(await verifyAudit(upgraded)).toMatchObject({ ok: true, count: 1 });
    await upgraded.close();
  });

  it('counters: 24 concurrent increments from two app servers get distinct, gap-free numbers', async () => {
    const schema = newSchema();
    const a = postgresStore(URL, { schema, maxAttempts: 50 });
    const b = postgresStore(URL, { schema, maxAttempts: 50 });
    await a.migrate();
    const values = await Promise.all(
      Array.from({ length: 24 }, (_, i) =>
        (i % 2 === 0 ? a : b).transaction((tx) => tx.counters.next('crl-number')),
      ),
    );
    // No lost update and no number handed out twice: exactly 1..24.
    expect([...values].sort((x, y) => Number(x - y))).toEqual(
      Array.from({ length: 24 }, (_, i) => BigInt(i + 1)),
    );
    expect(await b.transaction((tx) => tx.counters.current('crl-number'))).toBe(24n);
    await a.close();
    await b.close();
  });

  it('a connection killed mid-transaction commits nothing, fails typed, and the next transaction works', async () => {
    const schema = newSchema();
    const applicationName = `careid_kill_${randomBytes(4).toString('hex')}`;
    const pool = new pg.Pool({ connectionString: URL, application_name: applicationName, max: 2 });
    const store = postgresStore(pool, { schema });
    await store.migrate();
    const failed = store.transaction(async (tx) => {
      await tx.users.insert(fixtureUser('100000000001'));
      await tx.audit.append(fixtureEvent('user.create', '100000000001'));
      await admin((c) =>
        c.query(
          'SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = $1',
          [applicationName],
        ),
      );
      await tx.users.insert(fixtureUser('100000000002'));
    });
    const error = await failed.catch((e: unknown) => e);
    expect(['STORE_UNAVAILABLE', 'CONFLICT']).toContain((error as { code?: string }).code);
    expect((error as { cause?: unknown }).cause).toBeDefined();
    await store.transaction(async (tx) => {
      expect(await tx.users.get('100000000001' as Uuid)).toBeUndefined();
      expect((await tx.audit.head()).seq).toBe(0);
      await tx.users.insert(fixtureUser('100000000003'));
    });
    expect(await store.transaction((tx) => tx.users.get('100000000003' as Uuid))).toBeDefined();
    await store.close();
    await pool.end();
  });

  it('a pooled connection the server closed while idle does not fail the next transaction (it runs on a fresh one)', async () => {
    const schema = newSchema();
    const applicationName = `careid_idle_${randomBytes(4).toString('hex')}`;
    const pool = new pg.Pool({ connectionString: URL, application_name: applicationName, max: 1 });
    const store = postgresStore(pool, { schema });
    await store.migrate();
    for (let round = 0; round < 5; round++) {
      await store.transaction((tx) => tx.audit.head()); // leaves the client idle in the pool
      await admin((c) =>
        c.query(
          'SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = $1',
          [applicationName],
        ),
      );
      await store.transaction((tx) => tx.users.insert(fixtureUser(`10000000010${round}`)));
    }
    expect(await store.transaction((tx) => tx.users.get('100000000104' as Uuid))).toBeDefined();
    await store.close();
    await pool.end();
  });

  it('a client that fails with a connection error before its error event arrives is destroyed, not pooled again: the retry runs on a fresh one', async () => {
    const schema = newSchema();
    const pool = new pg.Pool({ connectionString: URL, max: 1 });
    const setup = postgresStore(URL, { schema });
    await setup.migrate();
    await setup.close();
    const store = postgresStore(pool, { schema });
    // The 1st client handed out (to the store's check of its migrations) and the 3rd (to
    // the transaction itself) are dead as far as the server is concerned, and their 'error'
    // events have not come yet: every query fails as a closed connection's does.
    const dead = new WeakSet<object>();
    const releasedDead: boolean[] = [];
    const connect = pool.connect.bind(pool) as () => Promise<pg.PoolClient>;
    let checkouts = 0;
    pool.connect = (async () => {
      const client = await connect();
      checkouts++;
      if (checkouts === 1 || checkouts === 3) {
        dead.add(client);
        client.query = (() =>
          Promise.reject(new Error('Connection terminated unexpectedly'))) as never;
      }
      const release = client.release.bind(client);
      client.release = ((destroy?: boolean | Error) => {
        if (dead.has(client)) releasedDead.push(destroy === true);
        return release(destroy);
      }) as typeof client.release;
      return client;
    }) as typeof pool.connect;
    await store.transaction((tx) => tx.users.insert(fixtureUser('100000000201')));
    expect(releasedDead).toEqual([true, true]);
    expect(checkouts).toBe(4);
    expect(await store.transaction((tx) => tx.users.get('100000000201' as Uuid))).toBeDefined();
    await store.close();
    await pool.end();
  });

  it('fails with STORE_UNAVAILABLE (with its cause) when PostgreSQL cannot be reached', async () => {
    const store = postgresStore('postgres://postgres@127.0.0.1:1/test', { schema: 'nowhere' });
    const error = await store.transaction((tx) => tx.audit.head()).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'STORE_UNAVAILABLE' });
    expect((error as { cause?: unknown }).cause).toBeInstanceOf(Error);
    await store.close();
  });

  it('8 concurrent writers on one user from two app servers: each lands or gets CONFLICT, none lost', async () => {
    const schema = newSchema();
    const a = postgresStore(URL, { schema });
    const b = postgresStore(URL, { schema });
    await eightConcurrentWriters([a, b]);
    await a.close();
    await b.close();
  });

  it('AUD-01: 6 overlapping read-then-append transactions on the chain itself land one after the other: a head read that changed before the serial point runs the transaction again', async () => {
    const schema = newSchema();
    const a = postgresStore(URL, { schema });
    const b = postgresStore(URL, { schema });
    await a.migrate();
    let runs = 0;
    const results = await Promise.allSettled(
      Array.from({ length: 6 }, (_, i) =>
        (i % 2 === 0 ? a : b).transaction(async (tx) => {
          runs++;
          const head = await tx.audit.head();
          await new Promise((resolve) => setTimeout(resolve, 20));
          return tx.audit.append(fixtureEvent('race', String(i), { sawHead: head.seq }));
        }),
      ),
    );
    expect(results.map((r) => r.status)).toEqual(Array(6).fill('fulfilled'));
    // They overlapped (so some ran again), and each record saw the head its predecessor left.
    expect(runs).toBeGreaterThan(6);
    const log = await a.transaction((tx) => tx.audit.read());
    expect(log.items).toHaveLength(6);
    for (const record of log.items) {
      expect(record.event.details['sawHead']).toBe(record.seq - 1);
    }
    expect(await verifyAudit(a)).toMatchObject({ ok: true, count: 6 });
    await a.close();
    await b.close();
  });

  it('with no retries at all (maxAttempts 1), 8 overlapping transactions that each read and write their own records all land, at once rather than in turn; a stale read of a shared head is a CONFLICT that leaves nothing', async () => {
    const schema = newSchema();
    const a = postgresStore(URL, { schema, maxAttempts: 1 });
    const b = postgresStore(URL, { schema, maxAttempts: 1 });
    await a.migrate();
    const PAUSE = 150;
    const started = performance.now();
    const results = await Promise.allSettled(
      Array.from({ length: 8 }, (_, i) =>
        (i % 2 === 0 ? a : b).transaction(async (tx) => {
          const uuid = `10000000020${i}` as Uuid;
          expect(await tx.users.get(uuid)).toBeUndefined();
          await tx.users.insert(fixtureUser(uuid));
          // Held open between the write and the serial point, as a slow command would be.
          await new Promise((resolve) => setTimeout(resolve, PAUSE));
          return tx.audit.append(fixtureEvent('user.create', uuid));
        }),
      ),
    );
    const elapsed = performance.now() - started;
    expect(results.map((r) => r.status)).toEqual(Array(8).fill('fulfilled'));
    // Queued for the whole transaction they would take 8 pauses; overlapping, about one.
    expect(elapsed).toBeLessThan(4 * PAUSE);
    expect(await verifyAudit(a)).toMatchObject({ ok: true, count: 8 });

    const stale = await Promise.allSettled(
      [a, b].map((store, i) =>
        store.transaction(async (tx) => {
          const head = await tx.audit.head();
          await tx.users.insert(fixtureUser(`10000000030${i}` as Uuid));
          await new Promise((resolve) => setTimeout(resolve, 50));
          return tx.audit.append(fixtureEvent('race', String(i), { sawHead: head.seq }));
        }),
      ),
    );
    const failed = stale.filter((r) => r.status === 'rejected');
    expect(failed).toHaveLength(1);
    expect((failed[0] as PromiseRejectedResult).reason).toMatchObject({ code: 'CONFLICT' });
    const written = await a.transaction(async (tx) => [
      await tx.users.get('100000000300' as Uuid),
      await tx.users.get('100000000301' as Uuid),
    ]);
    expect(written.filter((u) => u !== undefined)).toHaveLength(1);
    expect(await verifyAudit(a)).toMatchObject({ ok: true, count: 9 });
    await a.close();
    await b.close();
  });

  it('AUD-01 hashes in SQL exactly as careid does: quotes, backslashes, accents, emoji, line separators', async () => {
    const schema = newSchema();
    const store = postgresStore(URL, { schema });
    const odd = [
      '"quoted" \\ back\\slash',
      'Zoë Ó Briain',
      'emoji \u{1F600}',
      'line\u2028sep',
      '?',
      "it's",
    ];
    for (const [i, text] of odd.entries()) {
      const record = await store.transaction((tx) =>
        tx.audit.append(fixtureEvent('user.create', String(i), { text, n: i / 3 })),
      );
      expect(record.seq).toBe(i + 1);
    }
    expect(await verifyAudit(store)).toMatchObject({ ok: true, count: odd.length });
    await store.close();
  });

  it('AUD-01 the database refuses to change the audit log; the verifier catches who forces it', async () => {
    const schema = newSchema();
    const store = postgresStore(URL, { schema });
    for (let i = 1; i <= 3; i++) {
      await store.transaction((tx) => tx.audit.append(fixtureEvent('user.create', String(i))));
    }
    // The database refuses (AUD-01) ...
    await expect(
      admin((c) => c.query(`DELETE FROM "${schema}".audit_log WHERE seq = 3`)),
    ).rejects.toThrow(/append-only/);
    await expect(admin((c) => c.query(`TRUNCATE "${schema}".audit_log`))).rejects.toThrow(
      /append-only/,
    );
    // ... until someone with DDL rights drops the guard; the chain still tells.
    await admin((c) =>
      c.query(`ALTER TABLE "${schema}".audit_log DISABLE TRIGGER audit_log_append_only`),
    );
    await admin((c) =>
      c.query(
        `UPDATE "${schema}".audit_log SET event = replace(event, '"2"', '"20"') WHERE seq = 2`,
      ),
    );
    expect(await verifyAudit(store)).toMatchObject({ ok: false, seq: 2, reason: 'hash' });
    await store.close();
  });
});

describe.skipIf(!up)(`postgres query plans${up ? '' : ` (skipped: ${skip})`}`, () => {
  it('can serve every query of the port from an index, with no sequential scan and no sort', async () => {
    const schema = newSchema();
    const store = postgresStore(URL, { schema });
    await store.migrate();
    await store.close();
    const client = new pg.Client(URL);
    await client.connect();
    const statements: { sql: string; params: readonly SqlValue[] }[] = [];
    const numbered = (sql: string) => {
      let n = 0;
      return sql.replace(/\?/g, () => `$${++n}`);
    };
    const conn: SqlConn = {
      dialect: 'postgres',
      async all(sql, params = []) {
        statements.push({ sql, params });
        return (await client.query(numbered(sql), [...params])).rows;
      },
      async run(sql, params = []) {
        return (await client.query(numbered(sql), [...params])).rowCount ?? 0;
      },
      async insertMany() {
        return 0;
      },
    };
    try {
      // Tables are empty, so let the planner show what it could use rather than what is cheapest.
      await client.query('SET enable_seqscan = off');
      await client.query('SET enable_sort = off');
      await everyQuery(sqlTx({ conn, q: (t) => `"${schema}".${t}`, live: () => undefined }));
      expect(statements.length).toBeGreaterThan(25);
      for (const { sql, params } of statements) {
        const plan = (await client.query(`EXPLAIN ${numbered(sql)}`, [...params])).rows
          .map((row: Record<string, string>) => row['QUERY PLAN'])
          .join('\n');
        // The recursive CTE of descendants scans its own work table, which is no table of ours.
        expect
          .soft(plan.replace(/(CTE|WorkTable) Scan[^\n]*/g, ''), sql)
          .not.toMatch(/Seq Scan|Sort/);
      }
    } finally {
      await client.end();
    }
  });
});
