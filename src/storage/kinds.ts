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
  /** Validates a record at the store's boundary. */
  readonly parse: (input: unknown) => R;
}

function spec<R>(label: string, schema: z.ZodType, key: (r: R) => string): KindSpec<R> {
  return { label, key, parse: (input) => parseWith(schema, input, label) as R };
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
  users: spec('user', userProfileSchema, (r) => r.uuid),
  organisations: spec('organisation', storedOrganisationSchema, (r) => r.odsCode),
  positions: spec('position', positionSchema, (r) => r.id),
  positionAssignments: spec('position assignment', positionAssignmentSchema, (r) => r.id),
  workgroups: spec('workgroup', workgroupSchema, (r) => r.id),
  workgroupAssignments: spec('workgroup assignment', workgroupAssignmentSchema, (r) => r.id),
  smartcards: spec('smartcard', smartcardSchema, (r) => r.serial),
  certificates: spec('certificate', certificateRecordSchema, (r) => r.serial),
  authenticators: spec('authenticator', authenticatorSchema, (r) => r.id),
  webAuthnCredentials: spec('WebAuthn credential', webAuthnCredentialSchema, (r) => r.id),
  requests: spec('request', requestSchema, (r) => r.id),
};
