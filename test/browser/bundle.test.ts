import { describe, expect, it } from 'vitest';
import { bundleFor, POLICY } from '../../bench/bundle/build.js';
import { newId } from '../../src/domain/ids.js';
import { generateUuid } from '../../src/domain/uuid.js';

describe('careid/policy in a browser bundle (esbuild, platform browser)', () => {
  it('everything careid/policy exports bundles for the browser: nothing reachable imports a Node built-in', async () => {
    const names = Object.keys(await import('../../src/policy/index.js'));
    expect(names).toContain('decide');
    const bundle = await bundleFor(POLICY, names, { format: 'esm' });
    const inputs = Object.keys(bundle.metafile.inputs);
    expect(inputs.some((path) => path.startsWith('node:'))).toBe(false);
    // The classic zod API is what made the bundle 103 KB gzipped: the policy uses zod/mini.
    expect(inputs.some((path) => path.includes('zod/v4/classic'))).toBe(false);
  });

  it('a module that imports a Node built-in does not bundle (so the check above can fail)', async () => {
    await expect(bundleFor('node:crypto', ['randomUUID'], { format: 'esm' })).rejects.toThrow(
      /Could not resolve/,
    );
  });

  it('ID-05 randomness comes from Web Crypto: 12-digit UUIDs with no leading zero, and record ids', () => {
    const uuids = Array.from({ length: 2000 }, () => generateUuid());
    for (const uuid of uuids) expect(uuid).toMatch(/^[1-9]\d{11}$/);
    expect(new Set(uuids).size).toBe(uuids.length);
    // Uniform over the space: the leading digits 1-9 each come up.
    expect(new Set(uuids.map((u) => u[0])).size).toBe(9);
    expect(newId('pos')).toMatch(/^pos_[0-9a-f]{32}$/);
  });
});
