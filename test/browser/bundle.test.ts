import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { bundleFor, POLICY, ROOT_DIST } from '../../bench/bundle/build.js';
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

describe('careid (the root, built dist) in a browser bundle (esbuild, platform browser)', () => {
  it('everything the root exports bundles for the browser: nothing it reaches imports a Node built-in or uses Node globals', async () => {
    if (!existsSync(ROOT_DIST)) throw new Error('dist/ is missing: run `npx tsup` first');
    const names = Object.keys(await import(ROOT_DIST));
    expect(names).toEqual(expect.arrayContaining(['createRegistrationAuthority', 'verifyAudit']));
    expect(names).toContain('withAuditCheckpoints');
    // The file sink (node:fs) lives in careid/storage/file now.
    expect(names).not.toContain('fileCheckpointSink');
    // No Node built-in is marked external: one reached fails the build ("Could not resolve").
    const bundle = await bundleFor(ROOT_DIST, names, { format: 'esm' });
    const inputs = Object.keys(bundle.metafile.inputs);
    expect(inputs.some((path) => path.startsWith('node:'))).toBe(false);
    expect(inputs.some((path) => path.includes('@noble/hashes'))).toBe(true);
    // Node's globals are not built-ins, and a browser lacks them: careid's own code uses
    // none (its dependencies look for `process` and `global` behind typeof guards).
    const own = await bundleFor(ROOT_DIST, names, { format: 'esm', packages: 'external' });
    const ownInputs = Object.keys(own.metafile.inputs).filter((path) => path !== '<stdin>');
    expect(ownInputs.filter((path) => !path.startsWith('dist/'))).toEqual([]);
    const globals = {
      Buffer: /(?<![.\w$])Buffer(?![\w$:])/,
      'process.': /(?<![.\w$])process\./,
      'require(': /(?<![.\w$])require\(/,
      __dirname: /(?<![.\w$])__dirname(?![\w$])/,
    };
    for (const [name, use] of Object.entries(globals)) {
      expect(use.exec(own.code)?.[0], name).toBeUndefined();
    }
  });

  it('the check can fail: careid/storage/file (node:fs) does not bundle for the browser', async () => {
    const file = ROOT_DIST.replace(/index\.js$/, 'storage/file/index.js');
    if (!existsSync(file)) throw new Error('dist/ is missing: run `npx tsup` first');
    await expect(bundleFor(file, ['fileCheckpointSink'], { format: 'esm' })).rejects.toThrow(
      /Could not resolve "(node:)?(crypto|fs\/promises|path)"/,
    );
  });
});
