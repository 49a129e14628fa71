import type { RecordKind } from '../ports.js';
import { nameKey } from '../queries.js';
import { GENESIS_HASH } from '../records.js';
import type { SqlColumn, SqlConn, SqlDialect } from './conn.js';
import { rowColumns, tableDefs } from './tables.js';

/** Qualifies a table name (the PostgreSQL adapter prefixes its schema). */
export type Qualify = (table: string) => string;

/** One step of the schema's history. Published steps never change; new ones are appended. */
export interface Migration {
  /** The schema version this step brings the database to. */
  readonly version: number;
  /** What it does, for people. */
  readonly description: string;
  /** The statements, for a dialect and table qualifier. */
  readonly statements: (dialect: SqlDialect, q: Qualify) => string[];
  /** A step written in code, run after the statements in the same transaction (a re-key). */
  readonly run?: (conn: SqlConn, q: Qualify) => Promise<void>;
}

/**
 * Recomputes the users' stored name keys with the current {@link nameKey}: the keys of
 * rows written by an older fold (ID-06: `ß` and `ss`, `ı` and `i` now equal).
 */
async function rekeyUserNames(conn: SqlConn, q: Qualify): Promise<void> {
  const rows = await conn.all(`SELECT uuid, family_key, given_key, doc FROM ${q('users')}`);
  for (const row of rows) {
    const name = (JSON.parse(String(row['doc'])) as { name?: { family?: string; given?: string } })
      .name;
    const family = nameKey(name?.family ?? '');
    const given = nameKey(name?.given ?? '');
    if (family === row['family_key'] && given === row['given_key']) continue;
    await conn.run(`UPDATE ${q('users')} SET family_key = ?, given_key = ? WHERE uuid = ?`, [
      family,
      given,
      String(row['uuid']),
    ]);
  }
}

/** The record tables of version 1, as published: kinds added later come with their own step. */
const version1Kinds = [
  'organisations',
  'users',
  'positions',
  'workgroups',
  'positionAssignments',
  'workgroupAssignments',
  'smartcards',
  'certificates',
  'authenticators',
  'requests',
] as const satisfies readonly RecordKind[];

/** Columns that version 1 created NOT NULL and a later step relaxed (version 7: a content signer has no holder). */
const version1Required: Partial<Record<RecordKind, readonly string[]>> = {
  certificates: ['holder'],
};

/** How {@link recordTable} creates a table. */
interface RecordTableOptions {
  /** Another name for the table (a copy being built); its indexes are left to the caller. */
  readonly table?: string;
  /** The columns as version 1 published them. */
  readonly asVersion1?: boolean;
}

/** A record table with its indexes, as `tableDefs` declares it. */
function recordTable(
  dialect: SqlDialect,
  q: Qualify,
  kind: RecordKind,
  options: RecordTableOptions = {},
): string[] {
  const def = tableDefs[kind];
  const required = options.asVersion1 === true ? (version1Required[kind] ?? []) : [];
  const columns = rowColumns(def as never).map(
    (c) =>
      `${c.name} ${columnType(dialect, required.includes(c.name) ? { ...c, nullable: false } : c)}`,
  );
  const key = def.columns[0]?.name;
  const table = options.table ?? def.table;
  const out = [`CREATE TABLE ${q(table)} (${columns.join(', ')}, PRIMARY KEY (${key}))`];
  return options.table === undefined ? [...out, ...recordIndexes(q, kind)] : out;
}

/** The indexes of a record table, as `tableDefs` declares them. */
function recordIndexes(q: Qualify, kind: RecordKind): string[] {
  const def = tableDefs[kind];
  return Object.entries(def.indexes).map(
    ([name, cols]) => `CREATE INDEX ${name} ON ${q(def.table)} (${cols.join(', ')})`,
  );
}

/**
 * Version 7: the certificates' `holder` column takes NULL (a PIV content signer's
 * certificate). PostgreSQL drops the constraint; SQLite, which cannot, copies the table
 * into a new one and renames it, then builds its indexes again.
 */
function nullableCertificateHolder(dialect: SqlDialect, q: Qualify): string[] {
  if (dialect === 'postgres') {
    return [`ALTER TABLE ${q('certificates')} ALTER COLUMN holder DROP NOT NULL`];
  }
  const columns = rowColumns(tableDefs.certificates as never)
    .map((c) => c.name)
    .join(', ');
  return [
    ...recordTable(dialect, q, 'certificates', { table: 'certificates_v7' }),
    `INSERT INTO ${q('certificates_v7')} (${columns}) SELECT ${columns} FROM ${q('certificates')}`,
    `DROP TABLE ${q('certificates')}`,
    `ALTER TABLE ${q('certificates_v7')} RENAME TO certificates`,
    ...recordIndexes(q, 'certificates'),
  ];
}

function columnType(dialect: SqlDialect, column: SqlColumn): string {
  // "C" collation: byte order, so PostgreSQL sorts and pages exactly like SQLite.
  const type =
    column.type === 'text'
      ? dialect === 'postgres'
        ? 'TEXT COLLATE "C"'
        : 'TEXT'
      : column.type === 'int'
        ? 'INTEGER'
        : dialect === 'postgres'
          ? 'BYTEA'
          : 'BLOB';
  return `${type}${column.nullable === true ? '' : ' NOT NULL'}`;
}

/** The schema's history, oldest first. */
export const migrations: readonly Migration[] = [
  {
    version: 1,
    description: 'record tables with their indexes, the audit log and its chain head',
    statements: (dialect, q) => {
      const out = version1Kinds.flatMap((kind) =>
        recordTable(dialect, q, kind, { asVersion1: true }),
      );
      const seq = dialect === 'postgres' ? 'BIGINT' : 'INTEGER';
      const txt = columnType(dialect, { name: '', type: 'text' });
      out.push(
        `CREATE TABLE ${q('audit_log')} (seq ${seq} NOT NULL PRIMARY KEY, at ${txt}, prev_hash ${txt}, hash ${txt}, event ${txt})`,
        `CREATE TABLE ${q('audit_head')} (id INTEGER NOT NULL PRIMARY KEY, seq ${seq} NOT NULL, hash ${txt})`,
        `INSERT INTO ${q('audit_head')} (id, seq, hash) VALUES (1, 0, '${GENESIS_HASH}')`,
      );
      return out;
    },
  },
  {
    version: 2,
    description: 'AUD-01: the database itself refuses UPDATE, DELETE and TRUNCATE of the audit log',
    statements: (dialect, q) =>
      dialect === 'sqlite'
        ? ['UPDATE', 'DELETE'].map(
            (op) =>
              `CREATE TRIGGER audit_log_no_${op.toLowerCase()} BEFORE ${op} ON ${q('audit_log')} ` +
              `BEGIN SELECT RAISE(ABORT, 'the audit log is append-only (AUD-01)'); END`,
          )
        : [
            `CREATE FUNCTION ${q('audit_log_append_only')}() RETURNS trigger LANGUAGE plpgsql AS ` +
              `'BEGIN RAISE EXCEPTION ''the audit log is append-only (AUD-01)''; END'`,
            `CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE OR TRUNCATE ON ${q('audit_log')} ` +
              `FOR EACH STATEMENT EXECUTE FUNCTION ${q('audit_log_append_only')}()`,
          ],
  },
  {
    version: 3,
    description: "the CA hierarchy's certificates by role, and named counters (the CRL number)",
    statements: (dialect, q) => {
      const txt = columnType(dialect, { name: '', type: 'text' });
      const blob = columnType(dialect, { name: '', type: 'blob' });
      // 64 bits: INTEGER is 32-bit on PostgreSQL, 64-bit on SQLite.
      const big = dialect === 'postgres' ? 'BIGINT NOT NULL' : 'INTEGER NOT NULL';
      return [
        `CREATE TABLE ${q('ca_authorities')} (role ${txt}, der ${blob}, PRIMARY KEY (role))`,
        `CREATE TABLE ${q('counters')} (name ${txt}, value ${big}, PRIMARY KEY (name))`,
      ];
    },
  },
  {
    version: 4,
    description:
      "PostgreSQL: the audit chain's lock, an empty table every transaction locks first so writers queue",
    // An empty table nobody writes: autovacuum never takes it (a vacuum of audit_head, which
    // every write updates, would hold off LOCK TABLE for its length). SQLite needs none.
    statements: (dialect, q) =>
      dialect === 'postgres' ? [`CREATE TABLE ${q('audit_lock')} (id INTEGER PRIMARY KEY)`] : [],
  },
  {
    version: 5,
    description:
      "ID-06: the users' name keys recomputed with full case folding (ß as ss, dotless ı as i)",
    statements: () => [],
    run: rekeyUserNames,
  },
  {
    version: 6,
    description:
      'AUTH-03: WebAuthn credentials by credential ID, and single-use challenges by challenge with their expiry',
    statements: (dialect, q) => {
      const txt = columnType(dialect, { name: '', type: 'text' });
      const optTxt = columnType(dialect, { name: '', type: 'text', nullable: true });
      return [
        ...recordTable(dialect, q, 'webAuthnCredentials'),
        `CREATE TABLE ${q('webauthn_challenges')} (challenge ${txt}, expires_at ${txt}, used_at ${optTxt}, doc ${txt}, PRIMARY KEY (challenge))`,
        `CREATE INDEX webauthn_challenges_expiry ON ${q('webauthn_challenges')} (expires_at, challenge)`,
      ];
    },
  },
  {
    version: 7,
    description:
      "CA: a certificate may have no holder (the PIV content signer's), so it is recorded and can be revoked",
    statements: nullableCertificateHolder,
  },
];

/** The newest schema version this code knows. */
export const SCHEMA_VERSION = Math.max(...migrations.map((m) => m.version));

/**
 * Brings the schema up to date inside the caller's transaction: creates `schema_version`
 * when missing, applies every migration newer than the recorded version, records each.
 * Running it again does nothing.
 *
 * @example
 * ```ts
 * const applied = await runMigrations(conn, (t) => t);
 * ```
 */
export async function runMigrations(conn: SqlConn, q: Qualify): Promise<number[]> {
  const txt = columnType(conn.dialect, { name: '', type: 'text' });
  await conn.run(
    `CREATE TABLE IF NOT EXISTS ${q('schema_version')} (version INTEGER NOT NULL PRIMARY KEY, applied_at ${txt})`,
  );
  const rows = await conn.all(`SELECT MAX(version) AS v FROM ${q('schema_version')}`);
  const current = Number(rows[0]?.['v'] ?? 0);
  const applied: number[] = [];
  for (const migration of migrations) {
    if (migration.version <= current) continue;
    for (const statement of migration.statements(conn.dialect, q)) await conn.run(statement);
    await migration.run?.(conn, q);
    await conn.run(`INSERT INTO ${q('schema_version')} (version, applied_at) VALUES (?, ?)`, [
      migration.version,
      new Date().toISOString(),
    ]);
    applied.push(migration.version);
  }
  return applied;
}
