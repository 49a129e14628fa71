import { execFileSync } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OptionalPeerMissingError } from '../../src/errors/index.js';
import { isMissingPackage } from '../../src/errors/load-optional-peer.js';

const ROOT = resolve(import.meta.dirname, '..', '..');
const HIDE_PEERS = join(ROOT, 'test', 'cli', 'hide-peers.mjs');
const PEERS = ['better-sqlite3', 'pg', 'pcsclite', 'fast-check', 'vitest'];
const ENTRIES = {
  sqlite: 'src/storage/sqlite/index.ts',
  postgres: 'src/storage/postgres/index.ts',
  testing: 'src/testing/index.ts',
  storageTesting: 'src/storage/testing/index.ts',
  pcsc: 'src/card/pcsc/index.ts',
} as const;
type Entry = keyof typeof ENTRIES;

/** What each subpath does first with its peer; the driver prints the outcome as JSON. */
const USE: Record<Entry, string> = {
  sqlite: `(m) => m.sqliteStore(':memory:').close()`,
  postgres: `(m) => m.postgresStore('postgres://127.0.0.1:1/none').close()`,
  testing: `(m) => m.uuidArb()`,
  storageTesting: `(m) => m.describeStoreConformance`,
  pcsc: `(m) => m.PcscContext.open().then((c) => c.close())`,
};

let dir: string;

/** Each subpath bundled as tsup does (ESM and CommonJS, peers external), in the package tree. */
beforeAll(async () => {
  dir = join(ROOT, '.tmp', `optional-peers-${process.pid}`);
  mkdirSync(dir, { recursive: true });
  for (const format of ['esm', 'cjs'] as const) {
    await build({
      entryPoints: Object.fromEntries(Object.entries(ENTRIES).map(([k, v]) => [k, join(ROOT, v)])),
      outdir: join(dir, format),
      outExtension: { '.js': format === 'esm' ? '.mjs' : '.cjs' },
      bundle: true,
      platform: 'node',
      target: 'node20',
      format,
      external: [...PEERS, 'pkijs', 'asn1js', 'zod', 'immer'],
      logLevel: 'error',
    });
  }
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface Outcome {
  readonly ok: boolean;
  readonly name?: string;
  readonly code?: string;
  readonly message?: string;
}

/** Loads and uses a subpath in a fresh process where `hide` cannot be resolved. */
function use(entry: Entry, format: 'esm' | 'cjs', hide: string): Outcome {
  const file = join(dir, format, `${entry}.${format === 'esm' ? 'mjs' : 'cjs'}`);
  const driver = join(dir, `drive-${entry}-${format}.mjs`);
  const load =
    format === 'esm'
      ? `await import(${JSON.stringify(file)})`
      : `(await import('node:module')).createRequire(import.meta.url)(${JSON.stringify(file)})`;
  writeFileSync(
    driver,
    `try { const m = ${load}; await (${USE[entry]})(m); console.log(JSON.stringify({ ok: true })); }
     catch (e) { console.log(JSON.stringify({ ok: false, name: e.name, code: e.code, message: e.message })); }
     process.exit(0);`,
  );
  const out = execFileSync(process.execPath, ['--import', HIDE_PEERS, driver], {
    env: { ...process.env, CAREID_HIDE_PEERS: hide },
    encoding: 'utf8',
    timeout: 30_000,
  });
  return JSON.parse(out.trim().split('\n').at(-1) as string) as Outcome;
}

describe('a missing optional peer is a careid error naming the package and its install command', () => {
  it('OptionalPeerMissingError carries the peer, the feature and the command', () => {
    const error = new OptionalPeerMissingError('pg', 'careid/storage/postgres');
    expect(error.code).toBe('OPTIONAL_PEER_MISSING');
    expect(error.install).toBe('npm install pg');
    expect(error.message).toContain('`npm install pg`');
    expect(
      isMissingPackage(
        Object.assign(new Error("Cannot find module 'pg'"), { code: 'MODULE_NOT_FOUND' }),
        'pg',
      ),
    ).toBe(true);
    // A peer that is there but fails to load for another reason is not "missing".
    expect(
      isMissingPackage(
        Object.assign(new Error("Cannot find module './build/x.node'"), {
          code: 'MODULE_NOT_FOUND',
        }),
        'pg',
      ),
    ).toBe(false);
  });

  for (const format of ['esm', 'cjs'] as const) {
    it(`${format}: careid/storage/sqlite, careid/storage/postgres, careid/testing and careid/storage/testing`, () => {
      const cases: [Entry, string][] = [
        ['sqlite', 'better-sqlite3'],
        ['postgres', 'pg'],
        ['testing', 'fast-check'],
        // vitest cannot be require()d at all, so careid/storage/testing is for ES modules only.
        ...(format === 'esm' ? ([['storageTesting', 'fast-check']] as [Entry, string][]) : []),
      ];
      for (const [entry, peer] of cases) {
        const outcome = use(entry, format, peer);
        expect(outcome, `${entry} without ${peer}`).toMatchObject({
          ok: false,
          name: 'OptionalPeerMissingError',
          code: 'OPTIONAL_PEER_MISSING',
        });
        expect(outcome.message).toContain(`\`npm install ${peer}\``);
      }
      // With the peers there, the same bundles load them (the loader resolves from careid's files).
      expect(use('sqlite', format, '')).toEqual({ ok: true });
      expect(use('testing', format, '')).toEqual({ ok: true });
    });
  }

  it('careid/card/pcsc says the same (as CARD_TRANSPORT, its documented code)', () => {
    const outcome = use('pcsc', 'esm', 'pcsclite');
    expect(outcome).toMatchObject({ ok: false, code: 'CARD_TRANSPORT' });
    expect(outcome.message).toContain('npm install pcsclite');
  });
});
