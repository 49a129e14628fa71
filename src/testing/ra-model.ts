import type { Arbitrary, AsyncCommand } from 'fast-check';
import { addDays, type IsoDate, type IsoDateTime } from '../domain/dates.js';
import type { Position } from '../domain/position.js';
import type { UserProfile } from '../domain/user.js';
import type { Uuid } from '../domain/uuid.js';
import { CareIdError } from '../errors/care-id-error.js';
import { accessChangingActivities } from '../policy/conditions.js';
import type { ActivityId } from '../policy/matrix.js';
import type { CommandInput } from '../ra/command-catalogue.js';
import type { RegistrationAuthority } from '../ra/registration-authority.js';
import type { SeedData } from '../ra/seed.js';
import { seedAssignment, seedOrganisation, seedPosition, seedUser } from '../ra/seed-records.js';
import { verifyAudit } from '../storage/audit-chain.js';
import { encodeCursor } from '../storage/paging.js';
import type { Store } from '../storage/ports.js';
import fc from './fast-check.js';

/** One position assignment as the model sees it. */
export interface ModelAssignment {
  readonly id: string;
  readonly user: string;
  readonly position: string;
  readonly start: string;
  readonly end?: string | undefined;
  readonly removed: boolean;
}

/**
 * The simple model the RA is checked against: each profile's status and every position
 * assignment, history included. Mutable: fast-check's model commands update it in place.
 */
export interface RaModel {
  readonly today: IsoDate;
  readonly users: Record<string, 'open' | 'closed'>;
  assignments: ModelAssignment[];
  /** Commands the policy refused so far. */
  denied: number;
}

/** The system under test: the RA and the store it writes. */
export interface RaSystem {
  readonly ra: RegistrationAuthority;
  readonly store: Store;
}

/** The world a model run starts from: its seed, who acts, who is acted on, what is assigned. */
export interface RaModelWorld {
  readonly seed: SeedData;
  /** The day the RA's clock says it is. */
  readonly today: IsoDate;
  /** Everyone who issues commands (the RA manager, an agent, a sponsor, plain staff). */
  readonly actors: readonly Uuid[];
  /** Everyone commands act on (the actors too, so SOD-03 gets exercised). */
  readonly users: readonly Uuid[];
  readonly positions: readonly Position['id'][];
}

const AT = '2026-11-22T10:00:00.000Z' as IsoDateTime;

/**
 * A small world for model runs: an ICB and a pharmacy; an RA manager and an RA agent at
 * the ICB; a sponsor at the pharmacy who may assign the dispenser position; four staff.
 *
 * @example
 * ```ts
 * const world = raModelWorld();
 * await seed(store, world.seed, { at: '2026-11-22T10:00:00.000Z', by: 'model' });
 * ```
 */
export function raModelWorld(): RaModelWorld {
  const people = {
    ram: '610000000001',
    agent: '610000000002',
    sponsor: '610000000003',
  };
  const staff = ['610000000011', '610000000012', '610000000013', '610000000014'];
  const ctx = { at: AT, by: people.ram };
  const org = (odsCode: string, kind: string, parent?: string) =>
    seedOrganisation({ odsCode, name: odsCode, kind, ...(parent ? { parent } : {}) });
  const user = (uuid: string, family: string, training: boolean): UserProfile =>
    seedUser({ uuid, given: 'Model', family, training }, ctx);
  const positions = [
    { id: 'm-ram', organisation: 'QMM', jobRole: 'R5080', activities: [] },
    { id: 'm-agent', organisation: 'QMM', jobRole: 'R5090', activities: [] },
    {
      id: 'm-sponsor',
      organisation: 'FM001',
      jobRole: 'R8003',
      activities: ['B1300'],
      assignable: ['m-dispenser'],
    },
    { id: 'm-dispenser', organisation: 'FM001', jobRole: 'R8004', activities: [] },
    { id: 'm-pharmacist', organisation: 'FM001', jobRole: 'R8003', activities: [] },
  ].map((p) => seedPosition(p, ctx));
  const [ramPosition, agentPosition, sponsorPosition] = positions as [Position, Position, Position];
  const assignment = (id: string, uuid: string, held: Position) =>
    seedAssignment({ id, user: uuid, position: held, start: '2026-01-01' }, ctx);
  return {
    seed: {
      organisations: [org('QMM', 'icb'), org('FM001', 'pharmacy', 'QMM')],
      positions,
      users: [
        user(people.ram, 'Manager', true),
        user(people.agent, 'Agent', true),
        user(people.sponsor, 'Sponsor', true),
        ...staff.map((uuid, i) => user(uuid, `Staff${i}`, i % 2 === 0)),
      ],
      assignments: [
        assignment('m-asg-ram', people.ram, ramPosition),
        assignment('m-asg-agent', people.agent, agentPosition),
        assignment('m-asg-sponsor', people.sponsor, sponsorPosition),
      ],
    },
    today: '2026-11-22' as IsoDate,
    actors: [people.ram, people.agent, people.sponsor, staff[0]!] as Uuid[],
    users: [people.ram, people.agent, people.sponsor, ...staff] as Uuid[],
    positions: positions.map((p) => p.id),
  };
}

/**
 * The model a run starts from: every seeded profile open, the seeded assignments.
 *
 * @example
 * ```ts
 * const model = initialRaModel(raModelWorld());
 * ```
 */
export function initialRaModel(world: RaModelWorld): RaModel {
  return {
    today: world.today,
    users: Object.fromEntries((world.seed.users ?? []).map((u) => [u.uuid, u.status])),
    assignments: (world.seed.assignments ?? []).map((a) => ({
      id: a.id,
      user: a.user,
      position: a.position,
      start: a.start,
      ...(a.end !== undefined ? { end: a.end } : {}),
      removed: a.removed !== undefined,
    })),
    denied: 0,
  };
}

async function storeView(store: Store, users: readonly string[]) {
  return store.transaction(async (tx) => {
    const statuses: Record<string, string> = {};
    const assignments: ModelAssignment[] = [];
    for (const uuid of users) {
      statuses[uuid] = (await tx.users.get(uuid as Uuid))?.status ?? 'missing';
      let cursor: string | undefined;
      do {
        const page = await tx.positionAssignments.historyForUser(uuid as Uuid, {
          limit: 500,
          ...(cursor !== undefined ? { cursor } : {}),
        });
        for (const a of page.items) {
          assignments.push({
            id: a.id,
            user: a.user,
            position: a.position,
            start: a.start,
            ...(a.end !== undefined ? { end: a.end } : {}),
            removed: a.removed !== undefined,
          });
        }
        cursor = page.nextCursor;
      } while (cursor !== undefined);
    }
    assignments.sort((a, b) => a.id.localeCompare(b.id));
    return { statuses, assignments };
  });
}

function fail(message: string, detail?: unknown): never {
  throw new Error(`RA model check failed: ${message}${detail ? ` ${JSON.stringify(detail)}` : ''}`);
}

/** The store matches the model: every status and every assignment, field by field. */
async function assertStoreMatches(model: RaModel, real: RaSystem): Promise<void> {
  const view = await storeView(real.store, Object.keys(model.users));
  for (const [uuid, status] of Object.entries(model.users)) {
    if (view.statuses[uuid] !== status) {
      fail(`profile ${uuid} is ${view.statuses[uuid]} in the store, ${status} in the model`);
    }
  }
  const expected = [...model.assignments].sort((a, b) => a.id.localeCompare(b.id));
  const normalise = (a: ModelAssignment) =>
    JSON.stringify([a.id, a.user, a.position, a.start, a.end ?? null, a.removed]);
  const got = view.assignments.map(normalise);
  const want = expected.map(normalise);
  if (got.join('\n') !== want.join('\n')) fail('assignments differ', { store: got, model: want });
}

const accessChanging = new Set<string>([...accessChangingActivities, 'batch.assignments']);

/**
 * Runs one command against the RA and checks every invariant: an allowed command came
 * from an open profile and never acted on the actor's own profile (SOD-03); a refused one
 * changed nothing and was audited; the store then matches the model; the audit chain
 * verifies. `expect` updates the model from what the command returned.
 */
async function step(
  model: RaModel,
  real: RaSystem,
  actor: string,
  command: CommandInput,
  expect: (result: never) => void,
): Promise<void> {
  const before = (await real.store.transaction((tx) => tx.audit.head())).seq;
  let outcome: 'allowed' | 'denied' | 'failed';
  try {
    const result = await real.ra.execute(actor, command as never);
    outcome = 'allowed';
    if (model.users[actor] !== 'open') fail(`a closed or unknown actor ${actor} was allowed`);
    expect(result as never);
  } catch (error) {
    if (!(error instanceof CareIdError)) throw error;
    outcome = error.code === 'POLICY_DENIED' ? 'denied' : 'failed';
    if (outcome === 'denied') model.denied++;
  }
  const records = await real.store.transaction((tx) =>
    tx.audit.read({ limit: 10, cursor: encodeCursor([before]) }),
  );
  const mine = records.items.filter((r) => r.event.activity === command.type);
  if (mine.length !== 1) fail(`${command.type} left ${mine.length} audit records, not one`);
  const event = mine[0]!.event;
  if (event.outcome !== outcome) fail(`audited as ${event.outcome}, but it was ${outcome}`);
  if (outcome === 'allowed' && accessChanging.has(command.type as ActivityId)) {
    if (event.target === actor) fail(`SOD-03: ${actor} changed their own access`, command);
  }
  await assertStoreMatches(model, real);
  const verified = await verifyAudit(real.store);
  if (!verified.ok) fail('the audit chain does not verify', verified);
}

const dayArb = (today: IsoDate) => fc.integer({ min: -20, max: 40 }).map((d) => addDays(today, d));

/**
 * The command generators of a model run over `world`: assign, edit an end date, remove,
 * batch-assign, close and reopen profiles, each from a random actor on a random target.
 * Every command checks the RA against the model after it runs (see {@link RaModel}).
 *
 * @example
 * ```ts
 * import fc from 'fast-check';
 * const world = raModelWorld();
 * await fc.assert(fc.asyncProperty(fc.commands(raModelCommands(world), { maxCommands: 30 }), async (cmds) => {
 *   const store = memoryStore();
 *   await seed(store, world.seed, { at: '2026-11-22T10:00:00.000Z', by: 'model' });
 *   const ra = createRegistrationAuthority({ store, pack: myPack, clock: () => new Date('2026-11-22T10:00:00Z') });
 *   await fc.asyncModelRun(() => ({ model: initialRaModel(world), real: { ra, store } }), cmds);
 * }), { numRuns: 20 });
 * ```
 */
export function raModelCommands(world: RaModelWorld): Arbitrary<AsyncCommand<RaModel, RaSystem>>[] {
  const actorArb = fc.constantFrom(...world.actors);
  const userArb = fc.constantFrom(...world.users);
  const positionArb = fc.constantFrom(...world.positions);
  const pickArb = fc.nat({ max: 1000 });
  const day = dayArb(world.today);
  const command = (
    label: string,
    run: (model: RaModel, real: RaSystem) => Promise<void>,
  ): AsyncCommand<RaModel, RaSystem> => ({
    check: () => true,
    run,
    toString: () => label,
  });
  const pick = (model: RaModel, n: number) =>
    model.assignments.length === 0 ? undefined : model.assignments[n % model.assignments.length];

  return [
    fc
      .record({
        actor: actorArb,
        user: userArb,
        position: positionArb,
        start: day,
        length: fc.option(fc.integer({ min: 1, max: 90 }), { nil: undefined }),
      })
      .map(({ actor, user, position, start, length }) => {
        const end = length === undefined ? undefined : addDays(start, length);
        return command(
          `assign(${actor} -> ${user} ${position} ${start}..${end ?? ''})`,
          (model, real) =>
            step(
              model,
              real,
              actor,
              { type: 'assignment.assign', user, position, start, ...(end ? { end } : {}) },
              (r: { assignment: { id: string } }) => {
                model.assignments.push({
                  id: r.assignment.id,
                  user,
                  position,
                  start,
                  end,
                  removed: false,
                });
              },
            ),
        );
      }),
    fc
      .record({ actor: actorArb, n: pickArb, end: fc.option(day, { nil: null }) })
      .map(({ actor, n, end }) =>
        command(`edit-end(${actor} #${n} ${end})`, async (model, real) => {
          const target = pick(model, n);
          if (!target) return;
          await step(
            model,
            real,
            actor,
            { type: 'assignment.edit-dates', assignment: target.id, end },
            () => {
              if (target.removed) fail(`a removed assignment ${target.id} was edited`);
              if (end !== null && end <= target.start) fail('an end before the start was accepted');
              model.assignments = model.assignments.map((a) =>
                a.id === target.id ? { ...a, end: end ?? undefined } : a,
              );
            },
          );
        }),
      ),
    fc.record({ actor: actorArb, n: pickArb }).map(({ actor, n }) =>
      command(`remove(${actor} #${n})`, async (model, real) => {
        const target = pick(model, n);
        if (!target) return;
        await step(model, real, actor, { type: 'assignment.remove', assignment: target.id }, () => {
          if (target.removed) fail(`assignment ${target.id} was removed twice`);
          model.assignments = model.assignments.map((a) =>
            a.id === target.id ? { ...a, removed: true } : a,
          );
        });
      }),
    ),
    fc
      .record({
        actor: actorArb,
        users: fc.uniqueArray(userArb, { minLength: 1, maxLength: 5 }),
        position: positionArb,
        start: day,
      })
      .map(({ actor, users, position, start }) =>
        command(`batch(${actor} ${position} ${users.join(',')})`, (model, real) =>
          step(
            model,
            real,
            actor,
            { type: 'batch.assignments', action: 'assign', position, uuids: users, start },
            (r: { items: { uuid: string; outcome: string; assignment?: string }[] }) => {
              for (const item of r.items) {
                if (item.outcome !== 'changed') continue;
                if (item.uuid === actor) fail('SOD-03: a batch assigned the actor');
                model.assignments.push({
                  id: item.assignment!,
                  user: item.uuid,
                  position,
                  start,
                  removed: false,
                });
              }
            },
          ),
        ),
      ),
    fc.record({ actor: actorArb, user: userArb }).map(({ actor, user }) =>
      command(`close(${actor} -> ${user})`, (model, real) =>
        step(model, real, actor, { type: 'user.close', user, reason: 'model run' }, () => {
          if (model.users[user] !== 'open') fail(`closed profile ${user} was closed again`);
          model.users[user] = 'closed';
          // PROF-01: running assignments end today; those not yet started are removed.
          model.assignments = model.assignments.map((a) => {
            if (a.user !== user || a.removed || (a.end !== undefined && a.end <= model.today))
              return a;
            return a.start >= model.today ? { ...a, removed: true } : { ...a, end: model.today };
          });
        }),
      ),
    ),
    fc.record({ actor: actorArb, user: userArb }).map(({ actor, user }) =>
      command(`reopen(${actor} -> ${user})`, (model, real) =>
        step(model, real, actor, { type: 'user.reopen', user, reason: 'model run' }, () => {
          if (model.users[user] !== 'closed') fail(`open profile ${user} was reopened`);
          model.users[user] = 'open';
        }),
      ),
    ),
  ];
}
