/**
 * Storage benchmark: loads users, assignments, cards and certificates into each adapter
 * and measures bulk load time and the RA's hot queries (p50, p99).
 *
 *   npx tsx bench/storage/run.ts [--scale 0.01] [--adapters memory,sqlite,postgres]
 *                                [--samples 1000] [--out bench/storage/RESULTS.md]
 *
 * `--scale 1` is the full size: 1,000,000 users, 2,000,000 assignments, 1,000,000 cards
 * (and one certificate per card). PostgreSQL is read from CAREID_BENCH_POSTGRES_URL
 * (default postgres://postgres@127.0.0.1:5432/test), in a schema dropped afterwards.
 */
import { randomBytes } from 'node:crypto';
import { rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import pg from 'pg';
import type { IsoDate, IsoDateTime, Uuid } from '../../src/domain/index.js';
import { memoryStore, type Store } from '../../src/storage/index.js';
import { postgresStore } from '../../src/storage/postgres/index.js';
import { sqliteStore } from '../../src/storage/sqlite/index.js';
import {
  fixtureAssignment,
  fixtureCard,
  fixtureCertificate,
  fixtureEvent,
  fixtureUser,
} from '../../src/storage/testing/index.js';
import { dropSchema } from '../lib/postgres.js';

const { values } = parseArgs({
  options: {
    scale: { type: 'string', default: '0.01' },
    adapters: { type: 'string', default: 'memory,sqlite,postgres' },
    samples: { type: 'string', default: '1000' },
    out: { type: 'string' },
    // Which record kinds to load (users alone is enough for the name-search pages).
    kinds: { type: 'string', default: 'users,positionAssignments,smartcards,certificates' },
    // Memory store sizes at which one insert is timed; '' skips it.
    'insert-sizes': { type: 'string', default: '10000,100000' },
  },
});
const scale = Number(values.scale);
const samples = Number(values.samples);
const USERS = Math.round(1_000_000 * scale);
const PG_URL =
  process.env['CAREID_BENCH_POSTGRES_URL'] ?? 'postgres://postgres@127.0.0.1:5432/test';

// Deterministic synthetic names: ~2,900 family names, 48 given names.
const SYLLABLES =
  'al ber cor dan el far gil har ing jo kel lin mor nor ost par quin ros sto tur vin wal yor zan'.split(
    ' ',
  );
const SUFFIXES = ['s', 'son', 'ton', 'ley', ''];
const FAMILIES = SYLLABLES.flatMap((a) =>
  SYLLABLES.flatMap((b) => SUFFIXES.map((s) => `${a[0]?.toUpperCase()}${a.slice(1)}${b}${s}`)),
);
const GIVENS =
  'Ann Bob Cat Dev Eve Fay Gus Hal Ivy Jay Kim Lea Max Ned Oli Pam Raj Sam Tom Uma Val Wes Xia Yan Zoe Amir Bea Cal Dora Eli Finn Gia Hugo Isla Jude Kai Lola Mia Noor Owen Pia Remy Sana Theo Una Vera Will Zara'.split(
    ' ',
  );

let seed = 42;
const rand = (n: number) => {
  seed = (seed * 1103515245 + 12345) & 0x7fffffff;
  return seed % n;
};
const uuidOf = (i: number) => String(100_000_000_000 + i) as Uuid;
const serialOf = (i: number) => `07${String(i).padStart(10, '0')}`;
const familyOf = (i: number) => FAMILIES[(i * 7919) % FAMILIES.length] as string;
const today = new Date().toISOString().slice(0, 10) as IsoDate;
const now = new Date();
const dayMs = 86_400_000;

function* users() {
  for (let i = 0; i < USERS; i++) {
    yield fixtureUser(uuidOf(i), {
      family: familyOf(i),
      given: GIVENS[i % GIVENS.length] as string,
      dateOfBirth: `19${60 + (i % 40)}-0${1 + (i % 9)}-1${i % 10}`,
    });
  }
}
function* assignments() {
  for (let i = 0; i < USERS; i++) {
    yield fixtureAssignment(`a${i}_1`, uuidOf(i), {
      start: '2024-01-01',
      organisation: `P${i % 500}00`,
    });
    yield fixtureAssignment(`a${i}_2`, uuidOf(i), {
      start: '2023-01-01',
      end: '2024-01-01',
      organisation: `P${i % 500}00`,
    });
  }
}
function* cards() {
  for (let i = 0; i < USERS; i++) yield fixtureCard(serialOf(i), uuidOf(i));
}
function* certificates() {
  for (let i = 0; i < USERS; i++) {
    // Expiry spread over three years from now, so about 1 in 36 expires in the next 30 days.
    const notAfter = new Date(now.getTime() + ((i * 104_729) % (3 * 365)) * dayMs).toISOString();
    yield fixtureCertificate(i.toString(16).padStart(8, '0'), uuidOf(i), notAfter, serialOf(i));
  }
}

interface Result {
  adapter: string;
  metric: string;
  value: string;
  target?: string;
  pass?: boolean;
}
const results: Result[] = [];

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((sorted.length * p) / 100))] as number;
}

async function latency(
  store: Store,
  label: string,
  op: () => Promise<unknown>,
  targetP99?: number,
) {
  // Collect the bulk load's garbage first when the runtime allows it (node --expose-gc).
  (globalThis as { gc?: () => void }).gc?.();
  for (let i = 0; i < 200; i++) await op();
  const times: number[] = [];
  for (let i = 0; i < samples; i++) {
    const t0 = performance.now();
    await op();
    times.push(performance.now() - t0);
  }
  times.sort((a, b) => a - b);
  const p50 = percentile(times, 50);
  const p99 = percentile(times, 99);
  const gated = targetP99 !== undefined && store.adapter !== 'memory';
  results.push({
    adapter: store.adapter,
    metric: label,
    value: `p50 ${p50.toFixed(3)} ms, p99 ${p99.toFixed(3)} ms`,
    ...(gated ? { target: `p99 < ${targetP99} ms`, pass: p99 < targetP99 } : {}),
  });
  return p50;
}

async function bench(name: string, store: Store, schema?: string) {
  console.error(
    `== ${name}: loading ${USERS} users, ${2 * USERS} assignments, ${USERS} cards and certificates`,
  );
  const load = async (
    kind: Parameters<Store['bulkLoad']>[0],
    source: Iterable<never>,
    count: number,
    target?: number,
  ) => {
    const t0 = performance.now();
    const result = await store.bulkLoad(
      kind,
      source,
      fixtureEvent('storage.bulk-load', kind, { count }),
    );
    const seconds = (performance.now() - t0) / 1000;
    const gated = target !== undefined && store.adapter !== 'memory';
    results.push({
      adapter: store.adapter,
      metric: `bulk load ${result.count.toLocaleString('en-GB')} ${kind}`,
      value: `${seconds.toFixed(1)} s (${Math.round(result.count / seconds).toLocaleString('en-GB')}/s)`,
      ...(gated
        ? { target: `< ${(target * scale).toFixed(1)} s`, pass: seconds < target * scale }
        : {}),
    });
    console.error(`   ${kind}: ${seconds.toFixed(1)} s`);
  };
  const kinds = values.kinds.split(',');
  await load('users', users() as Iterable<never>, USERS, 60);
  if (kinds.includes('positionAssignments')) {
    await load('positionAssignments', assignments() as Iterable<never>, 2 * USERS);
  }
  if (kinds.includes('smartcards')) await load('smartcards', cards() as Iterable<never>, USERS);
  if (kinds.includes('certificates')) {
    await load('certificates', certificates() as Iterable<never>, USERS);
  }

  if (store.adapter === 'postgres' && schema !== undefined) {
    // As an operator would after an import: VACUUM sets the hint bits and visibility map
    // now, instead of the first reads doing it (and autovacuum competing with the timings).
    // Not timed: it is maintenance, not part of the load.
    const client = new pg.Client(PG_URL);
    await client.connect();
    const t0 = performance.now();
    for (const table of ['users', 'position_assignments', 'smartcards', 'certificates']) {
      await client.query(`VACUUM "${schema}".${table}`);
    }
    // Flush the import's dirty pages now rather than under the timings (needs superuser
    // or pg_checkpoint; skipped when not allowed).
    await client.query('CHECKPOINT').catch(() => undefined);
    console.error(`   VACUUM, CHECKPOINT: ${((performance.now() - t0) / 1000).toFixed(1)} s`);
    await client.end();
  }
  if (store.adapter === 'postgres') {
    // The floor under every PostgreSQL figure: one bare driver round trip on this machine.
    const pool = new pg.Pool({ connectionString: PG_URL, max: 1 });
    await latency(store, 'floor: bare pg round trip (SELECT 1, no careid)', () =>
      pool.query('SELECT 1'),
    );
    await pool.end();
  }
  await latency(
    store,
    'user by UUID',
    () => store.transaction((tx) => tx.users.get(uuidOf(rand(USERS)))),
    2,
  );
  await latency(
    store,
    'name-prefix search (3 letters, first page of 20)',
    () =>
      store.transaction((tx) =>
        tx.users.searchByName({ family: familyOf(rand(USERS)).slice(0, 3) }, { limit: 20 }),
      ),
    20,
  );
  await deepPages(store);
  if (!kinds.includes('positionAssignments')) return;
  await latency(store, 'assignments of a user active today', () =>
    store.transaction((tx) => tx.positionAssignments.activeForUser(uuidOf(rand(USERS)), today)),
  );
  if (!kinds.includes('certificates')) return;
  const from = now.toISOString() as IsoDateTime;
  const before = new Date(now.getTime() + 30 * dayMs).toISOString() as IsoDateTime;
  let cursor: string | undefined;
  await latency(store, 'certificates expiring in 30 days (page of 100, paging on)', async () => {
    const page = await store.transaction((tx) =>
      tx.certificates.expiring({ from, before }, { limit: 100, cursor }),
    );
    cursor = page.nextCursor;
  });
}

/**
 * Deep pages of a popular prefix: the family names starting with `A` (1 in 24 users). The
 * cursors of pages 1, 100 and 1000 (of 20) are collected by walking the pages once,
 * untimed; each timed call then reads that page with its cursor in its own transaction.
 * Target: page 1000 within 3x of page 1.
 */
async function deepPages(store: Store) {
  const query = { family: 'a' };
  const limit = 20;
  const wanted = [1, 100, 1000];
  const cursors = new Map<number, string | undefined>([[1, undefined]]);
  let cursor: string | undefined;
  for (let n = 1; n < Math.max(...wanted); n++) {
    const page = await store.transaction((tx) => tx.users.searchByName(query, { limit, cursor }));
    cursor = page.nextCursor;
    if (cursor === undefined) break;
    cursors.set(n + 1, cursor);
  }
  const p50s = new Map<number, number>();
  for (const n of wanted) {
    if (!cursors.has(n)) {
      console.error(`   prefix 'A' has fewer than ${n} pages of ${limit} at this scale`);
      continue;
    }
    const at = cursors.get(n);
    const p50 = await latency(
      store,
      `name-prefix search, popular prefix 'A', page ${n} of ${limit}`,
      () =>
        store.transaction((tx) =>
          tx.users.searchByName(query, at === undefined ? { limit } : { limit, cursor: at }),
        ),
    );
    p50s.set(n, p50);
  }
  const first = p50s.get(1);
  const deepest = p50s.get(1000);
  if (first !== undefined && deepest !== undefined) {
    results.push({
      adapter: store.adapter,
      metric: 'page 1000 / page 1 (p50)',
      value: `${(deepest / first).toFixed(2)}x`,
      target: '<= 3x',
      pass: deepest <= 3 * first,
    });
  }
}

/**
 * The memory store's insert cost as it grows: `size` users bulk-loaded, then 2,000 single
 * user inserts, each its own transaction (validation, three name indexes, the audit append).
 * Baseline in the same run: the former index, a sorted array kept in order with
 * `Array.splice`, three of them, one insert into each.
 */
async function memoryInsertCost(size: number) {
  const store = memoryStore();
  const loadUsers = function* () {
    for (let i = 0; i < size; i++) {
      yield fixtureUser(uuidOf(i), {
        family: familyOf(i),
        given: GIVENS[i % GIVENS.length] as string,
      });
    }
  };
  await store.bulkLoad('users', loadUsers(), fixtureEvent('storage.bulk-load', 'users'));
  (globalThis as { gc?: () => void }).gc?.();
  const inserts = 2000;
  const t0 = performance.now();
  for (let i = 0; i < inserts; i++) {
    const n = size + i;
    await store.transaction(async (tx) => {
      await tx.users.insert(fixtureUser(uuidOf(n), { family: familyOf(rand(size)), given: 'Zed' }));
      await tx.audit.append(fixtureEvent('user.create', uuidOf(n)));
    });
  }
  const careid = (performance.now() - t0) / inserts;
  await store.close();
  // Baseline: three sorted arrays of `size` keys, one splice insert into each.
  const keys = Array.from({ length: size }, (_, i) => `${familyOf(i)}\u0000${uuidOf(i)}`).sort();
  const arrays = [keys, [...keys], [...keys]];
  const t1 = performance.now();
  for (let i = 0; i < inserts; i++) {
    const key = `${familyOf(rand(size))}\u0000${uuidOf(size + i)}`;
    for (const array of arrays) {
      let lo = 0;
      let hi = array.length;
      while (lo < hi) {
        const mid = (lo + hi) >>> 1;
        if ((array[mid] as string) < key) lo = mid + 1;
        else hi = mid;
      }
      array.splice(lo, 0, key);
    }
  }
  const splice = (performance.now() - t1) / inserts;
  results.push({
    adapter: 'memory',
    metric: `one user insert at ${size.toLocaleString('en-GB')} users (own transaction, mean of ${inserts})`,
    value: `${careid.toFixed(4)} ms; baseline sorted-array splice x3 indexes alone ${splice.toFixed(4)} ms`,
  });
}

const adapters = values.adapters.split(',');
for (const size of values['insert-sizes'].split(',').filter((s) => s !== '')) {
  console.error(`== memory insert cost at ${size} users`);
  await memoryInsertCost(Number(size));
}
if (adapters.includes('memory')) {
  const store = memoryStore();
  await bench('memory', store);
  await store.close();
}
if (adapters.includes('sqlite')) {
  const file = join(tmpdir(), `careid-bench-${randomBytes(4).toString('hex')}.sqlite`);
  const store = sqliteStore(file);
  try {
    await bench('sqlite', store);
  } finally {
    await store.close();
    for (const suffix of ['', '-wal', '-shm']) rmSync(file + suffix, { force: true });
  }
}
if (adapters.includes('postgres')) {
  const schema = `careid_bench_${randomBytes(4).toString('hex')}`;
  const store = postgresStore(PG_URL, { schema });
  try {
    await bench('postgres', store, schema);
  } finally {
    await store.close();
    await dropSchema(PG_URL, schema);
  }
}

const header = `Storage bench at scale ${scale} (${USERS.toLocaleString('en-GB')} users), ${samples} samples per query, ${new Date().toISOString()}`;
const rows = results.map(
  (r) =>
    `| ${r.adapter} | ${r.metric} | ${r.value} | ${r.target ?? ''} | ${r.pass === undefined ? '' : r.pass ? 'PASS' : 'FAIL'} |`,
);
const table = [
  header,
  '',
  '| adapter | measure | result | target | |',
  '|---|---|---|---|---|',
  ...rows,
].join('\n');
console.log(table);
if (values.out !== undefined) writeFileSync(values.out, `${table}\n`);
if (results.some((r) => r.pass === false)) process.exitCode = 1;
