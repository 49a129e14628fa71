import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

// Starting the reference desk with settings careid refuses: the person starting it reads
// careid's code and message and the desk exits 2, with no stack trace and nothing left listening.

const root = join(import.meta.dirname, '..', '..');
const tsx = join(root, 'node_modules', '.bin', 'tsx');

function startDesk(...flags: string[]) {
  return spawnSync(
    tsx,
    [
      '--tsconfig',
      'examples/desk/tsconfig.json',
      'examples/desk/server.ts',
      '--port',
      '0',
      ...flags,
    ],
    { cwd: root, encoding: 'utf8', timeout: 60_000 },
  );
}

describe('starting the reference desk', () => {
  it('AUTH-03 an http origin other than localhost is refused with its code and message, exit 2', () => {
    const run = startDesk('--origin', 'http://ra.example.org');
    expect(run.status).toBe(2);
    expect(run.stderr).toMatch(/^careid desk: VALIDATION: .*origins\.0.*http only for localhost/m);
    expect(run.stderr).not.toMatch(/^\s+at /m);
    expect(run.stdout).not.toContain('careid desk on');
  });

  it('an origin that is not a URL is refused before anything starts, exit 2', () => {
    const run = startDesk('--origin', 'not a url');
    expect(run.status).toBe(2);
    expect(run.stderr).toContain('--origin must be a URL');
    expect(run.stderr).not.toMatch(/^\s+at /m);
  });
});
