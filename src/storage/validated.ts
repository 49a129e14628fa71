import { z } from 'zod';
import {
  assignmentIdSchema,
  authenticatorIdSchema,
  cardSerialSchema,
  challengeTextSchema,
  credentialIdSchema,
  isoDateSchema,
  isoDateTimeSchema,
  niNumberSchema,
  odsCodeSchema,
  positionIdSchema,
  requestIdSchema,
  uuidSchema,
  webAuthnChallengeSchema,
  workgroupIdSchema,
} from '../domain/index.js';
import { parseWith } from '../errors/parse.js';
import { prepareAuditEvent } from './audit-chain.js';
import { kindSpecs } from './kinds.js';
import { lazyTx } from './lazy-tx.js';
import { pageRequestSchema } from './paging.js';
import type { RecordKind, RecordTypes, Repository, StoreTx } from './ports.js';
import { expiringQuerySchema, nameQuerySchema, requestFilterSchema } from './queries.js';
import { authorityCertificateRecordSchema, authorityRoles, counterNameSchema } from './records.js';

const certificateSerialSchema = z
  .string()
  .regex(/^[0-9a-f]{1,40}$/, { message: 'must be the certificate serial in lower-case hex' });
const authorityRoleSchema = z.enum(authorityRoles);
const userListSchema = z.array(uuidSchema).max(1000).readonly();
const activeOnSchema = z.object({ activeOn: isoDateSchema.optional() }).optional();

function records<K extends RecordKind>(
  kind: K,
  repo: Repository<RecordTypes[K], never>,
  keySchema: z.ZodType,
): Repository<RecordTypes[K], string> {
  const spec = kindSpecs[kind];
  return {
    get: async (key) => repo.get(parseWith(keySchema, key, `${spec.label} key`) as never),
    insert: async (record) => repo.insert(spec.parse(record)),
    update: async (record) => repo.update(spec.parse(record)),
  };
}

const page = (p: unknown) => parseWith(pageRequestSchema, p, 'page');

/** The wrapped form of an optional repository method, or nothing when the adapter lacks it. */
const optional = <F, T>(method: F | undefined, wrap: (method: F) => T): T | object =>
  method === undefined ? {} : wrap(method);

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
  return lazyTx({
    users: () => ({
      ...records('users', tx.users, uuidSchema),
      getMany: async (uuids) => tx.users.getMany(parseWith(userListSchema, uuids, 'users')),
      byNiNumber: async (ni) => tx.users.byNiNumber(parseWith(niNumberSchema, ni, 'NI number')),
      searchByName: async (q, p) =>
        tx.users.searchByName(parseWith(nameQuerySchema, q, 'name query'), page(p)),
    }),
    organisations: () => ({
      ...records('organisations', tx.organisations, odsCodeSchema),
      children: async (ods, p) =>
        tx.organisations.children(parseWith(odsCodeSchema, ods, 'ODS code'), page(p)),
      descendants: async (ods, p) =>
        tx.organisations.descendants(parseWith(odsCodeSchema, ods, 'ODS code'), page(p)),
      ...optional(tx.organisations.ancestors, (ancestors) => ({
        ancestors: async (ods: unknown) =>
          ancestors.call(tx.organisations, parseWith(odsCodeSchema, ods, 'ODS code')),
      })),
    }),
    positions: () => ({
      ...records('positions', tx.positions, positionIdSchema),
      atOrganisation: async (ods, p) =>
        tx.positions.atOrganisation(parseWith(odsCodeSchema, ods, 'ODS code'), page(p)),
      ...optional(tx.positions.heldBy, (heldBy) => ({
        heldBy: async (user: unknown) =>
          heldBy.call(tx.positions, parseWith(uuidSchema, user, 'user')),
      })),
    }),
    positionAssignments: () => ({
      ...records('positionAssignments', tx.positionAssignments, assignmentIdSchema),
      activeForUser: async (user, date) =>
        tx.positionAssignments.activeForUser(
          parseWith(uuidSchema, user, 'user'),
          parseWith(isoDateSchema, date, 'date'),
        ),
      historyForUser: async (user, p) =>
        tx.positionAssignments.historyForUser(parseWith(uuidSchema, user, 'user'), page(p)),
      organisationsOfUsers: async (users) =>
        tx.positionAssignments.organisationsOfUsers(parseWith(userListSchema, users, 'users')),
      atOrganisation: async (ods, options, p) =>
        tx.positionAssignments.atOrganisation(
          parseWith(odsCodeSchema, ods, 'ODS code'),
          parseWith(activeOnSchema, options, 'options') ?? {},
          page(p),
        ),
      forPosition: async (id, p) =>
        tx.positionAssignments.forPosition(parseWith(positionIdSchema, id, 'position'), page(p)),
    }),
    workgroups: () => ({
      ...records('workgroups', tx.workgroups, workgroupIdSchema),
      atOrganisation: async (ods, p) =>
        tx.workgroups.atOrganisation(parseWith(odsCodeSchema, ods, 'ODS code'), page(p)),
    }),
    workgroupAssignments: () => ({
      ...records('workgroupAssignments', tx.workgroupAssignments, assignmentIdSchema),
      activeForUser: async (user, date) =>
        tx.workgroupAssignments.activeForUser(
          parseWith(uuidSchema, user, 'user'),
          parseWith(isoDateSchema, date, 'date'),
        ),
      historyForUser: async (user, p) =>
        tx.workgroupAssignments.historyForUser(parseWith(uuidSchema, user, 'user'), page(p)),
      forWorkgroup: async (id, p) =>
        tx.workgroupAssignments.forWorkgroup(
          parseWith(workgroupIdSchema, id, 'workgroup'),
          page(p),
        ),
    }),
    smartcards: () => ({
      ...records('smartcards', tx.smartcards, cardSerialSchema),
      byHolder: async (holder) => tx.smartcards.byHolder(parseWith(uuidSchema, holder, 'holder')),
    }),
    certificates: () => ({
      ...records('certificates', tx.certificates, certificateSerialSchema),
      byHolder: async (holder) => tx.certificates.byHolder(parseWith(uuidSchema, holder, 'holder')),
      byCard: async (card) => tx.certificates.byCard(parseWith(cardSerialSchema, card, 'card')),
      expiring: async (q, p) =>
        tx.certificates.expiring(parseWith(expiringQuerySchema, q, 'expiring query'), page(p)),
    }),
    authenticators: () => ({
      ...records('authenticators', tx.authenticators, authenticatorIdSchema),
      byUser: async (user) => tx.authenticators.byUser(parseWith(uuidSchema, user, 'user')),
    }),
    webAuthnCredentials: () => ({
      ...records('webAuthnCredentials', tx.webAuthnCredentials, credentialIdSchema),
      byUser: async (user) => tx.webAuthnCredentials.byUser(parseWith(uuidSchema, user, 'user')),
      byAuthenticator: async (id) =>
        tx.webAuthnCredentials.byAuthenticator(
          parseWith(authenticatorIdSchema, id, 'authenticator'),
        ),
    }),
    webAuthnChallenges: () => ({
      get: async (challenge) =>
        tx.webAuthnChallenges.get(parseWith(challengeTextSchema, challenge, 'challenge')),
      insert: async (record) =>
        tx.webAuthnChallenges.insert(
          parseWith(webAuthnChallengeSchema, record, 'WebAuthn challenge'),
        ),
      consume: async (challenge, at) =>
        tx.webAuthnChallenges.consume(
          parseWith(challengeTextSchema, challenge, 'challenge'),
          parseWith(isoDateTimeSchema, at, 'at'),
        ),
      purgeExpired: async (before) =>
        tx.webAuthnChallenges.purgeExpired(parseWith(isoDateTimeSchema, before, 'before')),
    }),
    requests: () => ({
      ...records('requests', tx.requests, requestIdSchema),
      list: async (filter, p) =>
        tx.requests.list(parseWith(requestFilterSchema, filter, 'request filter') ?? {}, page(p)),
    }),
    authorities: () => ({
      get: async (role) =>
        tx.authorities.get(parseWith(authorityRoleSchema, role, 'authority role')),
      list: async () => tx.authorities.list(),
      put: async (record) =>
        tx.authorities.put(
          parseWith(authorityCertificateRecordSchema, record, 'authority certificate'),
        ),
    }),
    counters: () => ({
      next: async (name) => tx.counters.next(parseWith(counterNameSchema, name, 'counter name')),
      current: async (name) =>
        tx.counters.current(parseWith(counterNameSchema, name, 'counter name')),
    }),
    audit: () => ({
      append: async (event) => tx.audit.append(prepareAuditEvent(event).event),
      head: async () => tx.audit.head(),
      read: async (p) => tx.audit.read(page(p)),
    }),
  });
}
