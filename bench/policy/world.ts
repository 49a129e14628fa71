import type { ActorInput, DecisionRequestInput, RaRole } from '../../src/policy/index.js';
import { activityIds } from '../../src/policy/index.js';

/** A deterministic pseudo-random source (mulberry32), so every run builds the same world. */
export function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface BenchWorld {
  /** Each organisation's path: itself, then its ancestors. */
  readonly paths: readonly (readonly string[])[];
  readonly actors: readonly ActorInput[];
  readonly assignmentCount: number;
}

/** Role mixes of real positions: most staff hold no RA role at all. */
const ROLE_MIX: readonly [number, readonly RaRole[]][] = [
  [0.72, []],
  [0.14, ['S']],
  [0.05, ['RAA']],
  [0.03, ['LSA']],
  [0.02, ['RAAA']],
  [0.02, ['IDC']],
  [0.01, ['RAM']],
  [0.01, ['RAA', 'S']],
];
const DATES = ['2025-04-01', '2026-01-01', '2026-06-01', '2026-11-22', '2026-12-01'];
const ENDS = [undefined, undefined, undefined, '2026-11-22', '2026-11-23', '2027-03-31'];

/** 1,000 organisations (40 ICBs, 960 practices and pharmacies), 100,000 users, 200,000 assignments. */
export function buildWorld(users = 100_000, assignmentsPerUser = 2, seed = 42): BenchWorld {
  const random = seeded(seed);
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(random() * xs.length)]!;
  const paths: string[][] = [];
  const icbs = Array.from({ length: 40 }, (_, i) => `Q${String(i).padStart(2, '0')}`);
  for (const icb of icbs) paths.push([icb]);
  for (let i = 0; i < 960; i++) {
    const icb = icbs[i % icbs.length]!;
    paths.push([`${i % 2 ? 'F' : 'A'}${String(i).padStart(5, '0')}`, icb]);
  }
  const roleOf = () => {
    let x = random();
    for (const [p, roles] of ROLE_MIX) {
      if (x < p) return roles;
      x -= p;
    }
    return [] as const;
  };
  const actors: ActorInput[] = [];
  for (let u = 0; u < users; u++) {
    const assignments = [];
    for (let k = 0; k < assignmentsPerUser; k++) {
      const start = pick(DATES);
      const end = pick(ENDS);
      assignments.push({
        organisation: pick(paths)[0]!,
        roles: roleOf(),
        start,
        ...(end !== undefined && end > start ? { end } : {}),
        ...(random() < 0.3 ? { assignable: ['pos_a', 'pos_b'] } : {}),
      });
    }
    actors.push({ uuid: String(100_000_000_000 + u), assignments });
  }
  return { paths, actors, assignmentCount: users * assignmentsPerUser };
}

/** A request with the actor it is decided for. */
export interface BenchRequest {
  readonly actorIndex: number;
  readonly request: DecisionRequestInput;
}

/**
 * 65,536 (actor, request) pairs: any activity; the target organisation is, half the time,
 * one where the actor holds a position (or one below it), otherwise anywhere.
 */
export function buildRequests(world: BenchWorld, count = 1 << 16, seed = 7): BenchRequest[] {
  const random = seeded(seed);
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(random() * xs.length)]!;
  const below = new Map<string, (readonly string[])[]>();
  for (const path of world.paths) {
    for (const org of path) below.set(org, [...(below.get(org) ?? []), path]);
  }
  const pairs: BenchRequest[] = [];
  for (let i = 0; i < count; i++) {
    const actorIndex = Math.floor(random() * world.actors.length);
    const actor = world.actors[actorIndex]!;
    const near = random() < 0.5 && actor.assignments.length > 0;
    const path = near ? pick(below.get(pick(actor.assignments).organisation)!) : pick(world.paths);
    const subject = random() < 0.1 ? actor.uuid : pick(world.actors).uuid;
    pairs.push({
      actorIndex,
      request: {
        activity: pick(activityIds),
        at: '2026-11-22T10:00:00.000Z',
        target: {
          organisationPath: path,
          user: {
            uuid: subject,
            identityChecked: true,
            hasNiNumber: random() < 0.9,
            raTraining: random() < 0.5,
          },
          position: { id: pick(['pos_a', 'pos_c']), organisation: path[0]! },
          card: {
            serial: pick(['0412345678', '2112345678']),
            status: 'issued',
            holder: subject,
            certificatesExpireOn: '2027-01-10',
          },
          report: { category: pick(['smartcard', 'profile'] as const) },
        },
        facts: {
          userPresent: random() < 0.9,
          oneTimeCodeVerified: true,
          ...(random() < 0.05 ? { sponsoredBy: actor.uuid } : {}),
        },
      },
    });
  }
  return pairs;
}
