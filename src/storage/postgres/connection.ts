import type pg from 'pg';
import type { SqlConn, SqlRow, SqlValue } from '../sql/conn.js';

const numberedCache = new Map<string, string>();
function numbered(sql: string): string {
  let out = numberedCache.get(sql);
  if (out === undefined) {
    let n = 0;
    out = sql.replace(/\?/g, () => `$${++n}`);
    numberedCache.set(sql, out);
  }
  return out;
}

function toParam(value: SqlValue): unknown {
  return value instanceof Uint8Array && !Buffer.isBuffer(value)
    ? Buffer.from(value.buffer, value.byteOffset, value.byteLength)
    : value;
}

/** A value written into SQL text, escaped by the driver's own quoting. */
function literal(client: pg.PoolClient, value: SqlValue | undefined): string {
  if (value === null || value === undefined) return 'NULL';
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new RangeError('a SQL number must be finite');
    return String(value);
  }
  if (typeof value === 'string') return client.escapeLiteral(value);
  const hex = Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('hex');
  return `decode('${hex}', 'hex')`;
}

const ARRAY_TYPE = { text: 'text[]', int: 'int[]', blob: 'bytea[]' } as const;

/** A PostgreSQL transaction's connection: a {@link SqlConn} that also knows whether it began. */
export interface PgTxConn extends SqlConn {
  /** Whether BEGIN has been sent (COMMIT or ROLLBACK is then due). */
  readonly begun: boolean;
  /** Whether a statement other than a plain SELECT (a write, a lock, DDL) has been sent. */
  readonly wrote: boolean;
  /** Whether the server has answered any statement of this transaction. */
  readonly answered: boolean;
}

const PLAIN_SELECT = /^\s*SELECT\b(?![\s\S]*\bFOR (UPDATE|SHARE|NO KEY UPDATE|KEY SHARE)\b)/i;

/**
 * The connection of one PostgreSQL transaction. BEGIN is not a round trip of its own: it
 * travels with the transaction's first statement (one simple-protocol message whose values
 * are quoted by the driver's `escapeLiteral`), so a one-read transaction costs two round
 * trips, not three.
 *
 * @example
 * ```ts
 * const conn = pgTxConn(client, 'BEGIN ISOLATION LEVEL SERIALIZABLE');
 * ```
 */
export function pgTxConn(client: pg.PoolClient, begin: string): PgTxConn {
  let begun = false;
  let wrote = false;
  let answered = false;
  const query = async (sql: string, params: readonly SqlValue[]): Promise<pg.QueryResult> => {
    if (!PLAIN_SELECT.test(sql)) wrote = true;
    if (begun) return client.query(numbered(sql), params.map(toParam));
    begun = true;
    let i = 0;
    const inlined = sql.replace(/\?/g, () => literal(client, params[i++]));
    const results = (await client.query(`${begin}; ${inlined}`)) as unknown as pg.QueryResult[];
    answered = true;
    return results[results.length - 1] as pg.QueryResult;
  };
  return {
    dialect: 'postgres',
    get begun() {
      return begun;
    },
    get wrote() {
      return wrote;
    },
    get answered() {
      return answered;
    },
    async all(sql, params = []) {
      return (await query(sql, params)).rows as SqlRow[];
    },
    async run(sql, params = []) {
      return (await query(sql, params)).rowCount ?? 0;
    },
    async insertMany(table, columns, rows) {
      wrote = true;
      if (!begun) {
        begun = true;
        await client.query(begin);
        answered = true;
      }
      // One statement per batch: each column travels as one array parameter.
      const arrays = columns.map((_, i) => rows.map((row) => toParam(row[i] as SqlValue)));
      const unnest = columns.map((c, i) => `$${i + 1}::${ARRAY_TYPE[c.type]}`).join(', ');
      const result = await client.query(
        `INSERT INTO ${table} (${columns.map((c) => c.name).join(', ')}) SELECT * FROM unnest(${unnest}) ON CONFLICT DO NOTHING`,
        arrays,
      );
      return result.rowCount ?? 0;
    },
  };
}
