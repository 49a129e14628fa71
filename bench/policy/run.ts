/**
 * bench/policy: decide() with full reasons against a bare bitset, CASL and casbin on one
 * world of 1,000 organisations, 100,000 users and 200,000 assignments, in ONE run.
 * Run: `npm run bench -- policy` (node --expose-gc, so the heap figure is exact).
 */
import {
  compilePack,
  createDecider,
  nationalPack,
  type PreparedActor,
  type PreparedRequest,
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

// The baselines read the raw world; decide() reads its own prepared copy, built from a
// second generation of the same (seeded) world, so its heap can be measured alone.
const raw = buildWorld();
const heapBefore = await heap();
const prepared: readonly PreparedActor[] = decider.prepareAll(buildWorld().actors);
const worldHeap = (await heap()) - heapBefore;

const requestInputs = buildRequests(raw);
const requests: PreparedRequest[] = requestInputs.map((r) => decider.request(r.request));
const actorOf = Int32Array.from(requestInputs, (r) => r.actorIndex);
const N = requestInputs.length;

let allowed = 0;
const decideRate = rate(SECONDS, 100_000, (i) => {
  const k = i % N;
  if (decider.decide(prepared[actorOf[k]!]!, requests[k]!).allowed) allowed++;
});
const decideAllowed = allowed / (decideRate * SECONDS);
const decideWithSentences = rate(SECONDS / 2, 50_000, (i) => {
  const k = i % N;
  const d = decider.decide(prepared[actorOf[k]!]!, requests[k]!);
  for (const r of d.reasons) if (r.message.length === 0) throw new Error('empty sentence');
});
const decideValidated = rate(SECONDS / 2, 20_000, (i) => {
  const k = i % N;
  decider.decide(prepared[actorOf[k]!]!, requestInputs[k]!.request);
});

const bitset = buildBitset(compiled, raw.actors, raw.paths);
const day = Math.floor(Date.parse(`${DATE}T00:00:00Z`) / 86_400_000);
const bitsetArgs = requestInputs.map((r) => ({
  actor: r.actorIndex,
  activity: bitset.activityIndex.get(r.request.activity)!,
  org: bitset.orgIndex.get(r.request.target!.organisationPath![0]!)!,
}));
let bitsetAllowedCount = 0;
const bitsetRate = rate(SECONDS, 100_000, (i) => {
  const args = bitsetArgs[i % N]!;
  if (bitset.check(args.actor, args.activity, args.org, day)) bitsetAllowedCount++;
});
const bitsetAllowed = bitsetAllowedCount / (bitsetRate * SECONDS);
const perUser = buildBitsetPerUser(compiled, raw.actors, raw.paths);
const perUserRate = rate(SECONDS, 100_000, (i) => {
  const args = bitsetArgs[i % N]!;
  perUser.check(args.actor, args.activity, args.org, day);
});

// CASL and casbin build per-user structures; they decide for the requests of the first 5,000 users.
const SAMPLE = 5_000;
const sample = requestInputs.filter((r) => r.actorIndex < SAMPLE);
const caslAbilities = buildCasl(compiled, raw.actors.slice(0, SAMPLE));
const caslTargets = caslSubjects(sample.map((r) => r.request));
const sampleActors = Int32Array.from(sample, (r) => r.actorIndex);
const sampleRequests = sample.map((r) => decider.request(r.request));
const decideSampleRate = rate(SECONDS, 50_000, (i) => {
  const k = i % sample.length;
  decider.decide(prepared[sampleActors[k]!]!, sampleRequests[k]!);
});
const caslRate = rate(SECONDS, 5_000, (i) => {
  const k = i % sample.length;
  caslAbilities[sample[k]!.actorIndex]!.can(sample[k]!.request.activity, caslTargets[k]!);
});
const casbin = await buildCasbin(compiled, raw.actors.slice(0, SAMPLE), DATE);
const casbinRate = rate(SECONDS, 200, (i) => {
  const r = sample[i % sample.length]!;
  casbin(raw.actors[r.actorIndex]!.uuid, r.request.target!.organisationPath!, r.request.activity);
});

const rows: BenchRow[] = [
  {
    name: 'world',
    value: raw.paths.length,
    unit: 'organisations',
    note: `${fmt(raw.actors.length)} users, ${fmt(raw.assignmentCount)} assignments`,
  },
  {
    name: 'decide, full reasons (prepared actor and request)',
    value: decideRate,
    unit: 'decisions/s',
    note: `${(decideAllowed * 100).toFixed(0)}% allowed`,
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
    name: 'decide, the same 5,000 users as CASL and casbin',
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
    name: 'heap: the world as decide() holds it',
    value: worldHeap / 2 ** 20,
    unit: 'MB',
    note: gc ? 'after gc' : 'no --expose-gc: approximate',
  },
];
const targets: BenchTarget[] = [
  {
    name: 'decide >= 2,000,000 decisions/s',
    pass: decideRate >= 2_000_000,
    detail: `${fmt(decideRate)}/s`,
  },
  {
    name: 'decide >= 0.5 x bare bitset',
    pass: decideRate >= 0.5 * bitsetRate,
    detail: `${(decideRate / bitsetRate).toFixed(2)} x`,
  },
  {
    name: 'decide >= 10 x CASL (same users)',
    pass: decideSampleRate >= 10 * caslRate,
    detail: `${(decideSampleRate / caslRate).toFixed(1)} x`,
  },
  {
    name: 'decide >= 100 x casbin (same users)',
    pass: decideSampleRate >= 100 * casbinRate,
    detail: `${fmt(decideSampleRate / casbinRate)} x`,
  },
  {
    name: 'world heap < 32 MB',
    pass: worldHeap < 32 * 2 ** 20,
    detail: `${(worldHeap / 2 ** 20).toFixed(1)} MB`,
  },
];
printTables(`bench/policy (node ${process.version}, ${SECONDS}s per engine)`, rows, targets);
