/**
 * careid as its users run it: the published build in `dist/` (tsup's output, what
 * `npm install careid` gives), built first when it is missing or older than `src/`.
 *
 * Benches that time careid's own code path import it from here, not from `src/`: the
 * source runs through tsx, whose esbuild transform keeps function names by wrapping every
 * closure in a `__name` call (`Object.defineProperty`), a cost no user pays. A CPU profile
 * of `assignment.assign` on SQLite put it at 9 % of careid's time (`__name` and its
 * native `set name`).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

const ROOT = join(import.meta.dirname, '..', '..');

/** The newest modification time of any file under `dir`, in milliseconds. */
function newest(dir: string): number {
  let time = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    time = Math.max(time, entry.isDirectory() ? newest(path) : statSync(path).mtimeMs);
  }
  return time;
}

/** Builds `dist/` with tsup when it is missing or older than the newest file of `src/`. */
export function ensureBuilt(): void {
  const entry = join(ROOT, 'dist', 'index.js');
  if (existsSync(entry) && statSync(entry).mtimeMs >= newest(join(ROOT, 'src'))) return;
  console.error('== building dist/ (npx tsup): the bench times the published build');
  const built = spawnSync('npx', ['tsup', '--silent'], { cwd: ROOT, stdio: 'inherit' });
  if (built.status !== 0) throw new Error(`tsup failed (exit ${built.status})`);
}

/** A module of the published build, typed as its source (`dist/<path>` built from `src/<path>`). */
export async function published<T>(path: string): Promise<T> {
  ensureBuilt();
  return (await import(pathToFileURL(join(ROOT, 'dist', path)).href)) as T;
}
