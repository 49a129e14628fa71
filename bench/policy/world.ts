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

/** The people who sign in to an RA front end: RA staff and sponsors, with real role mixes. */
const ROLE_MIX: readonly [number, readonly RaRole[]][] = [
  [0.45, ['S']],
  [0.2, ['RAA']],
  [0.1, ['LSA']],
  [0.08, ['RAAA']],
  [0.07, ['IDC']],
  [0.05, ['RAM']],
  [0.05, ['RAA', 'S']],
];
const STARTS = ['2025-04-01', '2026-01-01', '2026-06-01', '2026-11-22', '2026-12-01'];
const ENDS = [undefined, undefined, undefined, '2026-11-22', '2026-11-23', '2027-03-31'];
export const AT = '2026-11-22T10:00:00.000Z';

/** A front end's view: who signs in, and the rows (targets) it shows buttons for. */
export interface FrontEndWorld {
  /** Each organisation's path: itself, then its ICB. */
  readonly paths: readonly (readonly string[])[];
  readonly actors: readonly ActorInput[];
  /** One decision request per target: an activity on a user, card, position or report there. */
  readonly targets: readonly DecisionRequestInput[];
}

/**
 * 4 ICBs and 16 practices or pharmacies (one area's RA desk); `actorCount` RA staff and sponsors with two
 * assignments each (some starting or ending around the decision date, some sponsors with
 * an assignable list); `targetCount` targets, each one activity of the matrix on a user,
 * their card, a position and a report at one organisation.
 */
export function buildFrontEnd(actorCount = 200, targetCount = 500, seed = 42): FrontEndWorld {
  const random = seeded(seed);
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(random() * xs.length)]!;
  const icbs = Array.from({ length: 4 }, (_, i) => `Q${String(i).padStart(2, '0')}`);
  const paths: string[][] = icbs.map((icb) => [icb]);
  for (let i = 0; i < 16; i++) {
    paths.push([`${i % 2 ? 'F' : 'A'}${String(i).padStart(5, '0')}`, icbs[i % icbs.length]!]);
  }
  const rolesOf = () => {
    let x = random();
    for (const [p, roles] of ROLE_MIX) {
      if (x < p) return roles;
      x -= p;
    }
    return ['S'] as const;
  };
  const actors: ActorInput[] = [];
  for (let u = 0; u < actorCount; u++) {
    const assignments = [];
    for (let k = 0; k < 2; k++) {
      const start = pick(STARTS);
      const end = pick(ENDS);
      assignments.push({
        organisation: pick(paths)[0]!,
        roles: rolesOf(),
        start,
        ...(end !== undefined && end > start ? { end } : {}),
        ...(random() < 0.3 ? { assignable: ['pos_a', 'pos_b'] } : {}),
      });
    }
    actors.push({ uuid: String(100_000_000_000 + u), assignments });
  }
  const targets: DecisionRequestInput[] = [];
  for (let t = 0; t < targetCount; t++) {
    const path = pick(paths);
    // A tenth of the rows are about one of the people signing in (their own profile).
    const subject = random() < 0.1 ? pick(actors).uuid : String(200_000_000_000 + t);
    targets.push({
      activity: pick(activityIds),
      at: AT,
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
        ...(random() < 0.05 ? { sponsoredBy: pick(actors).uuid } : {}),
      },
    });
  }
  return { paths, actors, targets };
}
