import type { WebAuthnChallenge } from '../../domain/index.js';
import { kindSpecs } from '../kinds.js';
import type { RecordKind, RecordTypes } from '../ports.js';
import { nameKey } from '../queries.js';
import type { AuditRecord, AuthorityCertificateRecord } from '../records.js';
import { type IndexParts, MemTable } from './table.js';

type Indexes<K extends RecordKind> = Readonly<Record<string, IndexParts<RecordTypes[K]>>>;

// The same indexes the SQL adapters create, so each query reads only what it returns.
const indexes: { readonly [K in RecordKind]: Indexes<K> } = {
  users: {
    ni: (u) => (u.niNumber === undefined ? undefined : [u.niNumber]),
    family: (u) => [nameKey(u.name.family), nameKey(u.name.given)],
    given: (u) => [nameKey(u.name.given), nameKey(u.name.family)],
  },
  organisations: { parent: (o) => (o.parent === undefined ? undefined : [o.parent]) },
  positions: { organisation: (p) => [p.organisation] },
  positionAssignments: {
    user: (a) => [a.user, a.start],
    organisation: (a) => [a.organisation],
    position: (a) => [a.position],
  },
  workgroups: { organisation: (w) => [w.organisation] },
  workgroupAssignments: { user: (a) => [a.user, a.start], workgroup: (a) => [a.workgroup] },
  smartcards: { holder: (c) => (c.holder === undefined ? undefined : [c.holder]) },
  certificates: {
    holder: (c) => (c.holder === undefined ? undefined : [c.holder]),
    card: (c) => (c.card === undefined ? undefined : [c.card]),
    expiry: (c) => [c.status, c.notAfter],
  },
  authenticators: { user: (a) => [a.user] },
  webAuthnCredentials: { user: (c) => [c.user], authenticator: (c) => [c.authenticator] },
  requests: {
    created: (r) => [r.createdAt],
    state: (r) => [r.state, r.createdAt],
    kind: (r) => [r.kind, r.createdAt],
    organisation: (r) => [r.organisation, r.createdAt],
    requestedBy: (r) => [r.requestedBy, r.createdAt],
    subject: (r) => (r.subject === undefined ? undefined : [r.subject, r.createdAt]),
  },
};

/** Every table of a memory store, and its audit log. */
export type MemoryTables = { readonly [K in RecordKind]: MemTable<RecordTypes[K]> };

/** A named counter's row. */
export interface CounterRow {
  /** The counter's name. */
  readonly name: string;
  /** Its last value. */
  readonly value: bigint;
}

/** The whole state of a memory store. */
export interface MemoryState {
  /** One table per kind of record. */
  readonly tables: MemoryTables;
  /** The CA hierarchy's certificates, by role. */
  readonly authorities: MemTable<AuthorityCertificateRecord>;
  /** Named counters, by name. */
  readonly counters: MemTable<CounterRow>;
  /** WebAuthn challenges, by challenge, indexed by expiry. */
  readonly challenges: MemTable<WebAuthnChallenge>;
  /** The audit log; record `seq` is at index `seq - 1`. */
  readonly audit: AuditRecord[];
}

function table<K extends RecordKind>(kind: K): MemTable<RecordTypes[K]> {
  return new MemTable(kindSpecs[kind].key, indexes[kind]);
}

/**
 * An empty memory store state.
 *
 * @example
 * ```ts
 * const state = emptyState();
 * ```
 */
export function emptyState(): MemoryState {
  return {
    tables: {
      users: table('users'),
      organisations: table('organisations'),
      positions: table('positions'),
      positionAssignments: table('positionAssignments'),
      workgroups: table('workgroups'),
      workgroupAssignments: table('workgroupAssignments'),
      smartcards: table('smartcards'),
      certificates: table('certificates'),
      authenticators: table('authenticators'),
      webAuthnCredentials: table('webAuthnCredentials'),
      requests: table('requests'),
    },
    authorities: new MemTable<AuthorityCertificateRecord>((a) => a.role, {}),
    counters: new MemTable<CounterRow>((c) => c.name, {}),
    challenges: new MemTable<WebAuthnChallenge>((c) => c.challenge, {
      expiry: (c) => [c.expiresAt],
    }),
    audit: [],
  };
}
