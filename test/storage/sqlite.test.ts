import { randomUUID } from 'node:crypto';
import { rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import type { CardSerial, Uuid } from '../../src/domain/index.js';
import { verifyAudit } from '../../src/storage/index.js';
import type { SqlConn } from '../../src/storage/sql/conn.js';
import { migrations } from '../../src/storage/sql/migrations.js';
import { sqlTx } from '../../src/storage/sql/repositories.js';
import { sqliteStore } from '../../src/storage/sqlite/index.js';
import {
  describeStoreConformance,
  fixtureCard,
  fixtureCertificate,
  fixtureCredential,
  fixtureEvent,
  fixtureUser,
} from '../../src/storage/testing/index.js';
import { eightConcurrentWriters } from './concurrency.js';

const files: string[] = [];
function tempFile(): string {
  const file = join(tmpdir(), `careid-test-${randomUUID()}.sqlite`);
  files.push(file);
  return file;
}
afterAll(() => {
  for (const file of files) {
    for (const suffix of ['', '-wal', '-shm']) rmSync(file + suffix, { force: true });
  }
});

describeStoreConformance({ name: 'sqlite', create: () => sqliteStore(tempFile()) });

describe('sqlite adapter', () => {
  it('migrates idempotently and records the schema version', async () => {
    const file = tempFile();
    const store = sqliteStore(file);
    expect(await store.migrate()).toEqual([1, 2, 3, 4, 5, 6, 7]);
    expect(await store.migrate()).toEqual([]);
    await store.close();
    const again = sqliteStore(file);
    expect(await again.migrate()).toEqual([]);
    await again.close();
    const db = new Database(file);
    expect(db.prepare('SELECT version FROM schema_version ORDER BY version').all()).toEqual([
      { version: 1 },
      { version: 2 },
      { version: 3 },
      { version: 4 },
      { version: 5 },
      { version: 6 },
      { version: 7 },
    ]);
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    db.close();
  });

  it('upgrades a database left at an older schema version', async () => {
    const file = tempFile();
    const store = sqliteStore(file);
    await store.migrate();
    await store.close();
    // Take the file back to version 1, as an older careid left it.
    const db = new Database(file);
    db.exec('DROP TRIGGER audit_log_no_update; DROP TRIGGER audit_log_no_delete');
    db.exec('DROP TABLE ca_authorities; DROP TABLE counters');
    db.exec('DROP TABLE webauthn_credentials; DROP TABLE webauthn_challenges');
    db.prepare('DELETE FROM schema_version WHERE version >= 2').run();
    db.close();
    const upgraded = sqliteStore(file);
    expect(await upgraded.migrate()).toEqual([2, 3, 4, 5, 6, 7]);
    await upgraded.close();
    const check = new Database(file);
    const triggers = check
      .prepare("SELECT name FROM sqlite_master WHERE type = 'trigger' ORDER BY name")
      .all();
    check.close();
    expect(triggers).toEqual([{ name: 'audit_log_no_delete' }, { name: 'audit_log_no_update' }]);
  });

  it('upgrades a database that an older careid left at version 2: keeps its data, adds authorities and counters', async () => {
    const file = tempFile();
    // Build the file as careid at schema version 2 did (migrations 1 and 2 only) and write
    // through the shared SQL repositories, so no newer migration runs.
    const db = new Database(file);
    const conn: SqlConn = {
      dialect: 'sqlite',
      async all(sql, params = []) {
        return db.prepare(sql).all(...params) as Record<string, unknown>[];
      },
      async run(sql, params = []) {
        return db.prepare(sql).run(...params).changes;
      },
      async insertMany() {
        return 0;
      },
    };
    db.exec('CREATE TABLE schema_version (version INTEGER NOT NULL PRIMARY KEY, applied_at TEXT)');
    for (const m of migrations.filter((x) => x.version <= 2)) {
      for (const statement of m.statements('sqlite', (t) => t)) db.exec(statement);
      db.prepare('INSERT INTO schema_version VALUES (?, ?)').run(m.version, 'then');
    }
    const old = sqlTx({ conn, q: (t) => t, live: () => undefined });
    await old.users.insert(fixtureUser('100000000001'));
    await old.audit.append(fixtureEvent('user.create', '100000000001'));
    await old.certificates.insert(
      fixtureCertificate('0c1d', '100000000001', '2029-01-01T00:00:00.000Z', '0712345678'),
    );
    db.close();

    const upgraded = sqliteStore(file);
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

  it('a card row an older careid wrote with a certificates list loads and saves without it', async () => {
    const file = tempFile();
    const store = sqliteStore(file);
    await store.transaction((tx) =>
      tx.smartcards.insert(fixtureCard('0712345678', '100000000001')),
    );
    const db = new Database(file);
    const at = '2026-01-01T09:00:00.000Z';
    const legacy = { serial: 'a1', notBefore: at, notAfter: at, status: 'active' };
    db.prepare("UPDATE smartcards SET doc = json_set(doc, '$.certificates', json(?))").run(
      JSON.stringify([legacy]),
    );
    db.close();
    const read = await store.transaction((tx) => tx.smartcards.get('0712345678' as CardSerial));
    expect(read).toEqual(fixtureCard('0712345678', '100000000001'));
    const saved = await store.transaction((tx) =>
      tx.smartcards.update({ ...read!, status: 'locked' }),
    );
    expect(saved).not.toHaveProperty('certificates');
    const check = new Database(file);
    const row = check.prepare('SELECT doc FROM smartcards').get() as { doc: string };
    check.close();
    expect(JSON.parse(row.doc)).not.toHaveProperty('certificates');
    await store.close();
  });

  it('AUD-01 the database refuses to change or delete audit records', async () => {
    const file = tempFile();
    const store = sqliteStore(file);
    await store.transaction((tx) => tx.audit.append(fixtureEvent('user.create', '1')));
    const db = new Database(file);
    expect(() => db.prepare("UPDATE audit_log SET event = '{}' WHERE seq = 1").run()).toThrow(
      /append-only/,
    );
    expect(() => db.prepare('DELETE FROM audit_log').run()).toThrow(/append-only/);
    db.close();
    expect(await verifyAudit(store)).toMatchObject({ ok: true, count: 1 });
    await store.close();
  });

  it('AUD-01 verifier reports the first changed, unlinked or missing record', async () => {
    const file = tempFile();
    const store = sqliteStore(file);
    for (let i = 1; i <= 5; i++) {
      await store.transaction((tx) => tx.audit.append(fixtureEvent('user.create', String(i))));
    }
    expect(await verifyAudit(store)).toMatchObject({ ok: true, count: 5 });
    const db = new Database(file);
    // Someone with write access to the file can drop the guard; the chain still tells.
    db.exec('DROP TRIGGER audit_log_no_update; DROP TRIGGER audit_log_no_delete');
    const event = db.prepare('SELECT event FROM audit_log WHERE seq = 4').get() as {
      event: string;
    };
    db.prepare('UPDATE audit_log SET event = ? WHERE seq = 4').run(
      event.event.replace('"4"', '"40"'),
    );
    expect(await verifyAudit(store)).toMatchObject({ ok: false, seq: 4, reason: 'hash', count: 3 });
    db.prepare('UPDATE audit_log SET event = ? WHERE seq = 4').run(event.event);
    db.prepare('UPDATE audit_log SET prev_hash = ? WHERE seq = 3').run('f'.repeat(64));
    expect(await verifyAudit(store)).toMatchObject({ ok: false, seq: 3, reason: 'prev-hash' });
    db.prepare('DELETE FROM audit_log WHERE seq = 2').run();
    expect(await verifyAudit(store)).toMatchObject({ ok: false, seq: 2, reason: 'missing' });
    db.close();
    await store.close();
  });

  it('8 concurrent writers on one user from two stores on one file: each lands or gets CONFLICT, none lost', async () => {
    const file = tempFile();
    const a = sqliteStore(file);
    const b = sqliteStore(file);
    await eightConcurrentWriters([a, b]);
    await a.close();
    await b.close();
  });

  it('fails with STORE_UNAVAILABLE when the file cannot be opened', () => {
    expect(() => sqliteStore('/nonexistent-dir/x/careid.sqlite')).toThrow(
      expect.objectContaining({ code: 'STORE_UNAVAILABLE' }),
    );
  });

  it('times out with STORE_UNAVAILABLE when another connection holds the write lock', async () => {
    const file = tempFile();
    const store = sqliteStore(file, { busyTimeoutMs: 100 });
    await store.migrate();
    const other = new Database(file);
    other.exec('BEGIN IMMEDIATE');
    await expect(
      store.transaction((tx) => tx.users.insert(fixtureUser('100000000001'))),
    ).rejects.toMatchObject({
      code: 'STORE_UNAVAILABLE',
    });
    other.exec('ROLLBACK');
    other.close();
    await store.transaction((tx) => tx.users.insert(fixtureUser('100000000001')));
    await store.close();
  });
});

describe('sqlite bulk load', () => {
  it('restores the indexes it dropped when a load into an empty table fails', async () => {
    const file = tempFile();
    const store = sqliteStore(file);
    const users = [
      fixtureUser('100000000001'),
      fixtureUser('100000000002'),
      fixtureUser('100000000001'),
    ];
    await expect(
      store.bulkLoad('users', users, fixtureEvent('storage.bulk-load', 'users')),
    ).rejects.toMatchObject({
      code: 'DUPLICATE',
    });
    await store.bulkLoad('users', users.slice(0, 2), fixtureEvent('storage.bulk-load', 'users'));
    const db = new Database(file);
    const indexes = db
      .prepare(
        "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'users' AND sql IS NOT NULL",
      )
      .all();
    const plan = db
      .prepare(
        "EXPLAIN QUERY PLAN SELECT * FROM users WHERE family_key >= 'sm' AND family_key < 'sn' ORDER BY family_key, given_key, uuid LIMIT 21",
      )
      .all() as { detail: string }[];
    db.close();
    expect(indexes.map((i) => (i as { name: string }).name).sort()).toEqual([
      'users_dob',
      'users_family',
      'users_given',
      'users_ni',
    ]);
    expect(plan.map((p) => p.detail).join(' ')).toContain('USING INDEX users_family');
    await store.close();
  });
});
