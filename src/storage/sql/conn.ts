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
