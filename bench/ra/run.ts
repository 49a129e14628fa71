/**
 * RA bench: `ra.execute` for `assignment.assign` and `user.create` on memory, SQLite and
 * PostgreSQL, with 1 and 8 concurrent callers in one process (and 2 processes x 4 callers
 * on PostgreSQL), against a raw-SQL baseline doing the same write plus the same hash-chain
 * append, in the same run.
 *
 *   npm run bench -- ra [--commands 1000] [--rounds 5] [--warmup 1000] [--adapters memory,sqlite,postgres] [--out FILE]
 *
 * What each figure includes:
 * - careid: `ra.execute(actor, command)` from the caller's side: zod parsing, loading the
 *   actor and the target, the policy decision, the write, the audit append, BEGIN/COMMIT.
 *   Every command is on a different aggregate (a different user; user.create makes a new one).
 *   careid is the published build (`dist/`, built first when stale; bench/lib/published.ts),
 *   in this process and in the worker processes alike; the baseline's chain hash is careid's
 *   own `chainRecord`.
 * - raw+chain: one transaction per command holding the same row insert (the same columns
 *   and JSON document careid writes) and the same chain append (read the head with a row
 *   lock, SHA-256 over the canonical JSON, insert the log row, move the head). No
 *   validation, no reads, no policy. PostgreSQL at READ COMMITTED (writers queue on the
 *   head row, its cheapest correct form), SQLite with BEGIN IMMEDIATE on one connection.
 * - throughput: commands / wall time from the first call to the last answer.
 * - p50/p99: latency of one call as its caller sees it, queueing included.
 * - rounds: each configuration runs `--rounds` times, careid then its baseline in each
 *   round; a row is the median of its rounds, a ratio the median of the per-round ratios.
 *   1,000 commands a round (0.1 s a round for 300 commands on SQLite, where one WAL
 *   checkpoint or garbage collection moved a round's ratio by 0.05) and 5 rounds.
 * - warm-up: before an adapter's first timed round of a kind, careid and its baseline each
 *   run `--warmup` commands of that kind (1 caller, then 8) on a store of their own, not
 *   timed, so both are measured as a long-running app server runs them, their code compiled
 *   by V8's optimising JIT. Without it, whichever configuration ran first paid for
 *   compiling careid (its first 300 commands in a process run at about half the rate of
 *   the next 300), and the ratios depended on which adapters were chosen. Nothing careid
 *   or the baseline answers is kept between stores: every timed command is a new write on
 *   a new store. The cold figure is shown (not a target): careid's first `--commands`
 *   commands in a new OS process on SQLite, its code not yet compiled.
 * PostgreSQL is read from CAREID_BENCH_POSTGRES_URL (default
 * postgres://postgres@127.0.0.1:5432/test), in schemas dropped afterwards.
 */
import { randomBytes } from 'node:crypto';
import { rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import Database from 'better-sqlite3';
import pg from 'pg';
import type { AuditEvent, IsoDateTime } from '../../src/domain/index.js';
import { seed, seedUser } from '../../src/ra/index.js';
import { chainRecord } from '../../src/storage/audit-chain.js';
import { canonicalJson, type Store } from '../../src/storage/index.js';
import { postgresStore } from '../../src/storage/postgres/index.js';
import { rowColumns, rowValues, tableDefs } from '../../src/storage/sql/tables.js';
import { sqliteStore } from '../../src/storage/sqlite/index.js';
import { fixtureAssignment, fixtureUser } from '../../src/storage/testing/index.js';
import { AT, applicant, NOW, people, seedData } from '../../test/ra/fixtures.js';
import { type Outcome, runJob, type WorkerJob } from '../../test/storage/processes/ra-worker.js';
import { runWorkers } from '../../test/storage/processes/spawn.js';
import { dropSchema } from '../lib/postgres.js';
import { published } from '../lib/published.js';
import { type BenchRow, type BenchTarget, printTables } from '../lib/table.js';

const { values } = parseArgs({
  options: {
    commands: { type: 'string', default: '1000' },
    rounds: { type: 'string', default: '5' },
    warmup: { type: 'string', default: '1000' },
    adapters: { type: 'string', default: 'memory,sqlite,postgres' },
    out: { type: 'string' },
  },
});
const N = Number(values.commands);
/** careid's timed code, from the published build (bench/lib/published.ts says why). */
const lib = {
  ...(await published<typeof import('../../src/index.js')>('index.js')),
  ...(await published<typeof import('../../src/storage/sqlite/index.js')>(
    'storage/sqlite/index.js',
  )),
  ...(await published<typeof import('../../src/storage/postgres/index.js')>(
    'storage/postgres/index.js',
  )),
};
const PG_URL =
  process.env['CAREID_BENCH_POSTGRES_URL'] ?? 'postgres://postgres@127.0.0.1:5432/test';
const ctx = { at: AT, by: people.ram };
type Kind = 'assignment.assign' | 'user.create';
const KINDS: readonly Kind[] = ['assignment.assign', 'user.create'];

const letters = (n: number) =>
  Array.from({ length: 5 }, (_, i) => String.fromCharCode(97 + (Math.floor(n / 26 ** i) % 26)))
    .join('')
    .replace(/^./, (c) => c.toUpperCase());
const targetUuid = (n: number) => `7770000${String(n).padStart(5, '0')}`;

/** The first `count` commands of a kind, each on its own aggregate. */
function commands(kind: Kind, count = N): unknown[] {
  return Array.from({ length: count }, (_, n) =>
    kind === 'assignment.assign'
      ? { type: kind, user: targetUuid(n), position: 'pos-dispenser', start: '2026-11-22' }
      : {
          type: kind,
          ...applicant,
          name: { given: 'Alex', family: letters(n) },
          niNumber: `AB${String(300000 + n)}C`,
        },
  );
}

async function seedWorld(store: Store, count = N): Promise<void> {
  const targets = Array.from({ length: count }, (_, n) =>
    seedUser({ uuid: targetUuid(n), given: 'Target', family: letters(50_000 + n) }, ctx),
  );
  await seed(store, { ...seedData, users: [...(seedData.users ?? []), ...targets] }, ctx);
}

interface Run {
  readonly throughput: number;
  readonly p50: number;
  readonly p99: number;
  readonly failed: number;
  readonly firstFailure?: string;
}

function summarise(outcomes: readonly Outcome[], ms: number): Run {
  const times = outcomes.map((o) => o.ms).sort((a, b) => a - b);
  const at = (p: number) =>
    times[Math.min(times.length - 1, Math.floor((times.length * p) / 100))] ?? 0;
  const failures = outcomes.filter((o) => !o.ok);
  const first = failures[0];
  return {
    throughput: outcomes.length / (ms / 1000),
    p50: at(50),
    p99: at(99),
    failed: failures.length,
    ...(first !== undefined && !first.ok
      ? { firstFailure: `${first.code}: ${first.message}` }
      : {}),
  };
}

function job(callers: number, cmds: readonly unknown[], base: Partial<WorkerJob>): WorkerJob {
  return {
    adapter: 'postgres',
    location: PG_URL,
    actor: people.agent,
    commands: cmds,
    callers,
    now: NOW.toISOString(),
    build: 'dist',
    ...base,
  };
}

async function careid(open: () => Store, kind: Kind, callers: number, count = N): Promise<Run> {
  const store = open();
  await seedWorld(store, count);
  const started = performance.now();
  const outcomes = await runJob(
    job(callers, commands(kind, count), {}),
    store,
    lib.createRegistrationAuthority,
  );
  const ms = performance.now() - started;
  await store.close();
  return summarise(outcomes, ms);
}

/** The row and the audit event the baseline writes for command `n`. */
function baselineWrite(kind: Kind, n: number) {
  const at = AT as IsoDateTime;
  if (kind === 'assignment.assign') {
    const record = fixtureAssignment(`asg-raw-${n}`, targetUuid(n), {
      organisation: 'FA123',
      position: 'pos-dispenser',
      start: '2026-11-22',
    });
    return {
      table: tableDefs.positionAssignments.table,
      columns: rowColumns(tableDefs.positionAssignments as never).map((c) => c.name),
      values: rowValues('positionAssignments', record),
      event: {
        at,
        actor: people.agent,
        activity: kind,
        target: record.id,
        outcome: 'allowed',
        reasons: [{ rule: 'ROLE-02', code: 'RA_ROLE', message: 'RA agent at QVV' }],
        details: { user: record.user, position: record.position, organisation: 'FA123' },
      } as AuditEvent,
    };
  }
  const uuid = String(888_000_000_000 + n);
  const record = fixtureUser(uuid, { family: letters(n), given: 'Alex' });
  return {
    table: tableDefs.users.table,
    columns: rowColumns(tableDefs.users as never).map((c) => c.name),
    values: rowValues('users', record),
    event: {
      at,
      actor: people.agent,
      activity: kind,
      target: uuid,
      outcome: 'allowed',
      reasons: [{ rule: 'ROLE-02', code: 'RA_ROLE', message: 'RA agent at QVV' }],
      details: { organisation: 'FA123' },
    } as AuditEvent,
  };
}

/** Runs `count` baseline writes with `callers` concurrent callers; `write(n)` does one. */
async function baselineRun(
  callers: number,
  count: number,
  write: (n: number) => Promise<void>,
): Promise<Run> {
  const outcomes: Outcome[] = [];
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: callers }, async () => {
      for (let n = next++; n < count; n = next++) {
        const t0 = performance.now();
        try {
          await write(n);
          outcomes.push({ ok: true, ms: performance.now() - t0 });
        } catch (error) {
          outcomes.push({
            ok: false,
            ms: performance.now() - t0,
            code: 'RAW',
            message: String(error),
          });
        }
      }
    }),
  );
  return summarise(outcomes, performance.now() - started);
}

async function rawPostgres(kind: Kind, callers: number, count = N): Promise<Run> {
  const schema = `careid_bench_${randomBytes(4).toString('hex')}`;
  const store = postgresStore(PG_URL, { schema });
  await seedWorld(store, count);
  await store.close();
  const pool = new pg.Pool({ connectionString: PG_URL, max: callers });
  const q = (t: string) => `"${schema}".${t}`;
  try {
    return await baselineRun(callers, count, async (n) => {
      const w = baselineWrite(kind, n);
      const client = await pool.connect();
      try {
        await client.query('BEGIN');
        await client.query(
          `INSERT INTO ${q(w.table)} (${w.columns.join(', ')}) VALUES (${w.columns.map((_, i) => `$${i + 1}`).join(', ')})`,
          w.values,
        );
        const head = (
          await client.query(`SELECT seq, hash FROM ${q('audit_head')} WHERE id = 1 FOR UPDATE`)
        ).rows[0];
        const record = chainRecord({ seq: Number(head.seq), hash: String(head.hash) }, w.event);
        await client.query(
          `INSERT INTO ${q('audit_log')} (seq, at, prev_hash, hash, event) VALUES ($1, $2, $3, $4, $5)`,
          [record.seq, record.at, record.prevHash, record.hash, canonicalJson(w.event)],
        );
        await client.query(`UPDATE ${q('audit_head')} SET seq = $1, hash = $2 WHERE id = 1`, [
          record.seq,
          record.hash,
        ]);
        await client.query('COMMIT');
      } catch (error) {
        await client.query('ROLLBACK');
        throw error;
      } finally {
        client.release();
      }
    });
  } finally {
    await pool.end();
    await dropSchema(PG_URL, schema);
  }
}

async function rawSqlite(kind: Kind, callers: number, count = N): Promise<Run> {
  const file = join(tmpdir(), `careid-bench-ra-${randomBytes(4).toString('hex')}.sqlite`);
  const store = sqliteStore(file);
  await seedWorld(store, count);
  await store.close();
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  // Prepared once and reused, as careid's SQLite store caches its statements.
  const w0 = baselineWrite(kind, 0);
  const insertRow = db.prepare(
    `INSERT INTO ${w0.table} (${w0.columns.join(', ')}) VALUES (${w0.columns.map(() => '?').join(', ')})`,
  );
  const readHead = db.prepare('SELECT seq, hash FROM audit_head WHERE id = 1');
  const insertLog = db.prepare(
    'INSERT INTO audit_log (seq, at, prev_hash, hash, event) VALUES (?, ?, ?, ?, ?)',
  );
  const moveHead = db.prepare('UPDATE audit_head SET seq = ?, hash = ? WHERE id = 1');
  try {
    return await baselineRun(callers, count, async (n) => {
      const w = baselineWrite(kind, n);
      db.exec('BEGIN IMMEDIATE');
      try {
        insertRow.run(...w.values);
        const head = readHead.get() as { seq: number; hash: string };
        const record = chainRecord(head, w.event);
        insertLog.run(record.seq, record.at, record.prevHash, record.hash, canonicalJson(w.event));
        moveHead.run(record.seq, record.hash);
        db.exec('COMMIT');
      } catch (error) {
        db.exec('ROLLBACK');
        throw error;
      }
    });
  } finally {
    db.close();
    for (const suffix of ['', '-wal', '-shm']) rmSync(file + suffix, { force: true });
  }
}

/** careid on PostgreSQL from 2 OS processes x 4 callers, on one schema. */
async function twoProcesses(kind: Kind): Promise<Run> {
  const schema = `careid_bench_${randomBytes(4).toString('hex')}`;
  const store = postgresStore(PG_URL, { schema });
  await seedWorld(store);
  await store.close();
  try {
    const all = commands(kind);
    const reports = await runWorkers(
      [0, 1].map((p) =>
        job(
          4,
          all.filter((_, i) => i % 2 === p),
          { schema },
        ),
      ),
    );
    return summarise(
      reports.flatMap((r) => r.outcomes),
      Math.max(...reports.map((r) => r.ms)),
    );
  } finally {
    await dropSchema(PG_URL, schema);
  }
}

const loadAtStart = loadavg();
const rows: BenchRow[] = [];
const targets: BenchTarget[] = [];
const record = (name: string, run: Run) => {
  rows.push(
    { name: `${name}: throughput`, value: run.throughput, unit: 'commands/s' },
    { name: `${name}: p50`, value: run.p50, unit: 'ms' },
    { name: `${name}: p99`, value: run.p99, unit: 'ms' },
    {
      name: `${name}: failed`,
      value: run.failed,
      unit: `of ${N}`,
      ...(run.firstFailure !== undefined ? { note: run.firstFailure.slice(0, 120) } : {}),
    },
  );
  targets.push({
    name: `${name}: zero failed commands`,
    pass: run.failed === 0,
    detail: `${run.failed} of ${N} failed`,
  });
};

const median = (xs: readonly number[]) => {
  const sorted = [...xs].sort((x, y) => x - y);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1
    ? (sorted[mid] as number)
    : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
};
/** The rounds of one configuration as one row: medians of rate and latencies, failures summed. */
const combine = (runs: readonly Run[]): Run => {
  const failed = runs.find((r) => r.firstFailure !== undefined);
  return {
    throughput: median(runs.map((r) => r.throughput)),
    p50: median(runs.map((r) => r.p50)),
    p99: median(runs.map((r) => r.p99)),
    failed: runs.reduce((sum, r) => sum + r.failed, 0),
    ...(failed?.firstFailure !== undefined ? { firstFailure: failed.firstFailure } : {}),
  };
};
const perRound = (xs: readonly number[]) => xs.map((x) => x.toFixed(2)).join(', ');

/** A store of the published build, and how to remove what it left. */
function opener(adapter: string): { open: () => Store; cleanup: () => Promise<void> } {
  if (adapter === 'memory') {
    return { open: () => lib.memoryStore(), cleanup: async () => undefined };
  }
  if (adapter === 'sqlite') {
    const file = join(tmpdir(), `careid-bench-ra-${randomBytes(4).toString('hex')}.sqlite`);
    return {
      open: () => lib.sqliteStore(file),
      cleanup: async () => {
        for (const suffix of ['', '-wal', '-shm']) rmSync(file + suffix, { force: true });
      },
    };
  }
  const schema = `careid_bench_${randomBytes(4).toString('hex')}`;
  return {
    open: () => lib.postgresStore(PG_URL, { schema }),
    cleanup: () => dropSchema(PG_URL, schema),
  };
}

// Each configuration runs ROUNDS times, careid and its baseline back to back in each round,
// so a burst of load from other work falls on both; rows are medians of the rounds, ratios
// the median of the per-round ratios.
const ROUNDS = Number(values.rounds);
const WARMUP = Number(values.warmup);
const adapters = values.adapters.split(',');

/** careid and its baseline run WARMUP commands of `kind` on stores of their own, untimed. */
async function warmUp(adapter: string, kind: Kind): Promise<void> {
  if (WARMUP <= 0) return;
  console.error(`== ${adapter} ${kind}, warm-up (${WARMUP} commands each, 1 and 8 callers)`);
  for (const callers of [1, 8]) {
    const { open, cleanup } = opener(adapter);
    await careid(open, kind, callers, WARMUP);
    await cleanup();
    if (adapter === 'sqlite') await rawSqlite(kind, callers, WARMUP);
    if (adapter === 'postgres') await rawPostgres(kind, callers, WARMUP);
  }
}

/** careid's first N commands in a new OS process (SQLite, 1 caller): the cold figure, shown. */
async function coldProcess(kind: Kind): Promise<Run> {
  const file = join(tmpdir(), `careid-bench-ra-${randomBytes(4).toString('hex')}.sqlite`);
  const store = sqliteStore(file);
  await seedWorld(store);
  await store.close();
  try {
    const [report] = await runWorkers([
      job(1, commands(kind), { adapter: 'sqlite', location: file }),
    ]);
    if (report === undefined) throw new Error('the cold worker gave no report');
    return summarise(report.outcomes, report.ms);
  } finally {
    for (const suffix of ['', '-wal', '-shm']) rmSync(file + suffix, { force: true });
  }
}

for (const adapter of adapters) {
  for (const kind of KINDS) {
    if (adapter === 'sqlite') {
      console.error(`== sqlite ${kind}, careid in a new process, cold`);
      const cold = await coldProcess(kind);
      rows.push({
        name: `sqlite ${kind}, careid, first ${N} commands of a new process (cold, shown): throughput`,
        value: cold.throughput,
        unit: 'commands/s',
      });
    }
    await warmUp(adapter, kind);
    const byCallers = new Map<number, Run[]>();
    for (const callers of [1, 8]) {
      const runs: Run[] = [];
      const raws: Run[] = [];
      for (let round = 1; round <= ROUNDS; round++) {
        console.error(`== ${adapter} ${kind}, ${callers} caller(s), round ${round}`);
        const { open, cleanup } = opener(adapter);
        runs.push(await careid(open, kind, callers));
        await cleanup();
        if (adapter === 'sqlite') raws.push(await rawSqlite(kind, callers));
        if (adapter === 'postgres') raws.push(await rawPostgres(kind, callers));
      }
      byCallers.set(callers, runs);
      const run = combine(runs);
      record(`${adapter} ${kind}, careid, ${callers} caller(s)`, run);
      if (callers === 8) {
        targets.push({
          name: `${adapter} ${kind}, careid, 8 callers: p99 < 50 ms`,
          pass: run.p99 < 50,
          detail: `p99 ${run.p99.toFixed(1)} ms (median of ${ROUNDS} rounds: ${perRound(runs.map((r) => r.p99))})`,
        });
      }
      if (raws.length > 0) {
        const raw = combine(raws);
        record(`${adapter} ${kind}, raw+chain baseline, ${callers} caller(s)`, raw);
        const ratios = runs.map((r, i) => r.throughput / (raws[i] as Run).throughput);
        const ratio = median(ratios);
        targets.push({
          name: `${adapter} ${kind}, ${callers} caller(s): careid >= 0.3x raw+chain`,
          pass: ratio >= 0.3,
          detail: `${ratio.toFixed(2)}x (per round ${perRound(ratios)})`,
        });
      }
    }
    if (adapter === 'postgres') {
      const one = byCallers.get(1) as Run[];
      const eight = byCallers.get(8) as Run[];
      const scaling = eight.map((r, i) => r.throughput / (one[i] as Run).throughput);
      targets.push({
        name: `postgres ${kind}: 8 callers >= 1.0x the throughput of 1`,
        pass: median(scaling) >= 1,
        detail: `${median(scaling).toFixed(2)}x (per round ${perRound(scaling)})`,
      });
      const twos: Run[] = [];
      for (let round = 1; round <= ROUNDS; round++) {
        console.error(`== postgres ${kind}, 2 processes x 4 callers, round ${round}`);
        twos.push(await twoProcesses(kind));
      }
      record(`postgres ${kind}, careid, 2 processes x 4 callers`, combine(twos));
      const twoScaling = twos.map((r, i) => r.throughput / (one[i] as Run).throughput);
      targets.push({
        name: `postgres ${kind}, 2 processes x 4 callers: >= 1.0x the throughput of 1 caller`,
        pass: median(twoScaling) >= 1,
        detail: `${median(twoScaling).toFixed(2)}x (per round ${perRound(twoScaling)})`,
      });
    }
  }
}

const load = (l: number[]) => l.map((x) => x.toFixed(1)).join(', ');
const text = printTables(
  `RA bench, ${N} commands per run, ${new Date().toISOString()}, load average at start ${load(loadAtStart)} and end ${load(loadavg())} (1, 5, 15 min)`,
  rows,
  targets,
);
if (values.out !== undefined) writeFileSync(values.out, `${text}\n`);
if (targets.some((t) => !t.pass)) process.exitCode = 1;
