import { type ChildProcess, spawn } from 'node:child_process';
import { copyFileSync, mkdirSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { build } from 'esbuild';

const ROOT = resolve(import.meta.dirname, '..', '..');
/** Preloaded in every child: CAREID_HIDE_PEERS makes the packages it names unresolvable. */
const HIDE_PEERS = join(import.meta.dirname, 'hide-peers.mjs');
/** Optional peers and dependencies stay outside the bundle, resolved from node_modules as after `npm install careid`. */
const EXTERNAL = [
  'better-sqlite3',
  'pg',
  'pcsclite',
  'fast-check',
  'vitest',
  'pkijs',
  'asn1js',
  'zod',
  'immer',
];

/**
 * Bundles src/cli/bin.ts as tsup does for dist/cli/bin.js (ESM, dependencies external) into
 * .tmp, with a copy of package.json two levels up as in the package, so each command runs
 * as its own process without a TypeScript loader's start-up cost.
 */
export async function buildCli(): Promise<{ bin: string; cleanup: () => void }> {
  const dir = join(ROOT, '.tmp', `cli-test-${process.pid}-${Date.now().toString(36)}`);
  mkdirSync(join(dir, 'dist', 'cli'), { recursive: true });
  copyFileSync(join(ROOT, 'package.json'), join(dir, 'package.json'));
  const bin = join(dir, 'dist', 'cli', 'bin.js');
  await build({
    entryPoints: [join(ROOT, 'src', 'cli', 'bin.ts')],
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'esm',
    outfile: bin,
    external: EXTERNAL,
    logLevel: 'error',
  });
  return { bin, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** What a finished command did. */
export interface CliRun {
  readonly code: number | null;
  /** The signal that ended it: set when the timeout had to kill it (it hung). */
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs `careid …` as a child process; kills it with SIGKILL after `timeoutMs`. */
export function runCli(
  bin: string,
  args: readonly string[],
  options: { env?: NodeJS.ProcessEnv; input?: string; timeoutMs?: number; cwd?: string } = {},
): Promise<CliRun> {
  const child = spawn(process.execPath, ['--import', HIDE_PEERS, bin, ...args], {
    env: { ...process.env, ...options.env },
    cwd: options.cwd ?? ROOT,
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  return collect(child, options.input, options.timeoutMs ?? 60_000);
}

/** Collects a child's output and exit; SIGKILL after `timeoutMs`. */
export function collect(
  child: ChildProcess,
  input: string | undefined,
  timeoutMs: number,
): Promise<CliRun> {
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (d: Buffer) => {
    stdout += d.toString();
  });
  child.stderr?.on('data', (d: Buffer) => {
    stderr += d.toString();
  });
  child.stdin?.end(input ?? '');
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  return new Promise((resolve) => {
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
  });
}

/** Waits until `child` has printed a line matching `pattern` on stdout, and returns the match. */
export function waitForLine(
  child: ChildProcess,
  pattern: RegExp,
  timeoutMs = 30_000,
): Promise<RegExpMatchArray> {
  return new Promise((resolve, reject) => {
    let seen = '';
    const timer = setTimeout(
      () => reject(new Error(`no line matching ${pattern} in: ${seen}`)),
      timeoutMs,
    );
    const onData = (d: Buffer) => {
      seen += d.toString();
      const match = pattern.exec(seen);
      if (match !== null) {
        clearTimeout(timer);
        child.stdout?.off('data', onData);
        resolve(match);
      }
    };
    child.stdout?.on('data', onData);
  });
}

/** Every command of the CLI, as `careid --help` lists them. */
export const COMMAND_NAMES = [
  'demo',
  'init',
  'seed',
  'card stock',
  'card issue',
  'card unlock',
  'card renew',
  'card repair',
  'card clear',
  'card cancel',
  'card replace',
  'card reconcile',
  'card record',
  'card status',
  'card simulate',
  'reports list',
  'reports export',
  'audit verify',
  'ca export',
  'ca revoke-content-signer',
  'ocsp serve',
] as const;
