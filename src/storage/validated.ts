import { z } from 'zod';
import {
  assignmentIdSchema,
  authenticatorIdSchema,
  cardSerialSchema,
  challengeTextSchema,
  credentialIdSchema,
  type IsoDate,
  isoDateSchema,
  isoDateTimeSchema,
  niNumberSchema,
  odsCodeSchema,
  positionIdSchema,
  requestIdSchema,
  type Uuid,
  uuidSchema,
  webAuthnChallengeSchema,
  workgroupIdSchema,
} from '../domain/index.js';
import { parseWith } from '../errors/parse.js';
import { prepareAuditEvent } from './audit-chain.js';
import { kindSpecs } from './kinds.js';
import { type Page, type PageRequest, pageRequestSchema } from './paging.js';
import type {
  AuditLog,
  AuthenticatorRepository,
  AuthorityRepository,
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
  StoreTx,
  UserRepository,
  WebAuthnChallengeRepository,
  WebAuthnCredentialRepository,
  WorkgroupAssignmentRepository,
  WorkgroupRepository,
} from './ports.js';
import { expiringQuerySchema, nameQuerySchema, requestFilterSchema } from './queries.js';
import { authorityCertificateRecordSchema, authorityRoles, counterNameSchema } from './records.js';

const certificateSerialSchema = z
  .string()
  .regex(/^[0-9a-f]{1,40}$/, { message: 'must be the certificate serial in lower-case hex' });
const authorityRoleSchema = z.enum(authorityRoles);
const userListSchema = z.array(uuidSchema).max(1000).readonly();
const activeOnSchema = z.object({ activeOn: isoDateSchema.optional() }).optional();

/*
 * Classes, not objects of closures: a transaction builds the repositories it touches, and
 * building them as spread objects of closures cost 8 to 12 µs a transaction (five
 * repositories touched, measured in a loop over the esbuild output), 3 % of an RA command
 * on SQLite. A class instance is one small object; its methods are shared.
 * Methods are async so that a validation failure rejects, as every repository call does.
 */

const page = (p: unknown) => parseWith(pageRequestSchema, p, 'page');

/** What a ValidationError calls each kind's key (`user key`), made once. */
const keyLabels = Object.fromEntries(
  Object.entries(kindSpecs).map(([kind, spec]) => [kind, `${spec.label} key`]),
) as Record<RecordKind, string>;

/** Keys and records of one kind validated, then handed to the adapter's repository. */
class Records<K extends RecordKind> implements Repository<RecordTypes[K], string> {
  constructor(
    private readonly repo: Repository<RecordTypes[K], never>,
    private readonly kind: K,
    private readonly keySchema: z.ZodType,
  ) {}

  async get(key: unknown): Promise<RecordTypes[K] | undefined> {
    return this.repo.get(parseWith(this.keySchema, key, keyLabels[this.kind]) as never);
  }

  async insert(record: RecordTypes[K]): Promise<RecordTypes[K]> {
    return this.repo.insert(kindSpecs[this.kind].parse(record));
  }

  async update(record: RecordTypes[K]): Promise<RecordTypes[K]> {
    return this.repo.update(kindSpecs[this.kind].parse(record));
  }
}

class Users extends Records<'users'> implements UserRepository {
  constructor(private readonly users: UserRepository) {
    super(users, 'users', uuidSchema);
  }
  async getMany(uuids: unknown) {
    return this.users.getMany(parseWith(userListSchema, uuids, 'users'));
  }
  async byNiNumber(ni: unknown) {
    return this.users.byNiNumber(parseWith(niNumberSchema, ni, 'NI number'));
  }
  async searchByName(q: unknown, p?: unknown) {
    return this.users.searchByName(parseWith(nameQuerySchema, q, 'name query'), page(p));
  }
}

class Organisations extends Records<'organisations'> implements OrganisationRepository {
  // Present only when the adapter has it (callers test for it).
  declare readonly ancestors?: NonNullable<OrganisationRepository['ancestors']>;
  constructor(private readonly organisations: OrganisationRepository) {
    super(organisations, 'organisations', odsCodeSchema);
    const ancestors = organisations.ancestors;
    if (ancestors !== undefined) {
      this.ancestors = async (ods: unknown) =>
        ancestors.call(organisations, parseWith(odsCodeSchema, ods, 'ODS code'));
    }
  }
  async children(ods: unknown, p?: unknown) {
    return this.organisations.children(parseWith(odsCodeSchema, ods, 'ODS code'), page(p));
  }
  async descendants(ods: unknown, p?: unknown) {
    return this.organisations.descendants(parseWith(odsCodeSchema, ods, 'ODS code'), page(p));
  }
}

class Positions extends Records<'positions'> implements PositionRepository {
  // Present only when the adapter has it (callers test for it).
  declare readonly heldBy?: NonNullable<PositionRepository['heldBy']>;
  constructor(private readonly positions: PositionRepository) {
    super(positions, 'positions', positionIdSchema);
    const heldBy = positions.heldBy;
    if (heldBy !== undefined) {
      this.heldBy = async (user: unknown) =>
        heldBy.call(positions, parseWith(uuidSchema, user, 'user'));
    }
  }
  async atOrganisation(ods: unknown, p?: unknown) {
    return this.positions.atOrganisation(parseWith(odsCodeSchema, ods, 'ODS code'), page(p));
  }
}

/** What position and workgroup assignment repositories share: reads by user. */
interface DatedRepository<R extends { readonly version: number }> extends Repository<R, never> {
  activeForUser(user: Uuid, date: IsoDate): Promise<readonly R[]>;
  historyForUser(user: Uuid, page?: PageRequest): Promise<Page<R>>;
}

/** Position and workgroup assignments: their reads by user, validated. */
class DatedAssignments<
  K extends 'positionAssignments' | 'workgroupAssignments',
> extends Records<K> {
  constructor(
    private readonly dated: DatedRepository<RecordTypes[K]>,
    kind: K,
  ) {
    super(dated, kind, assignmentIdSchema);
  }
  async activeForUser(user: unknown, date: unknown) {
    return this.dated.activeForUser(
      parseWith(uuidSchema, user, 'user'),
      parseWith(isoDateSchema, date, 'date'),
    );
  }
  async historyForUser(user: unknown, p?: unknown) {
    return this.dated.historyForUser(parseWith(uuidSchema, user, 'user'), page(p));
  }
}

class PositionAssignments
  extends DatedAssignments<'positionAssignments'>
  implements PositionAssignmentRepository
{
  constructor(private readonly assignments: PositionAssignmentRepository) {
    super(assignments, 'positionAssignments');
  }
  async organisationsOfUsers(users: unknown) {
    return this.assignments.organisationsOfUsers(parseWith(userListSchema, users, 'users'));
  }
  async atOrganisation(ods: unknown, options?: unknown, p?: unknown) {
    return this.assignments.atOrganisation(
      parseWith(odsCodeSchema, ods, 'ODS code'),
      parseWith(activeOnSchema, options, 'options') ?? {},
      page(p),
    );
  }
  async forPosition(id: unknown, p?: unknown) {
    return this.assignments.forPosition(parseWith(positionIdSchema, id, 'position'), page(p));
  }
}

class Workgroups extends Records<'workgroups'> implements WorkgroupRepository {
  constructor(private readonly workgroups: WorkgroupRepository) {
    super(workgroups, 'workgroups', workgroupIdSchema);
  }
  async atOrganisation(ods: unknown, p?: unknown) {
    return this.workgroups.atOrganisation(parseWith(odsCodeSchema, ods, 'ODS code'), page(p));
  }
}

class WorkgroupAssignments
  extends DatedAssignments<'workgroupAssignments'>
  implements WorkgroupAssignmentRepository
{
  constructor(private readonly assignments: WorkgroupAssignmentRepository) {
    super(assignments, 'workgroupAssignments');
  }
  async forWorkgroup(id: unknown, p?: unknown) {
    return this.assignments.forWorkgroup(parseWith(workgroupIdSchema, id, 'workgroup'), page(p));
  }
}

class Smartcards extends Records<'smartcards'> implements SmartcardRepository {
  constructor(private readonly cards: SmartcardRepository) {
    super(cards, 'smartcards', cardSerialSchema);
  }
  async byHolder(holder: unknown) {
    return this.cards.byHolder(parseWith(uuidSchema, holder, 'holder'));
  }
}

class Certificates extends Records<'certificates'> implements CertificateRepository {
  constructor(private readonly certificates: CertificateRepository) {
    super(certificates, 'certificates', certificateSerialSchema);
  }
  async byHolder(holder: unknown) {
    return this.certificates.byHolder(parseWith(uuidSchema, holder, 'holder'));
  }
  async byCard(card: unknown) {
    return this.certificates.byCard(parseWith(cardSerialSchema, card, 'card'));
  }
  async expiring(q: unknown, p?: unknown) {
    return this.certificates.expiring(parseWith(expiringQuerySchema, q, 'expiring query'), page(p));
  }
}

class Authenticators extends Records<'authenticators'> implements AuthenticatorRepository {
  constructor(private readonly authenticators: AuthenticatorRepository) {
    super(authenticators, 'authenticators', authenticatorIdSchema);
  }
  async byUser(user: unknown) {
    return this.authenticators.byUser(parseWith(uuidSchema, user, 'user'));
  }
}

class WebAuthnCredentials
  extends Records<'webAuthnCredentials'>
  implements WebAuthnCredentialRepository
{
  constructor(private readonly credentials: WebAuthnCredentialRepository) {
    super(credentials, 'webAuthnCredentials', credentialIdSchema);
  }
  async byUser(user: unknown) {
    return this.credentials.byUser(parseWith(uuidSchema, user, 'user'));
  }
  async byAuthenticator(id: unknown) {
    return this.credentials.byAuthenticator(parseWith(authenticatorIdSchema, id, 'authenticator'));
  }
}

class WebAuthnChallenges implements WebAuthnChallengeRepository {
  constructor(private readonly challenges: WebAuthnChallengeRepository) {}
  async get(challenge: unknown) {
    return this.challenges.get(parseWith(challengeTextSchema, challenge, 'challenge'));
  }
  async insert(record: unknown) {
    return this.challenges.insert(parseWith(webAuthnChallengeSchema, record, 'WebAuthn challenge'));
  }
  async consume(challenge: unknown, at: unknown) {
    return this.challenges.consume(
      parseWith(challengeTextSchema, challenge, 'challenge'),
      parseWith(isoDateTimeSchema, at, 'at'),
    );
  }
  async purgeExpired(before: unknown) {
    return this.challenges.purgeExpired(parseWith(isoDateTimeSchema, before, 'before'));
  }
}

class Requests extends Records<'requests'> implements RequestRepository {
  constructor(private readonly requests: RequestRepository) {
    super(requests, 'requests', requestIdSchema);
  }
  async list(filter?: unknown, p?: unknown) {
    return this.requests.list(
      parseWith(requestFilterSchema, filter, 'request filter') ?? {},
      page(p),
    );
  }
}

class Authorities implements AuthorityRepository {
  constructor(private readonly authorities: AuthorityRepository) {}
  async get(role: unknown) {
    return this.authorities.get(parseWith(authorityRoleSchema, role, 'authority role'));
  }
  async list() {
    return this.authorities.list();
  }
  async put(record: unknown) {
    return this.authorities.put(
      parseWith(authorityCertificateRecordSchema, record, 'authority certificate'),
    );
  }
}

class Counters implements CounterRepository {
  constructor(private readonly counters: CounterRepository) {}
  async next(name: unknown) {
    return this.counters.next(parseWith(counterNameSchema, name, 'counter name'));
  }
  async current(name: unknown) {
    return this.counters.current(parseWith(counterNameSchema, name, 'counter name'));
  }
}

class Audit implements AuditLog {
  constructor(private readonly audit: AuditLog) {}
  async append(event: unknown) {
    return this.audit.append(prepareAuditEvent(event as never).event);
  }
  async head() {
    return this.audit.head();
  }
  async read(p?: unknown) {
    return this.audit.read(page(p));
  }
}

/** The validated repositories of one transaction, each built when first used, then kept. */
class ValidatedTx implements StoreTx {
  // A plain field, not #private ones: a host's Proxy around the tx (with itself as the
  // receiver) still reaches it.
  private readonly made: {
    users?: Users;
    organisations?: Organisations;
    positions?: Positions;
    positionAssignments?: PositionAssignments;
    workgroups?: Workgroups;
    workgroupAssignments?: WorkgroupAssignments;
    smartcards?: Smartcards;
    certificates?: Certificates;
    authenticators?: Authenticators;
    webAuthnCredentials?: WebAuthnCredentials;
    webAuthnChallenges?: WebAuthnChallenges;
    requests?: Requests;
    authorities?: Authorities;
    counters?: Counters;
    audit?: Audit;
  } = {};

  constructor(private readonly tx: StoreTx) {}

  get users() {
    this.made.users ??= new Users(this.tx.users);
    return this.made.users;
  }

  get organisations() {
    this.made.organisations ??= new Organisations(this.tx.organisations);
    return this.made.organisations;
  }

  get positions() {
    this.made.positions ??= new Positions(this.tx.positions);
    return this.made.positions;
  }

  get positionAssignments() {
    this.made.positionAssignments ??= new PositionAssignments(this.tx.positionAssignments);
    return this.made.positionAssignments;
  }

  get workgroups() {
    this.made.workgroups ??= new Workgroups(this.tx.workgroups);
    return this.made.workgroups;
  }

  get workgroupAssignments() {
    this.made.workgroupAssignments ??= new WorkgroupAssignments(this.tx.workgroupAssignments);
    return this.made.workgroupAssignments;
  }

  get smartcards() {
    this.made.smartcards ??= new Smartcards(this.tx.smartcards);
    return this.made.smartcards;
  }

  get certificates() {
    this.made.certificates ??= new Certificates(this.tx.certificates);
    return this.made.certificates;
  }

  get authenticators() {
    this.made.authenticators ??= new Authenticators(this.tx.authenticators);
    return this.made.authenticators;
  }

  get webAuthnCredentials() {
    this.made.webAuthnCredentials ??= new WebAuthnCredentials(this.tx.webAuthnCredentials);
    return this.made.webAuthnCredentials;
  }

  get webAuthnChallenges() {
    this.made.webAuthnChallenges ??= new WebAuthnChallenges(this.tx.webAuthnChallenges);
    return this.made.webAuthnChallenges;
  }

  get requests() {
    this.made.requests ??= new Requests(this.tx.requests);
    return this.made.requests;
  }

  get authorities() {
    this.made.authorities ??= new Authorities(this.tx.authorities);
    return this.made.authorities;
  }

  get counters() {
    this.made.counters ??= new Counters(this.tx.counters);
    return this.made.counters;
  }

  get audit() {
    this.made.audit ??= new Audit(this.tx.audit);
    return this.made.audit;
  }
}

/**
 * Wraps an adapter's repositories so every public input is validated with zod before it
 * reaches them: records against their schema (defaults applied), keys, queries, pages,
 * and audit events (canonical form, AUD-02 secret check). Adapters then trust their input.
 *
 * @throws VALIDATION (from the wrapped calls) naming the offending field.
 * @example
 * ```ts
 * return fn(withValidation(rawTx));
 * ```
 */
export function withValidation(tx: StoreTx): StoreTx {
  return new ValidatedTx(tx);
}
