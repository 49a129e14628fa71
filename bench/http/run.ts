/**
 * HTTP benchmark (careid/http): round trips per second through the handler, mounted in
 * node:http with `toNodeListener` on 127.0.0.1 and called from this process over a
 * keep-alive connection, for a command (`POST /commands/user.create`) and for
 * `POST /what-can`, against the same call on `ra.execute` / `ra.whatCan` directly, in the
 * same run, on the same RA and store. The target's client is node:http's own (the lightest
 * standard client: what is measured is the server side); a row with fetch (undici) as the
 * client is shown too, and one that calls the handler with a `Request` in-process (no
 * socket) to show where the time goes.
 *
 *   npm run bench -- http [--seconds 0.5] [--rounds 5]
 *
 * Method: after one untimed warm-up round, 5 interleaved rounds; each round times every
 * way in turn for `--seconds`, one request in flight at a time (latency-bound, as a desk
 * clicking a button). A rate is the median of its rounds; a ratio is the median of the
 * per-round ratios, so load from other work on the shared machine falls on all alike.
 * Target: the handler adds at most 2x (HTTP rate >= half the direct rate).
 */
import { fork } from 'node:child_process';
import { once } from 'node:events';
import { Agent, createServer, request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import type { IsoDateTime } from '../../src/domain/index.js';
import type { CommandInput } from '../../src/ra/index.js';
import { published } from '../lib/published.js';
import { type BenchRow, type BenchTarget, printTables } from '../lib/table.js';
import type { Done, Run } from './load.js';

const { values } = parseArgs({
  options: {
    seconds: { type: 'string', default: '0.5' },
    rounds: { type: 'string', default: '5' },
    inflight: { type: 'string', default: '8' },
    only: { type: 'string', default: 'both' },
    sweep: { type: 'boolean', default: false },
  },
});
// careid as users run it, the published build, for the handler and the direct call alike
// (bench/lib/published.ts says why).
const { createHttpHandler, toNodeListener } =
  await published<typeof import('../../src/http/index.js')>('http/index.js');
const {
  createRegistrationAuthority,
  seed,
  seedAssignment,
  seedOrganisation,
  seedPosition,
  seedUser,
  memoryStore,
} = await published<typeof import('../../src/index.js')>('index.js');
const SECONDS = Number(values.seconds);
const ROUNDS = Number(values.rounds);
const INFLIGHT = Number(values.inflight);
const ONLY = values.only as 'both' | 'latency' | 'throughput';
const SWEEP = values.sweep;

const NOW = new Date('2026-11-22T10:00:00.000Z');
const AT = NOW.toISOString() as IsoDateTime;
const ICB = 'QVV';
const PHARMACY = 'FA123';
const AGENT = '555000000002';
const ctx = { at: AT, by: '555000000001' };

const store = memoryStore();
const agentPosition = seedPosition(
  { id: 'pos-raa', organisation: ICB, jobRole: 'R5090', activities: [] },
  ctx,
);
await seed(
  store,
  {
    organisations: [
      seedOrganisation({ odsCode: ICB, name: ICB, kind: 'icb' }),
      seedOrganisation({ odsCode: PHARMACY, name: PHARMACY, kind: 'pharmacy', parent: ICB }),
    ],
    positions: [agentPosition],
    users: [seedUser({ uuid: AGENT, given: 'Staff', family: 'Agent', training: true }, ctx)],
    assignments: [
      seedAssignment(
        { id: 'asg-agent', user: AGENT, position: agentPosition, start: '2026-01-01' },
        ctx,
      ),
    ],
  },
  { at: AT, by: 'bench-seed' },
);
const ra = createRegistrationAuthority({ store, clock: () => NOW });
const handler = createHttpHandler({
  ra,
  store,
  clock: () => NOW,
  // The bench host's sign-in: a bearer token that is the actor's UUID.
  authenticate: (request) => request.headers.get('authorization')?.slice('Bearer '.length) ?? null,
});
const server = createServer(toNodeListener(handler));
await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
// The same store under an RA whose clock moves on 1 ms at every reading, as the system clock
// does between a front end's requests: a what-can body with no `at` is decided at a new
// instant each call, so the policy makes its decisions afresh (with the fixed clock above,
// it hands back the ones it keeps, direct and over HTTP alike). Not the system clock
// itself: calls made faster would share a millisecond, and so the policy's kept decisions.
let tick = NOW.getTime();
const liveRa = createRegistrationAuthority({ store, clock: () => new Date(tick++) });
const liveServer = createServer(
  toNodeListener(
    createHttpHandler({
      ra: liveRa,
      store,
      authenticate: (request) =>
        request.headers.get('authorization')?.slice('Bearer '.length) ?? null,
    }),
  ),
);
await new Promise<void>((resolve) => liveServer.listen(0, '127.0.0.1', resolve));
const liveBase = `http://127.0.0.1:${(liveServer.address() as AddressInfo).port}`;

// Every user.create makes a new profile (a new family name each time, so no ID-06 match):
// each way of calling creates the same kind of profile against the same growing store.
let serial = 0;
const applicant = (): Extract<CommandInput, { type: 'user.create' }> => ({
  type: 'user.create',
  organisation: PHARMACY,
  name: { given: 'Alex', family: `Rivers${(serial++).toString(36)}` },
  dateOfBirth: '1995-05-05',
  identityCheck: {
    documents: [
      { kind: 'passport', country: 'GBR', number: '123456789', expiry: '2030-01-01' },
      { kind: 'driving-licence', number: 'SMITH751010AB9CD', expiry: '2030-01-01' },
      {
        kind: 'proof-of-address',
        documentType: 'council tax bill',
        issuer: 'Dorset Council',
        issuedOn: '2026-10-01',
      },
    ],
    photo: 'sha256:0f1e2d',
  },
});
const target = { organisationPath: [PHARMACY, ICB] };
const headers = { authorization: `Bearer ${AGENT}`, 'content-type': 'application/json' };

async function expectOk(res: Response) {
  if (res.status !== 200)
    throw new Error(`bench request failed: ${res.status} ${await res.text()}`);
  await res.arrayBuffer();
}

// The transport's floor on this machine, now: a node:http server that answers `{}` to
// every POST, no careid in it, called by the same client.
// A second path answers with bytes as many as `POST /what-can`'s answer (set below): the
// floor of a round trip that carries that much back.
let bigAnswer = Buffer.from('{}');
const echo = createServer((req, res) => {
  req.resume();
  req.once('end', () => res.end(req.url === '/big' ? bigAnswer : '{}'));
});
await new Promise<void>((resolve) => echo.listen(0, '127.0.0.1', resolve));
const echoBase = `http://127.0.0.1:${(echo.address() as AddressInfo).port}`;

const agent = new Agent({ keepAlive: true, maxSockets: 1 });
/** One POST over node:http's client on the kept-alive connection; resolves once read. */
const post = (path: string, body: string, to = base) =>
  new Promise<void>((resolve, reject) => {
    const req = request(`${to}${path}`, { method: 'POST', agent, headers }, (res) => {
      if (res.statusCode !== 200) reject(new Error(`bench request failed: ${res.statusCode}`));
      res.resume();
      res.once('end', resolve);
    });
    req.once('error', reject);
    req.end(body);
  });

type Way = { readonly name: string; readonly call: () => Promise<unknown> };
const command: Way[] = [
  { name: 'ra.execute(user.create), direct', call: () => ra.execute(AGENT, applicant()) },
  {
    name: 'handler(Request) in-process, user.create',
    call: async () =>
      expectOk(
        await handler(
          new Request(`${base}/commands/user.create`, {
            method: 'POST',
            headers,
            body: JSON.stringify(applicant()),
          }),
        ),
      ),
  },
  {
    name: 'HTTP POST /commands/user.create on 127.0.0.1 (node:http client)',
    call: () => post('/commands/user.create', JSON.stringify(applicant())),
  },
  {
    name: 'HTTP POST /commands/user.create on 127.0.0.1 (fetch client)',
    call: async () =>
      expectOk(
        await fetch(`${base}/commands/user.create`, {
          method: 'POST',
          headers,
          body: JSON.stringify(applicant()),
        }),
      ),
  },
];
command.push({
  name: 'ra.execute(user.create) + JSON.stringify of its result, direct',
  call: async () => JSON.stringify(await ra.execute(AGENT, applicant())),
});
const whatCan: Way[] = [
  { name: 'ra.whatCan(actor, target), direct', call: () => ra.whatCan(AGENT, target) },
  {
    name: 'handler(Request) in-process, what-can',
    call: async () =>
      expectOk(
        await handler(
          new Request(`${base}/what-can`, {
            method: 'POST',
            headers,
            body: JSON.stringify({ target }),
          }),
        ),
      ),
  },
  {
    name: 'HTTP POST /what-can on 127.0.0.1 (node:http client)',
    call: () => post('/what-can', JSON.stringify({ target })),
  },
  {
    name: 'HTTP POST /what-can on 127.0.0.1 (fetch client)',
    call: async () =>
      expectOk(
        await fetch(`${base}/what-can`, {
          method: 'POST',
          headers,
          body: JSON.stringify({ target }),
        }),
      ),
  },
];
{
  const res = await handler(
    new Request(`${base}/what-can`, { method: 'POST', headers, body: JSON.stringify({ target }) }),
  );
  bigAnswer = Buffer.from(await res.arrayBuffer());
}
whatCan.push({
  name: 'ra.whatCan(actor, target) + JSON.stringify of its result, direct',
  call: async () => JSON.stringify(await ra.whatCan(AGENT, target)),
});

/** CPU time this process used per call in each way's last timed span, in µs (client and server both). */
const cpuPerCall = new Map<string, number[]>();

/**
 * Calls `call` one at a time for about `seconds`; calls per second (wall clock). The CPU
 * time the process spent per call is kept too: on a shared machine the wall clock also
 * counts the waits for a core, which every socket round trip meets several times.
 */
async function rate(seconds: number, call: () => Promise<unknown>, name?: string): Promise<number> {
  let calls = 0;
  const cpu = process.cpuUsage();
  const start = performance.now();
  const until = start + seconds * 1000;
  let now = start;
  while (now < until) {
    await call();
    calls++;
    now = performance.now();
  }
  if (name !== undefined) {
    const used = process.cpuUsage(cpu);
    const list = cpuPerCall.get(name) ?? [];
    list.push((used.user + used.system) / calls);
    cpuPerCall.set(name, list);
  }
  return calls / ((now - start) / 1000);
}

const median = (xs: readonly number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

/** Interleaved rounds over the ways of one question: each way's rates, one per round. */
async function measure(ways: readonly Way[]): Promise<number[][]> {
  for (const way of ways) await rate(Math.min(SECONDS, 0.3), way.call); // warm-up, untimed
  const rates = ways.map(() => [] as number[]);
  for (let r = 0; r < ROUNDS; r++) {
    for (const [i, way] of ways.entries()) rates[i]!.push(await rate(SECONDS, way.call, way.name));
  }
  return rates;
}

const load = loadavg()
  .map((l) => l.toFixed(1))
  .join(' ');
const rows: BenchRow[] = [];
const targets: BenchTarget[] = [];

if (ONLY !== 'throughput') {
  const [floor] = await measure([{ name: 'echo', call: () => post('/x', '{}', echoBase) }]);
  const r = median(floor!);
  rows.push({
    name: 'latency: node:http echo round trip on 127.0.0.1, no careid (the transport floor)',
    value: r,
    unit: 'calls/s',
    note: `${(1e6 / r).toFixed(0)} µs each, ${median(cpuPerCall.get('echo')!).toFixed(0)} µs CPU`,
  });
  for (const [question, ways] of [
    ['a command (user.create)', command],
    ['whatCan (whole matrix, one target)', whatCan],
  ] as const) {
    const rates = await measure(ways);
    for (const [i, way] of ways.entries()) {
      rows.push({
        name: `latency: ${way.name}`,
        value: median(rates[i]!),
        unit: 'calls/s',
        note: `${(1e6 / median(rates[i]!)).toFixed(0)} µs each, ${median(cpuPerCall.get(way.name)!).toFixed(0)} µs CPU`,
      });
    }
    const cpu = (i: number) => cpuPerCall.get(ways[i]!.name)!;
    const cpuRatio = median(cpu(2).map((http, r) => http / cpu(0)[r]!));
    const ratio = median(rates[0]!.map((direct, r) => direct / rates[2]![r]!));
    const inProcess = median(rates[0]!.map((direct, r) => direct / rates[1]![r]!));
    const withFetch = median(rates[0]!.map((direct, r) => direct / rates[3]![r]!));
    const overSerialised = median(rates[4]!.map((serialised, r) => serialised / rates[2]![r]!));
    targets.push({
      name: `latency view (one request in flight, client in this process; not the target's measure): ${question}`,
      pass: ratio <= 2,
      detail: `${ratio.toFixed(2)}x (in-process, no socket: ${inProcess.toFixed(2)}x; with fetch as the client: ${withFetch.toFixed(2)}x; over the direct call plus JSON.stringify of its result: ${overSerialised.toFixed(2)}x; in CPU time per call, client included: ${cpuRatio.toFixed(2)}x)`,
    });
  }
}

// ---------------------------------------------------------------------------------------
// Throughput (the target's measure): round trips per second a server answers, counted as
// autocannon and wrk count them. The load generator (bench/http/load.ts) runs in its own OS
// process with INFLIGHT requests in flight over as many kept-alive node:http sockets; this
// process only serves. Server CPU time per round trip is this process's (process.cpuUsage:
// every thread of it, the garbage collector's too) over the span, divided by the round
// trips. The direct calls run in this process, on the same RA and store, interleaved with
// the HTTP spans in every round.

/** One timed span: calls (or round trips) per second, this process's CPU µs per call, and
 * the share of one core this process used over the span. */
interface Span {
  readonly rate: number;
  readonly cpu: number;
  /** The part of `cpu` spent in the kernel (socket reads and writes, page faults). */
  readonly sys: number;
  readonly busy: number;
}
type LoadWay = { readonly name: string; readonly span: (seconds: number) => Promise<Span> };

const generator = fork(join(import.meta.dirname, 'load.ts'), [], {
  execArgv: ['--import', 'tsx'],
  stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
});
/** One span of load from the generator process on `url`; this process's CPU over it. */
async function loadSpan(
  url: string,
  body: string,
  seconds: number,
  inflight = INFLIGHT,
): Promise<Span> {
  const job: Run = { kind: 'run', url, body, headers, inflight, seconds };
  const cpu = process.cpuUsage();
  const start = performance.now();
  generator.send(job);
  const [reply] = (await once(generator, 'message')) as [
    Done | { kind: 'failed'; message: string },
  ];
  const used = process.cpuUsage(cpu);
  const wall = performance.now() - start;
  if (reply.kind === 'failed') throw new Error(`load generator: ${reply.message}`);
  const micros = used.user + used.system;
  return {
    rate: reply.completed / (reply.elapsedMs / 1000),
    cpu: micros / reply.completed,
    sys: used.system / reply.completed,
    busy: micros / 1000 / wall,
  };
}
/** `call` with `inflight` calls in flight at once in this process, for `seconds`. */
async function directSpan(call: () => Promise<unknown>, inflight: number, seconds: number) {
  let calls = 0;
  const cpu = process.cpuUsage();
  const start = performance.now();
  const until = start + seconds * 1000;
  const loop = async () => {
    while (performance.now() < until) {
      await call();
      calls++;
    }
  };
  await Promise.all(Array.from({ length: inflight }, loop));
  const wall = performance.now() - start;
  const used = process.cpuUsage(cpu);
  const micros = used.user + used.system;
  return {
    rate: calls / (wall / 1000),
    cpu: micros / calls,
    sys: used.system / calls,
    busy: micros / 1000 / wall,
  };
}

// A request body the generator sends, `@SERIAL@` made fresh per request (a new profile each
// time, as the direct calls make).
const commandBody = JSON.stringify({
  ...applicant(),
  name: { given: 'Alex', family: 'Load@SERIAL@' },
});
const whatCanJson = JSON.stringify({ target });
// The floors: node:http servers with no careid in them, loaded by the same generator in the
// same rounds; one answers `{}`, the other as many bytes as `POST /what-can` answers.
const echoWay: LoadWay = {
  name: 'node:http echo answering {}, no careid (the transport floor)',
  span: (s) => loadSpan(`${echoBase}/x`, '{}', s),
};
const echoBig: LoadWay = {
  name: `node:http echo answering ${bigAnswer.byteLength} bytes (as many as what-can), no careid (its transport floor)`,
  span: (s) => loadSpan(`${echoBase}/big`, '{}', s),
};
const throughputCommand: LoadWay[] = [
  {
    name: 'ra.execute(user.create), direct, 1 in flight',
    span: (s) => directSpan(() => ra.execute(AGENT, applicant()), 1, s),
  },
  {
    name: `ra.execute(user.create), direct, ${INFLIGHT} in flight`,
    span: (s) => directSpan(() => ra.execute(AGENT, applicant()), INFLIGHT, s),
  },
  {
    name: 'HTTP POST /commands/user.create, server throughput',
    span: (s) => loadSpan(`${base}/commands/user.create`, commandBody, s),
  },
  echoWay,
];
const throughputWhatCan: LoadWay[] = [
  {
    name: 'ra.whatCan(actor, target), direct, 1 in flight',
    span: (s) => directSpan(() => ra.whatCan(AGENT, target), 1, s),
  },
  {
    name: `ra.whatCan(actor, target), direct, ${INFLIGHT} in flight`,
    span: (s) => directSpan(() => ra.whatCan(AGENT, target), INFLIGHT, s),
  },
  {
    name: 'HTTP POST /what-can, server throughput',
    span: (s) => loadSpan(`${base}/what-can`, whatCanJson, s),
  },
  echoBig,
];
const throughputWhatCanLive: LoadWay[] = [
  {
    name: 'ra.whatCan(actor, target), new instant each call, direct, 1 in flight',
    span: (s) => directSpan(() => liveRa.whatCan(AGENT, target), 1, s),
  },
  {
    name: `ra.whatCan(actor, target), new instant each call, direct, ${INFLIGHT} in flight`,
    span: (s) => directSpan(() => liveRa.whatCan(AGENT, target), INFLIGHT, s),
  },
  {
    name: 'HTTP POST /what-can, new instant each call, server throughput',
    span: (s) => loadSpan(`${liveBase}/what-can`, whatCanJson, s),
  },
  echoBig,
];
/** Interleaved rounds over the ways of one question: each way's spans, one per round. */
async function measureLoad(ways: readonly LoadWay[]): Promise<Span[][]> {
  for (const way of ways) await way.span(Math.min(SECONDS, 0.3)); // warm-up, untimed
  const spans = ways.map(() => [] as Span[]);
  for (let r = 0; r < ROUNDS; r++) {
    for (const [i, way] of ways.entries()) spans[i]!.push(await way.span(SECONDS));
  }
  return spans;
}
const spanRow = (name: string, spans: readonly Span[]): BenchRow => {
  const rate = median(spans.map((s) => s.rate));
  return {
    name: `throughput: ${name}`,
    value: rate,
    unit: 'calls/s',
    note: `${median(spans.map((s) => s.cpu)).toFixed(0)} µs CPU each (${median(spans.map((s) => s.sys)).toFixed(0)} µs of it in the kernel); this process busy ${(median(spans.map((s) => s.busy)) * 100).toFixed(0)}% of a core`,
  };
};

if (ONLY !== 'latency') {
  if (SWEEP) {
    // How many in flight saturate the server: the choice of INFLIGHT, measured.
    for (const n of [1, 2, 4, 8, 16]) {
      const job = (url: string, body: string) => (s: number) => loadSpan(url, body, s, n);
      const spans = await measureLoad([
        { name: `echo, ${n} in flight`, span: job(`${echoBase}/x`, '{}') },
        { name: `what-can, ${n} in flight`, span: job(`${base}/what-can`, whatCanJson) },
        {
          name: `user.create, ${n} in flight`,
          span: job(`${base}/commands/user.create`, commandBody),
        },
      ]);
      rows.push(spanRow(`sweep: echo, ${n} in flight`, spans[0]!));
      rows.push(spanRow(`sweep: POST /what-can, ${n} in flight`, spans[1]!));
      rows.push(spanRow(`sweep: POST /commands/user.create, ${n} in flight`, spans[2]!));
    }
  }
  // The target's questions are asked as a front end asks them: a command, and whatCan at a
  // new instant each call (under the system clock every request is decided afresh: a decision
  // asked once is cold). whatCan asked again at one fixed instant is the warm repeat, the
  // policy handing back decisions it keeps: measured and shown, not the target's measure.
  for (const [question, ways, isTarget] of [
    ['a command (user.create)', throughputCommand, true],
    [
      'whatCan (whole matrix, one target) at a new instant each call, decisions made afresh as under the system clock',
      throughputWhatCanLive,
      true,
    ],
    [
      'whatCan asked again at one fixed instant (warm: the decisions the policy keeps)',
      throughputWhatCan,
      false,
    ],
  ] as const) {
    const spans = await measureLoad(ways);
    for (const [i, way] of ways.entries()) rows.push(spanRow(way.name, spans[i]!));
    // The baseline is the faster of the two direct ways in each round.
    const direct = (r: number) => Math.max(spans[0]![r]!.rate, spans[1]![r]!.rate);
    const directCpu = (r: number) => Math.min(spans[0]![r]!.cpu, spans[1]![r]!.cpu);
    const ratio = median(spans[2]!.map((http, r) => direct(r) / http.rate));
    const cpuRatio = median(spans[2]!.map((http, r) => http.cpu / directCpu(r)));
    const overEcho = median(spans[2]!.map((http, r) => http.cpu - spans[3]![r]!.cpu));
    const detail = `${ratio.toFixed(2)}x in round trips per second against the faster direct way; ${cpuRatio.toFixed(2)}x in server CPU time per call against the direct call's (the server's ${median(spans[2]!.map((s) => s.cpu)).toFixed(0)} µs is ${overEcho.toFixed(0)} µs more than the echo floor's in the same rounds)`;
    if (isTarget) {
      targets.push({
        name: `Server throughput: the handler adds at most 2x over the direct call (${INFLIGHT} in flight from a separate load generator): ${question}`,
        pass: ratio <= 2,
        detail,
      });
    } else {
      rows.push({ name: `HTTP over direct, ${question}`, value: ratio, unit: 'x', note: detail });
    }
  }
}
generator.send({ kind: 'exit' });

agent.destroy();
for (const s of [server, liveServer, echo]) {
  s.closeAllConnections();
  s.close();
}
printTables(
  `http (node ${process.version}, ${new Date().toISOString().slice(0, 16)}Z, load average ${load} at the start, ${loadavg()
    .map((l) => l.toFixed(1))
    .join(
      ' ',
    )} at the end, ${ROUNDS} rounds of ${SECONDS} s, ${INFLIGHT} in flight for throughput)`,
  rows,
  targets,
);
