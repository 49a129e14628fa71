import {
  type IsoDate,
  isActiveOn,
  type Request,
  type UserProfile,
  type Uuid,
  type WebAuthnChallenge,
} from '../../domain/index.js';
import { chainRecord } from '../audit-chain.js';
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
import type { RecordKind, RecordTypes, Repository, StoreTx } from '../ports.js';
import { closedAt, MAX_ANCESTORS, nameKey } from '../queries.js';
import {
  type AuthorityCertificateRecord,
  authorityRoles,
  type CertificateRecord,
  GENESIS_HASH,
} from '../records.js';
import type { MemoryState } from './state.js';
import type { MemTable, Undo } from './table.js';

/** The context of one memory transaction: the state, its undo log and a liveness check. */
interface Ctx {
  readonly state: MemoryState;
  readonly undo: Undo[];
  /** Throws once the transaction has ended. */
  readonly live: () => void;
}

// Certificates carry DER bytes, which freezing cannot protect: copy them in and out.
function copyOut<R>(kind: RecordKind, record: R): R {
  if (kind !== 'certificates') return record;
  const cert = record as unknown as CertificateRecord;
  return Object.freeze({ ...cert, der: new Uint8Array(cert.der) }) as unknown as R;
}

const copyAuthority = (a: AuthorityCertificateRecord): AuthorityCertificateRecord =>
  Object.freeze({ role: a.role, der: new Uint8Array(a.der) });

function crud<K extends RecordKind>(kind: K, ctx: Ctx): Repository<RecordTypes[K], never> {
  const spec = kindSpecs[kind];
  const table = ctx.state.tables[kind] as MemTable<RecordTypes[K]>;
  return {
    async get(key) {
      ctx.live();
      const found = table.get(key);
      return found === undefined ? undefined : copyOut(kind, found);
    },
    async insert(record) {
      ctx.live();
      const key = spec.key(record);
      if (table.has(key)) throw new DuplicateError(spec.label, key);
      table.put(structuredClone(record), ctx.undo);
      return copyOut(kind, table.get(key) as RecordTypes[K]);
    },
    async update(record) {
      ctx.live();
      const key = spec.key(record);
      const current = table.get(key);
      if (current === undefined) throw new NotFoundError(spec.label, key);
      if (current.version !== record.version) {
        throw new ConflictError(
          spec.label,
          key,
          `${spec.label} ${key} changed: stored version ${current.version}, written from version ${record.version}`,
        );
      }
      table.put(structuredClone({ ...record, version: record.version + 1 }), ctx.undo);
      return copyOut(kind, table.get(key) as RecordTypes[K]);
    },
  };
}

/** Reads a page from an index: `equal` fixes the leading parts, the cursor continues. */
/**
 * A user's assignments of one kind, ordered by start: those in force on a date (ASG-02;
 * the scan stops at the first that starts later) and the whole history, paged (ASG-04).
 */
function datedByUser<K extends 'positionAssignments' | 'workgroupAssignments'>(ctx: Ctx, kind: K) {
  return {
    activeForUser: async (user: string, date: IsoDate) =>
      pageOf(ctx, kind, 'user', [user], { limit: Number.MAX_SAFE_INTEGER - 1 }, byStartId, 2, {
        filter: (a) => isActiveOn(a, date),
        stop: (a) => a.start > date,
      }).items,
    historyForUser: async (user: string, page?: PageRequest) =>
      pageOf(ctx, kind, 'user', [user], page, byStartId, 2),
  };
}

function pageOf<K extends RecordKind>(
  ctx: Ctx,
  kind: K,
  index: string,
  equal: readonly (string | number)[],
  page: PageRequest | undefined,
  keyOf: (r: RecordTypes[K]) => SortKey,
  cursorLength: number,
  options: {
    readonly prefix?: string | undefined;
    readonly filter?: ((r: RecordTypes[K]) => boolean) | undefined;
    readonly from?: readonly (string | number)[] | undefined;
    readonly stop?: ((r: RecordTypes[K]) => boolean) | undefined;
  } = {},
): Page<RecordTypes[K]> {
  ctx.live();
  const table = ctx.state.tables[kind] as MemTable<RecordTypes[K]>;
  const limit = pageLimit(page);
  const { filter, stop } = options;
  const pks = table.index(index).scan({
    equal,
    prefix: options.prefix,
    from: options.from,
    after:
      page?.cursor === undefined
        ? undefined
        : [...equal, ...decodeCursor(page.cursor, cursorLength)],
    limit: limit + 1,
    filter: filter === undefined ? undefined : (pk) => filter(table.get(pk) as RecordTypes[K]),
    stop: stop === undefined ? undefined : (pk) => stop(table.get(pk) as RecordTypes[K]),
  });
  return toPage(
    table.getAll(pks).map((r) => copyOut(kind, r)),
    limit,
    keyOf,
  );
}

/** All records of an index range (short lists: a user's cards, a card's certificates). */
function listOf<K extends RecordKind>(
  ctx: Ctx,
  kind: K,
  index: string,
  equal: readonly (string | number)[],
): RecordTypes[K][] {
  ctx.live();
  const table = ctx.state.tables[kind] as MemTable<RecordTypes[K]>;
  return table.getAll(table.index(index).scan({ equal })).map((r) => copyOut(kind, r));
}

function requestIndex(filter: Parameters<StoreTx['requests']['list']>[0]): {
  index: string;
  equal: string[];
} {
  if (typeof filter?.state === 'string') return { index: 'state', equal: [filter.state] };
  if (filter?.subject !== undefined) return { index: 'subject', equal: [filter.subject] };
  if (filter?.requestedBy !== undefined)
    return { index: 'requestedBy', equal: [filter.requestedBy] };
  if (filter?.organisation !== undefined) {
    return { index: 'organisation', equal: [filter.organisation] };
  }
  if (filter?.kind !== undefined) return { index: 'kind', equal: [filter.kind] };
  return { index: 'created', equal: [] };
}

function requestMatches(filter: Parameters<StoreTx['requests']['list']>[0], r: Request): boolean {
  if (filter === undefined) return true;
  const states = filter.state === undefined ? undefined : [filter.state].flat();
  return (
    (states === undefined || states.includes(r.state)) &&
    (filter.kind === undefined || r.kind === filter.kind) &&
    (filter.organisation === undefined || r.organisation === filter.organisation) &&
    (filter.requestedBy === undefined || r.requestedBy === filter.requestedBy) &&
    (filter.subject === undefined || r.subject === filter.subject) &&
    (filter.decidedSince === undefined ||
      (closedAt(r) ?? filter.decidedSince) >= filter.decidedSince)
  );
}

const byStartId = (a: { start: string; id: string }): SortKey => [a.start, a.id];
const byId = (a: { id: string }): SortKey => [a.id];

/**
 * The repositories of one memory transaction, unvalidated (wrap with `withValidation`).
 *
 * @example
 * ```ts
 * const tx = withValidation(memoryTx({ state, undo, live }));
 * ```
 */
export function memoryTx(ctx: Ctx): StoreTx {
  const { tables } = ctx.state;
  return lazyTx({
    users: () => ({
      ...crud('users', ctx),
      getMany: async (uuids) => {
        ctx.live();
        const table = ctx.state.tables.users as MemTable<UserProfile>;
        const found = new Map<Uuid, UserProfile>();
        for (const uuid of uuids) {
          const user = table.get(uuid);
          if (user !== undefined && !found.has(uuid)) found.set(uuid, copyOut('users', user));
        }
        return found;
      },
      byNiNumber: async (ni) => listOf(ctx, 'users', 'ni', [ni]),
      searchByName: async (q, page) => {
        const family = q.family === undefined ? undefined : nameKey(q.family);
        const given = q.given === undefined ? undefined : nameKey(q.given);
        const dob = q.dateOfBirth;
        return family !== undefined
          ? pageOf(
              ctx,
              'users',
              'family',
              [],
              page,
              (u) => [nameKey(u.name.family), nameKey(u.name.given), u.uuid],
              3,
              {
                prefix: family,
                filter: (u) =>
                  (given === undefined || nameKey(u.name.given).startsWith(given)) &&
                  (dob === undefined || u.dateOfBirth === dob),
              },
            )
          : pageOf(
              ctx,
              'users',
              'given',
              [],
              page,
              (u) => [nameKey(u.name.given), nameKey(u.name.family), u.uuid],
              3,
              { prefix: given, filter: (u) => dob === undefined || u.dateOfBirth === dob },
            );
      },
    }),
    organisations: () => ({
      ...crud('organisations', ctx),
      children: async (ods, page) =>
        pageOf(ctx, 'organisations', 'parent', [ods], page, (o) => [o.odsCode], 1),
      descendants: async (ods, page) => {
        ctx.live();
        const index = tables.organisations.index('parent');
        const found = new Set<string>();
        const queue = [ods as string];
        for (let next = queue.pop(); next !== undefined; next = queue.pop()) {
          for (const child of index.scan({ equal: [next] })) {
            if (!found.has(child) && child !== ods) {
              found.add(child);
              queue.push(child);
            }
          }
        }
        const limit = pageLimit(page);
        const after = page?.cursor === undefined ? undefined : decodeCursor(page.cursor, 1)[0];
        const keys = [...found]
          .sort()
          .filter((k) => after === undefined || k > String(after))
          .slice(0, limit + 1);
        return toPage(tables.organisations.getAll(keys), limit, (o) => [o.odsCode]);
      },
      ancestors: async (ods) => {
        ctx.live();
        const chain = [];
        const seen = new Set<string>();
        for (let next: string | undefined = ods; next !== undefined && !seen.has(next); ) {
          const found = tables.organisations.get(next);
          if (found === undefined || chain.length >= MAX_ANCESTORS) break;
          seen.add(next);
          chain.push(found);
          next = found.parent;
        }
        return chain;
      },
    }),
    positions: () => ({
      ...crud('positions', ctx),
      atOrganisation: async (ods, page) =>
        pageOf(ctx, 'positions', 'organisation', [ods], page, byId, 1),
      heldBy: async (user) => {
        ctx.live();
        const ids = new Set<string>();
        for (const id of tables.positionAssignments.index('user').scan({ equal: [user] })) {
          const a = tables.positionAssignments.get(id);
          if (a !== undefined) ids.add(a.position);
        }
        return [...ids].sort().flatMap((id) => {
          const position = tables.positions.get(id);
          return position === undefined ? [] : [position];
        });
      },
    }),
    positionAssignments: () => ({
      ...crud('positionAssignments', ctx),
      ...datedByUser(ctx, 'positionAssignments'),
      atOrganisation: async (ods, options, page) => {
        const on = options?.activeOn;
        return pageOf(ctx, 'positionAssignments', 'organisation', [ods], page, byId, 1, {
          filter: on === undefined ? undefined : (a) => isActiveOn(a, on),
        });
      },
      forPosition: async (position, page) =>
        pageOf(ctx, 'positionAssignments', 'position', [position], page, byId, 1),
      organisationsOfUsers: async (users) => {
        ctx.live();
        const table = tables.positionAssignments;
        const index = table.index('user');
        return new Map(
          users.map((user) => {
            const codes = new Set(
              table.getAll(index.scan({ equal: [user] })).map((a) => a.organisation),
            );
            return [user, [...codes].sort()] as const;
          }),
        );
      },
    }),
    workgroups: () => ({
      ...crud('workgroups', ctx),
      atOrganisation: async (ods, page) =>
        pageOf(ctx, 'workgroups', 'organisation', [ods], page, byId, 1),
    }),
    workgroupAssignments: () => ({
      ...crud('workgroupAssignments', ctx),
      ...datedByUser(ctx, 'workgroupAssignments'),
      forWorkgroup: async (workgroup, page) =>
        pageOf(ctx, 'workgroupAssignments', 'workgroup', [workgroup], page, byId, 1),
    }),
    smartcards: () => ({
      ...crud('smartcards', ctx),
      byHolder: async (holder) => listOf(ctx, 'smartcards', 'holder', [holder]),
    }),
    certificates: () => ({
      ...crud('certificates', ctx),
      byHolder: async (holder) => listOf(ctx, 'certificates', 'holder', [holder]),
      byCard: async (card) => listOf(ctx, 'certificates', 'card', [card]),
      expiring: async (q, page) =>
        pageOf(
          ctx,
          'certificates',
          'expiry',
          [q.status ?? 'active'],
          page,
          (c) => [c.notAfter, c.serial],
          2,
          {
            from: q.from === undefined ? undefined : [q.from],
            stop: (c) => c.notAfter >= q.before,
          },
        ),
    }),
    authenticators: () => ({
      ...crud('authenticators', ctx),
      byUser: async (user) => listOf(ctx, 'authenticators', 'user', [user]),
    }),
    webAuthnCredentials: () => ({
      ...crud('webAuthnCredentials', ctx),
      byUser: async (user) => listOf(ctx, 'webAuthnCredentials', 'user', [user]),
      byAuthenticator: async (id) => listOf(ctx, 'webAuthnCredentials', 'authenticator', [id]),
    }),
    webAuthnChallenges: () => {
      const table = ctx.state.challenges;
      return {
        async get(challenge) {
          ctx.live();
          return table.get(challenge);
        },
        async insert(record) {
          ctx.live();
          if (table.has(record.challenge)) {
            throw new DuplicateError('WebAuthn challenge', record.challenge);
          }
          table.put(structuredClone(record), ctx.undo);
          return table.get(record.challenge) as WebAuthnChallenge;
        },
        async consume(challenge, at) {
          ctx.live();
          const found = table.get(challenge);
          if (found === undefined || found.usedAt !== undefined) return false;
          table.put({ ...found, usedAt: at }, ctx.undo);
          return true;
        },
        async purgeExpired(before) {
          ctx.live();
          const expired = table.index('expiry').scan({
            equal: [],
            stop: (pk) => (table.get(pk) as WebAuthnChallenge).expiresAt >= before,
          });
          for (const pk of expired) table.delete(pk, ctx.undo);
          return expired.length;
        },
      };
    },
    requests: () => ({
      ...crud('requests', ctx),
      list: async (filter, page) => {
        const { index, equal } = requestIndex(filter);
        return pageOf(ctx, 'requests', index, equal, page, (r) => [r.createdAt, r.id], 2, {
          filter: (r) => requestMatches(filter, r),
        });
      },
    }),
    authorities: () => ({
      async get(role) {
        ctx.live();
        const found = ctx.state.authorities.get(role);
        return found === undefined ? undefined : copyAuthority(found);
      },
      async list() {
        ctx.live();
        const out: AuthorityCertificateRecord[] = [];
        for (const role of authorityRoles) {
          const found = ctx.state.authorities.get(role);
          if (found !== undefined) out.push(copyAuthority(found));
        }
        return out;
      },
      async put(record) {
        ctx.live();
        ctx.state.authorities.put(copyAuthority(record), ctx.undo);
        return copyAuthority(record);
      },
    }),
    counters: () => ({
      async next(name) {
        ctx.live();
        const value = (ctx.state.counters.get(name)?.value ?? 0n) + 1n;
        // The undo log restores the old value if the transaction fails.
        ctx.state.counters.put({ name, value }, ctx.undo);
        return value;
      },
      async current(name) {
        ctx.live();
        return ctx.state.counters.get(name)?.value ?? 0n;
      },
    }),
    audit: () => ({
      async append(event) {
        ctx.live();
        const log = ctx.state.audit;
        const last = log[log.length - 1];
        const record = Object.freeze(
          chainRecord(last === undefined ? { seq: 0, hash: GENESIS_HASH } : last, event),
        );
        log.push(record);
        ctx.undo.push(() => {
          log.pop();
        });
        return record;
      },
      async head() {
        ctx.live();
        const last = ctx.state.audit[ctx.state.audit.length - 1];
        return last === undefined
          ? { seq: 0, hash: GENESIS_HASH }
          : { seq: last.seq, hash: last.hash };
      },
      async read(page) {
        ctx.live();
        const limit = pageLimit(page);
        const after = decodeSeqCursor(page?.cursor);
        return toPage(ctx.state.audit.slice(after, after + limit + 1), limit, (r) => [r.seq]);
      },
    }),
  });
}
