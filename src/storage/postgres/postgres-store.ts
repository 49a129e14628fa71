import type pg from 'pg';
import { requireOptionalPeer } from '../../errors/load-optional-peer.js';
import { ValidationError } from '../../errors/validation-error.js';
import type { Store } from '../ports.js';
import { readsChangedError, type SqlConn } from '../sql/conn.js';
import { runMigrations } from '../sql/migrations.js';
import { sqlStore } from '../sql/sql-store.js';
import { type PgTxOptions, pgTxConn } from './connection.js';
import { isConnectionError, isSerializationFailure, mapPgError } from './errors.js';

/** Options of {@link postgresStore}. */
export interface PostgresStoreOptions {
  /** The schema that holds careid's tables (default `public`); created when missing. */
  readonly schema?: string;
  /**
   * How many times a transaction runs at most when a row it read was changed by a
   * concurrent commit before its serial point, or PostgreSQL reports a serialisation
   * failure or deadlock (40001, 40P01), before it fails with CONFLICT (default 8; 1 never
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
 * Transactions run at READ COMMITTED and take the audit chain's lock
 * (`LOCK TABLE audit_lock IN EXCLUSIVE MODE`) only at their serial point, the audit
 * append (or COMMIT, for a writer that appends nothing), where every read they made is
 * checked again in the same round trip. Commands on different records overlap; the chain
 * stays one linear chain across app servers, in the order the writers committed. A read
 * that a concurrent commit changed re-runs the whole `fn` (up to `maxAttempts` times, then
 * CONFLICT), so `fn` must not have effects outside the store; a stale version (a record
 * read in one transaction and written from another) is a CONFLICT naming both versions. A
 * serialisation failure or deadlock (40001, 40P01) is retried the same way. A lost or
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
    tx: PgTxOptions,
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
    const conn = pgTxConn(client, tx);
    try {
      let result: T;
      try {
        result = await fn(conn, client);
      } catch (error) {
        // A failure met on reads that have since changed may be an artefact of the race
        // (what a serial order would not have seen): run the transaction again instead.
        if (
          conn.pendingReads > 0 &&
          !isConnectionError(error) &&
          (await conn.tracking?.readsChanged().catch(() => false))
        ) {
          throw readsChangedError();
        }
        throw error;
      }
      if (conn.tracking !== undefined && !conn.locked) {
        // A writer commits only at its serial point (under the chain's lock, its reads
        // checked); a reader of more than one statement checks that they saw one state.
        if (conn.wrote) await conn.tracking.atSerialPoint('SELECT 1', []);
        else if (conn.pendingReads > 1 && (await conn.tracking.readsChanged())) {
          throw readsChangedError();
        }
      }
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
      // A connection error means this client is gone, whether or not its 'error' event has
      // arrived yet: it is destroyed on release, never handed to the next transaction (the
      // retry of a stale connection would otherwise get the same dead client back).
      if (isConnectionError(error)) lost ??= error;
      if (conn.begun && lost === undefined) {
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
    withClient({ begin: 'BEGIN ISOLATION LEVEL READ COMMITTED' }, async (conn) => {
      await conn.run('SELECT pg_advisory_xact_lock(hashtext(?))', [`careid:${schema}`]);
      await conn.run(`CREATE SCHEMA IF NOT EXISTS "${schema}"`);
      return runMigrations(conn, q);
    });
  // Transactions migrate once per store; a failed attempt is retried by the next transaction.
  let ready: Promise<unknown> | undefined;
  const ensureMigrated = () => {
    if (ready === undefined) {
      // A dead pooled connection met first is met again by nothing: run once more on a fresh one.
      ready = migrate().catch((error: unknown) => {
        if (staleConnection.has(error as object)) return migrate();
        throw error;
      });
      ready.catch(() => {
        ready = undefined;
      });
    }
    return ready;
  };

  // Writers queue on the chain's lock only for their last step. A transaction runs at READ
  // COMMITTED: its reads and row writes go ahead alongside other transactions (an update
  // checks the version it read; a row another transaction is writing waits for it). The
  // audit append is the serial point: one message takes the chain's lock (LOCK TABLE of
  // audit_lock, an empty table nobody writes, so autovacuum never holds it: migration 4),
  // re-runs every read the transaction made, as keys and versions, and appends. A read that
  // would now return other rows means a concurrent commit came between: the transaction is
  // rolled back and run again, so what commits is what a serial order (the chain's order)
  // gives. Only the append and COMMIT are one at a time: the chain stays one linear chain
  // across app servers, and commands on different records overlap instead of queueing.
  const tx: PgTxOptions = {
    begin: 'BEGIN ISOLATION LEVEL READ COMMITTED',
    lock: `LOCK TABLE ${q('audit_lock')} IN EXCLUSIVE MODE`,
  };

  const store = sqlStore({
    adapter: 'postgres',
    q,
    async run(fn, { retry }) {
      await ensureMigrated();
      // Rows whose change made an attempt run again: the next attempts lock them on reading.
      const hot = new Set<string>();
      for (let attempt = 1; ; attempt++) {
        try {
          return await withClient({ ...tx, hot }, (conn) => fn(conn));
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
