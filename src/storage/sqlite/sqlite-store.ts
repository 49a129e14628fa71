import type Database from 'better-sqlite3';
import { CareIdError } from '../../errors/care-id-error.js';
import { requireOptionalPeer } from '../../errors/load-optional-peer.js';
import { StoreUnavailableError } from '../errors.js';
import { Mutex } from '../mutex.js';
import type { Store } from '../ports.js';
import type { SqlConn, SqlRow, SqlValue } from '../sql/conn.js';
import { runMigrations } from '../sql/migrations.js';
import { sqlStore } from '../sql/sql-store.js';

/** Options of {@link sqliteStore}. */
export interface SqliteStoreOptions {
  /**
   * How long a transaction waits for another connection's write lock before failing with
   * STORE_UNAVAILABLE, in milliseconds (default 10 000). The wait polls asynchronously, so
   * two stores in one process on one file do not block each other's event loop.
   */
  readonly busyTimeoutMs?: number;
  /**
   * SQLite's page cache for this connection, in MiB (default 64). A bigger cache keeps the
   * indexes' upper levels in memory, which matters for bulk loads of millions of rows.
   */
  readonly cacheSizeMb?: number;
}

/** A store in a SQLite file, with its schema migration. */
export interface SqliteStore extends Store {
  /** Always `sqlite`. */
  readonly adapter: 'sqlite';
  /** The database file. */
  readonly path: string;
  /**
   * Creates or upgrades the schema (idempotent, versioned in `schema_version`); returns the
   * versions it applied. Transactions call it on first use.
   *
   * @throws STORE_UNAVAILABLE when the file cannot be written.
   */
  migrate(): Promise<number[]>;
}

const UNAVAILABLE = /^SQLITE_(BUSY|LOCKED|CANTOPEN|IOERR|FULL|READONLY|CORRUPT|NOTADB|PERM|AUTH)/;

function mapError(error: unknown): unknown {
  if (error instanceof CareIdError) return error;
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code === 'string' && UNAVAILABLE.test(code)) {
    return new StoreUnavailableError(`SQLite cannot serve the store (${code})`, { cause: error });
  }
  return error;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function toParam(value: SqlValue): unknown {
  return value instanceof Uint8Array && !Buffer.isBuffer(value)
    ? Buffer.from(value.buffer, value.byteOffset, value.byteLength)
    : value;
}

/** The statement's parameters as better-sqlite3 binds them; copied only when bytes need wrapping. */
function bind(params: readonly SqlValue[]): readonly unknown[] {
  for (const value of params) if (value instanceof Uint8Array) return params.map(toParam);
  return params;
}

/**
 * A store in one SQLite file (better-sqlite3, WAL mode), for an RA on one machine.
 *
 * Transactions are `BEGIN IMMEDIATE … COMMIT`: they take the write lock at the start, so
 * they are serialisable; within one store they queue (better-sqlite3 is synchronous while
 * `fn` is async), and another store or process on the same file waits up to
 * `busyTimeoutMs` (several app servers on one file queue the same way; none fails because
 * another committed first). A stale version is a CONFLICT as on every adapter.
 *
 * @throws STORE_UNAVAILABLE when the file cannot be opened.
 * @example
 * ```ts
 * import { sqliteStore } from 'careid/storage/sqlite';
 * const store = sqliteStore('./ra.sqlite');
 * await store.transaction((tx) => tx.users.get(uuid));
 * ```
 */
export function sqliteStore(path: string, options: SqliteStoreOptions = {}): SqliteStore {
  const busyTimeoutMs = options.busyTimeoutMs ?? 10_000;
  const Sqlite = requireOptionalPeer<typeof Database>('better-sqlite3', 'careid/storage/sqlite');
  let db: Database.Database;
  try {
    db = new Sqlite(path);
    if (path !== ':memory:' && path !== '') db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    db.pragma(`cache_size = ${-Math.round((options.cacheSizeMb ?? 64) * 1024)}`);
    // Waiting happens in begin() below, asynchronously; a blocking wait here would stall the event loop.
    db.pragma('busy_timeout = 0');
  } catch (cause) {
    throw new StoreUnavailableError(`Cannot open the SQLite store at ${path}`, { cause });
  }
  const statements = new Map<string, Database.Statement>();
  const prepare = (sql: string) => {
    let statement = statements.get(sql);
    if (statement === undefined) {
      statement = db.prepare(sql);
      statements.set(sql, statement);
    }
    return statement;
  };
  const conn: SqlConn = {
    dialect: 'sqlite',
    async all(sql, params = []) {
      return prepare(sql).all(...bind(params)) as SqlRow[];
    },
    async run(sql, params = []) {
      return prepare(sql).run(...bind(params)).changes;
    },
    async insertMany(table, columns, rows) {
      const statement = prepare(
        `INSERT INTO ${table} (${columns.map((c) => c.name).join(', ')}) VALUES (${columns.map(() => '?').join(', ')}) ON CONFLICT DO NOTHING`,
      );
      let inserted = 0;
      for (const row of rows) inserted += statement.run(...bind(row)).changes;
      return inserted;
    },
  };
  const mutex = new Mutex();

  async function begin(): Promise<void> {
    const deadline = Date.now() + busyTimeoutMs;
    for (;;) {
      try {
        db.exec('BEGIN IMMEDIATE');
        return;
      } catch (error) {
        const code = (error as { code?: unknown }).code;
        if (code !== 'SQLITE_BUSY' || Date.now() >= deadline) throw mapError(error);
        await sleep(1 + Math.random() * 10);
      }
    }
  }

  async function inTransaction<T>(fn: () => Promise<T>): Promise<T> {
    await begin();
    try {
      const result = await fn();
      db.exec('COMMIT');
      return result;
    } catch (error) {
      if (db.inTransaction) db.exec('ROLLBACK');
      throw mapError(error);
    }
  }

  const migrate = () => mutex.run(() => inTransaction(() => runMigrations(conn, (t) => t)));
  // Transactions migrate once per store; a failed attempt is retried by the next transaction.
  let ready: Promise<unknown> | undefined;
  const ensureMigrated = () => {
    if (ready === undefined) {
      ready = migrate();
      ready.catch(() => {
        ready = undefined;
      });
    }
    return ready;
  };

  const store = sqlStore({
    adapter: 'sqlite',
    q: (table) => table,
    async run(fn) {
      await ensureMigrated();
      return mutex.run(() => inTransaction(() => fn(conn)));
    },
    async close() {
      await mutex.run(async () => {
        db.close();
      });
    },
  });
  return { ...store, adapter: 'sqlite', path, migrate };
}
