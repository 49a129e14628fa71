import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import type { NiNumber, Uuid } from '../../src/domain/index.js';
import { pgTxConn } from '../../src/storage/postgres/connection.js';
import { postgresStore } from '../../src/storage/postgres/index.js';
import { fixtureEvent, fixtureUser } from '../../src/storage/testing/index.js';
import { POSTGRES_URL, postgresUp } from '../support/postgres.js';

// Reads a transaction asks for in the same tick travel as one message (one round trip).
const skip = postgresUp ? undefined : `PostgreSQL is not reachable at ${POSTGRES_URL}`;
const schema = `careid_t_${randomBytes(6).toString('hex')}`;

/** A pool whose clients count the messages (client.query calls) they send. */
function countingPool() {
  const pool = new pg.Pool({ connectionString: POSTGRES_URL });
  const sent: string[] = [];
  pool.on('connect', (client) => {
    const query = client.query.bind(client) as (...args: unknown[]) => unknown;
    client.query = ((...args: unknown[]) => {
      const first = args[0];
      sent.push(typeof first === 'string' ? first : String((first as { text: string }).text));
      return query(...args);
    }) as typeof client.query;
  });
  return { pool, sent };
}

describe.skipIf(skip !== undefined)('PostgreSQL: reads asked for together', () => {
  const { pool, sent } = countingPool();
  const store = postgresStore(pool, { schema });
  afterAll(async () => {
    await store.close();
    await pool.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    await pool.end();
  });

  it('travel as one message, each answered with its own rows, in a transaction that then writes', async () => {
    await store.transaction((tx) => tx.users.insert(fixtureUser('100000000001')));
    sent.length = 0;
    const [a, b, none] = await store.transaction(async (tx) => {
      const reads = await Promise.all([
        tx.users.get('100000000001' as Uuid),
        tx.users.byNiNumber('AB123456C' as NiNumber),
        tx.users.get('100000000009' as Uuid),
      ]);
      await tx.audit.append(fixtureEvent('test.reads', '100000000001'));
      return reads;
    });
    expect(a?.uuid).toBe('100000000001');
    expect(b).toEqual([]);
    expect(none).toBeUndefined();
    // BEGIN and the three reads; the serial point (lock, check, append); COMMIT.
    expect(sent).toHaveLength(3);
    expect(sent[0]).toMatch(/^BEGIN[^;]*; SELECT[^;]*; SELECT[^;]*; SELECT/);
  });

  it('a statement the server refuses fails every statement sent with it', async () => {
    const client = await pool.connect();
    try {
      const conn = pgTxConn(client, { begin: 'BEGIN ISOLATION LEVEL READ COMMITTED' });
      const outcomes = await Promise.allSettled([
        conn.all('SELECT 1 AS one'),
        conn.all('SELECT 1 / (? - 1) AS boom', [1]),
      ]);
      expect(outcomes.map((o) => o.status)).toEqual(['rejected', 'rejected']);
      expect(String((outcomes[1] as PromiseRejectedResult).reason)).toMatch(/division by zero/);
      await client.query('ROLLBACK');
      // The connection serves the next transaction.
      const next = pgTxConn(client, { begin: 'BEGIN' });
      expect(
        await Promise.all([next.all('SELECT 2 AS two'), next.all('SELECT ? AS x', ['y'])]),
      ).toEqual([[{ two: 2 }], [{ x: 'y' }]]);
      await client.query('ROLLBACK');
    } finally {
      client.release();
    }
  });
});
