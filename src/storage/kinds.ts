import type { z } from 'zod';
import {
  authenticatorSchema,
  positionAssignmentSchema,
  positionSchema,
  requestSchema,
  smartcardSchema,
  userProfileSchema,
  webAuthnCredentialSchema,
  workgroupAssignmentSchema,
  workgroupSchema,
} from '../domain/index.js';
import { parseWith } from '../errors/parse.js';
import type { RecordKind, RecordTypes } from './ports.js';
import { certificateRecordSchema, storedOrganisationSchema } from './records.js';

/** How the store handles one kind of record: its key and its schema. */
export interface KindSpec<R> {
  /** The name of the kind in errors (`user`, `smartcard`, …). */
  readonly label: string;
  /** The record's primary key. */
  readonly key: (record: R) => string;
  /** The record's schema. */
  readonly schema: z.ZodType;
  /**
   * Validates a record at the store's boundary; a record {@link validRecord} made for this
   * kind is passed through unparsed.
   */
  readonly parse: (input: unknown) => R;
}

// Records that {@link validRecord} parsed with their kind's schema and deeply froze, by
// kind. The store's boundary does not parse them again: they are that schema's own output
// and cannot have changed since. A host-built object is never in here (the map is private
// to this module), nor is a copy of a record (`{ ...user, status }` is a new object).
// Measured with the RA bench: the second parse was about a fifth of a SQLite command.
const parsedRecords = new WeakMap<object, RecordKind>();

/**
 * Freezes a parsed record and everything in it, when it is plain data (plain objects,
 * arrays, primitives); returns false, freezing nothing, otherwise (a typed array cannot be
 * frozen, so such a record is parsed again at the store).
 */
function deepFreeze(value: unknown): boolean {
  const pending: object[] = [];
  const visit = (v: unknown): boolean => {
    if (v === null || typeof v !== 'object') return typeof v !== 'function';
    const proto = Object.getPrototypeOf(v);
    if (!Array.isArray(v) && proto !== Object.prototype && proto !== null) return false;
    pending.push(v);
    for (const inner of Object.values(v)) if (!visit(inner)) return false;
    return true;
  };
  if (!visit(value)) return false;
  for (const v of pending) Object.freeze(v);
  return true;
}

function spec<R>(
  kind: RecordKind,
  label: string,
  schema: z.ZodType,
  key: (r: R) => string,
): KindSpec<R> {
  return {
    label,
    key,
    schema,
    parse: (input) =>
      typeof input === 'object' && input !== null && parsedRecords.get(input) === kind
        ? (input as R)
        : (parseWith(schema, input, label) as R),
  };
}

/** Every kind of record the store keeps, in the order a bulk load of a whole RA would use. */
export const recordKinds = [
  'organisations',
  'users',
  'positions',
  'workgroups',
  'positionAssignments',
  'workgroupAssignments',
  'smartcards',
  'certificates',
  'authenticators',
  'webAuthnCredentials',
  'requests',
] as const satisfies readonly RecordKind[];

/** The key and schema of every kind of record. */
export const kindSpecs: { readonly [K in RecordKind]: KindSpec<RecordTypes[K]> } = {
  users: spec('users', 'user', userProfileSchema, (r) => r.uuid),
  organisations: spec('organisations', 'organisation', storedOrganisationSchema, (r) => r.odsCode),
  positions: spec('positions', 'position', positionSchema, (r) => r.id),
  positionAssignments: spec(
    'positionAssignments',
    'position assignment',
    positionAssignmentSchema,
    (r) => r.id,
  ),
  workgroups: spec('workgroups', 'workgroup', workgroupSchema, (r) => r.id),
  workgroupAssignments: spec(
    'workgroupAssignments',
    'workgroup assignment',
    workgroupAssignmentSchema,
    (r) => r.id,
  ),
  smartcards: spec('smartcards', 'smartcard', smartcardSchema, (r) => r.serial),
  certificates: spec('certificates', 'certificate', certificateRecordSchema, (r) => r.serial),
  authenticators: spec('authenticators', 'authenticator', authenticatorSchema, (r) => r.id),
  webAuthnCredentials: spec(
    'webAuthnCredentials',
    'WebAuthn credential',
    webAuthnCredentialSchema,
    (r) => r.id,
  ),
  requests: spec('requests', 'request', requestSchema, (r) => r.id),
};

/**
 * Parses a record of `kind` with the schema the store validates it with, and deeply
 * freezes the result, so the store's boundary takes it without parsing it again. Use it
 * where a use case builds a record to write.
 *
 * @throws VALIDATION naming the offending field (as `what`, default the kind's label).
 * @example
 * ```ts
 * const profile = validRecord('users', { uuid, name, ... }, 'user profile');
 * await tx.users.insert(profile);
 * ```
 */
export function validRecord<K extends RecordKind>(
  kind: K,
  input: unknown,
  what: string = kindSpecs[kind].label,
): RecordTypes[K] {
  const record = parseWith(kindSpecs[kind].schema, input, what) as RecordTypes[K];
  if (typeof record === 'object' && record !== null && deepFreeze(record)) {
    parsedRecords.set(record, kind);
  }
  return record;
}
