import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Outcome, WorkerJob } from './ra-worker.js';

const WORKER = join(import.meta.dirname, 'ra-worker.ts');

/** What one worker process reported. */
export interface WorkerReport {
  /** Wall time from `go` to its last command, in milliseconds. */
  readonly ms: number;
  readonly outcomes: readonly Outcome[];
}

/**
 * Runs each job in its own OS process (`node --import tsx worker`, by default the RA
 * worker), starts them all at once when every one has opened its store, and returns their
 * reports in job order.
 *
 * @example
 * ```ts
 * const reports = await runWorkers([jobA, jobB]);
 * ```
 */
export async function runWorkers(
  jobs: readonly WorkerJob[],
  worker: string = WORKER,
): Promise<WorkerReport[]> {
  // A job too big for one command-line argument (Linux caps one at 128 KiB) goes in a file
  // the worker reads: `@path`.
  const dir = mkdtempSync(join(tmpdir(), 'careid-jobs-'));
  const argOf = (job: WorkerJob, i: number) => {
    const json = JSON.stringify(job);
    if (json.length < 64 * 1024) return json;
    const path = join(dir, `job-${i}.json`);
    writeFileSync(path, json);
    return `@${path}`;
  };
  const children = jobs.map((job, i) =>
    spawn(process.execPath, ['--import', 'tsx', worker, argOf(job, i)], {
      stdio: ['pipe', 'pipe', 'pipe'],
    }),
  );
  const outputs = children.map(() => ({ out: '', err: '' }));
  const ready = children.map(
    (child, i) =>
      new Promise<void>((resolve, reject) => {
        child.stdout.setEncoding('utf8');
        child.stderr.setEncoding('utf8');
        child.stderr.on('data', (chunk: string) => {
          (outputs[i] as { err: string }).err += chunk;
        });
        child.stdout.on('data', (chunk: string) => {
          const o = outputs[i] as { out: string };
          o.out += chunk;
          if (o.out.startsWith('ready\n')) resolve();
        });
        child.on('exit', (code) =>
          reject(new Error(`worker ${i} exited (${code}) before ready: ${outputs[i]?.err}`)),
        );
      }),
  );
  const done = children.map(
    (child, i) =>
      new Promise<WorkerReport>((resolve, reject) => {
        child.on('exit', (code) => {
          const o = outputs[i] as { out: string; err: string };
          const line = o.out.split('\n').find((l) => l.startsWith('{'));
          if (code !== 0 || line === undefined) {
            reject(new Error(`worker ${i} exited with ${code}: ${o.err.slice(-2000)}`));
          } else resolve(JSON.parse(line) as WorkerReport);
        });
      }),
  );
  try {
    try {
      await Promise.all(ready);
    } catch (error) {
      for (const child of children) child.kill('SIGKILL');
      throw error;
    }
    for (const child of children) child.stdin.write('go\n');
    return await Promise.all(done);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
