import type {
  AssignmentId,
  AuditEvent,
  Authenticator,
  AuthenticatorId,
  CardSerial,
  IsoDate,
  IsoDateTime,
  NiNumber,
  OdsCode,
  Position,
  PositionAssignment,
  PositionId,
  Request,
  RequestId,
  Smartcard,
  UserProfile,
  Uuid,
  WebAuthnChallenge,
  WebAuthnCredential,
  Workgroup,
  WorkgroupAssignment,
  WorkgroupId,
} from '../domain/index.js';
import type { Page, PageRequest } from './paging.js';
import type { ExpiringQuery, NameQuery, RequestFilter } from './queries.js';
import type {
  AuditHead,
  AuditRecord,
  AuthorityCertificateRecord,
  CertificateRecord,
  StoredOrganisation,
} from './records.js';

/**
 * What every repository does with its records: read by key, insert, update with
 * optimistic concurrency. Records are plain readonly values; the store never hands out a
 * reference it will change later.
 */
export interface Repository<R extends { readonly version: number }, K extends string> {
  /** The record with this key, or `undefined`. */
  get(key: K): Promise<R | undefined>;
  /**
   * Inserts a new record, stored with the `version` it carries (new records use 0).
   *
   * @throws VALIDATION when the record does not match its schema.
   * @throws DUPLICATE when the key is taken (ID-05 UUIDs, card serials, every id).
   */
  insert(record: R): Promise<R>;
  /**
   * Replaces the record whose key and `version` match; stores and returns it with
   * `version + 1`.
   *
   * @throws VALIDATION when the record does not match its schema.
   * @throws NOT_FOUND when no record has this key.
   * @throws CONFLICT when the stored version is not `record.version` (a lost race).
   */
  update(record: R): Promise<R>;
}

/** User profiles, by UUID (ID-05), with the lookups of the duplicate check (ID-06). */
export interface UserRepository extends Repository<UserProfile, Uuid> {
  /**
   * The profiles with these UUIDs, in one query: what a listing needs to show the users of
   * a page of records without a query per row. UUIDs with no profile are not keys of the
   * result; a UUID asked for twice is read once.
   *
   * @throws VALIDATION when a UUID is malformed or more than 1000 are asked for at once.
   * @example
   * ```ts
   * const users = await tx.users.getMany(page.items.map((a) => a.user));
   * ```
   */
  getMany(uuids: readonly Uuid[]): Promise<ReadonlyMap<Uuid, UserProfile>>;
  /** ID-06: profiles with this NI number (normally none or one), by UUID. */
  byNiNumber(niNumber: NiNumber): Promise<readonly UserProfile[]>;
  /**
   * ID-06: profiles whose family and/or given name start with the given prefixes (any
   * case), optionally born on a date. Ordered by family name, given name, UUID (by given
   * name first when no family name is given), case-folded, in code-point order.
   *
   * @throws VALIDATION when neither name is given or the cursor is not this query's.
   */
  searchByName(query: NameQuery, page?: PageRequest): Promise<Page<UserProfile>>;
}

/** Organisations by ODS code, and the hierarchy below them (ROLE-02). */
export interface OrganisationRepository extends Repository<StoredOrganisation, OdsCode> {
  /** Organisations whose parent is `odsCode`, by ODS code. */
  children(odsCode: OdsCode, page?: PageRequest): Promise<Page<StoredOrganisation>>;
  /** Every organisation below `odsCode` at any depth (not itself), by ODS code. */
  descendants(odsCode: OdsCode, page?: PageRequest): Promise<Page<StoredOrganisation>>;
  /**
   * ROLE-02: the organisation and the ones above it on record, nearest first, in one read:
   * its parent, its parent's parent, and so on, stopping at an organisation not on record,
   * at one already listed (a cycle) or after 32. Empty when `odsCode` is not on record.
   * Optional: without it, callers read the chain one `get` at a time.
   */
  ancestors?(odsCode: OdsCode): Promise<StoredOrganisation[]>;
}

/** Positions by id. */
export interface PositionRepository extends Repository<Position, PositionId> {
  /** Positions of an organisation, by id. */
  atOrganisation(odsCode: OdsCode, page?: PageRequest): Promise<Page<Position>>;
  /**
   * Every position on record that `user` has an assignment to, of any dates, removed ones
   * included, by id, in one read (an actor's roles come from them). Optional: without it,
   * callers read each assignment's position with `get`.
   */
  heldBy?(user: Uuid): Promise<Position[]>;
}

/** Position assignments, active ones decided from dates at read time (ASG-02). */
export interface PositionAssignmentRepository extends Repository<PositionAssignment, AssignmentId> {
  /** ASG-02: a user's assignments active on `date` (start <= date < end, not removed), by start, id. */
  activeForUser(user: Uuid, date: IsoDate): Promise<readonly PositionAssignment[]>;
  /** ASG-04: all of a user's assignments, expired and removed ones too, by start, id. */
  historyForUser(user: Uuid, page?: PageRequest): Promise<Page<PositionAssignment>>;
  /** Assignments at an organisation (only those active on `activeOn` if given), by id. */
  atOrganisation(
    odsCode: OdsCode,
    options?: { readonly activeOn?: IsoDate | undefined },
    page?: PageRequest,
  ): Promise<Page<PositionAssignment>>;
  /** POS-04: all assignments of a position, by id. */
  forPosition(position: PositionId, page?: PageRequest): Promise<Page<PositionAssignment>>;
  /**
   * ROLE-02, ASG-04: for each user, the organisations where they hold or held a position
   * (expired and removed assignments too), in one query for the whole list: what a search
   * needs to scope a page of users without a query per user. Every user asked for is a key
   * of the result (an empty list when they never held a position), codes in order.
   *
   * @throws VALIDATION when a UUID is malformed or more than 1000 are asked for at once.
   * @example
   * ```ts
   * const at = await tx.positionAssignments.organisationsOfUsers(page.items.map((u) => u.uuid));
   * ```
   */
  organisationsOfUsers(users: readonly Uuid[]): Promise<ReadonlyMap<Uuid, readonly OdsCode[]>>;
}

/** Workgroups by id (WG-01). */
export interface WorkgroupRepository extends Repository<Workgroup, WorkgroupId> {
  /** Workgroups of an organisation, by id. */
  atOrganisation(odsCode: OdsCode, page?: PageRequest): Promise<Page<Workgroup>>;
}

/** Workgroup assignments (WG-01), with the same date rules as positions (ASG-02, ASG-04). */
export interface WorkgroupAssignmentRepository
  extends Repository<WorkgroupAssignment, AssignmentId> {
  /** ASG-02: a user's workgroup assignments active on `date`, by start, id. */
  activeForUser(user: Uuid, date: IsoDate): Promise<readonly WorkgroupAssignment[]>;
  /** ASG-04: all of a user's workgroup assignments, by start, id. */
  historyForUser(user: Uuid, page?: PageRequest): Promise<Page<WorkgroupAssignment>>;
  /** All assignments of a workgroup, by id. */
  forWorkgroup(workgroup: WorkgroupId, page?: PageRequest): Promise<Page<WorkgroupAssignment>>;
}

/** Smartcards by serial (unique). */
export interface SmartcardRepository extends Repository<Smartcard, CardSerial> {
  /** The cards a user holds or held, by serial. */
  byHolder(holder: Uuid): Promise<readonly Smartcard[]>;
}

/** Issued certificates by serial (hex); the backing of the PKI's certificate repository. */
export interface CertificateRepository extends Repository<CertificateRecord, string> {
  /** A user's certificates, by serial. */
  byHolder(holder: Uuid): Promise<readonly CertificateRecord[]>;
  /** The certificates of a card, by serial. */
  byCard(card: CardSerial): Promise<readonly CertificateRecord[]>;
  /**
   * REP-01: certificates whose `notAfter` is in `[from, before)` with a status (default
   * `active`), by `notAfter`, serial.
   *
   * @throws VALIDATION when the query or cursor is malformed.
   */
  expiring(query: ExpiringQuery, page?: PageRequest): Promise<Page<CertificateRecord>>;
}

/** Non-smartcard authenticators by id (AUTH-01, AUTH-02). */
export interface AuthenticatorRepository extends Repository<Authenticator, AuthenticatorId> {
  /** A user's authenticators (removed ones too), by id. */
  byUser(user: Uuid): Promise<readonly Authenticator[]>;
}

/** AUTH-03: WebAuthn credentials by credential ID (base64url). */
export interface WebAuthnCredentialRepository extends Repository<WebAuthnCredential, string> {
  /** A user's credentials (removed ones too), by credential ID. */
  byUser(user: Uuid): Promise<readonly WebAuthnCredential[]>;
  /** The credentials of an authenticator record (normally one), by credential ID. */
  byAuthenticator(authenticator: AuthenticatorId): Promise<readonly WebAuthnCredential[]>;
}

/**
 * AUTH-03: WebAuthn challenges, single use and with an expiry, kept in the store so every
 * application server sharing it can verify a response to a challenge another one issued.
 */
export interface WebAuthnChallengeRepository {
  /** The challenge record, spent or not, or `undefined`. */
  get(challenge: string): Promise<WebAuthnChallenge | undefined>;
  /**
   * Stores a new challenge.
   *
   * @throws VALIDATION when the record does not match its schema.
   * @throws DUPLICATE when the challenge is already stored.
   */
  insert(record: WebAuthnChallenge): Promise<WebAuthnChallenge>;
  /**
   * Spends the challenge at `at`, in one statement: `true` when this call spent it,
   * `false` when it was already spent or is not stored. Of two transactions spending the
   * same challenge, only one gets `true` (replay refused).
   *
   * @throws VALIDATION when the challenge or instant is malformed.
   */
  consume(challenge: string, at: IsoDateTime): Promise<boolean>;
  /**
   * Deletes every challenge that expired before `before`, spent or not; returns how many.
   *
   * @throws VALIDATION when the instant is malformed.
   */
  purgeExpired(before: IsoDateTime): Promise<number>;
}

/** Requests by id (REQ-01..REQ-04). */
export interface RequestRepository extends Repository<Request, RequestId> {
  /**
   * Requests matching every field of the filter, by creation time, id.
   *
   * @throws VALIDATION when the filter or cursor is malformed.
   */
  list(filter?: RequestFilter, page?: PageRequest): Promise<Page<Request>>;
}

/**
 * The CA hierarchy's own certificates, one per role (root, issuing CA, OCSP responder): the
 * backing of the PKI's `loadAuthorities` and `saveAuthority`.
 */
export interface AuthorityRepository {
  /**
   * The certificate stored for `role`, or `undefined`.
   *
   * @throws VALIDATION when `role` is not `root`, `issuing` or `ocsp`.
   */
  get(role: AuthorityCertificateRecord['role']): Promise<AuthorityCertificateRecord | undefined>;
  /** Every stored authority certificate (at most one per role), by role. */
  list(): Promise<readonly AuthorityCertificateRecord[]>;
  /**
   * Stores the certificate for its role, replacing the one stored before (the PKI re-issues
   * the short-lived OCSP responder certificate before it lapses).
   *
   * @throws VALIDATION when the record does not match its schema.
   */
  put(record: AuthorityCertificateRecord): Promise<AuthorityCertificateRecord>;
}

/**
 * Named counters that only go up, such as the CRL number (RFC 5280 §5.2.3). An increment
 * belongs to its transaction: rolled back with it, and never handed to two transactions.
 */
export interface CounterRepository {
  /**
   * Increments the counter and returns its new value (1 the first time). Concurrent
   * transactions never get the same value: SQLite and memory run write transactions one at
   * a time, and on PostgreSQL the increment locks the counter's row until COMMIT, so a
   * concurrent one waits and then counts on from the value committed.
   *
   * @throws VALIDATION when the name is malformed.
   * @throws CONFLICT when PostgreSQL could not serialise the increment within its retries.
   */
  next(name: string): Promise<bigint>;
  /**
   * The counter's last value, `0n` when it was never incremented.
   *
   * @throws VALIDATION when the name is malformed.
   */
  current(name: string): Promise<bigint>;
}

/** AUD-01: the append-only, hash-chained audit log. */
export interface AuditLog {
  /**
   * Appends an event, chained to the last record, in the current transaction: if the
   * transaction fails the record is gone with the change it describes.
   *
   * @throws VALIDATION when the event does not match the schema, is not plain JSON, or
   * names a secret (AUD-02).
   */
  append(event: AuditEvent): Promise<AuditRecord>;
  /** The last link of the chain. */
  head(): Promise<AuditHead>;
  /** Records in sequence order. */
  read(page?: PageRequest): Promise<Page<AuditRecord>>;
}

/**
 * The repositories and audit log of one transaction. Valid only inside its `fn`: used
 * afterwards, every call fails with STORE_UNAVAILABLE.
 *
 * @example
 * ```ts
 * await store.transaction((tx) => tx.positionAssignments.activeForUser(uuid, today));
 * ```
 */
export interface StoreTx {
  /** User profiles. */
  readonly users: UserRepository;
  /** Organisations. */
  readonly organisations: OrganisationRepository;
  /** Positions. */
  readonly positions: PositionRepository;
  /** Position assignments. */
  readonly positionAssignments: PositionAssignmentRepository;
  /** Workgroups. */
  readonly workgroups: WorkgroupRepository;
  /** Workgroup assignments. */
  readonly workgroupAssignments: WorkgroupAssignmentRepository;
  /** Smartcards. */
  readonly smartcards: SmartcardRepository;
  /** Issued certificates. */
  readonly certificates: CertificateRepository;
  /** Non-smartcard authenticators. */
  readonly authenticators: AuthenticatorRepository;
  /** WebAuthn credentials (AUTH-03). */
  readonly webAuthnCredentials: WebAuthnCredentialRepository;
  /** WebAuthn challenges, single use (AUTH-03). */
  readonly webAuthnChallenges: WebAuthnChallengeRepository;
  /** Requests. */
  readonly requests: RequestRepository;
  /** The CA hierarchy's certificates, by role. */
  readonly authorities: AuthorityRepository;
  /** Named counters (the CRL number). */
  readonly counters: CounterRepository;
  /** The audit log. */
  readonly audit: AuditLog;
}

/** The record type of each repository, by its name on {@link StoreTx}. */
export interface RecordTypes {
  /** User profiles. */
  users: UserProfile;
  /** Organisations. */
  organisations: StoredOrganisation;
  /** Positions. */
  positions: Position;
  /** Position assignments. */
  positionAssignments: PositionAssignment;
  /** Workgroups. */
  workgroups: Workgroup;
  /** Workgroup assignments. */
  workgroupAssignments: WorkgroupAssignment;
  /** Smartcards. */
  smartcards: Smartcard;
  /** Issued certificates. */
  certificates: CertificateRecord;
  /** Authenticators. */
  authenticators: Authenticator;
  /** WebAuthn credentials. */
  webAuthnCredentials: WebAuthnCredential;
  /** Requests. */
  requests: Request;
}

/** The name of a repository. */
export type RecordKind = keyof RecordTypes;

/** Records for {@link Store.bulkLoad}: an array, an iterable or an async iterable. */
export type BulkSource<R> = Iterable<R> | AsyncIterable<R>;

/** What a bulk load did. */
export interface BulkLoadResult {
  /** Records inserted. */
  readonly count: number;
  /** The audit record that describes the load (AUD-01). */
  readonly audit: AuditRecord;
}

/**
 * The RA's state behind a port: run `fn` in a transaction over every repository and the
 * audit log. A failed `fn` leaves no trace.
 *
 * @example
 * ```ts
 * const closed = await store.transaction(async (tx) => {
 *   const user = await tx.users.get(uuid);
 *   if (user === undefined) throw new Error('no such user');
 *   const next = await tx.users.update({ ...user, status: 'closed' });
 *   await tx.audit.append({ at, actor, activity: 'user.close', target: uuid, outcome: 'allowed', reasons: [], details: {} });
 *   return next;
 * });
 * ```
 */
export interface Store {
  /** Which adapter this is. */
  readonly adapter: 'memory' | 'sqlite' | 'postgres';
  /**
   * Runs `fn` in one transaction and commits what it wrote, audit records included; if
   * `fn` throws, nothing it wrote remains and its error is rethrown. Transactions are
   * serialisable, across processes too, and none on other records fails because another
   * committed first: SQLite and memory run writers one at a time; PostgreSQL lets them
   * overlap and checks each one's reads at its serial point (the audit append), running
   * `fn` again when a concurrent commit changed them. So `fn` may run more than once and
   * must not have effects outside the store.
   *
   * @throws CONFLICT when a version check or the database's serialisation failed.
   * @throws STORE_UNAVAILABLE when the store cannot be reached.
   */
  transaction<T>(fn: (tx: StoreTx) => Promise<T> | T): Promise<T>;
  /**
   * Inserts many records of one kind at once, all or none, and appends `event` to the
   * audit log in the same transaction. Validates every record; faster than `insert`
   * record by record (batched statements). Into an empty table, the SQL adapters drop the
   * secondary indexes and rebuild them at the end, so the table is locked for the load.
   *
   * @throws VALIDATION when a record or the event is malformed.
   * @throws DUPLICATE when a key is already taken or repeated.
   * @throws STORE_UNAVAILABLE when the store cannot be reached.
   */
  bulkLoad<K extends RecordKind>(
    kind: K,
    records: BulkSource<RecordTypes[K]>,
    event: AuditEvent,
  ): Promise<BulkLoadResult>;
  /** Releases the store's connections; later calls fail. */
  close(): Promise<void>;
}
