/**
 * The test process's side of the crash harness: it builds the worker once (one esbuild
 * bundle of test/crash/ra-worker.ts and the src it imports, so a fork starts in ~0.2 s
 * rather than compiling TypeScript), keeps a spare worker booted with the world open, hands
 * it a job, answers its APDUs from the card it holds, and SIGKILLs it at the chosen APDU.
 */
import { type ChildProcess, fork } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { build } from 'esbuild';
import type { VirtualPivCard } from '../../src/card/index.js';
import type { FromWorker, ToWorker } from './protocol.js';
import type { Job, WorldConfig } from './world.js';

const ROOT = join(import.meta.dirname, '..', '..');

/**
 * Loads the bundle with a V8 code cache beside it (written by the first worker that ran a
 * job to its end), so each fork compiles little: Node 20 has no module compile cache.
 */
const LOADER = `'use strict';
const { readFileSync, renameSync, writeFileSync } = require('node:fs');
const { dirname, join } = require('node:path');
const Module = require('node:module');
const { Script } = require('node:vm');
const file = join(__dirname, 'ra-worker.cjs');
const cache = file + '.v8cache';
let cachedData;
try { cachedData = readFileSync(cache); } catch {}
const script = new Script(Module.wrap(readFileSync(file, 'utf8')), { filename: file, cachedData });
globalThis.saveCodeCache = () => {
  if (cachedData !== undefined && !script.cachedDataRejected) return;
  const tmp = cache + '.' + process.pid;
  writeFileSync(tmp, script.createCachedData());
  renameSync(tmp, cache);
};
const module_ = { exports: {} };
script.runInThisContext()(module_.exports, Module.createRequire(file), module_, file, dirname(file));
`;

/**
 * Bundles the worker (CommonJS, so the loader can compile it with a code cache) into a
 * directory of the worktree's `.tmp/` (so the optional peers it leaves out, better-sqlite3
 * and pg, resolve from node_modules), with the loader beside it. Returns the loader to
 * fork and a disposer.
 */
export async function buildWorker(): Promise<{ path: string; dispose: () => void }> {
  const dir = join(ROOT, '.tmp', 'crash', `${process.pid}-${Date.now()}`);
  mkdirSync(dir, { recursive: true });
  const bundle = join(dir, 'ra-worker.cjs');
  await build({
    entryPoints: [join(import.meta.dirname, 'ra-worker.ts')],
    outfile: bundle,
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    external: ['better-sqlite3', 'pg', 'pcsclite'],
    // optional-peer.ts names import.meta only where __filename is missing (never in CJS).
    logLevel: 'error',
  });
  const path = join(dir, 'loader.cjs');
  writeFileSync(path, LOADER);
  return { path, dispose: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Where to kill: at the n-th APDU (1-based), before the card sees it or after it answered. */
export interface KillPoint {
  readonly at: number;
  readonly after: boolean;
}

/** What a job did: it finished (with its outcome) or was killed; APDUs it sent. */
export type JobOutcome =
  | { readonly killed: true; readonly apdus: number }
  | {
      readonly killed: false;
      readonly apdus: number;
      readonly done: FromWorker & { type: 'done' };
    };

interface Booted {
  readonly child: ChildProcess;
  readonly ready: Promise<void>;
  readonly stderr: () => string;
}

/** Workers over one world: one booting spare at a time, each used for one job. */
export class WorkerPool {
  #spare: Booted | undefined;
  #live = new Set<ChildProcess>();
  /** Workers killed so far. */
  kills = 0;

  constructor(
    private readonly script: string,
    private readonly config: WorldConfig,
  ) {}

  #boot(): Booted {
    const child = fork(this.script, [JSON.stringify(this.config)], {
      stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
    });
    this.#live.add(child);
    child.on('exit', () => this.#live.delete(child));
    let err = '';
    child.stderr?.setEncoding('utf8');
    child.stderr?.on('data', (chunk: string) => {
      err += chunk;
    });
    const ready = new Promise<void>((resolve, reject) => {
      const onMessage = (m: FromWorker) => {
        if (m.type === 'ready') {
          child.off('exit', onExit);
          child.off('message', onMessage);
          resolve();
        }
      };
      const onExit = (code: number | null) =>
        reject(new Error(`worker exited (${code}) before it was ready: ${err.slice(-2000)}`));
      child.on('message', onMessage);
      child.once('exit', onExit);
    });
    ready.catch(() => undefined);
    return { child, ready, stderr: () => err };
  }

  /**
   * Runs `job` in a booted worker against `card`, killing it at `kill` (if given), and
   * resolves once the worker process has exited. A new spare boots meanwhile.
   */
  async run(job: Job, card: VirtualPivCard, kill?: KillPoint): Promise<JobOutcome> {
    const worker = this.#spare ?? this.#boot();
    this.#spare = undefined;
    await worker.ready;
    this.#spare = this.#boot();
    const { child } = worker;
    return new Promise<JobOutcome>((resolve, reject) => {
      let apdus = 0;
      let killed = false;
      let done: (FromWorker & { type: 'done' }) | undefined;
      const die = () => {
        killed = true;
        this.kills += 1;
        child.kill('SIGKILL');
      };
      child.on('message', (m: FromWorker) => {
        if (m.type === 'done') done = m;
        if (m.type !== 'apdu' || killed) return;
        apdus += 1;
        const here = kill !== undefined && kill.at === apdus;
        if (here && !kill.after) return die();
        const answer = card.transmit(new Uint8Array(Buffer.from(m.hex, 'hex')));
        if (here) return die();
        const reply: ToWorker =
          answer === undefined
            ? { type: 'removed', id: m.id }
            : { type: 'answer', id: m.id, hex: Buffer.from(answer).toString('hex') };
        child.send(reply);
      });
      // 'close': after the process exited and its IPC channel drained (a last `done` read).
      child.once('close', (code, signal) => {
        if (killed) resolve({ killed: true, apdus });
        else if (done !== undefined) resolve({ killed: false, apdus, done });
        else {
          reject(
            new Error(`worker died (${code ?? signal}) mid-job: ${worker.stderr().slice(-2000)}`),
          );
        }
      });
      child.send({ type: 'job', job } satisfies ToWorker);
    });
  }

  /** Kills the spare (and any worker still running): only processes this pool started. */
  async close(): Promise<void> {
    const exits = [...this.#live].map(
      (child) => new Promise<void>((resolve) => child.once('exit', () => resolve())),
    );
    for (const child of this.#live) child.kill('SIGKILL');
    this.#spare = undefined;
    await Promise.all(exits);
  }
}
