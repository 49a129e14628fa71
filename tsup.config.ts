import { defineConfig } from 'tsup';

/** One entry per public subpath of the `exports` map in package.json. */
export const entries = {
  index: 'src/index.ts',
  'policy/index': 'src/policy/index.ts',
  'testing/index': 'src/testing/index.ts',
  'cli/bin': 'src/cli/bin.ts',
} as const;

export default defineConfig({
  entry: entries,
  format: ['esm', 'cjs'],
  dts: true,
  sourcemap: true,
  clean: true,
  splitting: true,
  treeshake: true,
  target: 'node20',
  platform: 'node',
  external: ['better-sqlite3', 'pg', 'pcsclite', 'fast-check', 'vitest'],
});
