import { describe, expect, it } from 'vitest';
import type { AssignmentId, CardSerial, IsoDate, IsoDateTime, Uuid } from '../../domain/index.js';
import { isCareIdError } from '../../errors/care-id-error.js';
import fc from '../../testing/fast-check.js';
import { verifyAudit } from '../audit-chain.js';
import type { Store, StoreTx } from '../ports.js';
import { fixtureAssignment, fixtureCard, fixtureEvent, fixtureUser } from './fixtures.js';

// Small pools of keys and names, so random commands collide: duplicates, conflicts,
// shared name prefixes and overlapping dates are what the model has to agree on.
const UUIDS = ['100000000001', '100000000002', '100000000003', '100000000004'];
const FAMILIES = ['Smith', 'smith', 'Smyth', 'Sm', 'Jones'];
const GIVENS = ['Ann', 'anna', 'Al'];
const DOBS = ['1980-01-01', '1990-02-02'];
const SERIALS = ['0711111111', '0722222222', '0733333333'];
const ASSIGNMENT_IDS = ['m1', 'm2', 'm3', 'm4', 'm5'];
const day = (n: number) => `2026-01-${String(n).padStart(2, '0')}`;

interface ModelUser {
  family: string;
  given: string;
  dob: string;
  version: number;
}
interface ModelAssignment {
  user: string;
  start: string;
  end: string | undefined;
  removed: boolean;
  version: number;
}
/** The plain in-memory model every adapter must agree with. */
interface Model {
  users: Map<string, ModelUser>;
  cards: Map<string, { holder: string; version: number }>;
  assignments: Map<string, ModelAssignment>;
  audit: number;
}

type Cmd = fc.AsyncCommand<Model, Store>;

async function code(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
    return 'ok';
  } catch (error) {
    if (isCareIdError(error)) return error.code;
    throw error;
  }
}

const lower = (s: string) => s.toLowerCase();
const cmp = (a: readonly string[], b: readonly string[]) => {
  for (let i = 0; i < a.length; i++) {
    if (a[i] !== b[i]) return (a[i] as string) < (b[i] as string) ? -1 : 1;
  }
  return 0;
};

class InsertUser implements Cmd {
  constructor(
    readonly uuid: string,
    readonly family: string,
    readonly given: string,
    readonly dob: string,
  ) {}
  check = () => true;
  async run(m: Model, store: Store) {
    const user = fixtureUser(this.uuid, {
      family: this.family,
      given: this.given,
      dateOfBirth: this.dob,
    });
    const result = await code(store.transaction((tx) => tx.users.insert(user)));
    expect(result).toBe(m.users.has(this.uuid) ? 'DUPLICATE' : 'ok');
    if (result === 'ok') {
      m.users.set(this.uuid, { family: this.family, given: this.given, dob: this.dob, version: 0 });
    }
  }
  toString = () => `InsertUser(${this.uuid}, ${this.family}, ${this.given}, ${this.dob})`;
}

class RenameUser implements Cmd {
  constructor(
    readonly uuid: string,
    readonly family: string,
    readonly stale: boolean,
  ) {}
  check = () => true;
  async run(m: Model, store: Store) {
    const current = await store.transaction((tx) => tx.users.get(this.uuid as Uuid));
    const expected = m.users.get(this.uuid);
    if (current === undefined || expected === undefined) {
      expect(current).toBeUndefined();
      expect(expected).toBeUndefined();
      expect(await code(store.transaction((tx) => tx.users.update(fixtureUser(this.uuid))))).toBe(
        'NOT_FOUND',
      );
      return;
    }
    const next = {
      ...current,
      name: { ...current.name, family: this.family },
      version: this.stale ? current.version + 1 : current.version,
    };
    const result = await code(store.transaction((tx) => tx.users.update(next)));
    expect(result).toBe(this.stale ? 'CONFLICT' : 'ok');
    if (result === 'ok') {
      expected.family = this.family;
      expected.version += 1;
    }
  }
  toString = () => `RenameUser(${this.uuid}, ${this.family}, stale=${this.stale})`;
}

class InsertCard implements Cmd {
  constructor(
    readonly serial: string,
    readonly holder: string,
  ) {}
  check = () => true;
  async run(m: Model, store: Store) {
    const result = await code(
      store.transaction((tx) => tx.smartcards.insert(fixtureCard(this.serial, this.holder))),
    );
    expect(result).toBe(m.cards.has(this.serial) ? 'DUPLICATE' : 'ok');
    if (result === 'ok') m.cards.set(this.serial, { holder: this.holder, version: 0 });
  }
  toString = () => `InsertCard(${this.serial}, ${this.holder})`;
}

class InsertAssignment implements Cmd {
  constructor(
    readonly id: string,
    readonly user: string,
    readonly start: number,
    readonly length: number | undefined,
  ) {}
  check = () => true;
  async run(m: Model, store: Store) {
    const end = this.length === undefined ? undefined : day(this.start + this.length);
    const record = fixtureAssignment(this.id, this.user, {
      start: day(this.start),
      ...(end === undefined ? {} : { end }),
    });
    const result = await code(store.transaction((tx) => tx.positionAssignments.insert(record)));
    expect(result).toBe(m.assignments.has(this.id) ? 'DUPLICATE' : 'ok');
    if (result === 'ok') {
      m.assignments.set(this.id, {
        user: this.user,
        start: day(this.start),
        end,
        removed: false,
        version: 0,
      });
    }
  }
  toString = () => `InsertAssignment(${this.id}, ${this.user}, ${this.start}, ${this.length})`;
}

class RemoveAssignment implements Cmd {
  constructor(readonly id: string) {}
  check = (m: Readonly<Model>) => m.assignments.has(this.id);
  async run(m: Model, store: Store) {
    await store.transaction(async (tx) => {
      const current = await tx.positionAssignments.get(this.id as AssignmentId);
      expect(current).toBeDefined();
      await tx.positionAssignments.update({
        ...current!,
        removed: { at: '2026-01-20T00:00:00.000Z' as IsoDateTime, by: UUIDS[0] as Uuid },
      });
    });
    const model = m.assignments.get(this.id)!;
    model.removed = true;
    model.version += 1;
  }
  toString = () => `RemoveAssignment(${this.id})`;
}

class CheckUser implements Cmd {
  constructor(readonly uuid: string) {}
  check = () => true;
  async run(m: Model, store: Store) {
    const real = await store.transaction((tx) => tx.users.get(this.uuid as Uuid));
    const model = m.users.get(this.uuid);
    if (model === undefined) {
      expect(real).toBeUndefined();
      return;
    }
    expect({
      family: real?.name.family,
      given: real?.name.given,
      dob: real?.dateOfBirth,
      version: real?.version,
    }).toEqual(model);
  }
  toString = () => `CheckUser(${this.uuid})`;
}

class SearchName implements Cmd {
  constructor(
    readonly family: string | undefined,
    readonly given: string | undefined,
    readonly dob: string | undefined,
    readonly limit: number,
  ) {}
  check = () => this.family !== undefined || this.given !== undefined;
  async run(m: Model, store: Store) {
    const query = {
      ...(this.family === undefined ? {} : { family: this.family }),
      ...(this.given === undefined ? {} : { given: this.given }),
      ...(this.dob === undefined ? {} : { dateOfBirth: this.dob as IsoDate }),
    };
    const got: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await store.transaction((tx) =>
        tx.users.searchByName(query, { limit: this.limit, cursor }),
      );
      expect(page.items.length).toBeLessThanOrEqual(this.limit);
      got.push(...page.items.map((u) => u.uuid));
      cursor = page.nextCursor;
    } while (cursor !== undefined);
    const key = (uuid: string, u: ModelUser) =>
      this.family === undefined
        ? [lower(u.given), lower(u.family), uuid]
        : [lower(u.family), lower(u.given), uuid];
    const want = [...m.users]
      .filter(
        ([, u]) =>
          (this.family === undefined || lower(u.family).startsWith(lower(this.family))) &&
          (this.given === undefined || lower(u.given).startsWith(lower(this.given))) &&
          (this.dob === undefined || u.dob === this.dob),
      )
      .sort(([a, ua], [b, ub]) => cmp(key(a, ua), key(b, ub)))
      .map(([uuid]) => uuid);
    expect(got).toEqual(want);
  }
  toString = () => `SearchName(${this.family}, ${this.given}, ${this.dob}, limit=${this.limit})`;
}

class ActiveAssignments implements Cmd {
  constructor(
    readonly user: string,
    readonly on: number,
  ) {}
  check = () => true;
  async run(m: Model, store: Store) {
    const date = day(this.on);
    const [active, history] = await store.transaction(async (tx) => [
      await tx.positionAssignments.activeForUser(this.user as Uuid, date as IsoDate),
      await tx.positionAssignments.historyForUser(this.user as Uuid, { limit: 1000 }),
    ]);
    const mine = [...m.assignments]
      .filter(([, a]) => a.user === this.user)
      .sort(([ia, a], [ib, b]) => cmp([a.start, ia], [b.start, ib]));
    expect(active.map((a) => a.id)).toEqual(
      mine
        .filter(([, a]) => !a.removed && a.start <= date && (a.end === undefined || date < a.end))
        .map(([id]) => id),
    );
    expect(history.items.map((a) => [a.id, a.version])).toEqual(
      mine.map(([id, a]) => [id, a.version]),
    );
  }
  toString = () => `ActiveAssignments(${this.user}, ${this.on})`;
}

class CardsOf implements Cmd {
  constructor(readonly holder: string) {}
  check = () => true;
  async run(m: Model, store: Store) {
    const cards = await store.transaction((tx) => tx.smartcards.byHolder(this.holder as Uuid));
    expect(cards.map((c) => c.serial)).toEqual(
      [...m.cards]
        .filter(([, c]) => c.holder === this.holder)
        .map(([s]) => s)
        .sort(),
    );
  }
  toString = () => `CardsOf(${this.holder})`;
}

class AppendAudit implements Cmd {
  constructor(readonly target: string) {}
  check = () => true;
  async run(m: Model, store: Store) {
    const record = await store.transaction((tx) =>
      tx.audit.append(fixtureEvent('model.write', this.target)),
    );
    m.audit += 1;
    expect(record.seq).toBe(m.audit);
  }
  toString = () => `AppendAudit(${this.target})`;
}

/** One write inside a failing transaction. */
type Step =
  | { readonly op: 'user'; readonly uuid: string; readonly family: string }
  | { readonly op: 'card'; readonly serial: string; readonly holder: string }
  | { readonly op: 'rename'; readonly uuid: string; readonly family: string }
  | { readonly op: 'assignment'; readonly id: string; readonly user: string }
  | { readonly op: 'audit' };

async function applyStep(tx: StoreTx, step: Step): Promise<void> {
  // Errors of a single step (a duplicate, a missing record) are swallowed: the point is
  // the later throw, which must undo the steps that did succeed.
  const attempt = async (p: Promise<unknown>) => {
    try {
      await p;
    } catch (error) {
      if (!isCareIdError(error)) throw error;
    }
  };
  switch (step.op) {
    case 'user':
      return attempt(tx.users.insert(fixtureUser(step.uuid, { family: step.family })));
    case 'card':
      return attempt(tx.smartcards.insert(fixtureCard(step.serial, step.holder)));
    case 'rename': {
      const user = await tx.users.get(step.uuid as Uuid);
      if (user !== undefined)
        await tx.users.update({ ...user, name: { ...user.name, family: step.family } });
      return;
    }
    case 'assignment':
      return attempt(tx.positionAssignments.insert(fixtureAssignment(step.id, step.user)));
    case 'audit':
      await tx.audit.append(fixtureEvent('model.doomed', 'x'));
      return;
  }
}

/** Everything the pools can reach, read in one transaction. */
async function snapshot(store: Store): Promise<unknown> {
  return store.transaction(async (tx) => ({
    users: await Promise.all(UUIDS.map((x) => tx.users.get(x as Uuid))),
    cards: await Promise.all(SERIALS.map((x) => tx.smartcards.get(x as CardSerial))),
    assignments: await Promise.all(
      ASSIGNMENT_IDS.map((x) => tx.positionAssignments.get(x as AssignmentId)),
    ),
    byName: (await tx.users.searchByName({ family: 's' }, { limit: 1000 })).items.map(
      (x) => x.uuid,
    ),
    byHolder: await Promise.all(
      UUIDS.map(async (x) => (await tx.smartcards.byHolder(x as Uuid)).map((c) => c.serial)),
    ),
    history: await Promise.all(
      UUIDS.map(async (x) =>
        (await tx.positionAssignments.historyForUser(x as Uuid)).items.map((a) => a.id),
      ),
    ),
    head: await tx.audit.head(),
  }));
}

class FailingTransaction implements Cmd {
  constructor(
    readonly steps: readonly Step[],
    readonly failAt: number,
  ) {}
  check = () => true;
  async run(_m: Model, store: Store) {
    const before = await snapshot(store);
    const doom = new Error('doomed transaction');
    const failAt = this.failAt % (this.steps.length + 1);
    await expect(
      store.transaction(async (tx) => {
        for (const [i, step] of this.steps.entries()) {
          if (i === failAt) throw doom;
          await applyStep(tx, step);
        }
        throw doom;
      }),
    ).rejects.toBe(doom);
    expect(await snapshot(store)).toEqual(before);
  }
  toString = () => `FailingTransaction(${JSON.stringify(this.steps)}, failAt=${this.failAt})`;
}

const uuid = fc.constantFrom(...UUIDS);
const family = fc.constantFrom(...FAMILIES);
const step: fc.Arbitrary<Step> = fc.oneof(
  fc.record({ op: fc.constant('user' as const), uuid, family }),
  fc.record({
    op: fc.constant('card' as const),
    serial: fc.constantFrom(...SERIALS),
    holder: uuid,
  }),
  fc.record({ op: fc.constant('rename' as const), uuid, family }),
  fc.record({
    op: fc.constant('assignment' as const),
    id: fc.constantFrom(...ASSIGNMENT_IDS),
    user: uuid,
  }),
  fc.record({ op: fc.constant('audit' as const) }),
);

const commands = [
  fc
    .tuple(uuid, family, fc.constantFrom(...GIVENS), fc.constantFrom(...DOBS))
    .map(([a, b, c, d]) => new InsertUser(a, b, c, d)),
  fc.tuple(uuid, family, fc.boolean()).map(([a, b, c]) => new RenameUser(a, b, c)),
  fc.tuple(fc.constantFrom(...SERIALS), uuid).map(([a, b]) => new InsertCard(a, b)),
  fc
    .tuple(
      fc.constantFrom(...ASSIGNMENT_IDS),
      uuid,
      fc.integer({ min: 1, max: 8 }),
      fc.option(fc.integer({ min: 1, max: 4 }), { nil: undefined }),
    )
    .map(([a, b, c, d]) => new InsertAssignment(a, b, c, d)),
  fc.constantFrom(...ASSIGNMENT_IDS).map((a) => new RemoveAssignment(a)),
  uuid.map((a) => new CheckUser(a)),
  fc
    .tuple(
      fc.option(fc.constantFrom('s', 'SM', 'smi', 'Smith', 'j', 'x'), { nil: undefined }),
      fc.option(fc.constantFrom('a', 'AN', 'anna', 'b'), { nil: undefined }),
      fc.option(fc.constantFrom(...DOBS), { nil: undefined }),
      fc.integer({ min: 1, max: 3 }),
    )
    .map(([a, b, c, d]) => new SearchName(a, b, c, d)),
  fc.tuple(uuid, fc.integer({ min: 1, max: 13 })).map(([a, b]) => new ActiveAssignments(a, b)),
  uuid.map((a) => new CardsOf(a)),
  uuid.map((a) => new AppendAudit(a)),
  fc
    .tuple(fc.array(step, { minLength: 1, maxLength: 6 }), fc.nat())
    .map(([a, b]) => new FailingTransaction(a, b)),
];

/**
 * The model-based properties of the conformance suite: random command sequences against a
 * fresh store agree with a plain in-memory model, and a transaction that throws at a
 * random step leaves the store exactly as it was.
 *
 * @example
 * ```ts
 * describeModelTests(withStore, 25);
 * ```
 */
export function describeModelTests(
  withStore: <T>(body: (store: Store) => Promise<T>) => Promise<T>,
  numRuns: number,
): void {
  describe('model-based (fast-check)', () => {
    it('random writes and reads agree with an in-memory model (ID-05, ID-06, ASG-02, ASG-04, AUD-01)', async () => {
      await fc.assert(
        fc.asyncProperty(fc.commands(commands, { maxCommands: 40 }), async (cmds) => {
          await withStore(async (store) => {
            const model: Model = {
              users: new Map(),
              cards: new Map(),
              assignments: new Map(),
              audit: 0,
            };
            await fc.asyncModelRun(() => ({ model, real: store }), cmds);
            expect(await verifyAudit(store)).toMatchObject({ ok: true, count: model.audit });
          });
        }),
        { numRuns },
      );
    });

    it('a transaction that throws at a random step leaves the store exactly as before', async () => {
      await fc.assert(
        fc.asyncProperty(
          fc.array(step, { maxLength: 8 }),
          fc.array(step, { minLength: 1, maxLength: 8 }),
          fc.nat(),
          async (setup, doomed, failAt) => {
            await withStore(async (store) => {
              await store.transaction(async (tx) => {
                for (const s of setup) await applyStep(tx, s);
              });
              await new FailingTransaction(doomed, failAt).run(
                { users: new Map(), cards: new Map(), assignments: new Map(), audit: 0 },
                store,
              );
              expect((await verifyAudit(store)).ok).toBe(true);
            });
          },
        ),
        { numRuns },
      );
    });
  });
}
