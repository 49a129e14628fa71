import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = resolve(import.meta.dirname, '../../src');

/** Every module `entry` imports, transitively, as resolved file paths or bare package names. */
function importGraph(entry: string): Set<string> {
  const seen = new Set<string>();
  const visit = (file: string) => {
    if (seen.has(file)) return;
    seen.add(file);
    if (!file.startsWith('/')) return;
    const source = readFileSync(file, 'utf8');
    for (const match of source.matchAll(/^\s*(?:import|export)\s[^'"]*?from\s+'([^']+)'/gm)) {
      const spec = match[1] as string;
      if (/^(import|export)\s+type\s/.test(match[0].trim())) continue;
      visit(spec.startsWith('.') ? join(dirname(file), spec.replace(/\.js$/, '.ts')) : spec);
    }
  };
  visit(entry);
  return seen;
}

describe('storage entry points and native modules', () => {
  it('the storage barrel (re-exported by careid) loads neither better-sqlite3 nor pg, nor test tools, nor the PKI libraries', () => {
    const graph = importGraph(join(root, 'storage/index.ts'));
    expect(graph.size).toBeGreaterThan(10);
    for (const forbidden of ['better-sqlite3', 'pg', 'vitest', 'fast-check', 'pkijs', 'asn1js']) {
      expect(graph.has(forbidden)).toBe(false);
    }
  });

  it('each adapter subpath loads only its own driver, on first use (a missing one is OPTIONAL_PEER_MISSING)', () => {
    const requires = (file: string) =>
      [
        ...readFileSync(join(root, file), 'utf8').matchAll(
          /requireOptionalPeer<[^>]+>\('([^']+)'/g,
        ),
      ].map((m) => m[1]);
    const sqlite = importGraph(join(root, 'storage/sqlite/index.ts'));
    expect(sqlite.has('pg')).toBe(false);
    expect(requires('storage/sqlite/sqlite-store.ts')).toEqual(['better-sqlite3']);
    const postgres = importGraph(join(root, 'storage/postgres/index.ts'));
    expect(postgres.has('better-sqlite3')).toBe(false);
    expect(requires('storage/postgres/postgres-store.ts')).toEqual(['pg']);
  });
});
