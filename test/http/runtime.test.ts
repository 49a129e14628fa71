import { readdirSync, readFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { join } from 'node:path';
import { build } from 'esbuild';
import { describe, expect, it } from 'vitest';

const builtins = new Set([...builtinModules, ...builtinModules.map((m) => `node:${m}`)]);
const HTTP = join(import.meta.dirname, '../../src/http');
// What a host's bundler resolves from node_modules: careid's runtime dependencies.
const dependencies = Object.keys(
  JSON.parse(readFileSync(join(import.meta.dirname, '../../package.json'), 'utf8')).dependencies,
);

/** The modules reachable from an entry that import a Node built-in (type-only imports vanish). */
async function nodeImporters(entry: string): Promise<Set<string>> {
  const result = await build({
    entryPoints: [entry],
    bundle: true,
    write: false,
    platform: 'neutral',
    format: 'esm',
    metafile: true,
    logLevel: 'silent',
    external: [...dependencies, ...builtins],
  });
  const importers = new Set<string>();
  for (const [file, input] of Object.entries(result.metafile.inputs)) {
    if (input.imports.some((i) => builtins.has(i.path))) importers.add(file);
  }
  return importers;
}

describe('careid/http runs on any Fetch-API runtime', () => {
  it('no file of src/http imports a Node built-in, but the Node adapter, and that one only its types', () => {
    for (const file of readdirSync(HTTP)) {
      const source = readFileSync(join(HTTP, file), 'utf8');
      const specifiers = [...source.matchAll(/^import\s+(type\s+)?[^'"]*from\s+'([^']+)'/gm)];
      for (const [, typeOnly, specifier] of specifiers) {
        if (!builtins.has(specifier!)) continue;
        expect(file, `${file} imports ${specifier}`).toBe('node.ts');
        expect(typeOnly, `${file} imports ${specifier} for more than its types`).toBeDefined();
      }
    }
  });

  it('issue 15: neither careid/http nor the root brings in a Node built-in', async () => {
    expect([...(await nodeImporters('src/index.ts'))]).toEqual([]);
    expect([...(await nodeImporters('src/http/index.ts'))]).toEqual([]);
    // The check can fail: the file sink does import one.
    expect([...(await nodeImporters('src/storage/file/index.ts'))]).toEqual([
      'src/storage/file/file-checkpoint-sink.ts',
    ]);
  });
});
