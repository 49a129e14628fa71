import type pg from 'pg';
import {
  type ReadNote,
  type ReadTracking,
  readsChangedError,
  type SqlConn,
  type SqlRow,
  type SqlValue,
} from '../sql/conn.js';

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

/** A statement waiting to be sent with the others asked for in the same tick. */
interface Pending {
  readonly sql: string;
  readonly params: readonly SqlValue[];
  readonly resolve: (result: pg.QueryResult) => void;
  readonly reject: (error: unknown) => void;
}

/** A PostgreSQL transaction's connection: a {@link SqlConn} that also knows whether it began. */
export interface PgTxConn extends SqlConn {
  /** Whether BEGIN has been sent (COMMIT or ROLLBACK is then due). */
  readonly begun: boolean;
  /** Whether a statement other than a plain SELECT (a write, a lock, DDL) has been sent. */
  readonly wrote: boolean;
  /** Whether the server has answered any statement of this transaction. */
  readonly answered: boolean;
  /** Whether the transaction holds the chain's lock (it passed its serial point). */
  readonly locked: boolean;
  /** Reads noted and not yet checked. */
  readonly pendingReads: number;
}

const PLAIN_SELECT = /^\s*SELECT\b(?![\s\S]*\bFOR (UPDATE|SHARE|NO KEY UPDATE|KEY SHARE)\b)/i;

/** Options of {@link pgTxConn}. */
export interface PgTxOptions {
  /** Sent with the first statement. */
  readonly begin: string;
  /** The statement that takes the chain's lock at the serial point (enables read tracking). */
  readonly lock?: string;
  /**
   * Rows (`table\u0000key`) whose change by a concurrent writer made an earlier attempt of
   * this transaction run again; this attempt locks them when it reads them. Shared by the
   * attempts, filled by the checks that fail.
   */
  readonly hot?: Set<string>;
}

/**
 * The connection of one PostgreSQL transaction. BEGIN is not a round trip of its own: it
 * travels with the transaction's first statement (one simple-protocol message whose values
 * are quoted by the driver's `escapeLiteral`), so a one-read transaction costs two round
 * trips, not three.
 *
 * With `lock`, reads are noted and checked at the serial point ({@link ReadTracking}): one
 * message takes the lock, re-runs every noted read (as keys and versions) and runs the
 * statement that needed the lock (the audit append).
 *
 * @example
 * ```ts
 * const conn = pgTxConn(client, { begin: 'BEGIN ISOLATION LEVEL READ COMMITTED', lock });
 * ```
 */
export function pgTxConn(client: pg.PoolClient, options: PgTxOptions): PgTxConn {
  const { begin, lock } = options;
  const hot = options.hot ?? new Set<string>();
  let begun = false;
  let wrote = false;
  let answered = false;
  let locked = false;
  let notes: ReadNote[] = [];
  const own = new Map<string, Set<string>>();
  const inline = (sql: string, params: readonly SqlValue[]) => {
    let i = 0;
    return sql.replace(/\?/g, () => literal(client, params[i++]));
  };
  // Statements asked for in the same tick (a use case's `Promise.all` of independent reads)
  // travel as one message: one round trip instead of one each. node-postgres sends a
  // client's queries one at a time, so without this they would queue for a round trip each.
  let pending: Pending[] = [];
  const flush = (): void => {
    const batch = pending;
    if (batch.length === 0) return;
    pending = [];
    let sent: Promise<pg.QueryResult[]>;
    if (begun && batch.length === 1) {
      const only = batch[0] as Pending;
      sent = client.query(numbered(only.sql), only.params.map(toParam)).then((r) => [r]);
    } else {
      // One simple-protocol message (values quoted by the driver's escapeLiteral), BEGIN
      // first when the transaction has not begun. Each statement answers with its own result.
      const head = begun ? [] : [begin];
      begun = true;
      const text = [...head, ...batch.map((p) => inline(p.sql, p.params))].join('; ');
      sent = client.query(text).then((r) => {
        const all = (Array.isArray(r) ? r : [r]) as pg.QueryResult[];
        return all.slice(head.length);
      });
    }
    sent.then(
      (results) => {
        answered = true;
        for (const [i, p] of batch.entries()) p.resolve(results[i] as pg.QueryResult);
      },
      (error: unknown) => {
        for (const p of batch) p.reject(error);
      },
    );
  };
  const query = (sql: string, params: readonly SqlValue[]): Promise<pg.QueryResult> => {
    if (!PLAIN_SELECT.test(sql)) wrote = true;
    return new Promise((resolve, reject) => {
      if (pending.length === 0) queueMicrotask(flush);
      pending.push({ sql, params, resolve, reject });
    });
  };

  /** One SELECT re-running every noted read as (i, k, v), and what each should return. */
  const recheck = () => {
    const expected: Set<string>[] = [];
    const parts = notes.map((note, i) => {
      const mine = own.get(note.table) ?? new Set<string>();
      const seen = note.seen.filter(([k]) => !mine.has(k));
      expected.push(new Set(seen.map(([k, v]) => `${k}\u0000${v}`)));
      // A truncated read is checked on the rows it returned, its own writes left out.
      const limit =
        note.limit === undefined
          ? undefined
          : note.seen.length >= note.limit
            ? seen.length
            : note.limit;
      const { sql, params } = note.recheck([...mine], limit);
      return `SELECT ${i} AS i, r.k, r.v FROM (${inline(sql, params)}) AS r`;
    });
    const check = (rows: readonly SqlRow[]): boolean => {
      const got = expected.map(() => new Set<string>());
      for (const row of rows) {
        const i = Number(row['i']);
        const k = String(row['k']);
        if (own.get((notes[i] as ReadNote).table)?.has(k) === true) continue;
        got[i]?.add(`${k}\u0000${String(row['v'])}`);
      }
      let same = true;
      expected.forEach((want, i) => {
        const now = got[i] as Set<string>;
        if (want.size === now.size && [...want].every((x) => now.has(x))) return;
        same = false;
        const note = notes[i] as ReadNote;
        if (note.key !== undefined) hot.add(`${note.table}\u0000${note.key}`);
      });
      return same;
    };
    return { sql: parts.join(' UNION ALL '), check };
  };

  const tracking: ReadTracking | undefined =
    lock === undefined
      ? undefined
      : {
          noteRead(note) {
            if (!locked) notes.push(note);
          },
          lockOnRead(table, key) {
            return !locked && hot.has(`${table}\u0000${key}`);
          },
          noteWrite(table, key) {
            let keys = own.get(table);
            if (keys === undefined) {
              keys = new Set();
              own.set(table, keys);
            }
            keys.add(key);
          },
          async atSerialPoint(sql, params) {
            if (locked) return (await query(sql, params)).rows as SqlRow[];
            flush(); // statements asked for before this one go first
            const statements = [lock];
            const check = notes.length === 0 ? undefined : recheck();
            if (check !== undefined) statements.push(check.sql);
            statements.push(inline(sql, params));
            const text = `${begun ? '' : `${begin}; `}${statements.join('; ')}`;
            begun = true;
            wrote = true;
            locked = true;
            const results = (await client.query(text)) as unknown as pg.QueryResult[];
            answered = true;
            const last = results[results.length - 1] as pg.QueryResult;
            if (check !== undefined && !check.check(results[results.length - 2]?.rows ?? [])) {
              throw readsChangedError();
            }
            notes = [];
            return last.rows as SqlRow[];
          },
          async readsChanged() {
            if (locked || notes.length === 0 || !begun) return false;
            flush();
            const check = recheck();
            const result = await client.query(check.sql);
            return !check.check(result.rows as SqlRow[]);
          },
        };

  return {
    dialect: 'postgres',
    ...(tracking !== undefined ? { tracking } : {}),
    get begun() {
      return begun;
    },
    get wrote() {
      return wrote;
    },
    get answered() {
      return answered;
    },
    get locked() {
      return locked;
    },
    get pendingReads() {
      return notes.length;
    },
    async all(sql, params = []) {
      return (await query(sql, params)).rows as SqlRow[];
    },
    async run(sql, params = []) {
      return (await query(sql, params)).rowCount ?? 0;
    },
    async insertMany(table, columns, rows) {
      wrote = true;
      flush();
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
