/** A value a SQL statement takes or returns. */
export type SqlValue = string | number | null | Uint8Array;

/** A row as the driver returns it, by column name. */
export type SqlRow = Record<string, unknown>;

/** The SQL dialect an adapter speaks; the shared SQL is written to suit both. */
export type SqlDialect = 'sqlite' | 'postgres';

/**
 * The connection of one SQL transaction, as the shared repositories see it. Statements use
 * `?` placeholders (the PostgreSQL adapter numbers them).
 */
export interface SqlConn {
  /** Which dialect the statements run in. */
  readonly dialect: SqlDialect;
  /** Runs a query and returns its rows. */
  all(sql: string, params?: readonly SqlValue[]): Promise<SqlRow[]>;
  /** Runs a statement and returns the number of rows it changed. */
  run(sql: string, params?: readonly SqlValue[]): Promise<number>;
  /**
   * Inserts many rows into `table`, skipping rows whose key exists; returns how many it
   * inserted.
   */
  insertMany(
    table: string,
    columns: readonly SqlColumn[],
    rows: readonly (readonly SqlValue[])[],
  ): Promise<number>;
  /** PostgreSQL: optimistic concurrency (see {@link ReadTracking}); absent on SQLite. */
  readonly tracking?: ReadTracking;
}

/** A column of a table: its name, its type and whether it may be null. */
export interface SqlColumn {
  /** Column name. */
  readonly name: string;
  /** Storage type. */
  readonly type: 'text' | 'int' | 'blob';
  /** Whether the column may be null. */
  readonly nullable?: boolean;
}

/**
 * What one read saw, kept so the PostgreSQL adapter can check, when the transaction
 * reaches its serial point, that the read would still return the same rows: every row as
 * its key and version (or another value that changes whenever the row does).
 */
export interface ReadNote {
  /** The unqualified table the rows come from. */
  readonly table: string;
  /** The one key a read by primary key asked for. */
  readonly key?: string;
  /** The rows the read returned, as `[key, version]`. */
  readonly seen: readonly (readonly [string, string])[];
  /** A paged read's LIMIT: when it returned that many rows, more may exist past them. */
  readonly limit?: number;
  /**
   * The same read returning columns `k` and `v`. A paged read is given the keys this
   * transaction wrote in the table (`own`), which it leaves out in SQL, and the `limit` to
   * use (the count of the other rows it returned, when it was cut short); other reads may
   * ignore both (the caller leaves `own` rows out of what they return).
   */
  readonly recheck: (
    own: readonly string[],
    limit: number | undefined,
  ) => { readonly sql: string; readonly params: readonly SqlValue[] };
}

/**
 * Optimistic concurrency of a connection whose transaction does not hold the chain's lock
 * from the start (PostgreSQL): the repositories note what they read and wrote, and the
 * audit append runs at the serial point, where the reads are checked.
 */
export interface ReadTracking {
  /** Notes a read (ignored once the transaction holds the chain's lock). */
  noteRead(note: ReadNote): void;
  /**
   * Whether a read of the row `key` of `table` should lock it (`FOR UPDATE`): a row whose
   * change by a concurrent writer already made this transaction run again. Contenders for
   * one hot record then queue for it instead of running again and again.
   */
  lockOnRead(table: string, key: string): boolean;
  /** Notes that this transaction wrote the row `key` of `table`. */
  noteWrite(table: string, key: string): void;
  /**
   * Takes the chain's lock (once), checks every noted read, then runs `sql`, all in one
   * round trip; later statements run under the lock until COMMIT.
   *
   * @throws a serialisation failure (retried by the adapter) when a read changed.
   */
  atSerialPoint(sql: string, params: readonly SqlValue[]): Promise<SqlRow[]>;
  /**
   * Whether a noted read would now return other rows: a failure (DUPLICATE, CONFLICT) met
   * after such a read is an artefact of the race, not of the data, and is retried.
   */
  readsChanged(): Promise<boolean>;
}

/**
 * The error a transaction fails with when a row it read was changed by a concurrent one
 * before its serial point: PostgreSQL's serialisation failure code, so the adapter runs
 * the transaction again as it does for any 40001.
 *
 * @example
 * ```ts
 * if (await conn.tracking?.readsChanged()) throw readsChangedError();
 * ```
 */
export function readsChangedError(): Error {
  return Object.assign(
    new Error('a row this transaction read was changed by a concurrent transaction'),
    { code: '40001' },
  );
}
