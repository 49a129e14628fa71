/**
 * bench/policy: decide with full reasons against a bare bitset, CASL and casbin on one
 * world of 1,000 organisations, 100,000 users and 200,000 assignments, in ONE run.
 * The targets are measured on the columnar API (`preparePopulation`, `prepareRequests`,
 * `decideAt`); the per-object API (`Decider.prepareAll`, `Decider.decide`) is shown too.
 * Run: `npm run bench -- policy` (node --expose-gc, so the heap figure is exact).
 */
import {
  compilePack,
  createDecider,
  type Decision,
  decide,
  decideAt,
  nationalPack,
  type PreparedActor,
  type PreparedRequest,
  preparePopulation,
  prepareRequests,
} from '../../src/policy/index.js';
import { type BenchRow, type BenchTarget, printTables, rate } from '../lib/table.js';
import {
  buildBitset,
  buildBitsetPerUser,
  buildCasbin,
  buildCasl,
  caslSubjects,
} from './baselines.js';
import { buildRequests, buildWorld } from './world.js';

const SECONDS = Number(process.env['BENCH_SECONDS'] ?? 2);
const gc = (globalThis as { gc?: () => void }).gc;
/** Heap in use after full collections; a few ticks apart so nothing pending survives. */
async function heap(): Promise<number> {
  for (let i = 0; i < 4; i++) {
    gc?.();
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return process.memoryUsage().heapUsed;
}
const DATE = '2026-11-22';
const fmt = (n: number) => Math.round(n).toLocaleString('en-GB');

const decider = createDecider(nationalPack);
const compiled = compilePack(nationalPack);

// The baselines read the raw world; decideAt() reads its own population, built from a
// second generation of the same (seeded) world, so its heap can be measured alone.
const raw = buildWorld();
const heapBefore = await heap();
const population = preparePopulation(nationalPack, buildWorld().actors);
const worldHeap = (await heap()) - heapBefore;
const prepared: readonly PreparedActor[] = decider.prepareAll(raw.actors);

const requestInputs = buildRequests(raw);
const requests: PreparedRequest[] = requestInputs.map((r) => decider.request(r.request));
const table = prepareRequests(
  population,
  requestInputs.map((r) => r.request),
);
const actorOf = Int32Array.from(requestInputs, (r) => r.actorIndex);
const N = requestInputs.length;

// Setup for every engine first; then the engines that targets compare are timed in
// interleaved rounds (each round times every engine in turn), so that load from other work
// on this shared machine falls on all of them alike. A figure is the median of its rounds;
// a ratio target is the median of the per-round ratios.
const bitset = buildBitset(compiled, raw.actors, raw.paths);
const perUser = buildBitsetPerUser(compiled, raw.actors, raw.paths);
const day = Math.floor(Date.parse(`${DATE}T00:00:00Z`) / 86_400_000);
const bitsetArgs = requestInputs.map((r) => ({
  actor: r.actorIndex,
  activity: bitset.activityIndex.get(r.request.activity)!,
  org: bitset.orgIndex.get(r.request.target!.organisationPath![0]!)!,
}));

// CASL and casbin build per-user structures; they decide for the requests of the first 5,000 users.
const SAMPLE = 5_000;
const sample = requestInputs.filter((r) => r.actorIndex < SAMPLE);
const caslAbilities = buildCasl(compiled, raw.actors.slice(0, SAMPLE));
const caslTargets = caslSubjects(sample.map((r) => r.request));
const sampleActors = Int32Array.from(sample, (r) => r.actorIndex);
const sampleRequests = sample.map((r) => decider.request(r.request));
const sampleTable = prepareRequests(
  population,
  sample.map((r) => r.request),
);
const casbin = await buildCasbin(compiled, raw.actors.slice(0, SAMPLE), DATE);

const ROUNDS = 5;
let decideAtAllowedCount = 0;
let bitsetAllowedCount = 0;
let sink = 0;
const engines = {
  decideAt: () =>
    rate(SECONDS / ROUNDS, 100_000, (i) => {
      const k = i % N;
      if (decideAt(population, actorOf[k]!, table, k).allowed) decideAtAllowedCount++;
    }),
  decide: () =>
    rate(SECONDS / ROUNDS, 100_000, (i) => {
      const k = i % N;
      if (decider.decide(prepared[actorOf[k]!]!, requests[k]!).allowed) sink++;
    }),
  bitset: () =>
    rate(SECONDS / ROUNDS, 100_000, (i) => {
      const args = bitsetArgs[i % N]!;
      if (bitset.check(args.actor, args.activity, args.org, day)) bitsetAllowedCount++;
    }),
  perUser: () =>
    rate(SECONDS / ROUNDS, 100_000, (i) => {
      const args = bitsetArgs[i % N]!;
      if (perUser.check(args.actor, args.activity, args.org, day)) sink++;
    }),
  decideAtSample: () =>
    rate(SECONDS / ROUNDS, 50_000, (i) => {
      const k = i % sample.length;
      if (decideAt(population, sampleActors[k]!, sampleTable, k).allowed) sink++;
    }),
  decideSample: () =>
    rate(SECONDS / ROUNDS, 50_000, (i) => {
      const k = i % sample.length;
      if (decider.decide(prepared[sampleActors[k]!]!, sampleRequests[k]!).allowed) sink++;
    }),
  casl: () =>
    rate(SECONDS / ROUNDS, 5_000, (i) => {
      const k = i % sample.length;
      const r = sample[k]!;
      if (caslAbilities[r.actorIndex]!.can(r.request.activity, caslTargets[k]!)) sink++;
    }),
};
type Engine = keyof typeof engines;
const rounds: Record<Engine, number>[] = [];
// One untimed round first, so every engine (CASL's too) is compiled before it is timed.
for (let round = -1; round < ROUNDS; round++) {
  const figures = {} as Record<Engine, number>;
  for (const name of Object.keys(engines) as Engine[]) figures[name] = engines[name]();
  if (round >= 0) rounds.push(figures);
  else {
    decideAtAllowedCount = 0;
    bitsetAllowedCount = 0;
  }
}
const median = (xs: readonly number[]) => [...xs].sort((x, y) => x - y)[xs.length >> 1]!;
const medianRate = (name: Engine) => median(rounds.map((r) => r[name]));
const medianRatio = (a: Engine, b: Engine) => median(rounds.map((r) => r[a] / r[b]));

const decideAtRate = medianRate('decideAt');
const decideRate = medianRate('decide');
const bitsetRate = medianRate('bitset');
const perUserRate = medianRate('perUser');
const decideAtSampleRate = medianRate('decideAtSample');
const decideSampleRate = medianRate('decideSample');
const caslRate = medianRate('casl');
const totalOf = (name: Engine) => rounds.reduce((n, r) => n + r[name] * (SECONDS / ROUNDS), 0);
const decideAtAllowed = decideAtAllowedCount / totalOf('decideAt');
const bitsetAllowed = bitsetAllowedCount / totalOf('bitset');
const bitsetRatio = medianRatio('decideAt', 'bitset');
const caslRatio = medianRatio('decideAtSample', 'casl');

// Cold: freshly prepared requests, each decided once, so every shared decision (allow,
// forbid, refusal) is made by the engine on the way; the timed rounds above reuse them.
const fresh = prepareRequests(
  population,
  requestInputs.map((r) => r.request),
);
const coldStart = performance.now();
for (let k = 0; k < N; k++) if (decideAt(population, actorOf[k]!, fresh, k).allowed) sink++;
const coldRate = N / ((performance.now() - coldStart) / 1000);

const decideWithSentences = rate(SECONDS / 2, 50_000, (i) => {
  const k = i % N;
  const d = decider.decide(prepared[actorOf[k]!]!, requests[k]!);
  for (const r of d.reasons) if (r.message.length === 0) throw new Error('empty sentence');
});
const decideValidated = rate(SECONDS / 2, 20_000, (i) => {
  const k = i % N;
  decider.decide(prepared[actorOf[k]!]!, requestInputs[k]!.request);
});
const casbinRate = rate(SECONDS, 200, (i) => {
  const r = sample[i % sample.length]!;
  casbin(raw.actors[r.actorIndex]!.uuid, r.request.target!.organisationPath!, r.request.activity);
});
if (sink < 0) console.log(sink);

// The columnar path must give exactly plain decide()'s decisions, reasons and sentences
// included: checked on every 16th request of both tables, after the timed runs (so on the
// shared decisions they made).
const json = (d: Decision) => JSON.stringify(d);
let checked = 0;
for (const [inputs, packed] of [
  [requestInputs, table],
  [sample, sampleTable],
] as const) {
  for (let k = 0; k < inputs.length; k += 16) {
    const { actorIndex, request } = inputs[k]!;
    const ours = json(decideAt(population, actorIndex, packed, k));
    const plain = json(decide({ pack: nationalPack, actor: raw.actors[actorIndex]!, ...request }));
    if (ours !== plain) throw new Error(`decideAt differs from decide() at request ${k}`);
    checked++;
  }
}

const rows: BenchRow[] = [
  {
    name: 'world',
    value: raw.paths.length,
    unit: 'organisations',
    note: `${fmt(raw.actors.length)} users, ${fmt(raw.assignmentCount)} assignments`,
  },
  {
    name: 'decideAt, full reasons (packed population and requests)',
    value: decideAtRate,
    unit: 'decisions/s',
    note: `${(decideAtAllowed * 100).toFixed(0)}% allowed; ${fmt(checked)} equal to decide()`,
  },
  {
    name: "decideAt, each request's first decision (fresh requests, one pass)",
    value: coldRate,
    unit: 'decisions/s',
  },
  {
    name: 'decide, full reasons (prepared actor and request objects)',
    value: decideRate,
    unit: 'decisions/s',
  },
  {
    name: 'decide, full reasons, every sentence rendered',
    value: decideWithSentences,
    unit: 'decisions/s',
  },
  {
    name: 'decide, request validated by zod on every call',
    value: decideValidated,
    unit: 'decisions/s',
  },
  {
    name: 'bare bitset check (no reasons, no SoD, no conditions)',
    value: bitsetRate,
    unit: 'decisions/s',
    note: `${(bitsetAllowed * 100).toFixed(0)}% allowed`,
  },
  {
    name: 'bare bitset check, one object per user (the prepared-actor layout)',
    value: perUserRate,
    unit: 'decisions/s',
  },
  {
    name: 'decideAt, the same 5,000 users as CASL and casbin',
    value: decideAtSampleRate,
    unit: 'decisions/s',
    note: `${fmt(sample.length)} requests`,
  },
  {
    name: 'decide (objects), the same 5,000 users',
    value: decideSampleRate,
    unit: 'decisions/s',
  },
  {
    name: '@casl/ability (mongo conditions: org path and dates)',
    value: caslRate,
    unit: 'decisions/s',
    note: `abilities for ${fmt(SAMPLE)} users`,
  },
  {
    name: 'casbin 5 (RBAC with domains, path walked)',
    value: casbinRate,
    unit: 'decisions/s',
    note: `groupings for ${fmt(SAMPLE)} users`,
  },
  {
    name: 'heap: the world as decideAt() holds it (the population)',
    value: worldHeap / 2 ** 20,
    unit: 'MB',
    note: gc ? 'after gc' : 'no --expose-gc: approximate',
  },
];
const targets: BenchTarget[] = [
  {
    name: 'decide (decideAt) >= 2,000,000 decisions/s',
    pass: decideAtRate >= 2_000_000,
    detail: `${fmt(decideAtRate)}/s`,
  },
  {
    name: 'decide (decideAt) >= 0.5 x bare bitset',
    pass: bitsetRatio >= 0.5,
    detail: `${bitsetRatio.toFixed(2)} x (median of ${ROUNDS} interleaved rounds)`,
  },
  {
    name: 'decide (decideAt) >= 10 x CASL (same users)',
    pass: caslRatio >= 10,
    detail: `${caslRatio.toFixed(1)} x (median of ${ROUNDS} interleaved rounds)`,
  },
  {
    name: 'decide (decideAt) >= 100 x casbin (same users)',
    pass: decideAtSampleRate >= 100 * casbinRate,
    detail: `${fmt(decideAtSampleRate / casbinRate)} x`,
  },
  {
    name: 'world heap < 32 MB',
    pass: worldHeap < 32 * 2 ** 20,
    detail: `${(worldHeap / 2 ** 20).toFixed(1)} MB`,
  },
];
printTables(
  `bench/policy (node ${process.version}, ${SECONDS}s per engine in ${ROUNDS} interleaved rounds)`,
  rows,
  targets,
);
console.log(
  `\nper round (decisions/s): ${rounds
    .map(
      (r) =>
        `decideAt ${fmt(r.decideAt)} / bitset ${fmt(r.bitset)}; sample ${fmt(r.decideAtSample)} / CASL ${fmt(r.casl)}`,
    )
    .join(' | ')}`,
);
