/**
 * Reports benchmark (REP-01): a 1,000,000-row CSV export of the certificates-expiring
 * report through the RA, on the memory store and on SQLite, with rows/s and peak heap.
 * Baselines measured in the same run, on the same store:
 *  - the store's own page scan of the same rows (no policy, no scope check, no CSV): the
 *    ceiling an export could reach;
 *  - an eager export (every page read into one array, then written as CSV): what the
 *    streamed export avoids holding.
 *
 *   npm run bench -- reports [--rows 1000000] [--adapters memory,sqlite] [--out bench/reports/RESULTS.md]
 *
 * Run with `node --expose-gc` (npm run bench does) so heap figures start from a collected heap.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import type { IsoDateTime } from '../../src/domain/index.js';
import { organisationSchema, positionSchema } from '../../src/domain/index.js';
import { createRegistrationAuthority, seed } from '../../src/ra/index.js';
import { csvStream } from '../../src/ra/reports/csv.js';
import { memoryStore, type Store } from '../../src/storage/index.js';
import { sqliteStore } from '../../src/storage/sqlite/index.js';
import {
  fixtureAssignment,
  fixtureCertificate,
  fixtureEvent,
  fixtureUser,
} from '../../src/storage/testing/index.js';
import { type BenchRow, type BenchTarget, printTables } from '../lib/table.js';

const { values } = parseArgs({
  options: {
    rows: { type: 'string', default: '1000000' },
    adapters: { type: 'string', default: 'memory,sqlite' },
    out: { type: 'string' },
  },
});
const ROWS = Number(values.rows);
const HOLDERS = Math.max(1, Math.round(ROWS / 10));
const PAGE = 1000;
const NOW = new Date('2026-11-22T10:00:00.000Z');
const AT = NOW.toISOString() as IsoDateTime;
const DAY_MS = 86_400_000;
const RAM = '555000000001';
const ICB = 'QVV';
const PHARMACY = 'FA123';
/** The streamed export may grow the heap by at most this much, whatever the row count. */
const HEAP_BOUND_MB = 64;

const gc = () => (globalThis as { gc?: () => void }).gc?.();
const heapMb = () => process.memoryUsage().heapUsed / 2 ** 20;

const uuidOf = (i: number) => String(100_000_000_000 + i);

function* users() {
  for (let i = 0; i < HOLDERS; i++) yield fixtureUser(uuidOf(i), { family: `Holder${i}` });
}
function* assignments() {
  for (let i = 0; i < HOLDERS; i++) {
    yield fixtureAssignment(`a${i}`, uuidOf(i), { organisation: PHARMACY, position: 'pos-staff' });
  }
}
function* certificates() {
  for (let i = 0; i < ROWS; i++) {
    // Every certificate expires within the next 89 days, so the report has ROWS rows; the
    // expiry instants are spread to the millisecond, as issuance times are.
    const offset = 60_000 + Math.floor((((i * 7919) % ROWS) * (89 * DAY_MS)) / ROWS);
    const notAfter = new Date(NOW.getTime() + offset).toISOString();
    yield fixtureCertificate(i.toString(16).padStart(8, '0'), uuidOf(i % HOLDERS), notAfter);
  }
}

async function load(store: Store) {
  const org = (odsCode: string, kind: string, parent?: string) =>
    organisationSchema.parse({ odsCode, name: odsCode, kind, ...(parent ? { parent } : {}) });
  const position = (id: string, organisation: string, jobRole: string) =>
    positionSchema.parse({
      id,
      name: id,
      organisation,
      jobRole,
      activities: [],
      approval: { method: 'local-policy', approvedBy: [RAM], at: AT },
      status: 'open',
      version: 0,
    });
  await seed(
    store,
    {
      organisations: [org(ICB, 'icb'), org(PHARMACY, 'pharmacy', ICB)],
      positions: [position('pos-ram', ICB, 'R5080'), position('pos-staff', PHARMACY, 'R8004')],
      users: [fixtureUser(RAM, { family: 'Manager' })],
      assignments: [fixtureAssignment('a-ram', RAM, { organisation: ICB, position: 'pos-ram' })],
    },
    { at: AT, by: 'bench' },
  );
  await store.bulkLoad('users', users(), fixtureEvent('bench.load', 'users'));
  await store.bulkLoad(
    'positionAssignments',
    assignments(),
    fixtureEvent('bench.load', 'assignments'),
  );
  await store.bulkLoad('certificates', certificates(), fixtureEvent('bench.load', 'certificates'));
}

interface Run {
  readonly rows: number;
  readonly seconds: number;
  /** Most heap in use above the start, garbage included (sampled after every chunk). */
  readonly peakHeapMb: number;
  /** Most heap still reachable above the start (collected before sampling), when measured. */
  readonly liveHeapMb?: number;
  readonly bytes: number;
}

/** Chunks between forced collections when the live heap is measured. */
const LIVE_SAMPLE_EVERY = 16;

/**
 * Drains CSV chunks, sampling the heap after every chunk; with `live`, also collects
 * garbage every few chunks and samples what is still reachable (slower: not for rates).
 */
async function drain(
  chunks: AsyncIterable<string>,
  base: number,
  live = false,
): Promise<Omit<Run, 'seconds'>> {
  let rows = -1;
  let bytes = 0;
  let peak = 0;
  let livePeak = 0;
  let n = 0;
  for await (const chunk of chunks) {
    bytes += chunk.length;
    for (let i = chunk.indexOf('\n'); i >= 0; i = chunk.indexOf('\n', i + 1)) rows++;
    peak = Math.max(peak, heapMb() - base);
    if (live && n++ % LIVE_SAMPLE_EVERY === 0) {
      gc();
      livePeak = Math.max(livePeak, heapMb() - base);
    }
  }
  return { rows, bytes, peakHeapMb: peak, ...(live ? { liveHeapMb: livePeak } : {}) };
}

async function timed(fn: (base: number) => Promise<Omit<Run, 'seconds'>>): Promise<Run> {
  gc();
  const base = heapMb();
  const t0 = performance.now();
  const result = await fn(base);
  return { ...result, seconds: (performance.now() - t0) / 1000 };
}

const query = { report: 'certificates-expiring', filters: { days: 90 }, pageSize: PAGE } as const;

async function benchAdapter(name: string, store: Store) {
  const t0 = performance.now();
  await load(store);
  const loadSeconds = (performance.now() - t0) / 1000;
  const ra = createRegistrationAuthority({ store, clock: () => NOW });

  const streamed = await timed(async (base) => drain(await ra.reports.export(RAM, query), base));
  const streamedLive = await timed(async (base) =>
    drain(await ra.reports.export(RAM, query), base, true),
  );

  const scan = await timed(async (base) => {
    let rows = 0;
    let peak = 0;
    let cursor: string | undefined;
    const before = new Date(NOW.getTime() + 90 * DAY_MS).toISOString() as IsoDateTime;
    do {
      const page = await store.transaction((tx) =>
        tx.certificates.expiring(
          { from: AT, before },
          { limit: PAGE, ...(cursor ? { cursor } : {}) },
        ),
      );
      rows += page.items.length;
      cursor = page.nextCursor;
      peak = Math.max(peak, heapMb() - base);
    } while (cursor !== undefined);
    return { rows, bytes: 0, peakHeapMb: peak };
  });

  const eager = await timed(async (base) => {
    const all: Readonly<Record<string, unknown>>[] = [];
    let cursor: string | undefined;
    let columns: readonly string[] = [];
    do {
      const page = await ra.reports.view(RAM, {
        report: query.report,
        filters: query.filters,
        page: { limit: PAGE, ...(cursor ? { cursor } : {}) },
      });
      all.push(...page.rows);
      columns = page.columns;
      cursor = page.nextCursor;
    } while (cursor !== undefined);
    gc();
    const held = heapMb() - base;
    const keys = Object.keys(all[0] ?? {});
    const csv = csvStream(
      all,
      columns.map((header, i) => ({
        header,
        value: (r: (typeof all)[number]) => r[keys[i] as string] as string,
      })),
    );
    const drained = await drain(csv, base);
    return { ...drained, liveHeapMb: held };
  });

  return { name, loadSeconds, streamed, streamedLive, scan, eager };
}

const rowsOut: BenchRow[] = [];
const targets: BenchTarget[] = [];
for (const adapter of values.adapters.split(',')) {
  const dir = mkdtempSync(join(tmpdir(), 'careid-bench-reports-'));
  const store = adapter === 'sqlite' ? sqliteStore(join(dir, 'bench.db')) : memoryStore();
  try {
    const r = await benchAdapter(adapter, store);
    const rate = (run: Run) => run.rows / run.seconds;
    const mb = (n: number | undefined) => (n ?? 0).toFixed(1);
    rowsOut.push(
      {
        name: `${adapter}: load ${ROWS.toLocaleString('en-GB')} certificates, ${HOLDERS.toLocaleString('en-GB')} holders`,
        value: r.loadSeconds,
        unit: 's',
      },
      {
        name: `${adapter}: streamed export (RA, scope, CSV)`,
        value: rate(r.streamed),
        unit: 'rows/s',
        note: `${r.streamed.rows.toLocaleString('en-GB')} rows, ${(r.streamed.bytes / 2 ** 20).toFixed(0)} MB CSV in ${r.streamed.seconds.toFixed(1)} s`,
      },
      {
        name: `${adapter}: streamed export heap growth, garbage included`,
        value: r.streamed.peakHeapMb,
        unit: 'MB',
      },
      {
        name: `${adapter}: streamed export live heap growth (collected every ${LIVE_SAMPLE_EVERY} chunks)`,
        value: r.streamedLive.liveHeapMb ?? 0,
        unit: 'MB',
      },
      {
        name: `${adapter}: baseline store page scan (no policy, scope or CSV)`,
        value: rate(r.scan),
        unit: 'rows/s',
      },
      {
        name: `${adapter}: baseline eager export (all rows in memory, then CSV)`,
        value: rate(r.eager),
        unit: 'rows/s',
      },
      {
        name: `${adapter}: eager export live heap growth (its rows held, collected)`,
        value: r.eager.liveHeapMb ?? 0,
        unit: 'MB',
      },
    );
    targets.push(
      {
        name: `${adapter}: the export has every row`,
        pass: r.streamed.rows === ROWS,
        detail: `${r.streamed.rows} of ${ROWS}`,
      },
      {
        name: `${adapter}: streamed live heap growth < ${HEAP_BOUND_MB} MB (bounded, not per row)`,
        pass: (r.streamedLive.liveHeapMb ?? Number.POSITIVE_INFINITY) < HEAP_BOUND_MB,
        detail: `${mb(r.streamedLive.liveHeapMb)} MB (the eager export holds ${mb(r.eager.liveHeapMb)} MB)`,
      },
    );
  } finally {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
  gc();
}

const text = printTables(
  `Reports: ${ROWS.toLocaleString('en-GB')}-row CSV export of certificates-expiring (node ${process.version})`,
  rowsOut,
  targets,
);
if (values.out) writeFileSync(values.out, `# Reports benchmark\n\n${text}\n`);
