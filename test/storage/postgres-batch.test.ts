import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import type { NiNumber, OdsCode, Uuid } from '../../src/domain/index.js';
import { pgTxConn } from '../../src/storage/postgres/connection.js';
import { postgresStore } from '../../src/storage/postgres/index.js';
import { fixtureEvent, fixtureOrganisation, fixtureUser } from '../../src/storage/testing/index.js';
import { dropSchemas, POSTGRES_URL, postgresUp } from '../support/postgres.js';

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

describe.skipIf(skip !== undefined)(
  'PostgreSQL: an organisation chain read at the serial point',
  () => {
    const store = postgresStore(POSTGRES_URL, { schema: `${schema}_b` });
    afterAll(async () => {
      await store.close();
      await dropSchemas(`${schema}_b`);
    });

    it('ROLE-02 a chain that changed before the append (a parent moved, a missing parent added) runs the transaction again', async () => {
      await store.transaction(async (tx) => {
        await tx.organisations.insert(fixtureOrganisation('QVV'));
        await tx.organisations.insert(fixtureOrganisation('A11', 'QVV'));
        await tx.organisations.insert(fixtureOrganisation('C33', 'A11'));
        await tx.organisations.insert(fixtureOrganisation('E55', 'ZZZ'));
      });
      const chainThenAppend = async (
        ods: string,
        between: () => Promise<void>,
      ): Promise<string[][]> => {
        const seen: string[][] = [];
        await store.transaction(async (tx) => {
          const chain = (await tx.organisations.ancestors?.(ods as OdsCode)) ?? [];
          seen.push(chain.map((o) => o.odsCode));
          if (seen.length === 1) await between();
          await tx.audit.append(fixtureEvent('test.chain', ods));
        });
        return seen;
      };
      // C33 moves under QVV directly while the first attempt holds its chain.
      expect(
        await chainThenAppend('C33', async () => {
          await store.transaction(async (tx) => {
            const c33 = await tx.organisations.get('C33' as OdsCode);
            if (c33 === undefined) throw new Error('C33 is missing');
            await tx.organisations.update({ ...c33, parent: 'QVV' as OdsCode });
          });
        }),
      ).toEqual([
        ['C33', 'A11', 'QVV'],
        ['C33', 'QVV'],
      ]);
      // ZZZ, the parent that ended E55's chain, comes on record.
      expect(
        await chainThenAppend('E55', async () => {
          await store.transaction((tx) => tx.organisations.insert(fixtureOrganisation('ZZZ')));
        }),
      ).toEqual([['E55'], ['E55', 'ZZZ']]);
      // A change elsewhere does not.
      expect(
        await chainThenAppend('A11', async () => {
          await store.transaction((tx) => tx.organisations.insert(fixtureOrganisation('RXX')));
        }),
      ).toEqual([['A11', 'QVV']]);
    });
  },
);
