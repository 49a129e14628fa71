/**
 * bench/policy: careid's decision entry points against CASL on a front end's workload, in
 * ONE run, interleaved. 200 people who sign in to an RA front end (RA staff and sponsors)
 * and 500 targets (rows: a user, their card, a position, a report, each with one
 * activity); every (actor, target) pair is asked.
 *
 * (a) cold: each pair asked once, on fresh copies of the inputs, with every preparation
 *     step inside the timed span (validation, preparing actors and requests, building CASL
 *     abilities and subjects, each engine's caches starting empty);
 * (b) warm: the same pairs asked again, pass after pass, on the structures the cold run
 *     built; CASL gets a per-pair cache of its answers (a Map from pair to answer, filled
 *     before timing), as careid keeps its decisions.
 *
 * Run: `npm run bench -- policy` (node --expose-gc, so collections fall outside the spans).
 */
import {
  type ActorInput,
  createDecider,
  type Decision,
  type DecisionRequestInput,
  decide,
  decideAt,
  nationalPack,
  preparePopulation,
  prepareRequests,
} from '../../src/policy/index.js';
import { type BenchRow, type BenchTarget, printTables } from '../lib/table.js';
import { caslAbility, caslExpresses, caslSubject } from './baselines.js';
import { buildFrontEnd } from './world.js';

const ROUNDS = Number(process.env['BENCH_ROUNDS'] ?? 7);
const WARM_SECONDS = Number(process.env['BENCH_WARM_SECONDS'] ?? 0.3);
const gc = (globalThis as { gc?: () => void }).gc;
const fmt = (n: number) => Math.round(n).toLocaleString('en-GB');

const world = buildFrontEnd(200, 500);
const A = world.actors.length;
const T = world.targets.length;
const PAIRS = A * T;

interface Inputs {
  readonly actors: readonly ActorInput[];
  readonly targets: readonly DecisionRequestInput[];
}
/** Fresh copies, made outside the timed spans, so no engine finds anything of an earlier run. */
const freshInputs = (): Inputs =>
  structuredClone({ actors: world.actors, targets: world.targets }) as Inputs;
function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    for (const inner of Object.values(value)) deepFreeze(inner);
    Object.freeze(value);
  }
  return value;
}

/** One pass asking every pair once; returns how many were allowed (so nothing is optimised away). */
type Pass = () => number;
/** A cold run: builds what the engine needs from the inputs and asks every pair once. */
type Engine = (inputs: Inputs) => Pass;

let allowedSink = 0;

const engines: Record<string, Engine> = {
  'decide()': ({ actors, targets }) => {
    const pass = () => {
      let allowed = 0;
      for (let a = 0; a < A; a++) {
        const actor = actors[a]!;
        for (let t = 0; t < T; t++) {
          const r = targets[t]!;
          const d = decide({
            actor,
            activity: r.activity,
            at: r.at,
            target: r.target,
            facts: r.facts,
          });
          if (d.allowed) allowed++;
        }
      }
      return allowed;
    };
    allowedSink += pass();
    return pass;
  },
  'decide(), frozen inputs': (inputs) => engines['decide()']!(inputs),
  createDecider: ({ actors, targets }) => {
    const decider = createDecider(nationalPack);
    const prepared = decider.prepareAll(actors);
    const requests = targets.map((r) => decider.request(r));
    const pass = () => {
      let allowed = 0;
      for (let a = 0; a < A; a++) {
        const actor = prepared[a]!;
        for (let t = 0; t < T; t++) if (decider.decide(actor, requests[t]!).allowed) allowed++;
      }
      return allowed;
    };
    allowedSink += pass();
    return pass;
  },
  decideAt: ({ actors, targets }) => {
    const population = preparePopulation(nationalPack, actors);
    const requests = prepareRequests(population, targets);
    const pass = () => {
      let allowed = 0;
      for (let a = 0; a < A; a++) {
        for (let t = 0; t < T; t++) if (decideAt(population, a, requests, t).allowed) allowed++;
      }
      return allowed;
    };
    allowedSink += pass();
    return pass;
  },
  CASL: ({ actors, targets }) => {
    const abilities = actors.map((actor) => caslAbility(nationalPack, actor));
    const subjects = targets.map(caslSubject);
    const activities = targets.map((r) => r.activity);
    // CASL's `can` is `relevantRuleFor` and a check that the rule is not inverted: asked
    // once per pair, it gives the answer and the rule (its `reason`) together.
    const ask = (a: number, t: number) => {
      const rule = abilities[a]!.relevantRuleFor(activities[t]!, subjects[t]!);
      return rule !== null && !rule.inverted ? (rule.reason ?? '') : null;
    };
    let allowed = 0;
    for (let a = 0; a < A; a++) for (let t = 0; t < T; t++) if (ask(a, t) !== null) allowed++;
    allowedSink += allowed;
    // Warm: a per-pair cache of CASL's answers (the rule's reason, or null), filled here.
    const cache = new Map<number, string | null>();
    for (let a = 0; a < A; a++) for (let t = 0; t < T; t++) cache.set(a * T + t, ask(a, t));
    return () => {
      let yes = 0;
      for (let a = 0; a < A; a++) {
        for (let t = 0; t < T; t++) if (cache.get(a * T + t) !== null) yes++;
      }
      return yes;
    };
  },
};
type Name = keyof typeof engines;
const names = Object.keys(engines) as Name[];

function timeCold(name: Name): { rate: number; pass: Pass } {
  const engine = engines[name]!;
  // A front end's state kept by immer or Redux Toolkit is deeply frozen; frozen outside the span.
  const inputs = name.includes('frozen') ? deepFreeze(freshInputs()) : freshInputs();
  gc?.();
  const start = performance.now();
  const pass = engine(inputs);
  const seconds = (performance.now() - start) / 1000;
  return { rate: PAIRS / seconds, pass };
}

function timeWarm(pass: Pass): number {
  pass(); // once untimed: the JIT has compiled it before the clock starts
  gc?.();
  let passes = 0;
  const start = performance.now();
  let now = start;
  while (now - start < WARM_SECONDS * 1000 || passes < 2) {
    allowedSink += pass();
    passes++;
    now = performance.now();
  }
  return (passes * PAIRS) / ((now - start) / 1000);
}

// One untimed round first, so every engine (CASL's too) is compiled before it is timed.
// Then ROUNDS rounds; each times every engine cold then warm, the order rotating per round,
// so load from other work on this shared machine falls on all of them alike. A rate is
// the median of its rounds; a ratio is the median of the per-round ratios.
const cold: Record<Name, number>[] = [];
const warm: Record<Name, number>[] = [];
for (let round = -1; round < ROUNDS; round++) {
  const c = {} as Record<Name, number>;
  const w = {} as Record<Name, number>;
  for (let i = 0; i < names.length; i++) {
    const name = names[(i + Math.max(round, 0)) % names.length]!;
    const run = timeCold(name);
    c[name] = run.rate;
    w[name] = timeWarm(run.pass);
  }
  if (round >= 0) {
    cold.push(c);
    warm.push(w);
  }
}
const median = (xs: readonly number[]) => [...xs].sort((x, y) => x - y)[xs.length >> 1]!;
const rateOf = (rounds: Record<Name, number>[], name: Name) => median(rounds.map((r) => r[name]!));
const ratioOf = (rounds: Record<Name, number>[], name: Name) =>
  median(rounds.map((r) => r[name]! / r['CASL']!));

// What each engine answers, checked on every pair after the timed runs: the three careid
// entry points give the same decision (JSON, reasons and sentences included); CASL agrees
// with careid on every row it can express (a direct grant or an "All users" row: CASL's
// allow is careid's permit, whether or not a separation-of-duties rule or condition then
// forbids it, which CASL cannot say).
const inputs = freshInputs();
const decider = createDecider(nationalPack);
const prepared = decider.prepareAll(inputs.actors);
const requests = inputs.targets.map((r) => decider.request(r));
const population = preparePopulation(nationalPack, inputs.actors);
const table = prepareRequests(population, inputs.targets);
const abilities = inputs.actors.map((actor) => caslAbility(nationalPack, actor));
const subjects = inputs.targets.map(caslSubject);
const expressible = caslExpresses(nationalPack);
const json = (d: Decision) => JSON.stringify(d);
let expressed = 0;
let allowedCount = 0;
let forbidden = 0;
let withHints = 0;
for (let a = 0; a < A; a++) {
  for (let t = 0; t < T; t++) {
    const r = inputs.targets[t]!;
    const d = decide({ actor: inputs.actors[a]!, ...r });
    const viaDecider = decider.decide(prepared[a]!, requests[t]!);
    const viaAt = decideAt(population, a, table, t);
    if (json(d) !== json(viaDecider) || json(d) !== json(viaAt)) {
      throw new Error(`the entry points disagree on actor ${a}, target ${t}`);
    }
    if (d.allowed) allowedCount++;
    if (d.reasons.some((reason) => reason.effect === 'forbid')) forbidden++;
    if (d.wouldGrant.length > 0) withHints++;
    if (!expressible.has(r.activity)) continue;
    expressed++;
    const permitted =
      d.allowed || (d.reasons.length > 0 && d.reasons.every((x) => x.effect === 'forbid'));
    if (abilities[a]!.can(r.activity, subjects[t]!) !== permitted) {
      throw new Error(`CASL and careid disagree on actor ${a}, target ${t} (${r.activity})`);
    }
  }
}
if (allowedSink < 0) console.log(allowedSink);

const pct = (n: number) => `${((100 * n) / PAIRS).toFixed(0)}%`;
const rows: BenchRow[] = [
  {
    name: 'workload',
    value: PAIRS,
    unit: 'pairs',
    note: `${A} actors x ${T} targets, ${world.paths.length} organisations; ${pct(allowedCount)} allowed, ${pct(forbidden)} forbidden by SoD or a condition, ${pct(withHints)} denied with what would grant`,
  },
];
const what: Record<Name, string> = {
  'decide()':
    'object API: validates actor, target and facts (each object once while unchanged), reasons, what-would-grant, SoD',
  'decide(), frozen inputs':
    'the same on deeply frozen inputs (as immer or Redux Toolkit keep state): checked frozen once, then taken as unchanged',
  createDecider: 'prepare()/request() validate once; reasons, what-would-grant, SoD',
  decideAt: 'preparePopulation/prepareRequests validate once; reasons, what-would-grant, SoD',
  CASL: 'relevantRuleFor: allow and the granting rule; direct grants and All-users rows only',
};
for (const name of names) {
  rows.push({
    name: `${name}, cold (all preparation timed)`,
    value: rateOf(cold, name),
    unit: 'decisions/s',
    note: what[name] ?? '',
  });
}
for (const name of names) {
  rows.push({
    name: `${name}, warm${name === 'CASL' ? ' (per-pair cache of its answers)' : ' (its own decisions kept)'}`,
    value: rateOf(warm, name),
    unit: 'decisions/s',
    note: '',
  });
}
rows.push({
  name: 'rows CASL can express, checked equal to careid',
  value: expressed,
  unit: 'pairs',
  note: `of ${fmt(PAIRS)}; every pair: decide() = createDecider = decideAt (JSON)`,
});
const target = (name: string, ratio: number, floor: number, kind: string): BenchTarget => ({
  name: `${name} >= ${floor} x CASL ${kind}`,
  pass: ratio >= floor,
  detail: `${ratio.toFixed(2)} x (median of ${ROUNDS} interleaved rounds)`,
});
const targets: BenchTarget[] = [
  target('decide()', ratioOf(cold, 'decide()'), 1, 'cold'),
  target('decide(), frozen inputs', ratioOf(cold, 'decide(), frozen inputs'), 1, 'cold'),
  target('createDecider', ratioOf(cold, 'createDecider'), 3, 'cold'),
  target('decideAt', ratioOf(cold, 'decideAt'), 3, 'cold'),
  target('createDecider', ratioOf(warm, 'createDecider'), 3, 'warm'),
  target('decideAt', ratioOf(warm, 'decideAt'), 3, 'warm'),
];
printTables(
  `bench/policy (node ${process.version}, ${ROUNDS} interleaved rounds, warm ${WARM_SECONDS}s per engine per round)`,
  rows,
  targets,
);
for (const [kind, rounds] of [
  ['cold', cold],
  ['warm', warm],
] as const) {
  console.log(
    `\nper round, ${kind} (x CASL): ${names
      .filter((n) => n !== 'CASL')
      .map((n) => `${n} ${rounds.map((r) => (r[n]! / r['CASL']!).toFixed(2)).join(', ')}`)
      .join(' | ')}`,
  );
}
