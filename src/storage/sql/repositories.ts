import { createHash } from 'node:crypto';
import type {
  AuditEvent,
  OdsCode,
  UserProfile,
  Uuid,
  WebAuthnChallenge,
} from '../../domain/index.js';
import { auditHash, chainRecord, eventJson } from '../audit-chain.js';
import { ConflictError, DuplicateError, NotFoundError } from '../errors.js';
import { kindSpecs } from '../kinds.js';
import { lazyTx } from '../lazy-tx.js';
import {
  decodeCursor,
  decodeSeqCursor,
  type Page,
  type PageRequest,
  pageLimit,
  type SortKey,
  toPage,
} from '../paging.js';
import type {
  OrganisationRepository,
  PositionAssignmentRepository,
  PositionRepository,
  RecordKind,
  RecordTypes,
  Repository,
  StoreTx,
  UserRepository,
} from '../ports.js';
import { chainFrom, MAX_ANCESTORS, nameKey, type RequestFilter } from '../queries.js';
import type { AuditRecord, AuthorityCertificateRecord } from '../records.js';
import { readsChangedError, type SqlConn, type SqlRow, type SqlValue } from './conn.js';
import type { Qualify } from './migrations.js';
import { fromRow, rowColumns, rowValues, tableDefs } from './tables.js';

/** The context of one SQL transaction. */
export interface SqlCtx {
  /** The transaction's connection. */
  readonly conn: SqlConn;
  /** Qualifies table names. */
  readonly q: Qualify;
  /** Throws once the transaction has ended. */
  readonly live: () => void;
}

/**
 * The smallest string greater than every string that starts with `prefix` (code-point order).
 *
 * @example
 * ```ts
 * prefixEnd('smi') // 'smj'
 * ```
 */
export function prefixEnd(prefix: string): string {
  const points = [...prefix];
  const last = points.pop() as string;
  return points.join('') + String.fromCodePoint(Math.min((last.codePointAt(0) ?? 0) + 1, 0x10ffff));
}

interface CrudSql {
  readonly table: string;
  readonly key: string;
  readonly insert: string;
  readonly update: string;
  readonly get: string;
}

// The statements depend only on the qualified table name: build them once, not per transaction.
const crudSqlCache = new Map<string, CrudSql>();
function crudSql(kind: RecordKind, q: Qualify): CrudSql {
  const def = tableDefs[kind];
  const table = q(def.table);
  const cached = crudSqlCache.get(table);
  if (cached !== undefined) return cached;
  const cols = rowColumns(def as never);
  const key = cols[0]?.name as string;
  const sql: CrudSql = {
    table,
    key,
    insert: `INSERT INTO ${table} (${cols.map((c) => c.name).join(', ')}) VALUES (${cols.map(() => '?').join(', ')}) ON CONFLICT DO NOTHING`,
    update: `UPDATE ${table} SET ${cols
      .slice(1)
      .map((c) => `${c.name} = ?`)
      .join(', ')} WHERE ${key} = ? AND version = ?`,
    get: `SELECT * FROM ${table} WHERE ${key} = ?`,
  };
  crudSqlCache.set(table, sql);
  return sql;
}

/**
 * Notes a read of record rows for the serial point's check (PostgreSQL, see
 * {@link SqlConn.tracking}): `where` and `params` select the rows again; a paged read also
 * gives its order and LIMIT.
 */
function noteRows(
  ctx: SqlCtx,
  kind: RecordKind,
  rows: readonly SqlRow[],
  where: readonly string[],
  params: readonly SqlValue[],
  paged?: { readonly order: readonly string[]; readonly limit: number },
  byKey?: string,
): void {
  const tracking = ctx.conn.tracking;
  if (tracking === undefined) return;
  const { table, key } = crudSql(kind, ctx.q);
  tracking.noteRead({
    table: tableDefs[kind].table,
    ...(byKey !== undefined ? { key: byKey } : {}),
    seen: rows.map((row) => [String(row[key]), String(row['version'])] as const),
    ...(paged !== undefined ? { limit: paged.limit } : {}),
    recheck: (own, limit) => {
      const conditions = [...where];
      const values = [...params];
      if (paged !== undefined && own.length > 0) {
        conditions.push(`${key} NOT IN (${own.map(() => '?').join(', ')})`);
        values.push(...own);
      }
      const filter = conditions.length === 0 ? '' : ` WHERE ${conditions.join(' AND ')}`;
      const window =
        paged === undefined
          ? ''
          : ` ORDER BY ${paged.order.join(', ')} LIMIT ${limit ?? paged.limit}`;
      return {
        sql: `SELECT CAST(${key} AS text) AS k, CAST(version AS text) AS v FROM ${table}${filter}${window}`,
        params: values,
      };
    },
  });
}

/** The unqualified table of WebAuthn challenges, as read notes name tables. */
const CHALLENGES = 'webauthn_challenges';

/** A failure that a concurrent change to what this transaction read explains is retried. */
async function unlessRace(ctx: SqlCtx, error: Error): Promise<never> {
  if (await ctx.conn.tracking?.readsChanged()) throw readsChangedError();
  throw error;
}

/*
 * The repositories a command touches most (users, organisations, positions, position
 * assignments) are classes with shared methods, built per transaction as one small object:
 * as objects of closures spread together they cost 8 to 9 µs a transaction to build (the
 * esbuild output, five repositories touched), 2 to 3 % of an RA command on SQLite, half of
 * it the garbage collector's.
 */

/** get, insert and update by primary key, for one kind of record. */
class SqlCrud<K extends RecordKind> implements Repository<RecordTypes[K], never> {
  protected readonly sql: CrudSql;
  constructor(
    protected readonly ctx: SqlCtx,
    private readonly kind: K,
  ) {
    this.sql = crudSql(kind, ctx.q);
  }

  async get(k: never): Promise<RecordTypes[K] | undefined> {
    const { ctx, kind } = this;
    const { key, get: getSql } = this.sql;
    ctx.live();
    const lock = ctx.conn.tracking?.lockOnRead(tableDefs[kind].table, k) === true;
    const rows = await ctx.conn.all(lock ? `${getSql} FOR UPDATE` : getSql, [k]);
    noteRows(ctx, kind, rows, [`${key} = ?`], [k], undefined, k);
    return rows[0] === undefined ? undefined : fromRow(kind, rows[0]);
  }

  async insert(record: RecordTypes[K]): Promise<RecordTypes[K]> {
    const { ctx, kind } = this;
    const spec = kindSpecs[kind];
    ctx.live();
    const changed = await ctx.conn.run(this.sql.insert, rowValues(kind, record));
    if (changed === 0) return unlessRace(ctx, new DuplicateError(spec.label, spec.key(record)));
    ctx.conn.tracking?.noteWrite(tableDefs[kind].table, spec.key(record));
    return record;
  }

  async update(record: RecordTypes[K]): Promise<RecordTypes[K]> {
    const { ctx, kind } = this;
    const spec = kindSpecs[kind];
    const { table, key, update: updateSql } = this.sql;
    ctx.live();
    const next = { ...record, version: record.version + 1 };
    const [k, ...rest] = rowValues(kind, next);
    const changed = await ctx.conn.run(updateSql, [...rest, k as SqlValue, record.version]);
    if (changed === 0) {
      if (await ctx.conn.tracking?.readsChanged()) throw readsChangedError();
      const rows = await ctx.conn.all(`SELECT version FROM ${table} WHERE ${key} = ?`, [
        k as SqlValue,
      ]);
      if (rows[0] === undefined) throw new NotFoundError(spec.label, String(k));
      throw new ConflictError(
        spec.label,
        String(k),
        `${spec.label} ${String(k)} changed: stored version ${Number(rows[0]['version'])}, written from version ${record.version}`,
      );
    }
    ctx.conn.tracking?.noteWrite(tableDefs[kind].table, String(k));
    return next;
  }
}

/** {@link SqlCrud} as an object of its own methods, for repositories built by spreading it. */
function crud<K extends RecordKind>(kind: K, ctx: SqlCtx): Repository<RecordTypes[K], never> {
  const base = new SqlCrud(ctx, kind);
  return {
    get: (k) => base.get(k),
    insert: (record) => base.insert(record),
    update: (record) => base.update(record),
  };
}

/**
 * Runs a paged query: `where` and `params` filter, `order` lists the sort columns (which
 * end with the primary key and make up the cursor).
 */
async function pageOf<K extends RecordKind>(
  ctx: SqlCtx,
  kind: K,
  where: readonly string[],
  params: readonly SqlValue[],
  order: readonly string[],
  keyOf: (r: RecordTypes[K]) => SortKey,
  page: PageRequest | undefined,
  start?: { readonly where: string; readonly value: string },
): Promise<Page<RecordTypes[K]>> {
  ctx.live();
  const limit = pageLimit(page);
  const conditions = [...where];
  const values = [...params];
  const after = page?.cursor === undefined ? undefined : decodeCursor(page.cursor, order.length);
  // `start` is a lower bound on the first sort column that a cursor past it supersedes:
  // given both, SQLite (no planner statistics) seeks to `start` and filters every row up to
  // the cursor, so page 1000 read 1000 pages. With the cursor alone it seeks to the cursor.
  if (start !== undefined && (after === undefined || String(after[0]) < start.value)) {
    conditions.push(start.where);
    values.push(start.value);
  }
  if (after !== undefined) {
    conditions.push(
      order.length === 1
        ? `${order[0]} > ?`
        : `(${order.join(', ')}) > (${order.map(() => '?').join(', ')})`,
    );
    values.push(...after.map(String));
  }
  const sql = `SELECT * FROM ${ctx.q(tableDefs[kind].table)}${
    conditions.length === 0 ? '' : ` WHERE ${conditions.join(' AND ')}`
  } ORDER BY ${order.join(', ')} LIMIT ${limit + 1}`;
  const rows = await ctx.conn.all(sql, values);
  noteRows(ctx, kind, rows, conditions, values, { order, limit: limit + 1 });
  return toPage(
    rows.map((row) => fromRow(kind, row)),
    limit,
    keyOf,
  );
}

async function listOf<K extends RecordKind>(
  ctx: SqlCtx,
  kind: K,
  column: string,
  value: string,
  order: string,
): Promise<RecordTypes[K][]> {
  ctx.live();
  const rows = await ctx.conn.all(
    `SELECT * FROM ${ctx.q(tableDefs[kind].table)} WHERE ${column} = ? ORDER BY ${order}`,
    [value],
  );
  noteRows(ctx, kind, rows, [`${column} = ?`], [value]);
  return rows.map((row) => fromRow(kind, row));
}

const ACTIVE_ON = 'removed = 0 AND start_date <= ? AND (end_date IS NULL OR end_date > ?)';
const byStartId = (a: { start: string; id: string }): SortKey => [a.start, a.id];
const byId = (a: { id: string }): SortKey => [a.id];

function requestWhere(filter: RequestFilter | undefined): { where: string[]; params: SqlValue[] } {
  const where: string[] = [];
  const params: SqlValue[] = [];
  if (filter?.state !== undefined) {
    const states = [filter.state].flat();
    where.push(`state IN (${states.map(() => '?').join(', ')})`);
    params.push(...states);
  }
  const eq = (column: string, value: string | undefined) => {
    if (value === undefined) return;
    where.push(`${column} = ?`);
    params.push(value);
  };
  eq('kind', filter?.kind);
  eq('organisation', filter?.organisation);
  eq('requested_by', filter?.requestedBy);
  eq('subject', filter?.subject);
  if (filter?.decidedSince !== undefined) {
    where.push('(closed_at IS NULL OR closed_at >= ?)');
    params.push(filter.decidedSince);
  }
  return { where, params };
}

/**
 * PostgreSQL: the whole append in one statement (one round trip instead of three, inside
 * the chain's lock): read the head, hash the record in SQL exactly as {@link auditHash}
 * does (SHA-256 of the canonical JSON `{"event":…,"prevHash":"…","seq":n}`, keys in
 * order), insert it and move the head. The caller checks the hash against its own.
 */
function pgAppendSql(q: Qualify): string {
  return `WITH h AS (SELECT seq + 1 AS seq, hash AS prev FROM ${q('audit_head')} WHERE id = 1 FOR UPDATE),
r AS (SELECT seq, prev, encode(sha256(convert_to('{"event":' || CAST(? AS text) || ',"prevHash":"' || prev || '","seq":' || CAST(seq AS text) || '}', 'UTF8')), 'hex') AS hash FROM h),
ins AS (INSERT INTO ${q('audit_log')} (seq, at, prev_hash, hash, event) SELECT seq, ?, prev, hash, ? FROM r),
upd AS (UPDATE ${q('audit_head')} AS head SET seq = r.seq, hash = r.hash FROM r WHERE head.id = 1)
SELECT CAST(seq AS text) AS seq, prev, hash FROM r`;
}

async function appendAudit(ctx: SqlCtx, event: AuditEvent): Promise<AuditRecord> {
  ctx.live();
  if (ctx.conn.dialect === 'postgres') {
    const json = eventJson(event);
    const params = [json, event.at, json];
    // The serial point: the chain's lock, the check of what was read, and the append, in one message.
    const rows =
      ctx.conn.tracking === undefined
        ? await ctx.conn.all(pgAppendSql(ctx.q), params)
        : await ctx.conn.tracking.atSerialPoint(pgAppendSql(ctx.q), params);
    const row = rows[0] as SqlRow;
    const seq = Number(row['seq']);
    const prevHash = String(row['prev']);
    const record = { seq, at: event.at, event, prevHash, hash: String(row['hash']) };
    // Belt and braces: SQL and JS must hash alike, or the transaction fails before it commits.
    if (auditHash(seq, prevHash, event, json) !== record.hash) {
      throw new Error(`audit record ${seq}: the database's hash differs from careid's`);
    }
    return record;
  }
  // SQLite: the transaction holds the file's write lock (BEGIN IMMEDIATE), so the head read
  // here is still the head when the record is inserted.
  const rows = await ctx.conn.all(`SELECT seq, hash FROM ${ctx.q('audit_head')} WHERE id = 1`);
  const head = { seq: Number(rows[0]?.['seq']), hash: String(rows[0]?.['hash']) };
  const json = eventJson(event);
  const record = chainRecord(head, event, json);
  await ctx.conn.run(
    `INSERT INTO ${ctx.q('audit_log')} (seq, at, prev_hash, hash, event) VALUES (?, ?, ?, ?, ?)`,
    [record.seq, record.at, record.prevHash, record.hash, json],
  );
  await ctx.conn.run(`UPDATE ${ctx.q('audit_head')} SET seq = ?, hash = ? WHERE id = 1`, [
    record.seq,
    record.hash,
  ]);
  return record;
}

/** Notes a read of CA certificates (no version: the DER's MD5 changes when the row does). */
function noteAuthorities(
  ctx: SqlCtx,
  rows: readonly SqlRow[],
  where: string,
  params: readonly SqlValue[],
): void {
  ctx.conn.tracking?.noteRead({
    table: 'ca_authorities',
    seen: rows.map(
      (row) =>
        [
          String(row['role']),
          createHash('md5')
            .update(row['der'] as Uint8Array)
            .digest('hex'),
        ] as const,
    ),
    recheck: () => ({
      sql: `SELECT role AS k, md5(der) AS v FROM ${ctx.q('ca_authorities')} ${where}`,
      params,
    }),
  });
}

function authorityFromRow(row: SqlRow): AuthorityCertificateRecord {
  return {
    role: String(row['role']) as AuthorityCertificateRecord['role'],
    // A copy: plain bytes, not the driver's Buffer.
    der: new Uint8Array(row['der'] as Uint8Array),
  };
}

/** A challenge row: its document, and `usedAt` from its column (the only field that changes). */
function challengeFromRow(row: SqlRow): WebAuthnChallenge {
  const doc = JSON.parse(String(row['doc'])) as Record<string, unknown>;
  if (row['used_at'] !== null && row['used_at'] !== undefined)
    doc['usedAt'] = String(row['used_at']);
  return doc as unknown as WebAuthnChallenge;
}

// Counters travel as text: exact 64-bit values, whatever the driver does with big integers.
const counterValue = (rows: readonly SqlRow[]): bigint =>
  rows[0] === undefined ? 0n : BigInt(String(rows[0]['value']));

/**
 * The optional one-read forms of multi-read lookups (`organisations.ancestors`,
 * `positions.heldBy`), on PostgreSQL only, where each read is a round trip to the server.
 * On SQLite a read is a function call and they save nothing (measured with better-sqlite3:
 * the recursive query 8.4 µs against 8.0 µs for the two key lookups of a two-level path;
 * heldBy 5.4 µs against 2.7 µs for one lookup), so callers read by key there.
 */
function roundTripSavers(ctx: SqlCtx): {
  organisations: Pick<OrganisationRepository, 'ancestors'>;
  positions: Pick<PositionRepository, 'heldBy'>;
} {
  if (ctx.conn.dialect !== 'postgres') return { organisations: {}, positions: {} };
  return {
    organisations: {
      ancestors: async (ods) => {
        ctx.live();
        const t = ctx.q('organisations');
        // Up the parent links, 32 rows at most (a cycle ends there); ordered in JS below.
        const chain = `ods_code IN (WITH RECURSIVE up(code, parent, depth) AS (SELECT ods_code, parent, 1 FROM ${t} WHERE ods_code = ? UNION ALL SELECT o.ods_code, o.parent, up.depth + 1 FROM ${t} o JOIN up ON o.ods_code = up.parent WHERE up.depth < ${MAX_ANCESTORS}) SELECT code FROM up)`;
        const rows = await ctx.conn.all(`SELECT * FROM ${t} WHERE ${chain}`, [ods]);
        const found = chainFrom(
          ods,
          rows.map((row) => fromRow('organisations', row)),
        );
        // The chain depends only on its rows and on the absence of the parent that ended
        // it, so the serial point checks those keys: primary-key lookups, not the
        // recursive query again, under the chain's lock.
        const codes: string[] = found.map((o) => o.odsCode);
        const end = found.length === 0 ? ods : found[found.length - 1]?.parent;
        // (A chain cut at MAX_ANCESTORS does not depend on what lies above it.)
        if (end !== undefined && !codes.includes(end) && found.length < MAX_ANCESTORS) {
          codes.push(end);
        }
        const kept = new Set(codes);
        noteRows(
          ctx,
          'organisations',
          rows.filter((row) => kept.has(String(row['ods_code']))),
          [`ods_code IN (${codes.map(() => '?').join(', ')})`],
          codes,
        );
        return found;
      },
    },
    positions: {
      heldBy: async (user) => {
        ctx.live();
        const where = `id IN (SELECT position_id FROM ${ctx.q('position_assignments')} WHERE user_uuid = ?)`;
        const rows = await ctx.conn.all(`SELECT * FROM ${ctx.q('positions')} WHERE ${where}`, [
          user,
        ]);
        noteRows(ctx, 'positions', rows, [where], [user]);
        // Ordered here: a sort in the plan for the few positions of one user.
        return rows
          .map((row) => fromRow('positions', row))
          .sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
      },
    },
  };
}

class SqlUsers extends SqlCrud<'users'> implements UserRepository {
  constructor(ctx: SqlCtx) {
    super(ctx, 'users');
  }

  async getMany(...[uuids]: Parameters<UserRepository['getMany']>) {
    const ctx = this.ctx;
    ctx.live();
    const found = new Map<Uuid, UserProfile>();
    const wanted = [...new Set(uuids)];
    if (wanted.length === 0) return found;
    const where = `uuid IN (${wanted.map(() => '?').join(', ')})`;
    const rows = await ctx.conn.all(`SELECT * FROM ${ctx.q('users')} WHERE ${where}`, wanted);
    noteRows(ctx, 'users', rows, [where], wanted);
    for (const row of rows) {
      const user = fromRow('users', row);
      found.set(user.uuid, user);
    }
    return found;
  }

  async byNiNumber(...[ni]: Parameters<UserRepository['byNiNumber']>) {
    return listOf(this.ctx, 'users', 'ni_number', ni, 'uuid');
  }

  async searchByName(...[q, page]: Parameters<UserRepository['searchByName']>) {
    const ctx = this.ctx;
    const where: string[] = [];
    const params: SqlValue[] = [];
    // The leading sort column's lower bound goes to pageOf as `start` (the cursor replaces it).
    const lead = q.family !== undefined ? 'family_key' : 'given_key';
    let start: { where: string; value: string } | undefined;
    const prefix = (column: string, value: string | undefined) => {
      if (value === undefined) return;
      const key = nameKey(value);
      if (column === lead) start = { where: `${column} >= ?`, value: key };
      else {
        where.push(`${column} >= ?`);
        params.push(key);
      }
      where.push(`${column} < ?`);
      params.push(prefixEnd(key));
    };
    prefix('family_key', q.family);
    prefix('given_key', q.given);
    if (q.dateOfBirth !== undefined) {
      where.push('dob = ?');
      params.push(q.dateOfBirth);
    }
    return q.family !== undefined
      ? pageOf(
          ctx,
          'users',
          where,
          params,
          ['family_key', 'given_key', 'uuid'],
          (u) => [nameKey(u.name.family), nameKey(u.name.given), u.uuid],
          page,
          start,
        )
      : pageOf(
          ctx,
          'users',
          where,
          params,
          ['given_key', 'family_key', 'uuid'],
          (u) => [nameKey(u.name.given), nameKey(u.name.family), u.uuid],
          page,
          start,
        );
  }
}

class SqlOrganisations extends SqlCrud<'organisations'> implements OrganisationRepository {
  // PostgreSQL only (see roundTripSavers): callers test for it.
  declare readonly ancestors?: NonNullable<OrganisationRepository['ancestors']>;
  constructor(ctx: SqlCtx) {
    super(ctx, 'organisations');
    const saver = roundTripSavers(ctx).organisations.ancestors;
    if (saver !== undefined) this.ancestors = saver;
  }

  async children(...[ods, page]: Parameters<OrganisationRepository['children']>) {
    return pageOf(
      this.ctx,
      'organisations',
      ['parent = ?'],
      [ods],
      ['ods_code'],
      (o) => [o.odsCode],
      page,
    );
  }

  async descendants(...[ods, page]: Parameters<OrganisationRepository['descendants']>) {
    const ctx = this.ctx;
    const t = ctx.q('organisations');
    const tree = `ods_code IN (WITH RECURSIVE below(code) AS (SELECT ods_code FROM ${t} WHERE parent = ? UNION SELECT o.ods_code FROM ${t} o JOIN below b ON o.parent = b.code) SELECT code FROM below) AND ods_code <> ?`;
    return pageOf(ctx, 'organisations', [tree], [ods, ods], ['ods_code'], (o) => [o.odsCode], page);
  }
}

class SqlPositions extends SqlCrud<'positions'> implements PositionRepository {
  // PostgreSQL only (see roundTripSavers): callers test for it.
  declare readonly heldBy?: NonNullable<PositionRepository['heldBy']>;
  constructor(ctx: SqlCtx) {
    super(ctx, 'positions');
    const saver = roundTripSavers(ctx).positions.heldBy;
    if (saver !== undefined) this.heldBy = saver;
  }

  async atOrganisation(...[ods, page]: Parameters<PositionRepository['atOrganisation']>) {
    return pageOf(this.ctx, 'positions', ['organisation = ?'], [ods], ['id'], byId, page);
  }
}

class SqlPositionAssignments
  extends SqlCrud<'positionAssignments'>
  implements PositionAssignmentRepository
{
  constructor(ctx: SqlCtx) {
    super(ctx, 'positionAssignments');
  }

  async activeForUser(...[user, date]: Parameters<PositionAssignmentRepository['activeForUser']>) {
    const ctx = this.ctx;
    ctx.live();
    const rows = await ctx.conn.all(
      `SELECT * FROM ${ctx.q('position_assignments')} WHERE user_uuid = ? AND ${ACTIVE_ON} ORDER BY start_date, id`,
      [user, date, date],
    );
    noteRows(ctx, 'positionAssignments', rows, ['user_uuid = ?', ACTIVE_ON], [user, date, date]);
    return rows.map((row) => fromRow('positionAssignments', row));
  }

  async historyForUser(
    ...[user, page]: Parameters<PositionAssignmentRepository['historyForUser']>
  ) {
    return pageOf(
      this.ctx,
      'positionAssignments',
      ['user_uuid = ?'],
      [user],
      ['start_date', 'id'],
      byStartId,
      page,
    );
  }

  async atOrganisation(
    ...[ods, options, page]: Parameters<PositionAssignmentRepository['atOrganisation']>
  ) {
    const ctx = this.ctx;
    const on = options?.activeOn;
    return on === undefined
      ? pageOf(ctx, 'positionAssignments', ['organisation = ?'], [ods], ['id'], byId, page)
      : pageOf(
          ctx,
          'positionAssignments',
          ['organisation = ?', ACTIVE_ON],
          [ods, on, on],
          ['id'],
          byId,
          page,
        );
  }

  async forPosition(...[position, page]: Parameters<PositionAssignmentRepository['forPosition']>) {
    return pageOf(
      this.ctx,
      'positionAssignments',
      ['position_id = ?'],
      [position],
      ['id'],
      byId,
      page,
    );
  }

  async organisationsOfUsers(
    ...[users]: Parameters<PositionAssignmentRepository['organisationsOfUsers']>
  ) {
    const ctx = this.ctx;
    ctx.live();
    const found = new Map<Uuid, Set<OdsCode>>(users.map((u) => [u, new Set()]));
    if (users.length > 0) {
      // Distinct and ordered here, not in SQL: a sort in the plan for a few rows per user.
      const where = `user_uuid IN (${users.map(() => '?').join(', ')})`;
      const rows = await ctx.conn.all(
        `SELECT id, version, user_uuid, organisation FROM ${ctx.q('position_assignments')} WHERE ${where}`,
        [...users],
      );
      noteRows(ctx, 'positionAssignments', rows, [where], [...users]);
      for (const row of rows) {
        found.get(String(row['user_uuid']) as Uuid)?.add(String(row['organisation']) as OdsCode);
      }
    }
    return new Map([...found].map(([user, codes]) => [user, [...codes].sort()]));
  }
}

/**
 * The repositories of one SQL transaction, unvalidated (wrap with `withValidation`). The
 * same SQL serves SQLite and PostgreSQL.
 *
 * @example
 * ```ts
 * const tx = withValidation(sqlTx({ conn, q, live }));
 * ```
 */
export function sqlTx(ctx: SqlCtx): StoreTx {
  return lazyTx({
    users: () => new SqlUsers(ctx),
    organisations: () => new SqlOrganisations(ctx),
    positions: () => new SqlPositions(ctx),
    positionAssignments: () => new SqlPositionAssignments(ctx),
    workgroups: () => ({
      ...crud('workgroups', ctx),
      atOrganisation: async (ods, page) =>
        pageOf(ctx, 'workgroups', ['organisation = ?'], [ods], ['id'], byId, page),
    }),
    workgroupAssignments: () => ({
      ...crud('workgroupAssignments', ctx),
      activeForUser: async (user, date) => {
        ctx.live();
        const rows = await ctx.conn.all(
          `SELECT * FROM ${ctx.q('workgroup_assignments')} WHERE user_uuid = ? AND ${ACTIVE_ON} ORDER BY start_date, id`,
          [user, date, date],
        );
        noteRows(
          ctx,
          'workgroupAssignments',
          rows,
          ['user_uuid = ?', ACTIVE_ON],
          [user, date, date],
        );
        return rows.map((row) => fromRow('workgroupAssignments', row));
      },
      historyForUser: async (user, page) =>
        pageOf(
          ctx,
          'workgroupAssignments',
          ['user_uuid = ?'],
          [user],
          ['start_date', 'id'],
          byStartId,
          page,
        ),
      forWorkgroup: async (workgroup, page) =>
        pageOf(ctx, 'workgroupAssignments', ['workgroup_id = ?'], [workgroup], ['id'], byId, page),
    }),
    smartcards: () => ({
      ...crud('smartcards', ctx),
      byHolder: async (holder) => listOf(ctx, 'smartcards', 'holder', holder, 'serial'),
    }),
    certificates: () => ({
      ...crud('certificates', ctx),
      byHolder: async (holder) => listOf(ctx, 'certificates', 'holder', holder, 'serial'),
      byCard: async (card) => listOf(ctx, 'certificates', 'card', card, 'serial'),
      expiring: async (query, page) => {
        const where = ['status = ?', 'not_after < ?'];
        const params: SqlValue[] = [query.status ?? 'active', query.before];
        // One lower bound on not_after: the cursor's when it is past `from`. Given two, the
        // planner seeks to `from` and filters every row before the cursor, page after page.
        const resumeAt =
          page?.cursor === undefined ? undefined : String(decodeCursor(page.cursor, 2)[0]);
        const from =
          resumeAt !== undefined && (query.from === undefined || resumeAt > query.from)
            ? resumeAt
            : query.from;
        if (from !== undefined) {
          where.push('not_after >= ?');
          params.push(from);
        }
        return pageOf(
          ctx,
          'certificates',
          where,
          params,
          ['not_after', 'serial'],
          (c) => [c.notAfter, c.serial],
          page,
        );
      },
    }),
    authenticators: () => ({
      ...crud('authenticators', ctx),
      byUser: async (user) => listOf(ctx, 'authenticators', 'user_uuid', user, 'id'),
    }),
    webAuthnCredentials: () => ({
      ...crud('webAuthnCredentials', ctx),
      byUser: async (user) => listOf(ctx, 'webAuthnCredentials', 'user_uuid', user, 'id'),
      byAuthenticator: async (id) =>
        listOf(ctx, 'webAuthnCredentials', 'authenticator_id', id, 'id'),
    }),
    webAuthnChallenges: () => {
      const table = ctx.q('webauthn_challenges');
      return {
        async get(challenge) {
          ctx.live();
          const rows = await ctx.conn.all(`SELECT doc, used_at FROM ${table} WHERE challenge = ?`, [
            challenge,
          ]);
          // Noted like a record read: a ceremony refused on what it read (a counter another
          // app server has just moved) runs again if the challenge was spent meanwhile, and
          // then says so (WEBAUTHN_CHALLENGE_USED) instead of naming the counter.
          ctx.conn.tracking?.noteRead({
            table: CHALLENGES,
            key: challenge,
            seen: rows.map((row) => [challenge, String(row['used_at'] ?? '')] as const),
            recheck: () => ({
              sql: `SELECT challenge AS k, COALESCE(used_at, '') AS v FROM ${table} WHERE challenge = ?`,
              params: [challenge],
            }),
          });
          return rows[0] === undefined ? undefined : challengeFromRow(rows[0]);
        },
        async insert(record) {
          ctx.live();
          const { usedAt, ...doc } = record;
          const changed = await ctx.conn.run(
            `INSERT INTO ${table} (challenge, expires_at, used_at, doc) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING`,
            [record.challenge, record.expiresAt, usedAt ?? null, JSON.stringify(doc)],
          );
          if (changed === 0) throw new DuplicateError('WebAuthn challenge', record.challenge);
          return record;
        },
        async consume(challenge, at) {
          ctx.live();
          // One statement: of two writers, only the one that finds it unspent changes a row.
          const changed = await ctx.conn.run(
            `UPDATE ${table} SET used_at = ? WHERE challenge = ? AND used_at IS NULL`,
            [at, challenge],
          );
          if (changed === 1) ctx.conn.tracking?.noteWrite(CHALLENGES, challenge);
          return changed === 1;
        },
        async purgeExpired(before) {
          ctx.live();
          return ctx.conn.run(`DELETE FROM ${table} WHERE expires_at < ?`, [before]);
        },
      };
    },
    requests: () => ({
      ...crud('requests', ctx),
      list: async (filter, page) => {
        const { where, params } = requestWhere(filter);
        return pageOf(
          ctx,
          'requests',
          where,
          params,
          ['created_at', 'id'],
          (r) => [r.createdAt, r.id],
          page,
        );
      },
    }),
    authorities: () => ({
      async get(role) {
        ctx.live();
        const rows = await ctx.conn.all(
          `SELECT role, der FROM ${ctx.q('ca_authorities')} WHERE role = ?`,
          [role],
        );
        noteAuthorities(ctx, rows, 'WHERE role = ?', [role]);
        return rows[0] === undefined ? undefined : authorityFromRow(rows[0]);
      },
      async list() {
        ctx.live();
        const rows = await ctx.conn.all(
          `SELECT role, der FROM ${ctx.q('ca_authorities')} ORDER BY role`,
        );
        noteAuthorities(ctx, rows, '', []);
        return rows.map(authorityFromRow);
      },
      async put(record) {
        ctx.live();
        await ctx.conn.run(
          `INSERT INTO ${ctx.q('ca_authorities')} (role, der) VALUES (?, ?) ON CONFLICT (role) DO UPDATE SET der = excluded.der`,
          [record.role, record.der],
        );
        ctx.conn.tracking?.noteWrite('ca_authorities', record.role);
        return { role: record.role, der: new Uint8Array(record.der) };
      },
    }),
    counters: () => ({
      async next(name) {
        ctx.live();
        // One statement: the upsert locks the counter's row, so on PostgreSQL (READ COMMITTED)
        // a concurrent increment waits and then counts on from the committed value.
        const rows = await ctx.conn.all(
          `INSERT INTO ${ctx.q('counters')} AS c (name, value) VALUES (?, 1) ON CONFLICT (name) DO UPDATE SET value = c.value + 1 RETURNING CAST(value AS TEXT) AS value`,
          [name],
        );
        ctx.conn.tracking?.noteWrite('counters', name);
        return counterValue(rows);
      },
      async current(name) {
        ctx.live();
        const rows = await ctx.conn.all(
          `SELECT CAST(value AS TEXT) AS value FROM ${ctx.q('counters')} WHERE name = ?`,
          [name],
        );
        ctx.conn.tracking?.noteRead({
          table: 'counters',
          seen: rows.map((row) => [name, String(row['value'])] as const),
          recheck: () => ({
            sql: `SELECT name AS k, CAST(value AS TEXT) AS v FROM ${ctx.q('counters')} WHERE name = ?`,
            params: [name],
          }),
        });
        return counterValue(rows);
      },
    }),
    audit: () => ({
      append: (event) => appendAudit(ctx, event),
      async head() {
        ctx.live();
        const rows = await ctx.conn.all(
          `SELECT seq, hash FROM ${ctx.q('audit_head')} WHERE id = 1`,
        );
        ctx.conn.tracking?.noteRead({
          table: 'audit_head',
          seen: rows.map((row) => ['1', String(row['seq'])] as const),
          recheck: () => ({
            sql: `SELECT CAST(id AS text) AS k, CAST(seq AS text) AS v FROM ${ctx.q('audit_head')} WHERE id = 1`,
            params: [],
          }),
        });
        return { seq: Number(rows[0]?.['seq']), hash: String(rows[0]?.['hash']) };
      },
      async read(page) {
        ctx.live();
        const limit = pageLimit(page);
        const after = decodeSeqCursor(page?.cursor);
        const rows = await ctx.conn.all(
          `SELECT seq, at, prev_hash, hash, event FROM ${ctx.q('audit_log')} WHERE seq > ? ORDER BY seq LIMIT ${limit + 1}`,
          [after],
        );
        // Records never change: the check is that the same sequence numbers are there.
        ctx.conn.tracking?.noteRead({
          table: 'audit_log',
          seen: rows.map((row) => [String(row['seq']), ''] as const),
          limit: limit + 1,
          recheck: (own, lim) => ({
            sql: `SELECT CAST(seq AS text) AS k, '' AS v FROM ${ctx.q('audit_log')} WHERE seq > ?${own.length === 0 ? '' : ` AND seq NOT IN (${own.map(() => '?').join(', ')})`} ORDER BY seq LIMIT ${lim ?? limit + 1}`,
            params: [after, ...own],
          }),
        });
        const records: AuditRecord[] = rows.map((row) => ({
          seq: Number(row['seq']),
          at: String(row['at']) as AuditRecord['at'],
          event: JSON.parse(String(row['event'])) as AuditEvent,
          prevHash: String(row['prev_hash']),
          hash: String(row['hash']),
        }));
        return toPage(records, limit, (r) => [r.seq]);
      },
    }),
  });
}
