/**
 * One app server of the multi-process tests and benches, run as its own OS process:
 *
 *   node --import tsx test/storage/processes/ra-worker.ts '<json job>' | @job.json
 *
 * It opens the store the job names (a PostgreSQL schema or a SQLite file), prints `ready`,
 * waits for `go` on stdin (so every process starts at once), runs its commands through
 * `createRegistrationAuthority({ store }).execute` with `callers` concurrent callers, and
 * prints one JSON line: every outcome, with its latency.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { pathToFileURL } from 'node:url';
import { createRegistrationAuthority } from '../../../src/index.js';
import type { Store } from '../../../src/storage/index.js';
import { postgresStore } from '../../../src/storage/postgres/index.js';
import { sqliteStore } from '../../../src/storage/sqlite/index.js';

/** What one worker process does. */
export interface WorkerJob {
  readonly adapter: 'sqlite' | 'postgres';
  /** The SQLite file, or the PostgreSQL URL. */
  readonly location: string;
  /** The PostgreSQL schema. */
  readonly schema?: string;
  /** The actor of every command. */
  readonly actor: string;
  /** The commands, run in order by `callers` concurrent callers. */
  readonly commands: readonly unknown[];
  readonly callers: number;
  /** The RA's clock, fixed so dates in the commands are valid. */
  readonly now: string;
  /**
   * careid from `src/` (default) or from the published build in `dist/` (benches: what
   * users run; `npx tsup` first).
   */
  readonly build?: 'src' | 'dist';
}

/** The outcome of one command. */
export type Outcome =
  | { readonly ok: true; readonly ms: number }
  | { readonly ok: false; readonly ms: number; readonly code: string; readonly message: string };

export async function runJob(
  job: WorkerJob,
  store: Store,
  create: typeof createRegistrationAuthority = createRegistrationAuthority,
): Promise<Outcome[]> {
  const ra = create({ store, clock: () => new Date(job.now) });
  const outcomes: Outcome[] = new Array(job.commands.length);
  let next = 0;
  const caller = async () => {
    for (let i = next++; i < job.commands.length; i = next++) {
      const started = performance.now();
      try {
        await ra.execute(job.actor, job.commands[i] as Parameters<typeof ra.execute>[1]);
        outcomes[i] = { ok: true, ms: performance.now() - started };
      } catch (error) {
        const e = error as { code?: unknown; message?: unknown };
        outcomes[i] = {
          ok: false,
          ms: performance.now() - started,
          code: typeof e.code === 'string' ? e.code : 'THROWN',
          message: String(e.message),
        };
      }
    }
  };
  await Promise.all(Array.from({ length: job.callers }, caller));
  return outcomes;
}

/** careid's entry points the worker uses, from `src/` or from the published build. */
interface Careid {
  readonly createRegistrationAuthority: typeof createRegistrationAuthority;
  readonly sqliteStore: typeof sqliteStore;
  readonly postgresStore: typeof postgresStore;
}

async function careidOf(build: WorkerJob['build']): Promise<Careid> {
  if (build !== 'dist') return { createRegistrationAuthority, sqliteStore, postgresStore };
  const dist = (path: string) =>
    import(pathToFileURL(join(import.meta.dirname, '..', '..', '..', 'dist', path)).href);
  const [root, sqlite, postgres] = await Promise.all([
    dist('index.js'),
    dist('storage/sqlite/index.js'),
    dist('storage/postgres/index.js'),
  ]);
  return {
    createRegistrationAuthority: root.createRegistrationAuthority,
    sqliteStore: sqlite.sqliteStore,
    postgresStore: postgres.postgresStore,
  };
}

export function openStore(
  job: WorkerJob,
  lib: Omit<Careid, 'createRegistrationAuthority'> = { sqliteStore, postgresStore },
): Store {
  return job.adapter === 'sqlite'
    ? lib.sqliteStore(job.location)
    : lib.postgresStore(job.location, { schema: job.schema ?? 'public' });
}

const invokedDirectly = process.argv[1]?.endsWith('ra-worker.ts') === true;
if (invokedDirectly) {
  const arg = process.argv[2] as string;
  // A big job comes as `@file` (see runWorkers).
  const job = JSON.parse(
    arg.startsWith('@') ? readFileSync(arg.slice(1), 'utf8') : arg,
  ) as WorkerJob;
  const lib = await careidOf(job.build);
  const store = openStore(job, lib);
  // Open the connection (and migrate) before the start signal.
  await store.transaction((tx) => tx.audit.head());
  process.stdout.write('ready\n');
  const lines = createInterface({ input: process.stdin });
  for await (const line of lines) if (line.trim() === 'go') break;
  const started = performance.now();
  const outcomes = await runJob(job, store, lib.createRegistrationAuthority);
  const ms = performance.now() - started;
  await store.close();
  process.stdout.write(`${JSON.stringify({ ms, outcomes })}\n`);
  process.exit(0);
}
