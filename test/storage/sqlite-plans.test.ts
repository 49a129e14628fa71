import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import type { SqlConn, SqlValue } from '../../src/storage/sql/conn.js';
import { runMigrations } from '../../src/storage/sql/migrations.js';
import { sqlTx } from '../../src/storage/sql/repositories.js';
import { everyQuery } from './every-query.js';

const toParam = (v: SqlValue) => (v instanceof Uint8Array ? Buffer.from(v) : v);

describe('sqlite query plans', () => {
  it('serves every query of the port from an index, never a table scan or a sort', async () => {
    const db = new Database(':memory:');
    const statements: { sql: string; params: readonly SqlValue[] }[] = [];
    const conn: SqlConn = {
      dialect: 'sqlite',
      async all(sql, params = []) {
        statements.push({ sql, params });
        return db.prepare(sql).all(...params.map(toParam)) as Record<string, unknown>[];
      },
      async run(sql, params = []) {
        return db.prepare(sql).run(...params.map(toParam)).changes;
      },
      async insertMany() {
        return 0;
      },
    };
    await runMigrations(conn, (t) => t);
    statements.length = 0;
    const tx = sqlTx({ conn, q: (t) => t, live: () => undefined });
    await everyQuery(tx);
    expect(statements.length).toBeGreaterThan(25);
    for (const { sql, params } of statements) {
      const plan = (
        db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(...params.map(toParam)) as { detail: string }[]
      )
        .map((row) => row.detail)
        .join(' / ');
      // `below` and `b` are the recursive CTE of descendants, `up` that of ancestors, not tables.
      expect
        .soft(plan, sql)
        .not.toMatch(/\bSCAN (?!below\b|b\b|up\b)\w+(?! USING)( |$)|TEMP B-TREE/);
    }
    db.close();
  });
});
