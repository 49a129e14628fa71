import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { writeFileAtomic } from '../../src/cli/atomic-file.js';

describe('files holding sealed secrets and CA keys are written atomically', () => {
  let dir: string | undefined;
  afterEach(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('replaces the file whole, mode 0600, with no temporary file left', () => {
    dir = mkdtempSync(join(tmpdir(), 'careid-atomic-'));
    const path = join(dir, 'keys.sealed');
    writeFileAtomic(path, 'first');
    writeFileAtomic(path, new Uint8Array([1, 2, 3]));
    expect([...readFileSync(path)]).toEqual([1, 2, 3]);
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(readdirSync(dir)).toEqual(['keys.sealed']);
  });

  it('a reader never sees half a file while another process rewrites it, nor after that process is SIGKILLed mid-loop', async () => {
    dir = mkdtempSync(join(tmpdir(), 'careid-atomic-'));
    const path = join(dir, 'vault.sealed');
    const a = 'A'.repeat(1 << 20);
    const b = 'B'.repeat(1 << 20);
    writeFileAtomic(path, a);
    const writer = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        '--input-type=module',
        '-e',
        `import { writeFileAtomic } from ${JSON.stringify(join(import.meta.dirname, '..', '..', 'src', 'cli', 'atomic-file.ts'))};
         console.log('writing');
         for (let i = 0; ; i++) writeFileAtomic(${JSON.stringify(path)}, (i % 2 ? 'A' : 'B').repeat(1 << 20));`,
      ],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    await new Promise<void>((resolve) => writer.stdout.once('data', () => resolve()));
    const seen = new Set<string>();
    const until = Date.now() + 1500;
    while (Date.now() < until) {
      const text = readFileSync(path, 'utf8');
      seen.add(text === a ? 'A' : text === b ? 'B' : `torn (${text.length} bytes)`);
      await new Promise((resolve) => setImmediate(resolve));
    }
    writer.kill('SIGKILL');
    await new Promise((resolve) => writer.once('close', resolve));
    const last = readFileSync(path, 'utf8');
    expect([a, b]).toContain(last);
    expect([...seen].filter((s) => s.startsWith('torn'))).toEqual([]);
    expect(seen.size).toBeGreaterThan(0);
  });
});
