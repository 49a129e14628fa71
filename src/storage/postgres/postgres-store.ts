import type pg from 'pg';
import { requireOptionalPeer } from '../../errors/load-optional-peer.js';
import { ValidationError } from '../../errors/validation-error.js';
import type { Store } from '../ports.js';
import type { SqlConn } from '../sql/conn.js';
import { runMigrations } from '../sql/migrations.js';
import { sqlStore } from '../sql/sql-store.js';
import { pgTxConn } from './connection.js';
import { isConnectionError, isSerializationFailure, mapPgError } from './errors.js';

/** Options of {@link postgresStore}. */
export interface PostgresStoreOptions {
  /** The schema that holds careid's tables (default `public`); created when missing. */
  readonly schema?: string;
  /**
   * How many times a transaction runs at most when PostgreSQL reports a serialisation
   * failure or deadlock (40001, 40P01) before it fails with CONFLICT (default 8; 1 never
   * retries).
   */
  readonly maxAttempts?: number;
}

/** A store in PostgreSQL, with its schema migration. */
export interface PostgresStore extends Store {
  /** Always `postgres`. */
  readonly adapter: 'postgres';
  /** The schema of the tables. */
  readonly schema: string;
  /**
   * Creates or upgrades the schema (idempotent, versioned in `schema_version`, safe when
   * several app servers start at once: an advisory lock orders them); returns the versions
   * it applied. Transactions call it on first use.
   *
   * @throws STORE_UNAVAILABLE when PostgreSQL cannot be reached.
   */
  migrate(): Promise<number[]>;
}

const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/;
/** Errors of a transaction whose first statement met a dead pooled connection: run again once. */
const staleConnection = new WeakSet<object>();
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * A store in PostgreSQL (pg), for RAs that outgrow one machine: many app servers, replicas,
 * backups.
 *
 * Transactions queue on the audit chain's lock: each one opens with
 * `BEGIN ISOLATION LEVEL SERIALIZABLE; LOCK TABLE audit_lock IN EXCLUSIVE MODE`, so it
 * waits for the transaction before it to commit, and only then takes its snapshot. Every
 * app server on the database takes the same lock, so commands run in one serial order and
 * the chain stays one linear chain; none of them fails because another committed first. A
 * stale version (a record read in one transaction and written from another) is a CONFLICT
 * naming both versions. A serialisation failure or deadlock (40001, 40P01), which only a
 * writer outside careid can now cause, re-runs the whole `fn` up to `maxAttempts` times and
 * then fails with CONFLICT; so `fn` must not have effects outside the store. A lost or
 * refused connection is STORE_UNAVAILABLE and is never retried.
 *
 * Pass a URL (the store owns its pool and ends it on `close()`) or your own `pg.Pool`
 * (left open on `close()`).
 *
 * @throws VALIDATION when the schema name is not a plain lower-case identifier.
 * @example
 * ```ts
 * import { postgresStore } from 'careid/storage/postgres';
 * const store = postgresStore('postgres://ra@db/careid', { schema: 'careid' });
 * await store.transaction((tx) => tx.users.get(uuid));
 * ```
 */
export function postgresStore(
  urlOrPool: string | pg.Pool,
  options: PostgresStoreOptions = {},
): PostgresStore {
  const schema = options.schema ?? 'public';
  if (!SCHEMA_NAME.test(schema)) {
    throw new ValidationError('postgres store options', [
      { field: 'schema', message: 'must be a lower-case identifier (letters, digits, _)' },
    ]);
  }
  const maxAttempts = Math.max(1, options.maxAttempts ?? 8);
  const owned = typeof urlOrPool === 'string';
  const pool = owned
    ? new (requireOptionalPeer<typeof pg>('pg', 'careid/storage/postgres').Pool)({
        connectionString: urlOrPool,
      })
    : urlOrPool;
  // An idle client whose server went away emits 'error' on the pool; unheard, it would crash the process.
  if (pool.listenerCount('error') === 0) pool.on('error', () => undefined);
  const q = (table: string) => `"${schema}".${table}`;

  async function withClient<T>(
    begin: string,
    fn: (conn: SqlConn, client: pg.PoolClient) => Promise<T>,
  ): Promise<T> {
    let client: pg.PoolClient;
    try {
      client = await pool.connect();
    } catch (error) {
      throw mapPgError(error);
    }
    let lost: unknown;
    const onError = (error: unknown) => {
      lost = error;
    };
    client.on('error', onError);
    let released = false;
    const release = () => {
      if (released) return;
      released = true;
      client.off('error', onError);
      // A client that lost its connection is destroyed, not returned to the pool.
      client.release(lost !== undefined);
    };
    let committing = false;
    let commitInBackground = false;
    const conn = pgTxConn(client, begin);
    try {
      const result = await fn(conn, client);
      committing = true;
      if (conn.begun && !conn.wrote) {
        // A transaction that only read cannot fail at COMMIT (SSI fails only a writer of a
        // dangerous structure, and there is nothing to make durable), so the caller does
        // not wait for it: one round trip less. The client returns to the pool afterwards.
        commitInBackground = true;
        client.query('COMMIT').then(release, (error: unknown) => {
          lost = error;
          release();
        });
      } else if (conn.begun) {
        await client.query('COMMIT');
      }
      return result;
    } catch (error) {
      if (conn.begun && lost === undefined && !isConnectionError(error)) {
        await client.query('ROLLBACK').catch((e: unknown) => {
          lost = e;
        });
      }
      const mapped = mapPgError(error, committing && isConnectionError(error));
      // The pool handed out a connection the server had already closed (an idle client
      // whose 'error' event had not arrived yet): nothing of this transaction reached the
      // server, so it may run again on a fresh connection.
      if (
        isConnectionError(error) &&
        !conn.answered &&
        typeof mapped === 'object' &&
        mapped !== null
      )
        staleConnection.add(mapped);
      throw mapped;
    } finally {
      if (!commitInBackground) release();
    }
  }

  const migrate = () =>
    withClient('BEGIN ISOLATION LEVEL READ COMMITTED', async (conn) => {
      await conn.run('SELECT pg_advisory_xact_lock(hashtext(?))', [`careid:${schema}`]);
      await conn.run(`CREATE SCHEMA IF NOT EXISTS "${schema}"`);
      return runMigrations(conn, q);
    });
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

  // Why the lock comes first: the chain is one row that every write moves on. Under
  // SERIALIZABLE, a transaction whose snapshot predates another's commit cannot move it
  // (40001), so with the lock taken at append time 8 writers on different users failed
  // after exhausting their retries. LOCK TABLE takes no snapshot (unlike SELECT
  // pg_advisory_xact_lock, which would take it before waiting), so the snapshot that follows
  // already sees the previous writer's commit. The lock is on audit_lock, an empty table
  // nobody writes (migration 4): audit_head is updated by every write, so autovacuum visits
  // it, and its SHARE UPDATE EXCLUSIVE lock would hold every transaction back meanwhile.
  // Every careid transaction takes it, reads too, as SQLite's BEGIN IMMEDIATE does:
  // throughput is one transaction at a time, none is ever retried.
  const begin = `BEGIN ISOLATION LEVEL SERIALIZABLE; LOCK TABLE ${q('audit_lock')} IN EXCLUSIVE MODE`;

  const store = sqlStore({
    adapter: 'postgres',
    q,
    async run(fn, { retry }) {
      await ensureMigrated();
      for (let attempt = 1; ; attempt++) {
        try {
          return await withClient(begin, (conn) => fn(conn));
        } catch (error) {
          if (staleConnection.has(error as object) && attempt === 1) continue;
          const cause = (error as { cause?: unknown }).cause;
          if (!retry || attempt >= maxAttempts || !isSerializationFailure(cause)) throw error;
          // Exponential back-off with full jitter, so the racers do not collide again at once.
          await sleep(Math.random() * Math.min(200, 4 * 2 ** attempt));
        }
      }
    },
    async close() {
      if (owned) await pool.end();
    },
  });
  return { ...store, adapter: 'postgres', schema, migrate };
}
