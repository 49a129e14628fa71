import type { RecordKind, RecordTypes } from '../ports.js';
import { closedAt, nameKey } from '../queries.js';
import type { SqlColumn, SqlRow, SqlValue } from './conn.js';

/** How one kind of record maps onto a SQL table: key, indexed columns, JSON document. */
export interface TableDef<R> {
  /** Table name (unqualified). */
  readonly table: string;
  /** The columns other than `doc` and `version`; the first is the primary key. */
  readonly columns: readonly SqlColumn[];
  /** The values of `columns` for a record. */
  readonly values: (record: R) => SqlValue[];
  /** Secondary indexes, by name, as column lists. */
  readonly indexes: Readonly<Record<string, readonly string[]>>;
}

const text = (name: string, nullable = false): SqlColumn => ({ name, type: 'text', nullable });
const opt = (v: string | undefined): string | null => v ?? null;

/** The table of every kind of record. */
export const tableDefs: { readonly [K in RecordKind]: TableDef<RecordTypes[K]> } = {
  users: {
    table: 'users',
    columns: [
      text('uuid'),
      text('ni_number', true),
      text('family_key'),
      text('given_key'),
      text('dob'),
    ],
    values: (u) => [
      u.uuid,
      opt(u.niNumber),
      nameKey(u.name.family),
      nameKey(u.name.given),
      u.dateOfBirth,
    ],
    indexes: {
      users_ni: ['ni_number', 'uuid'],
      users_family: ['family_key', 'given_key', 'uuid'],
      users_given: ['given_key', 'family_key', 'uuid'],
      users_dob: ['dob', 'family_key', 'given_key', 'uuid'],
    },
  },
  organisations: {
    table: 'organisations',
    columns: [text('ods_code'), text('parent', true)],
    values: (o) => [o.odsCode, opt(o.parent)],
    indexes: { organisations_parent: ['parent', 'ods_code'] },
  },
  positions: {
    table: 'positions',
    columns: [text('id'), text('organisation')],
    values: (p) => [p.id, p.organisation],
    indexes: { positions_organisation: ['organisation', 'id'] },
  },
  positionAssignments: {
    table: 'position_assignments',
    columns: [
      text('id'),
      text('user_uuid'),
      text('organisation'),
      text('position_id'),
      text('start_date'),
      text('end_date', true),
      { name: 'removed', type: 'int' },
    ],
    values: (a) => [
      a.id,
      a.user,
      a.organisation,
      a.position,
      a.start,
      opt(a.end),
      a.removed === undefined ? 0 : 1,
    ],
    indexes: {
      position_assignments_user: ['user_uuid', 'start_date', 'id'],
      position_assignments_organisation: ['organisation', 'id'],
      position_assignments_position: ['position_id', 'id'],
    },
  },
  workgroups: {
    table: 'workgroups',
    columns: [text('id'), text('organisation')],
    values: (w) => [w.id, w.organisation],
    indexes: { workgroups_organisation: ['organisation', 'id'] },
  },
  workgroupAssignments: {
    table: 'workgroup_assignments',
    columns: [
      text('id'),
      text('user_uuid'),
      text('workgroup_id'),
      text('start_date'),
      text('end_date', true),
      { name: 'removed', type: 'int' },
    ],
    values: (a) => [
      a.id,
      a.user,
      a.workgroup,
      a.start,
      opt(a.end),
      a.removed === undefined ? 0 : 1,
    ],
    indexes: {
      workgroup_assignments_user: ['user_uuid', 'start_date', 'id'],
      workgroup_assignments_workgroup: ['workgroup_id', 'id'],
    },
  },
  smartcards: {
    table: 'smartcards',
    columns: [text('serial'), text('holder', true)],
    values: (c) => [c.serial, opt(c.holder)],
    indexes: { smartcards_holder: ['holder', 'serial'] },
  },
  certificates: {
    table: 'certificates',
    columns: [
      text('serial'),
      // Nullable since schema version 7: a PIV content signer's certificate has no holder.
      text('holder', true),
      text('card', true),
      text('not_after'),
      text('status'),
      { name: 'der', type: 'blob' },
    ],
    values: (c) => [c.serial, opt(c.holder), opt(c.card), c.notAfter, c.status, c.der],
    indexes: {
      certificates_holder: ['holder', 'serial'],
      certificates_card: ['card', 'serial'],
      certificates_expiry: ['status', 'not_after', 'serial'],
    },
  },
  authenticators: {
    table: 'authenticators',
    columns: [text('id'), text('user_uuid')],
    values: (a) => [a.id, a.user],
    indexes: { authenticators_user: ['user_uuid', 'id'] },
  },
  webAuthnCredentials: {
    table: 'webauthn_credentials',
    columns: [text('id'), text('user_uuid'), text('authenticator_id')],
    values: (c) => [c.id, c.user, c.authenticator],
    indexes: {
      webauthn_credentials_user: ['user_uuid', 'id'],
      webauthn_credentials_authenticator: ['authenticator_id', 'id'],
    },
  },
  requests: {
    table: 'requests',
    columns: [
      text('id'),
      text('state'),
      text('kind'),
      text('organisation'),
      text('requested_by'),
      text('subject', true),
      text('created_at'),
      text('closed_at', true),
    ],
    values: (r) => [
      r.id,
      r.state,
      r.kind,
      r.organisation,
      r.requestedBy,
      opt(r.subject),
      r.createdAt,
      opt(closedAt(r)),
    ],
    indexes: {
      requests_created: ['created_at', 'id'],
      requests_state: ['state', 'created_at', 'id'],
      requests_kind: ['kind', 'created_at', 'id'],
      requests_organisation: ['organisation', 'created_at', 'id'],
      requests_requested_by: ['requested_by', 'created_at', 'id'],
      requests_subject: ['subject', 'created_at', 'id'],
    },
  },
};

/**
 * The columns of a row as written: the table's columns, then `doc` and `version`.
 *
 * @example
 * ```ts
 * rowColumns(tableDefs.users).map((c) => c.name) // ['uuid', …, 'doc', 'version']
 * ```
 */
export function rowColumns(def: TableDef<unknown>): SqlColumn[] {
  return [...def.columns, text('doc'), { name: 'version', type: 'int' }];
}

/**
 * The values of a record's row, in {@link rowColumns} order.
 *
 * @example
 * ```ts
 * await conn.run(insertSql, rowValues('users', user));
 * ```
 */
export function rowValues<K extends RecordKind>(kind: K, record: RecordTypes[K]): SqlValue[] {
  const def = tableDefs[kind] as TableDef<RecordTypes[K]>;
  const { version, ...rest } = record as RecordTypes[K] & { der?: unknown };
  if (kind === 'certificates') delete rest.der;
  return [...def.values(record), JSON.stringify(rest), version];
}

/**
 * The record a row holds: its JSON document, its version and (certificates) its DER bytes.
 *
 * @example
 * ```ts
 * const user = fromRow('users', row);
 * ```
 */
export function fromRow<K extends RecordKind>(kind: K, row: SqlRow): RecordTypes[K] {
  const doc = JSON.parse(String(row['doc'])) as Record<string, unknown>;
  doc['version'] = Number(row['version']);
  // A card written before the certificates repository became its only record of
  // certificates carries a stale `certificates` list; it loads without it.
  if (kind === 'smartcards') delete doc['certificates'];
  if (kind === 'certificates') {
    const der = row['der'] as Uint8Array;
    doc['der'] = new Uint8Array(der.buffer.slice(der.byteOffset, der.byteOffset + der.byteLength));
  }
  return doc as RecordTypes[K];
}
