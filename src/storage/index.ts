/**
 * Storage ports and the default in-memory store: `Store.transaction(fn)` over the RA's
 * repositories and its hash-chained audit log.
 *
 * @packageDocumentation
 */
export {
  type AuditBreak,
  type AuditVerification,
  assertAuditIntact,
  auditHash,
  type VerifyAuditOptions,
  verifyAudit,
} from './audit-chain.js';
export {
  type AuditCheckpoint,
  type AuditCheckpointOptions,
  auditCheckpointSchema,
  type CheckpointedStore,
  type CheckpointKey,
  type CheckpointSink,
  checkpointIsAuthentic,
  type ExportableSecretKey,
  memoryCheckpointSink,
  signCheckpoint,
  withAuditCheckpoints,
} from './audit-checkpoints.js';
export { storeCaRepository } from './ca-repository.js';
export { canonicalJson } from './canonical.js';
export {
  AuditBrokenError,
  ConflictError,
  DuplicateError,
  NotFoundError,
  StoreUnavailableError,
} from './errors.js';
export { recordKinds } from './kinds.js';
export { memoryStore } from './memory/memory-store.js';
export {
  DEFAULT_PAGE_SIZE,
  MAX_PAGE_SIZE,
  type Page,
  type PageRequest,
} from './paging.js';
export type {
  AuditLog,
  AuthenticatorRepository,
  AuthorityRepository,
  BulkLoadResult,
  BulkSource,
  CertificateRepository,
  CounterRepository,
  OrganisationRepository,
  PositionAssignmentRepository,
  PositionRepository,
  RecordKind,
  RecordTypes,
  Repository,
  RequestRepository,
  SmartcardRepository,
  Store,
  StoreTx,
  UserRepository,
  WebAuthnChallengeRepository,
  WebAuthnCredentialRepository,
  WorkgroupAssignmentRepository,
  WorkgroupRepository,
} from './ports.js';
export {
  closedAt,
  type ExpiringQuery,
  type NameQuery,
  nameKey,
  type RequestFilter,
} from './queries.js';
export {
  type AuditHead,
  type AuditRecord,
  type AuthorityCertificateRecord,
  authorityCertificateRecordSchema,
  authorityRoles,
  type CertificateRecord,
  certificateRecordSchema,
  counterNameSchema,
  GENESIS_HASH,
  type StoredOrganisation,
} from './records.js';
