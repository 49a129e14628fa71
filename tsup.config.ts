import { defineConfig, type Options } from 'tsup';

/** One entry per public subpath of the `exports` map in package.json. */
export const libraryEntries = {
  index: 'src/index.ts',
  'policy/index': 'src/policy/index.ts',
  'testing/index': 'src/testing/index.ts',
  'pki/index': 'src/pki/index.ts',
  'card/index': 'src/card/index.ts',
  'card/pcsc/index': 'src/card/pcsc/index.ts',
  'storage/sqlite/index': 'src/storage/sqlite/index.ts',
  'storage/postgres/index': 'src/storage/postgres/index.ts',
  'storage/testing/index': 'src/storage/testing/index.ts',
  'storage/file/index': 'src/storage/file/index.ts',
  'http/index': 'src/http/index.ts',
} as const;

const shared: Options = {
  sourcemap: true,
  treeshake: true,
  target: 'node20',
  platform: 'node',
  external: ['better-sqlite3', 'pg', 'pcsclite', 'fast-check', 'vitest'],
};

export default defineConfig([
  {
    ...shared,
    entry: libraryEntries,
    format: ['esm', 'cjs'],
    dts: true,
    splitting: true,
    clean: true,
  },
  // The command line is ESM only: it uses top-level await and is never require()d.
  { ...shared, entry: { 'cli/bin': 'src/cli/bin.ts' }, format: ['esm'], dts: false, clean: false },
]);
